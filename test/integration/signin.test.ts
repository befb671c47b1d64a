import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { errorsOn } from '../../harness/browser.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret } from '../../src/security/totp.ts';
import { enrollAuthenticatorApp, relyingParty, seedActiveAccount, strongPassword, totpNow, nextTotpStep, walkSignIn } from '../helpers/flows.ts';
import { backends, confidentialClient, publicClient, serveDuring, type TestServer } from '../helpers/server.ts';

for (const backend of backends()) {
  describe(`sign-in with openid-client (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it('walks email, password and TOTP, then exchanges, validates, refreshes with rotation and logs out', async () => {
      const email = 'ada@example.com';
      const { id, secret } = await seedActiveAccount(t, email, strongPassword, 'Ada Lovelace');
      const rp = await relyingParty(t);
      const { page, ...checks } = await rp.start();
      assert.equal(page.status, 200);
      assert.equal(page.$('label[for=email]').text().trim(), 'Email Address');
      assert.equal(page.$('button[type=submit]').text().trim(), 'Continue');

      const callback = await walkSignIn(rp, t, page, ' ADA@Example.com ', secret);
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `ends at the client, not ${callback.url}`);

      const tokens = await rp.finish(callback.url, checks);
      const claims = tokens.claims()!;
      assert.equal(claims.sub, id);
      assert.equal(claims.email, email);
      assert.equal(claims.email_verified, true);
      assert.equal(claims.name, 'Ada Lovelace');
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(tokens.refresh_token, 'offline_access without prompt=consent yields a refresh token');

      const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, id);
      assert.equal(userinfo.email, email);
      assert.equal(userinfo.name, 'Ada Lovelace');

      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
      t.clock.offsetMs += 10_000;
      await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), (error: Error & { error?: string }) => {
        assert.equal(error.error, 'invalid_grant', 'a rotated token presented past the grace is refused');
        return true;
      });

      const logoutUrl = oidc.buildEndSessionUrl(rp.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0],
      });
      const confirm = await rp.browser.get(logoutUrl.toString());
      assert.equal(confirm.status, 200);
      assert.ok(confirm.$('form[data-auto-submit]').length === 1, 'a valid id_token_hint submits the logout by itself');
      const action = confirm.$('form').attr('action')!;
      const done = await rp.browser.post(new URL(action, t.issuer).toString(), {
        xsrf: confirm.$('input[name=xsrf]').attr('value')!,
        logout: 'yes',
      });
      assert.ok(done.url.startsWith(publicClient.post_logout_redirect_uris[0]), `back at the client after logout: ${done.url}`);

      const again = await rp.start();
      assert.equal(again.page.$('label[for=email]').text().trim(), 'Email Address', 'after logout the email is asked again');
    });

    it('keeps the session for a second authorization, and prompt=login forces a full sign-in with a later auth_time', async () => {
      const email = 'grace@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t, confidentialClient);
      const first = await rp.start();
      const tokens = await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);
      const firstAuthTime = tokens.claims()!.auth_time!;

      const silent = await rp.start();
      assert.ok(silent.page.url.startsWith(confidentialClient.redirect_uris[0]), 'an existing session needs no pages');
      const silentTokens = await rp.finish(silent.page.url, silent);
      assert.equal(silentTokens.claims()!.auth_time, firstAuthTime);

      // auth_time has a resolution of one second, on the provider's own clock.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const forced = await rp.start({ prompt: 'login' });
      assert.equal(forced.page.$('label[for=email]').text().trim(), 'Email Address');
      const forcedTokens = await rp.finish((await walkSignIn(rp, t, forced.page, email, secret)).url, forced);
      assert.ok(forcedTokens.claims()!.auth_time! > firstAuthTime, 'auth_time advances');
      assert.deepEqual(forcedTokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
    });

    it('answers prompt=consent from a signed-in session without a consent screen, recording the grant', async () => {
      const email = 'consent@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const first = await rp.start();
      await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);

      const consent = await rp.start({ prompt: 'consent' });
      assert.ok(consent.page.url.startsWith(publicClient.redirect_uris[0]), `straight back to the client, not ${consent.page.url}`);
      const tokens = await rp.finish(consent.page.url, consent);
      assert.equal(tokens.claims()!.sub, id);
      assert.ok(tokens.refresh_token, 'the recorded grant keeps offline_access');
    });

    it('accepts a code from any of the account\u2019s authenticator apps, and each time step once whichever app produced it', async () => {
      const email = 'two.phones@example.com';
      const { id, secret: phone } = await seedActiveAccount(t, email);
      const tablet = generateTotpSecret();
      const app = await enrollAuthenticatorApp(t.server.database.knex, id, sealSecret(t.server.services.secretKey, tablet), 'Tablet');

      const first = await relyingParty(t);
      const firstStart = await first.start();
      const signIn = await first.browser.submit(firstStart.page, '/email', { email });
      const codePage = await first.browser.submit(signIn, '/password', { password: strongPassword });
      nextTotpStep(t);
      const callback = await first.browser.submit(codePage, '/totp', { code: totpNow(t, tablet) });
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), 'the second app signs in');
      const used = (await t.server.services.accounts.findById(id))!.factors.find((factor) => factor.id === app.id)!;
      assert.ok(used.lastUsedAt instanceof Date, 'the app that gave the code is marked used');

      const second = await relyingParty(t);
      const secondSignIn = await second.browser.submit((await second.start()).page, '/email', { email });
      const secondCode = await second.browser.submit(secondSignIn, '/password', { password: strongPassword });
      const replay = await second.browser.submit(secondCode, '/totp', { code: totpNow(t, phone) });
      assert.equal(replay.status, 401, 'the same time step from the other app is refused');
      assert.deepEqual(errorsOn(replay), ['The code is incorrect or has already been used. Wait for a new code and try again.']);
      nextTotpStep(t);
      assert.ok((await second.browser.submit(replay, '/totp', { code: totpNow(t, phone) })).url.startsWith(publicClient.redirect_uris[0]), 'the first app, at the next step');
    });

    it('cancels a sign-in: the client gets access_denied', async () => {
      const rp = await relyingParty(t);
      const { page, state } = await rp.start();
      const cancel = page.$('a[href$="/cancel"]');
      assert.equal(cancel.text().trim(), 'Cancel sign-in');
      const back = await rp.browser.get(new URL(cancel.attr('href')!, page.url).toString());
      const answer = new URL(back.url);
      assert.equal(`${answer.origin}${answer.pathname}`, publicClient.redirect_uris[0]);
      assert.equal(answer.searchParams.get('error'), 'access_denied');
      assert.equal(answer.searchParams.get('state'), state);
    });

    it('prefills login_hint and answers unknown emails, wrong passwords and wrong codes on the page', async () => {
      const email = 'linus@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const { page } = await rp.start({ login_hint: email });
      assert.equal(page.$('#email').attr('value'), email);
      assert.equal(page.$('#email').attr('autocomplete'), 'username');

      const unknown = await rp.browser.submit(page, '/email', { email: 'nobody@example.com' });
      assert.equal(unknown.status, 400);
      assert.deepEqual(errorsOn(unknown), ['An account could not be found for the provided user ID.']);
      assert.match(unknown.$('title').text(), /^Error:/);
      assert.match(unknown.html, /please contact your Fluxys point of contact\./);

      const signInPage = await rp.browser.submit(unknown, '/email', { email });
      assert.equal(signInPage.$('#email').attr('value'), email);
      assert.equal(signInPage.$('label[for=password]').text().trim(), 'Password');
      assert.equal(signInPage.$('#password').attr('autocomplete'), 'current-password');
      assert.equal(signInPage.$('a[href$="/help"]').text().trim(), 'First time login/Forgot Password?');
      assert.match(signInPage.html, /Sign in with your email address/);

      const wrong = await rp.browser.submit(signInPage, '/password', { password: 'Wrong#Pass99' });
      assert.equal(wrong.status, 401);
      assert.deepEqual(errorsOn(wrong), ['The email address or password is incorrect.']);
      assert.equal(wrong.$('#password').attr('value'), undefined, 'the password is never echoed back');

      const totpPage = await rp.browser.submit(wrong, '/password', { password: strongPassword });
      assert.equal(totpPage.$('label[for=code]').text().trim(), 'Enter your code.');
      assert.equal(totpPage.$('#code').attr('inputmode'), 'numeric');
      assert.equal(totpPage.$('#code').attr('autocomplete'), 'one-time-code');
      assert.equal(totpPage.$('#code').attr('type'), 'text');
      const badCode = await rp.browser.submit(totpPage, '/totp', { code: totpNow(t, secret, 5) });
      assert.equal(badCode.status, 401);
      assert.equal(errorsOn(badCode).length, 1);
      nextTotpStep(t);
      const spaced = totpNow(t, secret).replace(/^(\d{3})/, '$1 ');
      const done = await rp.browser.submit(badCode, '/totp', { code: spaced });
      assert.ok(done.url.startsWith(publicClient.redirect_uris[0]), 'a code with a space is accepted');
    });

    it('refuses a deactivated account at the email step with the reason', async () => {
      const email = 'former@example.com';
      const { id } = await seedActiveAccount(t, email);
      await t.server.services.accounts.deactivate(id);
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const refused = await rp.browser.submit(page, '/email', { email });
      assert.equal(refused.status, 403);
      assert.deepEqual(errorsOn(refused), ['Your account has been deactivated.']);
      assert.match(refused.html, /must be reactivated before it can be used/);
    });

    it('answers an unknown or expired interaction with a page, never an error dump', async () => {
      const rp = await relyingParty(t);
      const unknown = await rp.browser.get(`${t.issuer}/interaction/doesnotexist`);
      assert.equal(unknown.status, 400);
      assert.match(unknown.$('h1').text(), /expired or is no longer valid/);
      assert.doesNotMatch(unknown.html, /at .*\.ts:\d+/);
      const missing = await rp.browser.get(`${t.issuer}/no/such/page`);
      assert.equal(missing.status, 404);
      assert.equal(missing.$('h1').text().trim(), 'Page not found');
    });

    it('reports health and readiness', async () => {
      const health = await fetch(`${t.issuer}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`${t.issuer}/readyz`);
      assert.equal(ready.status, 200);
      const metrics = await fetch(`${t.issuer}/metrics`);
      assert.match(await metrics.text(), /sso_signins_total/);
    });
  });
}
