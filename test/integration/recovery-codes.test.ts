import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reachedClient } from '../helpers/attack.ts';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { relyingParty, seedActiveAccount, seedRecoveryCodes, strongPassword, type RelyingParty } from '../helpers/flows.ts';
import { readMail } from '../helpers/mime.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

const SPENT = 'The recovery code is incorrect or has already been used.';
const LOCKED = /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/;

/** A wrong code of the right shape: no code of a set is ever this one by chance of the test. */
const WRONG = 'zzzzz-zzzzz';

for (const backend of backends()) {
  describe(`recovery codes (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    async function accountWithCodes(email: string): Promise<{ id: string; secret: string; codes: string[] }> {
      const seeded = await seedActiveAccount(t, email);
      return { ...seeded, codes: await seedRecoveryCodes(t, { id: seeded.id, email }) };
    }

    /** A new interaction past the password, on the recovery code page reached from the code page's link. */
    async function atRecoveryPage(email: string, rp?: RelyingParty): Promise<{ rp: RelyingParty; page: Page; start: Awaited<ReturnType<RelyingParty['start']>> }> {
      const party = rp ?? (await relyingParty(t));
      const start = await party.start();
      const signIn = await party.browser.submit(start.page, '/email', { email });
      const codePage = await party.browser.submit(signIn, '/password', { password: strongPassword });
      const link = codePage.$('a[href$="/recovery"]');
      assert.equal(link.text().trim(), 'Use a recovery code', 'the code page offers a recovery code');
      const page = await party.browser.get(new URL(link.attr('href')!, codePage.url).toString());
      return { rp: party, page, start };
    }

    async function auditOf(email: string, event: string) {
      return (await t.server.services.audit.recent({ email, limit: 50 })).filter((row) => row.event === event);
    }

    it('signs in with a recovery code in place of the authenticator code, and emails how many are left', async () => {
      const email = 'lost.phone@example.com';
      const { codes } = await accountWithCodes(email);
      const { rp, page, start } = await atRecoveryPage(email);
      assert.equal(page.$('h1').text().trim(), 'Use a recovery code');
      assert.equal(page.$('label[for=recovery-code]').text().trim(), 'Recovery code');
      assert.equal(page.$('#recovery-code').attr('autocomplete'), 'one-time-code');
      assert.equal(page.$('#recovery-code').attr('inputmode'), undefined, 'letters and digits: no numeric keyboard');
      assert.equal(page.$('button[type=submit]').text().trim(), 'Verify');

      const before = t.mail.messages.length;
      // As typed from paper: upper case, a space instead of the hyphen.
      const callback = await rp.browser.submit(page, '/recovery', { recoveryCode: codes[3]!.toUpperCase().replace('-', ' ') });
      assert.ok(reachedClient(callback), `signed in: ${callback.status} ${errorsOn(callback).join(' | ')}`);
      const tokens = await rp.finish(callback.url, start);
      assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa'], 'a recovery code proves what an authenticator code proves');

      const mail = readMail(await t.mail.next(email, before));
      assert.equal(mail.subject, 'A recovery code of your Fluxys Extranet Identity Provider account was used');
      assert.match(mail.text, /You have 9 recovery codes left\./);
      const [used] = await auditOf(email, 'recovery-code.used');
      assert.deepEqual(used?.details, { left: 9 });
      const [success] = await auditOf(email, 'signin.success');
      assert.equal(success?.details?.factor, 'recovery-codes');
      assert.equal(t.server.services.factors.recoveryCodes.left((await t.server.services.accounts.findByEmail(email))!), 9);

      const again = await atRecoveryPage(email);
      const refused = await again.rp.browser.submit(again.page, '/recovery', { recoveryCode: codes[3]! });
      assert.equal(refused.status, 401, 'a used code is refused in another interaction');
      assert.deepEqual(errorsOn(refused), [SPENT]);
      assert.ok(!reachedClient(refused));
      const [failure] = await auditOf(email, 'recovery-code.failure');
      assert.equal(failure?.outcome, 'failure');
      const other = await again.rp.browser.submit(refused, '/recovery', { recoveryCode: codes[4]! });
      assert.ok(reachedClient(other), 'another code of the set still works');
    });

    it('resets a forgotten password with a recovery code, and emails the user in the language of the pages', async () => {
      const email = 'forgot.and.lost@example.com';
      const { codes } = await accountWithCodes(email);
      const rp = await relyingParty(t, undefined, 'nl');
      const start = await rp.start();
      const signIn = await rp.browser.submit(start.page, '/email', { email });
      const forgot = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      const codePage = await rp.browser.submit(forgot, '/forgot', { email });
      const recovery = await rp.browser.get(new URL(codePage.$('a[href$="/recovery"]').attr('href')!, codePage.url).toString());
      assert.equal(recovery.$('label[for=recovery-code]').text().trim(), 'Herstelcode');
      const before = t.mail.messages.length;
      const choose = await rp.browser.submit(recovery, '/recovery', { recoveryCode: codes[0]! });
      assert.equal(choose.$('label[for=password]').text().trim(), 'Nieuw wachtwoord', `the password form follows: ${errorsOn(choose).join(' | ')}`);
      const notice = readMail(await t.mail.waitFor((m) => m.to.includes(email) && /herstelcode/i.test(m.raw), before));
      assert.match(notice.text, /U hebt nog 9 herstelcodes over\./);

      const callback = await rp.browser.submit(choose, '/new-password', { password: 'Green$Valley77', confirmation: 'Green$Valley77' });
      assert.ok(reachedClient(callback), 'the reset signs the user in');
      assert.deepEqual((await rp.finish(callback.url, start)).claims()!.amr, ['pwd', 'otp', 'mfa']);
    });

    it('accepts the same recovery code submitted 10 times at once exactly once', async () => {
      const email = 'burst.recovery@example.com';
      const { codes } = await accountWithCodes(email);
      const pages = await Promise.all(Array.from({ length: 10 }, () => atRecoveryPage(email)));
      const answers = await Promise.all(pages.map(({ rp, page }) => rp.browser.submit(page, '/recovery', { recoveryCode: codes[7]! })));
      const winners = answers.filter(reachedClient);
      assert.equal(winners.length, 1, `exactly one signs in, got ${answers.map((a) => a.status).join(',')}`);
      // Every submission reserves an attempt before its check, and the tenth reservation locks the
      // account while it is checked: a loser may get the lock message instead of "used".
      for (const loser of answers.filter((a) => !reachedClient(a))) {
        if (loser.status === 429) assert.match(errorsOn(loser)[0] ?? '', LOCKED);
        else assert.deepEqual([loser.status, errorsOn(loser)], [401, [SPENT]]);
      }
      const account = (await t.server.services.accounts.findByEmail(email))!;
      assert.equal(t.server.services.factors.recoveryCodes.left(account), 9, 'one code used');
      assert.equal((await auditOf(email, 'recovery-code.used')).length, 1);
    });

    it('uses a code once of 10 concurrent checks made directly, past the pages', async () => {
      const email = 'burst.direct@example.com';
      const { codes } = await accountWithCodes(email);
      const account = (await t.server.services.accounts.findByEmail(email))!;
      const request = { requester: { ip: '203.0.113.9', userAgent: 'burst' }, locale: 'en' as const };
      const code = codes[2]!.replace('-', '');
      const checks = await Promise.all(Array.from({ length: 10 }, () => t.server.services.factors.recoveryCodes.verify(account, code, request)));
      assert.deepEqual(checks.filter((check) => check.status === 'right'), [{ status: 'right', value: { left: 9 } }]);
      assert.equal(checks.filter((check) => check.status === 'wrong').length, 9);
    });

    it('counts wrong recovery codes towards the account lock like any code, and refuses a right one while locked', async () => {
      const email = 'guessing.codes@example.com';
      const { codes } = await accountWithCodes(email);
      const { rp, page } = await atRecoveryPage(email);
      let current = page;
      for (let attempt = 1; attempt <= 9; attempt++) {
        current = await rp.browser.submit(current, '/recovery', { recoveryCode: WRONG });
        assert.deepEqual([current.status, errorsOn(current)], [401, [SPENT]], `wrong code ${attempt}`);
      }
      current = await rp.browser.submit(current, '/recovery', { recoveryCode: WRONG });
      assert.equal(current.status, 429, 'the tenth failure locks the account');
      assert.match(errorsOn(current)[0]!, LOCKED);
      const locked = await rp.browser.submit(current, '/recovery', { recoveryCode: codes[0]! });
      assert.equal(locked.status, 429, 'a right code is not even checked while the account is locked');
      assert.ok(!reachedClient(locked));
      const account = (await t.server.services.accounts.findByEmail(email))!;
      assert.equal(t.server.services.factors.recoveryCodes.left(account), 10, 'nothing was used');
      assert.equal((await auditOf(email, 'account.locked')).length, 1);
      assert.equal((await t.server.services.guard.status(account.id)).failures, 10);
    });

    it('refuses an empty or malformed code on the page without counting it', async () => {
      const email = 'typo.codes@example.com';
      const { id } = await accountWithCodes(email);
      const { rp, page } = await atRecoveryPage(email);
      const empty = await rp.browser.submit(page, '/recovery', { recoveryCode: '  ' });
      assert.deepEqual([empty.status, errorsOn(empty)], [400, ['Enter a recovery code']]);
      const short = await rp.browser.submit(empty, '/recovery', { recoveryCode: '123456' });
      assert.deepEqual([short.status, errorsOn(short)], [400, ['Enter the recovery code as it was given: 10 letters and digits, like abcde-23456']]);
      assert.equal((await t.server.services.guard.status(id)).failures, 0);
    });

    it('voids the old codes when new ones are made, and emails the user', async () => {
      const email = 'fresh.codes@example.com';
      const { id, codes: old } = await accountWithCodes(email);
      const before = t.mail.messages.length;
      const { id: setId, codes: fresh } = await t.server.services.factors.recoveryCodes.renew({ id, email }, { requester: { ip: '127.0.0.1', userAgent: 'test' }, locale: 'fr' });
      assert.equal(fresh.length, 10);
      assert.ok(fresh.every((code) => !old.includes(code)));
      const notice = readMail(await t.mail.next(email, before));
      assert.match(notice.subject, /^Nouveaux codes de récupération/);
      const account = (await t.server.services.accounts.findByEmail(email))!;
      assert.deepEqual(account.factors.filter((factor) => factor.kind === 'recovery-codes').map((factor) => factor.id), [setId], 'one set per account, the new one');

      const stale = await atRecoveryPage(email);
      const refused = await stale.rp.browser.submit(stale.page, '/recovery', { recoveryCode: old[0]! });
      assert.deepEqual([refused.status, errorsOn(refused)], [401, [SPENT]]);
      const accepted = await stale.rp.browser.submit(refused, '/recovery', { recoveryCode: fresh[0]! });
      assert.ok(reachedClient(accepted), 'a new code works');
    });
  });
}
