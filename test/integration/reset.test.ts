import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { rules } from '../../src/config.ts';
import { revokeAccountAccess } from '../../src/store/oidc-adapter.ts';
import { errorsOn } from '../../harness/browser.ts';
import { nextTotpStep, relyingParty, saveRecoveryCodes, seedActiveAccount, strongPassword, totpNow, walkSignIn } from '../helpers/flows.ts';
import { decodeQrDataUrl, secretOf } from '../helpers/qr.ts';
import { backends, publicClient, serveDuring, type TestServer } from '../helpers/server.ts';

for (const backend of backends()) {
  describe(`password reset and account lifecycle (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it('resets a forgotten password with the authenticator code, signs in, and emails the user', async () => {
      const email = 'forgetful@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const start = await rp.start();
      const signIn = await rp.browser.submit(start.page, '/email', { email });
      const forgot = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      assert.equal(forgot.$('label[for=email]').text().trim(), 'Email Address');
      assert.equal(forgot.$('button[type=submit]').text().trim(), 'Continue');

      const mismatch = await rp.browser.submit(forgot, '/forgot', { email: 'someone.else@example.com' });
      assert.equal(mismatch.status, 400);
      assert.equal(errorsOn(mismatch).length, 1);

      const totpPage = await rp.browser.submit(mismatch, '/forgot', { email: email.toUpperCase() });
      assert.match(totpPage.html, /Enter the verification code from your authenticator app\./);
      nextTotpStep(t);
      const choose = await rp.browser.submit(totpPage, '/totp', { code: totpNow(t, secret) });
      assert.equal(choose.$('label[for=password]').text().trim(), 'New Password');

      const newPassword = 'Green$Valley77';
      const before = t.mail.messages.length;
      const callback = await rp.browser.submit(choose, '/new-password', { password: newPassword, confirmation: newPassword });
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `signed in after the reset: ${callback.url}`);
      const tokens = await rp.finish(callback.url, start);
      assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
      const notice = await t.mail.next(email, before);
      assert.match(notice.raw, /password was changed/i);

      const other = await relyingParty(t);
      const again = await other.start();
      const old = await other.browser.submit(await other.browser.submit(again.page, '/email', { email }), '/password', { password: strongPassword });
      assert.deepEqual(errorsOn(old), ['The email address or password is incorrect.']);
      const withNew = await walkSignIn(other, t, again.page, email, secret, newPassword);
      assert.ok(withNew.url.startsWith(publicClient.redirect_uris[0]));
    });

    it('ends every other session and refresh token of the account when the user resets the password', async () => {
      const email = 'stolen.laptop@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const laptop = await relyingParty(t);
      const first = await laptop.start();
      const held = await laptop.finish((await walkSignIn(laptop, t, first.page, email, secret)).url, first);
      assert.ok(held.refresh_token, 'the other browser holds a refresh token');

      const rp = await relyingParty(t);
      const start = await rp.start();
      const signIn = await rp.browser.submit(start.page, '/email', { email });
      const forgot = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      const codePage = await rp.browser.submit(forgot, '/forgot', { email });
      nextTotpStep(t);
      const choose = await rp.browser.submit(codePage, '/totp', { code: totpNow(t, secret) });
      const callback = await rp.browser.submit(choose, '/new-password', { password: 'Green$Valley77', confirmation: 'Green$Valley77' });
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), 'the reset signs this browser in');
      assert.ok((await rp.finish(callback.url, start)).refresh_token, 'with a refresh token of its own');

      await assert.rejects(oidc.refreshTokenGrant(laptop.config, held.refresh_token), (error: { error?: string }) => error.error === 'invalid_grant');
      const silent = await laptop.start({ prompt: 'none' });
      const location = new URL(silent.page.url);
      assert.equal(location.searchParams.get('error'), 'login_required', `the other browser's session ended: ${silent.page.url}`);
    });

    it('sends an account without an authenticator from the same link into first-time login', async () => {
      const email = 'never.enrolled@example.com';
      await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const signIn = await rp.browser.submit(page, '/email', { email });
      const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      assert.equal(help.$('button[type=submit]').text().trim(), 'Send verification code');
      const forgot = await rp.browser.get(help.url.replace(/\/help$/, '/forgot'));
      assert.equal(forgot.status, 403, 'the forgot-password step is closed to an account without an authenticator');
    });

    it('after an authenticator reset, asks for the password and enrolls a new authenticator', async () => {
      const email = 'lost.phone@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const first = await rp.start();
      const tokens = await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);

      await t.server.lifecycle.resetFactors({ via: 'cli', name: 'test' }, { id }, 'en');
      await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!));

      const next = await rp.start();
      assert.equal(next.page.$('label[for=email]').text().trim(), 'Email Address', 'the session ended');
      const signIn = await rp.browser.submit(next.page, '/email', { email });
      const enroll = await rp.browser.submit(signIn, '/password', { password: strongPassword });
      const newSecret = secretOf(decodeQrDataUrl(enroll.$('img[alt="QR code"]').attr('src')!));
      assert.notEqual(newSecret, secret);
      const codePage = await rp.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
      nextTotpStep(t);
      const stale = await rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) });
      assert.equal(stale.status, 401, 'the old authenticator no longer works');
      const { next: callback } = await saveRecoveryCodes(rp.browser, await rp.browser.submit(stale, '/enroll/verify', { code: totpNow(t, newSecret) }));
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]));
      const account = await t.server.services.accounts.findById(id);
      assert.equal(account!.status, 'active');
    });

    it('reads the account on each refresh: one deactivated or reset in the database is refused even while its tokens remain', async () => {
      const signedIn = async (email: string) => {
        const { id, secret } = await seedActiveAccount(t, email);
        const rp = await relyingParty(t);
        const first = await rp.start();
        const tokens = await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);
        return { id, rp, refreshToken: tokens.refresh_token! };
      };
      const leaver = await signedIn('left.without.revocation@example.com');
      const reset = await signedIn('reset.without.revocation@example.com');
      // Past the few seconds in which the sign-in's own read of the account serves the provider.
      t.clock.offsetMs += (rules.recentAccountSeconds + 1) * 1000;
      const refreshed = await oidc.refreshTokenGrant(leaver.rp.config, leaver.refreshToken);
      assert.ok(refreshed.refresh_token, 'an active account refreshes');

      await t.server.services.accounts.deactivate(leaver.id);
      await t.server.services.accounts.resetCredentials(reset.id);
      for (const [what, refreshToken, rp] of [
        ['deactivated', refreshed.refresh_token, leaver.rp],
        ['reset', reset.refreshToken, reset.rp],
      ] as const) {
        await assert.rejects(oidc.refreshTokenGrant(rp.config, refreshToken), (error: Error & { error?: string }) => {
          assert.equal(error.error, 'invalid_grant', `the ${what} account's refresh is refused`);
          return true;
        });
      }
    });

    it('deactivation ends the session and revokes the refresh token at once', async () => {
      const email = 'leaver@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const first = await rp.start();
      const tokens = await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);
      await t.server.services.accounts.deactivate(id);
      const revoked = await revokeAccountAccess(t.server.store, id);
      assert.ok(revoked.sessions.length >= 1 && revoked.grants >= 1);
      await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), (error: Error & { error?: string }) => {
        assert.equal(error.error, 'invalid_grant');
        return true;
      });
      const next = await rp.start();
      const refused = await rp.browser.submit(next.page, '/email', { email });
      assert.deepEqual(errorsOn(refused), ['Your account has been deactivated.']);
    });
  });
}
