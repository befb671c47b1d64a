import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsOn, headingOf, type Browser, type Page } from '../../harness/browser.ts';
import { rules } from '../../src/config.ts';
import { normaliseRecoveryCode } from '../../src/factors/index.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret, totpCodeAt } from '../../src/security/totp.ts';
import { openAccountPage } from '../helpers/account-page.ts';
import { enrollAuthenticatorApp, nextTotpStep, recoveryCodesInFile, recoveryCodesOn, seedActiveAccount, seedRecoveryCodes, totpNow } from '../helpers/flows.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';
import { SoftwarePasskey } from '../helpers/software-authenticator.ts';

const requester = { ip: '127.0.0.1', userAgent: 'test' };

/** The rows of a factor table on the account page: name, and the addresses of its rename and remove links. */
function factorRows(page: Page, section: 'apps' | 'passkeys'): Array<{ name: string; rename: string | undefined; remove: string | undefined }> {
  return page
    .$(`section[aria-labelledby="${section}-title"] tbody tr`)
    .map((_, row) => ({
      name: page.$(row).find('th').text().trim(),
      rename: page.$(row).find('a[href$="/rename"]').attr('href'),
      remove: page.$(row).find('a[href$="/remove"]').attr('href'),
    }))
    .get();
}

/** The subject line of a received email (quoted-printable or encoded words aside, the plain part of it). */
function subjectOf(raw: string): string {
  return /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '';
}

