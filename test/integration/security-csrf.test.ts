import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csrfOf, headingOf, interactionCookies, rawRequest, reachedClient, uidOf } from '../helpers/attack.ts';
import type { Page } from '../../harness/browser.ts';
import { nextTotpStep, relyingParty, seedActiveAccount, seedRecoveryCodes, strongPassword, totpNow, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

const FORM_REFUSED = 'This form has expired';

// The token is a MAC of the interaction's uid, checked before any step runs: no backend is involved.
for (const backend of backends().filter((b) => b.name === 'embedded')) {
  describe('security: every form needs the CSRF token of its own interaction', () => {
    let t: TestServer;
    /** A token an attacker can get legitimately: from an interaction of their own. */
    let foreignToken: string;
    before(async () => {
      t = await startTestServer(backend);
      const attacker = await relyingParty(t);
      foreignToken = csrfOf((await attacker.start()).page);
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
    });

    /**
     * Forges the form the page would submit to `action` (its cookies and fields, as a cross-site
     * page riding on the user's cookies would) with a missing, foreign or altered token, and
     * asserts each is refused with 403 before the step runs; then submits it properly.
     */
    async function attackThenSubmit(rp: RelyingParty, page: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
      const uid = uidOf(page);
      const url = `${t.issuer}/interaction/${uid}${action}`;
      const cookie = await interactionCookies(rp.browser, t, uid);
      const own = csrfOf(page);
      const altered = own.slice(0, -1) + (own.endsWith('A') ? 'B' : 'A');
      const forgeries: Array<[string, Record<string, string>]> = [
        ['no token', fields],
        ['an empty token', { ...fields, _csrf: '' }],
        ["another interaction's token", { ...fields, _csrf: foreignToken }],
        ['an altered token', { ...fields, _csrf: altered }],
        ['the token in the query string only', fields],
      ];
      for (const [what, form] of forgeries) {
        const target = what.includes('query') ? `${url}?_csrf=${encodeURIComponent(own)}` : url;
        const result = await rawRequest(target, { cookie, form });
        assert.equal(result.status, 403, `POST ${action} with ${what}`);
        assert.equal(headingOf(result.html), FORM_REFUSED, `POST ${action} with ${what}`);
        assert.equal(result.location, null);
      }
      return rp.browser.submit(page, action, fields);
    }

    it('refuses forged posts at every step of sign-in, first-time login and reset, and accepts the real form', async () => {
      const email = 'csrf.user@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const signIn = await relyingParty(t);
      let page = (await signIn.start()).page;
      page = await attackThenSubmit(signIn, page, '/email', { email });
      assert.match(page.html, /Sign in with your email address/, 'the forged posts left the flow where it was');
      page = await attackThenSubmit(signIn, page, '/password', { password: strongPassword });
      assert.match(page.html, /Enter the verification code/);
      nextTotpStep(t);
      page = await attackThenSubmit(signIn, page, '/totp', { code: totpNow(t, secret) });
      assert.ok(reachedClient(page), `signed in with the real forms: ${page.url}`);

      const invited = 'csrf.invited@example.com';
      await t.server.services.accounts.create({ email: invited });
      const first = await relyingParty(t);
      page = (await first.start()).page;
      page = await first.browser.submit(page, '/email', { email: invited });
      page = await first.browser.get(new URL(page.$('a[href$="/help"]').attr('href')!, page.url).toString());
      const sentBefore = t.mail.messages.length;
      page = await attackThenSubmit(first, page, '/activation/send');
      assert.equal(t.mail.messages.length, sentBefore + 1, 'only the real form sent an email');
      const code = codeFrom(await t.mail.next(invited, sentBefore));
      page = await attackThenSubmit(first, page, '/activation/verify', { code });
      page = await first.browser.get(new URL(page.$('a.button').attr('href')!, page.url).toString());
      page = await attackThenSubmit(first, page, '/new-password', { password: strongPassword, confirmation: strongPassword });
      const enrolledSecret = page.$('code.secret').text().replace(/\s+/g, '');
      page = await first.browser.get(new URL(page.$('a.button').attr('href')!, page.url).toString());
      nextTotpStep(t);
      page = await attackThenSubmit(first, page, '/enroll/verify', { code: totpNow(t, enrolledSecret) });
      assert.match(page.html, /Save your recovery codes/);
      page = await attackThenSubmit(first, page, '/recovery-codes', { saved: 'yes' });
      assert.ok(reachedClient(page), `first-time login finished with the real forms: ${page.url}`);

      const recovery = await relyingParty(t);
      const codes = await seedRecoveryCodes(t, { id, email });
      page = (await recovery.start()).page;
      page = await recovery.browser.submit(page, '/email', { email });
      page = await recovery.browser.submit(page, '/password', { password: strongPassword });
      page = await recovery.browser.get(new URL(page.$('a[href$="/recovery"]').attr('href')!, page.url).toString());
      page = await attackThenSubmit(recovery, page, '/recovery', { recoveryCode: codes[0]! });
      assert.ok(reachedClient(page), `signed in with a recovery code through the real form: ${page.url}`);

      const reset = await relyingParty(t);
      page = (await reset.start()).page;
      page = await reset.browser.submit(page, '/email', { email });
      page = await reset.browser.get(new URL(page.$('a[href$="/help"]').attr('href')!, page.url).toString());
      page = await attackThenSubmit(reset, page, '/forgot', { email });
      nextTotpStep(t);
      page = await attackThenSubmit(reset, page, '/totp', { code: totpNow(t, secret) });
      page = await attackThenSubmit(reset, page, '/new-password', { password: 'Other#Secret55', confirmation: 'Other#Secret55' });
      assert.ok(reachedClient(page), `reset finished with the real forms: ${page.url}`);
    });
  });
}
