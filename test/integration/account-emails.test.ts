import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Actor } from '../../src/accounts/lifecycle.ts';
import { rules } from '../../src/config.ts';
import type { ReceivedMail } from '../../harness/mail.ts';
import { BrowserDriver, firstTimeLogin } from '../../harness/journeys.ts';
import { burst } from '../helpers/attack.ts';
import { nextTotpStep, relyingParty, seedActiveAccount, seedRecoveryCodes, strongPassword, totpNow, walkSignIn } from '../helpers/flows.ts';
import { readMail } from '../helpers/mime.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';
import { SoftwarePasskey } from '../helpers/software-authenticator.ts';

/**
 * The emails of CONTRACT.md section 8 that account changes owe, over a real SMTP server: a second
 * factor added or removed (through the factor operations the account page calls, and the hosted
 * enrollment), a brute-force lock (once per lock, even for a burst of failures), an operator's
 * reset and deactivation; each sent once, in the user's language, and a mail server that is down
 * never undoing or failing the change: the email stays owed and goes out later.
 */

const WRONG = 'Wrong#Pass99';
const requester = { ip: '127.0.0.1', userAgent: 'account page test' };
const operator: Actor = { via: 'cli', name: 'operator' };

for (const backend of backends()) {
  describe(`emails of account changes (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    serveDuring(backend, (server) => {
      t = server;
    });

    const sentTo = (email: string): ReceivedMail[] => t.mail.messages.filter((m) => m.to.includes(email));

    /** Runs the change and returns the one email it sent the user, as their mail client shows it. */
    async function onlyEmail(email: string, change: () => Promise<unknown>): Promise<{ subject: string; text: string }> {
      const before = sentTo(email).length;
      await change();
      const sent = sentTo(email).slice(before);
      assert.equal(sent.length, 1, `exactly one email to ${email}: ${sent.map((m) => readMail(m).subject).join(' | ')}`);
      return readMail(sent[0]!);
    }

    async function noEmail(email: string, change: () => Promise<unknown>): Promise<void> {
      const before = sentTo(email).length;
      await change();
      assert.deepEqual(sentTo(email).slice(before).map((m) => readMail(m).subject), []);
    }

    async function owner(id: string) {
      const account = await t.server.services.accounts.findById(id);
      assert.ok(account, 'the account exists');
      return account;
    }

    async function lockEvents(id: string): Promise<number> {
      return (await t.server.services.audit.recent({ limit: 1000 })).filter((row) => row.accountId === id && row.event === 'account.locked').length;
    }

    it('adds and removes factors through the factor operations with one email each, in the language asked for', async () => {
      const email = `factors.${randomUUID()}@example.com`;
      const { id } = await seedActiveAccount(t, email);
      const { factors } = t.server.services;
      const apps = factors.authenticatorApps;

      const sealed = apps.newPendingSecret();
      nextTotpStep(t);
      const code = totpNow(t, apps.openPendingSecret(sealed));
      let app: { id: string } | undefined;
      const added = await onlyEmail(email, async () => {
        const enrolled = await apps.enroll(await owner(id), sealed, code, { name: 'Work phone', requester, locale: 'fr' });
        assert.equal(enrolled.status, 'right');
        app = (enrolled as { value: { id: string } }).value;
      });
      assert.equal(added.subject, 'Un second facteur a été ajouté à votre compte Fluxys Extranet Identity Provider');
      assert.ok(added.text.includes('L’application d’authentification «\u202fWork phone\u202f» a été ajoutée'), added.text);
      assert.ok(added.text.includes('Cet e-mail a été envoyé depuis une adresse qui n’est pas consultée.'), added.text);

      const passkey = SoftwarePasskey.for(t, id);
      const scope = `test:${randomUUID()}`;
      let passkeyId: string | undefined;
      const passkeyAdded = await onlyEmail(email, async () => {
        const options = await factors.passkeys.registrationOptions(await owner(id), scope);
        const registered = await factors.passkeys.register(await owner(id), passkey.registrationAnswer(options), scope, { name: 'Laptop', requester, locale: 'de' });
        assert.equal(registered.status, 'added', JSON.stringify(registered));
        passkeyId = (registered as { value: { id: string } }).value.id;
      });
      assert.equal(passkeyAdded.subject, 'Ihrem Konto beim Fluxys Extranet Identity Provider wurde ein zweiter Faktor hinzugefügt');
      assert.ok(passkeyAdded.text.includes('Der Passkey „Laptop“ wurde Ihrem Konto'), passkeyAdded.text);

      // Removed five times at once (a double click, two tabs): removed once, emailed once.
      const passkeyRemoved = await onlyEmail(email, async () => {
        const outcomes = await Promise.all(Array.from({ length: 5 }, () => factors.remove({ id, email }, passkeyId!, { requester, locale: 'nl' })));
        assert.deepEqual(outcomes.sort(), ['missing', 'missing', 'missing', 'missing', 'removed']);
      });
      assert.equal(passkeyRemoved.subject, 'Er werd een tweede factor verwijderd uit uw account bij Fluxys Extranet Identity Provider');
      assert.ok(passkeyRemoved.text.includes('De toegangssleutel “Laptop” werd verwijderd'), passkeyRemoved.text);

      const appRemoved = await onlyEmail(email, async () => assert.equal(await factors.remove({ id, email }, app!.id, { requester, locale: 'en' }), 'removed'));
      assert.equal(appRemoved.subject, 'A second factor was removed from your Fluxys Extranet Identity Provider account');
      assert.ok(appRemoved.text.includes('The authenticator app “Work phone” was removed'), appRemoved.text);

      await seedRecoveryCodes(t, { id, email });
      const codes = (await owner(id)).factors.find((factor) => factor.kind === 'recovery-codes')!;
      const codesRemoved = await onlyEmail(email, async () => assert.equal(await factors.remove({ id, email }, codes.id, { requester, locale: 'en' }), 'removed'));
      assert.ok(codesRemoved.text.includes('The recovery codes of your Fluxys Extranet Identity Provider account were removed.'), codesRemoved.text);

      const last = (await owner(id)).factors[0]!;
      await noEmail(email, async () => assert.equal(await factors.remove({ id, email }, last.id, { requester, locale: 'en' }), 'last'));
      await noEmail(email, async () => assert.equal(await factors.remove({ id, email }, codes.id, { requester, locale: 'en' }), 'missing'));
      const removals = (await t.server.services.audit.recent({ limit: 1000 })).filter((row) => row.accountId === id && row.event === 'factor.removed');
      assert.equal(removals.length, 3, 'each removal is audited once');
    });

    it('sends no "factor added" email for the first app of a first-time login, and one for an app enrolled after an operator reset it', async () => {
      const email = `enroll.${randomUUID()}@example.com`;
      await t.server.services.accounts.create({ email, name: 'Enroll Test' });
      const rp = await relyingParty(t);
      const first = new BrowserDriver(rp.browser, (await rp.start()).page);
      const before = sentTo(email).length;
      const { secret: firstSecret } = await firstTimeLogin(first, {
        email,
        mail: t.mail,
        newPassword: strongPassword,
        code: (secret) => {
          nextTotpStep(t);
          return totpNow(t, secret);
        },
      });
      assert.deepEqual(
        sentTo(email).slice(before).map((m) => readMail(m).subject),
        ['Fluxys Extranet Identity Provider account email verification code'],
        'the activation sends its code and nothing else',
      );
      // The user signs in again, now in Dutch: the operator's emails then reach them in Dutch.
      const dutch = await relyingParty(t, undefined, 'nl');
      await walkSignIn(dutch, t, (await dutch.start()).page, email, firstSecret);
      assert.equal((await t.server.services.accounts.findByEmail(email))?.locale, 'nl');

      const reset = await onlyEmail(email, () => t.server.lifecycle.resetFactors(operator, { email }));
      assert.equal(reset.subject, 'De authenticator-app van uw account bij Fluxys Extranet Identity Provider werd opnieuw ingesteld');

      const again = new BrowserDriver(dutch.browser, (await dutch.start()).page);
      await again.submit('/email', { email });
      await again.submit('/password', { password: strongPassword });
      assert.match(again.url(), /\/enroll$/, await again.describe());
      const secret = (await again.text('code.secret')).replace(/\s+/g, '');
      await again.follow('/enroll/verify');
      const added = await onlyEmail(email, async () => {
        nextTotpStep(t);
        await again.submit('/enroll/verify', { code: totpNow(t, secret) });
      });
      assert.match(again.url(), /\/recovery-codes$/, await again.describe());
      assert.equal(added.subject, 'Er werd een tweede factor toegevoegd aan uw account bij Fluxys Extranet Identity Provider');
      assert.ok(added.text.includes('De authenticator-app “Authenticator-app” werd toegevoegd'), added.text);
    });

    it('emails one lock for a burst of failures, in the language of the last sign-in, and one more for the next lock', async () => {
      const email = `locked.${randomUUID()}@example.com`;
      const { id } = await seedActiveAccount(t, email);
      await t.server.services.accounts.rememberLocale(id, 'de');
      // The attacker's browser asks for English: the email still follows the user's language.
      const rp = await relyingParty(t);
      const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
      const answers = await burst(rp.browser, signIn, '/password', Array.from({ length: 40 }, () => ({ password: WRONG })));
      assert.ok(answers.every((answer) => answer.status < 500), `statuses ${answers.map((a) => a.status).join(' ')}`);
      assert.ok(answers.some((answer) => answer.status === 429), 'the burst locked the account');
      await t.mail.waitFor((m) => m.to.includes(email));
      await t.server.lockNotices.settled();
      const locks = sentTo(email).map(readMail);
      assert.equal(locks.length, 1, `one email for one lock: ${locks.map((m) => m.subject).join(' | ')}`);
      assert.equal(locks[0]!.subject, 'Ihr Konto beim Fluxys Extranet Identity Provider wurde gesperrt');
      assert.match(locks[0]!.text, /Die Sperre endet automatisch am \d+\. \p{L}+ \d{4} um \d{2}:\d{2} Uhr \(UTC\)\./u);
      assert.ok(locks[0]!.text.includes('„Erstanmeldung/Passwort vergessen?“'), locks[0]!.text);
      assert.equal(await lockEvents(id), 1);

      // The lock ends; the next failure brings the next, longer lock, and its own email.
      t.clock.offsetMs += (rules.lockBaseSeconds + 1) * 1000;
      const next = await onlyEmail(email, async () => {
        const [answer] = await burst(rp.browser, signIn, '/password', [{ password: WRONG }]);
        assert.equal(answer!.status, 429);
        await t.server.lockNotices.settled();
      });
      assert.equal(next.subject, 'Ihr Konto beim Fluxys Extranet Identity Provider wurde gesperrt');
      assert.equal(await lockEvents(id), 2);
    });

    it('keeps the sign-in and the changes working while the mail server refuses, and sends what they owe once it is back', async () => {
      const email = `maildown.${randomUUID()}@example.com`;
      const { id } = await seedActiveAccount(t, email);
      const { accountTasks, factors } = t.server.services;
      const owedNotices = async () => (await accountTasks.owedFor(id)).flatMap((task) => (task.kind === 'email' ? [task.notice] : []));
      t.mail.refuse = 'Service temporarily unavailable';
      try {
        const rp = await relyingParty(t);
        const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
        const answers = await burst(rp.browser, signIn, '/password', Array.from({ length: rules.lockThreshold }, () => ({ password: WRONG })));
        assert.ok(answers.every((answer) => answer.status < 500), `statuses ${answers.map((a) => a.status).join(' ')}`);
        await t.server.lockNotices.settled();
        const [locked] = await burst(rp.browser, signIn, '/password', [{ password: strongPassword }]);
        assert.equal(locked!.status, 429, 'the lock holds');
        assert.match(locked!.errors[0] ?? '', /^Too many failed attempts\./);

        await seedRecoveryCodes(t, { id, email });
        const codes = (await owner(id)).factors.find((factor) => factor.kind === 'recovery-codes')!;
        assert.equal(await factors.remove({ id, email }, codes.id, { requester, locale: 'en' }), 'removed', 'the removal stands');
        assert.equal((await owner(id)).factors.some((factor) => factor.kind === 'recovery-codes'), false);

        const deactivated = await t.server.lifecycle.deactivate(operator, { email });
        assert.ok(deactivated.found && deactivated.changed, 'the deactivation stands');
        assert.equal((await owner(id)).status, 'deactivated');

        assert.deepEqual(await owedNotices(), ['account-locked', 'factor-removed', 'account-deactivated']);
        assert.equal(sentTo(email).length, 0);
      } finally {
        t.mail.refuse = undefined;
      }
      await t.server.finishOwedTasks();
      assert.deepEqual(await owedNotices(), []);
      assert.deepEqual(sentTo(email).map((m) => readMail(m).subject), [
        'Your Fluxys Extranet Identity Provider account was locked',
        'A second factor was removed from your Fluxys Extranet Identity Provider account',
        'Your Fluxys Extranet Identity Provider account was deactivated',
      ]);
      await t.server.finishOwedTasks();
      assert.equal(sentTo(email).length, 3, 'each sent once');
    });

    it('emails an operator reset with the way back and its deadline, and deactivates an invitation never taken up quietly', async () => {
      const email = `reset.${randomUUID()}@example.com`;
      await seedActiveAccount(t, email);
      const reset = await onlyEmail(email, () => t.server.lifecycle.reset(operator, { email }, 'nl'));
      assert.equal(reset.subject, 'Uw account bij Fluxys Extranet Identity Provider werd opnieuw ingesteld');
      assert.ok(reset.text.includes('kiest u “Eerste aanmelding/Wachtwoord vergeten?”'), reset.text);
      assert.match(reset.text, /Doe dit uiterlijk op \d+ \p{L}+ \d{4}\./u);
      // Reset again, the account is an invitation: nothing more to tell.
      await noEmail(email, () => t.server.lifecycle.reset(operator, { email }));
      await noEmail(email, () => t.server.lifecycle.deactivate(operator, { email }));
    });
  });
}
