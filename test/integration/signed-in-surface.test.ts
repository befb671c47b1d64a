import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser } from '../../harness/browser.ts';
import { BrowserDriver, signIn } from '../../harness/journeys.ts';
import { nextTotpStep, seedActiveAccount, strongPassword, totpNow } from '../helpers/flows.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/**
 * The account page and the console sign their users in through the server's own OIDC flow, as
 * first-party clients the server registers itself; these tests hold the part they share.
 */
for (const backend of backends()) {
  describe(`signed-in surfaces (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    /** Signs in through /account/signin and stops where the surface sends the browser back. */
    async function signInToAccountPage(email: string, secret: string, returnTo: string): Promise<{ browser: Browser; landing: string }> {
      // No page of the surface exists here: the browser lands on a 404 at the address it was sent to.
      const browser = new Browser();
      const first = await browser.get(`${t.issuer}/account/signin?return=${encodeURIComponent(returnTo)}`);
      assert.match(first.url, /\/interaction\//, 'the surface starts an authorization of its own client');
      const driver = new BrowserDriver(browser, first);
      await signIn(driver, {
        email,
        password: strongPassword,
        code: () => {
          nextTotpStep(t);
          return totpNow(t, secret);
        },
      });
      return { browser, landing: driver.url() };
    }

    it('signs the user in with its own client and brings them back to the page they asked for', async () => {
      const { secret } = await seedActiveAccount(t, 'surface.user@example.com');
      const { browser, landing } = await signInToAccountPage('surface.user@example.com', secret, '/account/factors');
      assert.equal(landing, `${t.issuer}/account/factors`);
      const cookies = await browser.jar.getCookies(`${t.issuer}/account`);
      const session = cookies.find((cookie) => cookie.key === 'sso_account');
      assert.ok(session?.httpOnly, 'a session cookie of its own, HttpOnly');
      assert.equal(session?.sameSite, 'lax');
      assert.equal(session?.path, '/account');
      const audit = await t.server.services.audit.recent({ email: 'surface.user@example.com', limit: 5 });
      assert.equal(audit.find((event) => event.event === 'signin.success')?.clientId, 'sso-account');
    });

    it('never sends the browser anywhere but its own pages after a sign-in', async () => {
      const { secret } = await seedActiveAccount(t, 'surface.redirect@example.com');
      for (const returnTo of ['https://evil.example/', '//evil.example/account', '/elsewhere', '/account/../elsewhere', '/account\\\\evil']) {
        nextTotpStep(t);
        const { landing } = await signInToAccountPage('surface.redirect@example.com', secret, returnTo);
        assert.ok(landing === `${t.issuer}/account` || landing.startsWith(`${t.issuer}/account/`) || landing.startsWith(`${t.issuer}/account?`), `${returnTo} led to ${landing}`);
        assert.ok(!landing.includes('evil') && !landing.includes('elsewhere'), `${returnTo} led to ${landing}`);
      }
    });

    it('refuses a callback that answers no sign-in of this browser', async () => {
      const browser = new Browser();
      const forged = await browser.get(`${t.issuer}/account/callback?state=guessed&code=guessed`);
      assert.equal(forged.status, 400);
      assert.match(forged.html, /<h1/);
    });
  });
}