/** The account page's second factors: authenticator apps, passkeys, recovery codes. */
for (const backend of backends()) {
  describe(`account page: second factors (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    const go = (browser: Browser, page: Page, href: string) => browser.get(new URL(href, page.url).toString());

    it('adds an authenticator app with the first-time enrollment page, confirmed by its first code, and emails the user', async () => {
      const email = 'add.app@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const enroll = await go(browser, page, page.$('a[href$="/account/apps/add"]').attr('href')!);
      assert.equal(page.$('a[href$="/account/apps/add"]').text().trim(), 'Add an authenticator app');
      assert.equal(headingOf(enroll), 'Set up your authenticator app');
      assert.equal(enroll.$('img.qr').attr('alt'), 'QR code');
      assert.equal(enroll.$('details summary').text().trim(), 'Still having trouble?');
      const newSecret = enroll.$('code.secret').text().replace(/\s+/g, '');
      assert.match(newSecret, /^[A-Z2-7]{32}$/);
      const again = await go(browser, page, '/account/apps/add');
      assert.equal(again.$('code.secret').text().replace(/\s+/g, ''), newSecret, 'a reload shows the same key: a scan already made stays good');

      const codePage = await go(browser, enroll, enroll.$('a.button').attr('href')!);
      assert.equal(codePage.$('label[for=code]').text().trim(), 'Enter your code.');
      const wrong = await browser.submit(codePage, '/account/apps/add/verify', { code: totpCodeAt(newSecret, Date.now() + t.clock.offsetMs + 10 * 60_000) });
      assert.equal(wrong.status, 401);
      assert.match(errorsOn(wrong).join(), /incorrect/);
      const mailsBefore = t.mail.messages.length;
      nextTotpStep(t);
      const added = await browser.submit(codePage, '/account/apps/add/verify', { code: totpNow(t, newSecret) });
      assert.equal(added.url, `${t.issuer}/account?done=appAdded`);
      assert.deepEqual(factorRows(added, 'apps').map((row) => row.name), ['Authenticator app', 'Authenticator app 2']);
      const mail = await t.mail.next(email, mailsBefore);
      assert.match(subjectOf(mail.raw), /second factor was added/);
      assert.match(mail.raw, /Authenticator app 2/);
      const audit = await t.server.services.audit.recent({ email, limit: 10 });
      assert.ok(audit.some((row) => row.event === 'totp.enrolled' && row.clientId === 'sso-account'));
      assert.deepEqual(await t.server.services.accountTasks.owedFor(id), []);
    });

    it('keeps at most five authenticator apps', async () => {
      const email = 'five.apps@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      for (let n = 2; n <= rules.maxAuthenticatorApps; n++) await enrollAuthenticatorApp(t.server.database.knex, id, sealSecret(t.server.services.secretKey, generateTotpSecret()), `App ${n}`);
      const { browser, page } = await openAccountPage(t, { email, secret });
      assert.equal(factorRows(page, 'apps').length, rules.maxAuthenticatorApps);
      assert.equal(page.$('a[href$="/account/apps/add"]').length, 0, 'no way to add a sixth');
      const refused = await go(browser, page, '/account/apps/add');
      assert.equal(refused.status, 409);
    });

    it('renames an app, refusing an empty or overlong name', async () => {
      const email = 'rename.app@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const form = await go(browser, page, factorRows(page, 'apps')[0]!.rename!);
      assert.equal(form.$('#name').attr('value'), 'Authenticator app');
      const action = form.$('form').attr('action')!;
      const empty = await browser.submit(form, action, { name: '   ' });
      assert.equal(empty.status, 400);
      const long = await browser.submit(form, action, { name: 'x'.repeat(rules.factorNameMaxLength + 1) });
      assert.equal(long.status, 400);
      const renamed = await browser.submit(form, action, { name: '  Work phone ' });
      assert.equal(renamed.url, `${t.issuer}/account?done=renamed`);
      assert.deepEqual(factorRows(renamed, 'apps').map((row) => row.name), ['Work phone']);
    });

    it('removes an app after a confirmation page whose button repeats the action, never the last one, and emails the user', async () => {
      const email = 'remove.app@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      await enrollAuthenticatorApp(t.server.database.knex, id, sealSecret(t.server.services.secretKey, generateTotpSecret()), 'Old phone');
      const { browser, page } = await openAccountPage(t, { email, secret });
      const old = factorRows(page, 'apps').find((row) => row.name === 'Old phone')!;
      const confirm = await go(browser, page, old.remove!);
      assert.equal(headingOf(confirm), 'Remove the authenticator app “Old phone”?');
      assert.equal(confirm.$('form button[type=submit]').text().trim(), 'Remove authenticator app');
      const mailsBefore = t.mail.messages.length;
      const removed = await browser.submit(confirm, confirm.$('form').attr('action')!);
      assert.equal(removed.url, `${t.issuer}/account?done=removed`);
      assert.deepEqual(factorRows(removed, 'apps').map((row) => row.name), ['Authenticator app']);
      assert.equal(factorRows(removed, 'apps')[0]!.remove, undefined, 'the last one offers no removal');
      assert.match(subjectOf((await t.mail.next(email, mailsBefore)).raw), /second factor was removed/);

      const lastId = (await t.server.services.accounts.findById(id))!.factors.find((f) => f.kind === 'authenticator-app')!.id;
      const lastConfirm = await go(browser, page, `/account/factors/${lastId}/remove`);
      const refused = await browser.submit(lastConfirm, lastConfirm.$('form').attr('action')!);
      assert.equal(refused.status, 409);
      assert.match(errorsOn(refused).join(), /last authenticator app or passkey/);
      assert.equal((await t.server.services.accounts.findById(id))!.factors.filter((f) => f.kind === 'authenticator-app').length, 1);
    });

    // The race itself is proven where it is decided, in the database contract (both databases); this
    // burst goes the whole way through the page and its checks.
    it('of the last two, removed many times at once, exactly one survives', async () => {
      const email = 'burst.remove@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const passkey = await SoftwarePasskey.for(t, id).storeFor(t, id);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const app = (await t.server.services.accounts.findById(id))!.factors.find((f) => f.kind === 'authenticator-app')!;
      const [appConfirm, passkeyConfirm] = await Promise.all([go(browser, page, `/account/factors/${app.id}/remove`), go(browser, page, `/account/factors/${passkey.id}/remove`)]);
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => {
          const confirm = i % 2 === 0 ? appConfirm : passkeyConfirm;
          return browser.submit(confirm, confirm.$('form').attr('action')!);
        }),
      );
      const left = (await t.server.services.accounts.findById(id))!.factors.filter((f) => f.kind !== 'recovery-codes');
      assert.equal(left.length, 1, `one of the two stays: ${answers.map((a) => a.status).join(' ')}`);
      assert.equal(answers.filter((a) => a.url.endsWith('done=removed')).length >= 1, true);
      assert.ok(answers.every((a) => a.status === 200 || a.status === 409 || a.status === 404), answers.map((a) => a.status).join(' '));
    });

    it('never renames or removes another account’s factor', async () => {
      const victim = await seedActiveAccount(t, 'victim.factors@example.com');
      await enrollAuthenticatorApp(t.server.database.knex, victim.id, sealSecret(t.server.services.secretKey, generateTotpSecret()), 'Spare');
      const victimFactors = (await t.server.services.accounts.findById(victim.id))!.factors;
      const email = 'attacker.factors@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      for (const factor of victimFactors) {
        assert.equal((await go(browser, page, `/account/factors/${factor.id}/remove`)).status, 404);
        const form = page.$('form[action$="/account/recovery-codes/new"] input[name=_csrf]').attr('value')!;
        assert.equal((await browser.post(`${t.issuer}/account/factors/${factor.id}/remove`, { _csrf: form })).status, 404);
        assert.equal((await browser.post(`${t.issuer}/account/factors/${factor.id}/rename`, { _csrf: form, name: 'Mine' })).status, 404);
      }
      assert.deepEqual((await t.server.services.accounts.findById(victim.id))!.factors.map((f) => f.name), victimFactors.map((f) => f.name));
    });

    it('adds a passkey through the registration options and the authenticator’s answer, then renames and removes it', async () => {
      const email = 'add.passkey@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const form = page.$('form[data-passkey-register]');
      assert.equal(form.find('button').text().trim(), 'Add a passkey');
      assert.ok(form.attr('hidden') !== undefined, 'hidden until the script finds WebAuthn');
      const csrf = form.find('input[name=_csrf]').attr('value')!;
      const optionsPage = await browser.post(`${t.issuer}/account/passkeys/options`, { _csrf: csrf });
      assert.equal(optionsPage.status, 200);
      const options = JSON.parse(optionsPage.html) as { challenge: string; rp: { id: string }; user: { name: string }; authenticatorSelection: { userVerification: string } };
      assert.equal(options.rp.id, '127.0.0.1');
      assert.equal(options.user.name, email);
      assert.equal(options.authenticatorSelection.userVerification, 'required');
      const key = SoftwarePasskey.for(t, id);
      const mailsBefore = t.mail.messages.length;
      const added = await browser.submit(page, '/account/passkeys', { response: JSON.stringify(key.register(options)) });
      assert.equal(added.url, `${t.issuer}/account?done=passkeyAdded`);
      assert.deepEqual(factorRows(added, 'passkeys').map((row) => row.name), ['Passkey 1']);
      assert.match(subjectOf((await t.mail.next(email, mailsBefore)).raw), /second factor was added/);

      const replay = await browser.submit(page, '/account/passkeys', { response: JSON.stringify(key.register(options)) });
      assert.equal(replay.status, 400, 'a challenge answers once');
      const cancelled = await browser.submit(page, '/account/passkeys', { error: 'NotAllowedError' });
      assert.equal(cancelled.status, 400);

      const rename = await go(browser, added, factorRows(added, 'passkeys')[0]!.rename!);
      assert.equal(headingOf(rename), 'Rename the passkey');
      const renamed = await browser.submit(rename, rename.$('form').attr('action')!, { name: 'YubiKey' });
      const confirm = await go(browser, renamed, factorRows(renamed, 'passkeys')[0]!.remove!);
      assert.equal(confirm.$('form button[type=submit]').text().trim(), 'Remove passkey');
      const removed = await browser.submit(confirm, confirm.$('form').attr('action')!);
      assert.deepEqual(factorRows(removed, 'passkeys'), []);
    });

    it('says how many recovery codes are left, warns at two or fewer, and makes new ones that void the old', async () => {
      const email = 'codes.user@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const codes = await seedRecoveryCodes(t, { id, email });
      const owner = async () => (await t.server.services.accounts.findById(id))!;
      const { browser, page } = await openAccountPage(t, { email, secret });
      const section = (p: Page) => p.$('section[aria-labelledby="codes-title"]').text().replace(/\s+/g, ' ');
      assert.match(section(page), /Recovery codes left: 10\./);
      assert.doesNotMatch(section(page), /before you run out/);
      for (const code of codes.slice(0, 8)) {
        const used = await t.server.services.factors.recoveryCodes.verify(await owner(), normaliseRecoveryCode(code)!, { requester, locale: 'en' });
        assert.equal(used.status, 'right');
      }
      const low = await browser.get(`${t.issuer}/account`);
      assert.match(section(low), /Recovery codes left: 2\. Create new ones before you run out\./);

      const mailsBefore = t.mail.messages.length;
      const made = await browser.submit(low, '/account/recovery-codes/new');
      assert.equal(made.url, `${t.issuer}/account/recovery-codes`, 'the new codes are shown on a page of their own, which a reload shows again');
      assert.equal(headingOf(made), 'Save your recovery codes');
      assert.match(made.$('p.notice').text(), /Your old recovery codes can no longer be used\./);
      const fresh = recoveryCodesOn(made);
      assert.equal(fresh.length, rules.recoveryCodes);
      assert.match(subjectOf((await t.mail.next(email, mailsBefore)).raw), /New recovery codes/);
      const old = await t.server.services.factors.recoveryCodes.verify(await owner(), normaliseRecoveryCode(codes[9]!)!, { requester, locale: 'en' });
      assert.equal(old.status, 'wrong', 'an old code no longer works');

      const link = made.$('a[download]');
      assert.equal(link.text().trim(), 'Download');
      const file = await browser.get(new URL(link.attr('href')!, made.url).toString());
      assert.equal(file.status, 200);
      assert.match(file.headers.get('content-disposition') ?? '', /attachment; filename="recovery-codes\.txt"/);
      assert.deepEqual(recoveryCodesInFile(file), fresh, 'the file holds the same codes');
      assert.match(file.html, /recovery codes of codes\.user@example\.com/);
      assert.deepEqual(
        recoveryCodesOn(await browser.get(made.url)),
        fresh,
        'a reload shows the same codes, not newer ones',
      );

      const unconfirmed = await browser.submit(made, '/account/recovery-codes');
      assert.equal(unconfirmed.status, 400);
      assert.deepEqual(errorsOn(unconfirmed), ['Confirm that you have saved your recovery codes']);
      assert.equal(unconfirmed.$('ol.recovery-codes code').length, rules.recoveryCodes, 'the codes stay on the page');
      const saved = await browser.submit(unconfirmed, '/account/recovery-codes', { saved: 'yes' });
      assert.equal(saved.url, `${t.issuer}/account?done=recoveryCodes`);
      assert.match(saved.$('[role=status]').text(), /Your new recovery codes are ready/);
      assert.equal((await browser.get(made.url)).url, `${t.issuer}/account`, 'once saved, the codes are shown no more');
      assert.equal((await browser.get(file.url)).url, `${t.issuer}/account`, 'nor given as a file');

      const current = await t.server.services.factors.recoveryCodes.verify(await owner(), normaliseRecoveryCode(fresh[0]!)!, { requester, locale: 'en' });
      assert.equal(current.status, 'right');
      assert.match(section(await browser.get(`${t.issuer}/account`)), /Recovery codes left: 9\./);
    });

    it('confirms or downloads from a page of recovery codes only while its set stands: a page of a set made over in another tab leads to the new one', async () => {
      const email = 'two.tabs@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const first = await browser.submit(page, '/account/recovery-codes/new');
      const second = await browser.submit(page, '/account/recovery-codes/new');
      assert.notDeepEqual(recoveryCodesOn(first), recoveryCodesOn(second));
      const led = await browser.submit(first, '/account/recovery-codes', { saved: 'yes' });
      assert.equal(led.url, `${t.issuer}/account/recovery-codes`, 'the first tab’s codes are void: not confirmed');
      assert.deepEqual(recoveryCodesOn(led), recoveryCodesOn(second), 'the set that stands is shown instead');
      const file = await browser.get(new URL(first.$('a[download]').attr('href')!, first.url).toString());
      assert.deepEqual(recoveryCodesInFile(file), recoveryCodesOn(second), 'nor given as a file: the first tab’s Download link gives the set that stands');
      const saved = await browser.submit(second, '/account/recovery-codes', { saved: 'yes' });
      assert.equal(saved.url, `${t.issuer}/account?done=recoveryCodes`);
      const owner = (await t.server.services.accounts.findById(id))!;
      assert.equal((await t.server.services.factors.recoveryCodes.verify(owner, normaliseRecoveryCode(recoveryCodesOn(first)[0]!)!, { requester, locale: 'en' })).status, 'wrong');
      assert.equal((await t.server.services.factors.recoveryCodes.verify(owner, normaliseRecoveryCode(recoveryCodesOn(second)[0]!)!, { requester, locale: 'en' })).status, 'right');
    });

    // The race made certain: the first creation is held at its email, committed but not yet stored,
    // while a second one commits and is stored; the first then reaches the store last.
    it('shows the set that stands when an older creation of recovery codes reaches the store after a newer one', async () => {
      const email = 'late.codes@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const held = t.mail.hold();
      let answers: [Page, Page];
      try {
        const older = browser.submit(page, '/account/recovery-codes/new');
        const newer = held.arrived.then(() => browser.submit(page, '/account/recovery-codes/new')).finally(held.release);
        answers = await Promise.all([older, newer]);
      } finally {
        // Released whatever happened: a hold never reached would stall the next test's first email.
        held.release();
      }
      const [olderAnswer, newerAnswer] = answers;
      const standing = recoveryCodesOn(newerAnswer);
      assert.equal(standing.length, rules.recoveryCodes);
      assert.deepEqual(recoveryCodesOn(olderAnswer), standing, 'the older creation’s answer shows the set that voided its own');
      assert.deepEqual(recoveryCodesOn(await browser.get(`${t.issuer}/account/recovery-codes`)), standing, 'and so does a reload');
      const owner = (await t.server.services.accounts.findById(id))!;
      assert.equal((await t.server.services.factors.recoveryCodes.verify(owner, normaliseRecoveryCode(standing[0]!)!, { requester, locale: 'en' })).status, 'right');
    });

    // Creations at once (a double click, two tabs) commit one after the other but reach the store in
    // any order; what the page then shows, downloads and confirms must be the set that stands.
    it('of new recovery codes made many times at once, shows, downloads and confirms only the set that stands', async () => {
      const email = 'burst.codes@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const old = await seedRecoveryCodes(t, { id, email });
      const { browser, page } = await openAccountPage(t, { email, secret });
      const answers = await Promise.all(Array.from({ length: 8 }, () => browser.submit(page, '/account/recovery-codes/new')));
      const where = answers.map((a) => `${a.status} ${a.url}`).join(', ');
      assert.ok(answers.every((a) => a.status === 200 && (a.url === `${t.issuer}/account/recovery-codes` || a.url === `${t.issuer}/account`)), where);
      const shown = answers.filter((a) => recoveryCodesOn(a).length > 0);
      assert.ok(shown.length >= 1, `the codes are shown: ${where}`);

      const reload = await browser.get(`${t.issuer}/account/recovery-codes`);
      const standing = recoveryCodesOn(reload);
      assert.equal(standing.length, rules.recoveryCodes, 'the set that stands waits for this browser');
      assert.deepEqual(recoveryCodesInFile(await browser.get(`${t.issuer}/account/recovery-codes/download`)), standing, 'and is the one given as a file');
      const voided = shown.filter((a) => recoveryCodesOn(a).join() !== standing.join());
      for (const answer of voided) {
        const led = await browser.submit(answer, '/account/recovery-codes', { saved: 'yes' });
        assert.equal(led.url, `${t.issuer}/account/recovery-codes`, 'a page of a voided set is not confirmed');
        assert.deepEqual(recoveryCodesOn(led), standing, 'the set that stands is shown instead');
      }
      const saved = await browser.submit(reload, '/account/recovery-codes', { saved: 'yes' });
      assert.equal(saved.url, `${t.issuer}/account?done=recoveryCodes`);

      const owner = (await t.server.services.accounts.findById(id))!;
      assert.equal(owner.factors.filter((f) => f.kind === 'recovery-codes').length, 1);
      for (const code of standing) {
        assert.equal((await t.server.services.factors.recoveryCodes.verify(owner, normaliseRecoveryCode(code)!, { requester, locale: 'en' })).status, 'right', 'every code shown is one of the account’s');
      }
      for (const code of [old[0]!, ...voided.map((a) => recoveryCodesOn(a)[0]!)]) {
        assert.equal((await t.server.services.factors.recoveryCodes.verify(owner, normaliseRecoveryCode(code)!, { requester, locale: 'en' })).status, 'wrong', 'the others are void');
      }
    });
  });
}
