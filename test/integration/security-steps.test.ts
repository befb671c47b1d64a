import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { steps } from '../../interactions/steps.ts';
import { FactorRepository } from '../../src/factors/repository.ts';
import { hashPassword } from '../../src/security/password-hash.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret } from '../../src/security/totp.ts';
import { assertRefused, csrfOf, headingOf, interactionCookies, rawRequest, reachedClient, uidOf } from '../helpers/attack.ts';
import type { Page } from '../../harness/browser.ts';
import { enrollAuthenticatorApp, nextTotpStep, relyingParty, seedActiveAccount, strongPassword, totpNow, walkSignIn, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

/** Every route under /interaction/:uid that has a requirement: all but the email step (always open) and cancelling. */
const stepRoutes = [...new Set(steps.filter((route) => route.reads !== 'nothing').map((route) => route.path))];
type StepRoute = string;

const STEP_REFUSED = 'This page is not available at this point';

/** One person's interaction: their browser, the page they are on, and what an attacker can copy from it. */
interface Journey {
  readonly rp: RelyingParty;
  page: Page;
  readonly uid: string;
  readonly csrf: string;
}

async function begin(t: TestServer): Promise<Journey> {
  const rp = await relyingParty(t);
  const { page } = await rp.start();
  return { rp, page, uid: uidOf(page), csrf: csrfOf(page) };
}

async function step(journey: Journey, action: string, fields: Record<string, string> = {}): Promise<Page> {
  journey.page = await journey.rp.browser.submit(journey.page, action, fields);
  return journey.page;
}

async function open(journey: Journey, t: TestServer, path: string): Promise<Page> {
  journey.page = await journey.rp.browser.get(`${t.issuer}/interaction/${journey.uid}${path}`);
  return journey.page;
}

/** Back to the email step of the same interaction, as the browser's back button would, with another email. */
async function switchAccount(journey: Journey, t: TestServer, email: string): Promise<Page> {
  await open(journey, t, '');
  return step(journey, '/email', { email });
}

for (const backend of backends()) {
  describe(`security: steps cannot be skipped (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    /** The account of every authorization code the provider issued, whatever the responses said. */
    const issued: string[] = [];
    const codesFor = (accountId: string) => issued.filter((id) => id === accountId).length;
    before(async () => {
      t = await startTestServer(backend);
      t.server.provider.on('authorization_code.saved', (code) => issued.push(code.accountId ?? ''));
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
    });

    /**
     * Tries a route by GET and by POST with this interaction's cookie and CSRF token (so that only
     * the step's own guard can refuse it) and fields that would complete any step: the right
     * password and a valid authenticator code.
     */
    async function tryRoute(journey: Journey, route: StepRoute, fields: Record<string, string>, cookie?: string) {
      const url = `${t.issuer}/interaction/${journey.uid}${route}`;
      const sent = cookie ?? (await interactionCookies(journey.rp.browser, t, journey.uid));
      const form = { _csrf: journey.csrf, password: strongPassword, confirmation: strongPassword, ...fields };
      return {
        get: await rawRequest(url, { cookie: sent }),
        post: await rawRequest(url, { cookie: sent, form }),
      };
    }

    async function assertClosed(journey: Journey, routes: readonly StepRoute[], fields: Record<string, string>, state: string) {
      for (const route of routes) {
        const { get, post } = await tryRoute(journey, route, fields);
        assertRefused(get, `GET ${route} ${state}`);
        assertRefused(post, `POST ${route} ${state}`);
        // A routed method is refused by the step guard itself, not by a missing route.
        for (const result of [get, post].filter((r) => r.status !== 404)) {
          assert.equal(result.status, 403, `${route} ${state}`);
          assert.equal(headingOf(result.html), STEP_REFUSED, `${route} ${state}`);
        }
      }
    }

    it('refuses every step of an interaction where nothing was proven, by GET and by POST', async () => {
      const { id, secret } = await seedActiveAccount(t, 'fresh.target@example.com');
      const fresh = await begin(t);
      await assertClosed(fresh, stepRoutes, { email: 'fresh.target@example.com', code: totpNow(t, secret) }, 'on a fresh interaction');
      assert.equal(codesFor(id), 0);
    });

    it("refuses another interaction's cookie, and a uid that is not the cookie's interaction", async () => {
      const email = 'cookie.owner@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const owner = await begin(t);
      await step(owner, '/email', { email });
      await step(owner, '/password', { password: strongPassword });
      const ownerCookie = await interactionCookies(owner.rp.browser, t, owner.uid);
      const stranger = await begin(t);
      const strangerCookie = await interactionCookies(stranger.rp.browser, t, stranger.uid);
      nextTotpStep(t);
      const fields = { email, code: totpNow(t, secret) };
      const forged = ownerCookie.replace(/_interaction\.sig=[^;]+/, '_interaction.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA');
      const unsigned = ownerCookie.replace(/;?\s*_interaction\.sig=[^;]+/, '');
      const cases: Array<[string, Journey, string]> = [
        ["the owner's page with the stranger's cookie", owner, strangerCookie],
        ["the stranger's page with the owner's cookie", stranger, ownerCookie],
        ["the owner's page with a forged signature", owner, forged],
        ["the owner's page with an unsigned cookie", owner, unsigned],
        ['an unknown uid with the owner\'s cookie', { ...owner, uid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, ownerCookie],
      ];
      for (const [what, target, cookie] of cases) {
        for (const route of ['', ...stepRoutes] as const) {
          const { get, post } = await tryRoute(target, route as StepRoute, fields, cookie);
          assertRefused(get, `GET ${route} on ${what}`);
          assertRefused(post, `POST ${route} on ${what}`);
        }
      }
      // The owner, with their own cookie, still holds a working interaction: the refusals were about the cookie.
      const done = await step(owner, '/totp', { code: totpNow(t, secret) });
      assert.ok(reachedClient(done), `the owner finishes: ${done.url}`);
      assert.equal(codesFor(id), 1, 'the only code is the one the owner earned');
    });

    it('opens sign-in, reset and first-time login steps only once the steps before them are done', async () => {
      const email = 'in.order@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const signIn = await begin(t);
      const code = () => totpNow(t, secret);
      await step(signIn, '/email', { email });
      await assertClosed(
        signIn,
        ['/totp', '/recovery', '/new-password', '/enroll', '/enroll/verify', '/recovery-codes', '/recovery-codes/download', '/activation/send', '/activation/code', '/activation/verify', '/activation/verified'],
        { code: code(), recoveryCode: 'abcde-23456', saved: 'yes' },
        'after the email',
      );
      await step(signIn, '/password', { password: strongPassword });
      await assertClosed(
        signIn,
        ['/new-password', '/enroll', '/enroll/verify', '/recovery-codes', '/recovery-codes/download', '/activation/code', '/activation/verified'],
        { code: code(), saved: 'yes' },
        'after the password',
      );
      // Without a passkey the account has no passkey step at all, before or after the password.
      await assertClosed(signIn, ['/passkey/options', '/passkey'], { response: '{}' }, 'for an account without a passkey');

      const reset = await begin(t);
      await step(reset, '/email', { email });
      await open(reset, t, '/help');
      await step(reset, '/forgot', { email });
      await assertClosed(reset, ['/new-password', '/password', '/enroll', '/activation/verified'], { code: code() }, 'after confirming the email of a reset');
      nextTotpStep(t);
      const choose = await step(reset, '/totp', { code: code() });
      assert.equal(choose.$('label[for=password]').text().trim(), 'New Password', 'the authenticator code opens the password form');

      const invited = 'invited.in.order@example.com';
      await t.server.services.accounts.create({ email: invited });
      const first = await begin(t);
      await step(first, '/email', { email: invited });
      const closedBeforeCode = ['/totp', '/forgot', '/activation/code', '/activation/verify', '/activation/verified', '/new-password', '/enroll', '/enroll/verify'] as const;
      await assertClosed(first, closedBeforeCode, { code: '123456' }, 'before any code was sent');
      const before = t.mail.messages.length;
      await open(first, t, '/help');
      await step(first, '/activation/send');
      const emailed = codeFrom(await t.mail.next(invited, before));
      const wrong = emailed === '000000' ? '111111' : '000000';
      await step(first, '/activation/verify', { code: wrong });
      await assertClosed(first, ['/activation/verified', '/new-password', '/enroll', '/enroll/verify'], { code: emailed }, 'after a wrong emailed code');
      await step(first, '/activation/verify', { code: emailed });
      await assertClosed(first, ['/enroll', '/enroll/verify', '/totp'], { code: code() }, 'after the emailed code, before a password');
      assert.equal(codesFor(id), 0);
    });

    it('never shows the choose-password form without a verified emailed code or authenticator code', async () => {
      const email = 'no.shortcut@example.com';
      await seedActiveAccount(t, email);
      const invited = 'no.shortcut.invited@example.com';
      await t.server.services.accounts.create({ email: invited });
      const states: Array<[string, (j: Journey) => Promise<unknown>]> = [
        ['a fresh interaction', async () => {}],
        ['the sign-in page', (j) => step(j, '/email', { email })],
        ['a proven password', async (j) => {
          await step(j, '/email', { email });
          await step(j, '/password', { password: strongPassword });
        }],
        ['a confirmed forgot-password email', async (j) => {
          await step(j, '/email', { email });
          await open(j, t, '/help');
          await step(j, '/forgot', { email });
        }],
        ['an invited account on the sign-in page', (j) => step(j, '/email', { email: invited })],
        ['an invited account that got a code', async (j) => {
          await step(j, '/email', { email: invited });
          await open(j, t, '/help');
          await step(j, '/activation/send');
        }],
      ];
      for (const [state, reach] of states) {
        const journey = await begin(t);
        await reach(journey);
        await assertClosed(journey, ['/new-password'], { password: 'Fresh#Start2024', confirmation: 'Fresh#Start2024' }, `in ${state}`);
      }
    });

    it('never hands out a code when the authenticator step is skipped, even by resuming the authorization', async () => {
      const email = 'resume.skipper@example.com';
      const { id } = await seedActiveAccount(t, email);
      const journey = await begin(t);
      await step(journey, '/email', { email });
      await step(journey, '/password', { password: strongPassword });
      const resumed = await journey.rp.browser.get(`${t.issuer}/auth/${journey.uid}`);
      assert.ok(!reachedClient(resumed), `resuming without the authenticator code issued a code: ${resumed.url}`);
      assert.equal(codesFor(id), 0);
    });

    it('refuses a finished interaction when it is replayed', async () => {
      const email = 'replayer@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const journey = await begin(t);
      const cookie = await interactionCookies(journey.rp.browser, t, journey.uid);
      const callback = await walkSignIn(journey.rp, t, journey.page, email, secret);
      assert.ok(reachedClient(callback));
      nextTotpStep(t);
      const fields = { _csrf: journey.csrf, email, password: strongPassword, code: totpNow(t, secret) };
      for (const route of ['', '/email', '/password', '/totp']) {
        const url = `${t.issuer}/interaction/${journey.uid}${route}`;
        assertRefused(await rawRequest(url, { cookie }), `GET ${route} after the end`);
        assertRefused(await rawRequest(url, { cookie, form: fields }), `POST ${route} after the end`);
      }
      const resumed = await journey.rp.browser.get(`${t.issuer}/auth/${journey.uid}`);
      assert.ok(!reachedClient(resumed), `the resume URL issued a second code: ${resumed.url}`);
      assert.equal(codesFor(id), 1, 'one sign-in, one code');
    });

    it('never carries proofs for one account to another after going back to the email step', async () => {
      const attacker = 'mallory@example.com';
      const victim = 'victim@example.com';
      const mallory = await seedActiveAccount(t, attacker);
      const target = await seedActiveAccount(t, victim, 'Victim#Pass1');

      // Signed-in password of one account, then the other's email: the authenticator step is closed.
      const signIn = await begin(t);
      await step(signIn, '/email', { email: attacker });
      await step(signIn, '/password', { password: strongPassword });
      await switchAccount(signIn, t, victim);
      nextTotpStep(t);
      await assertClosed(signIn, ['/totp', '/new-password', '/enroll'], { code: totpNow(t, target.secret) }, 'with the victim after the attacker\'s password');
      await assertClosed(signIn, ['/totp'], { code: totpNow(t, mallory.secret) }, "with the attacker's own code");

      // A reset proven with the attacker's authenticator, then the victim's email: no password change.
      const reset = await begin(t);
      await step(reset, '/email', { email: attacker });
      await open(reset, t, '/help');
      await step(reset, '/forgot', { email: attacker });
      nextTotpStep(t);
      await step(reset, '/totp', { code: totpNow(t, mallory.secret) });
      await switchAccount(reset, t, victim);
      await assertClosed(reset, ['/new-password', '/totp'], { password: 'Taken#Over2024', confirmation: 'Taken#Over2024', code: totpNow(t, mallory.secret) }, 'with the victim after the attacker\'s reset');

      // An emailed code verified for one invitation, then another invited email.
      const first = 'invited.first@example.com';
      const second = 'invited.second@example.com';
      await t.server.services.accounts.create({ email: first });
      await t.server.services.accounts.create({ email: second });
      const activation = await begin(t);
      await step(activation, '/email', { email: first });
      await open(activation, t, '/help');
      const before = t.mail.messages.length;
      await step(activation, '/activation/send');
      await step(activation, '/activation/verify', { code: codeFrom(await t.mail.next(first, before)) });
      await switchAccount(activation, t, second);
      await assertClosed(activation, ['/activation/verified', '/new-password', '/enroll', '/enroll/verify'], { code: '123456' }, 'with the second invitation');
      const victimAfter = await t.server.services.accounts.findByEmail(second);
      assert.equal(victimAfter!.passwordHash, null, 'the second invitation has no password');
      assert.equal(codesFor(mallory.id) + codesFor(target.id) + codesFor(victimAfter!.id), 0);
    });

    it('issues nothing on a password proof made against a password the account no longer has', async () => {
      const { accounts } = t.server.services;
      const email = 'changed.meanwhile@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const journey = await begin(t);
      await step(journey, '/email', { email });
      // The password changes (another tab's reset, an operator) after the email step read the account.
      await accounts.setPassword(id, await hashPassword('Newer#Pass2024', t.config.bcryptCost));
      const totpPage = await step(journey, '/password', { password: strongPassword });
      assert.match(totpPage.url, /\/totp$/, 'the old password matched the hash this flow read');
      nextTotpStep(t);
      const refused = await step(journey, '/totp', { code: totpNow(t, secret) });
      assert.equal(refused.status, 403);
      assert.equal(headingOf(refused.html), STEP_REFUSED);
      assert.equal(codesFor(id), 0, 'no authorization code for the changed account');
    });

    it('issues nothing to an account deactivated between its password and its authenticator code', async () => {
      const { accounts } = t.server.services;
      const email = 'deactivated.meanwhile@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const journey = await begin(t);
      await step(journey, '/email', { email });
      await step(journey, '/password', { password: strongPassword });
      await accounts.deactivate(id);
      nextTotpStep(t);
      const refused = await step(journey, '/totp', { code: totpNow(t, secret) });
      assert.equal(refused.status, 403);
      assert.match(refused.html, /deactivated/i);
      assert.equal(codesFor(id), 0, 'no authorization code for the deactivated account');
    });

    it('closes the password form when the authenticator situation changed since the proof', async () => {
      const { accounts, secretKey } = t.server.services;
      // An emailed code proves a first-time login only while the account has no authenticator.
      const invited = 'enrolled.elsewhere@example.com';
      const account = await accounts.create({ email: invited });
      const activation = await begin(t);
      await step(activation, '/email', { email: invited });
      await open(activation, t, '/help');
      const before = t.mail.messages.length;
      await step(activation, '/activation/send');
      await step(activation, '/activation/verify', { code: codeFrom(await t.mail.next(invited, before)) });
      await enrollAuthenticatorApp(t.server.database.knex, account.id, sealSecret(secretKey, generateTotpSecret()));
      await assertClosed(activation, ['/new-password'], { password: 'Late#Change2024', confirmation: 'Late#Change2024' }, 'once the account enrolled elsewhere');
      assert.equal((await accounts.findById(account.id))!.passwordHash, null);

      // A reset proven by an authenticator the operator has since removed does not go on.
      const email = 'mfa.removed@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const reset = await begin(t);
      await step(reset, '/email', { email });
      await open(reset, t, '/help');
      await step(reset, '/forgot', { email });
      nextTotpStep(t);
      await step(reset, '/totp', { code: totpNow(t, secret) });
      await new FactorRepository(t.server.database.knex).removeAll(id);
      await assertClosed(reset, ['/new-password'], { password: 'Late#Change2024', confirmation: 'Late#Change2024' }, 'once the authenticator was removed');
    });
  });
}
