import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, errorsOn, headingOf, type Page } from '../../harness/browser.ts';
import { rules } from '../../src/config.ts';
import { openAccountPage, signInFrom } from '../helpers/account-page.ts';
import { seedActiveAccount, strongPassword } from '../helpers/flows.ts';
import { clientBrowser, relyingPartyIn, tokensVia } from '../helpers/relying-parties.ts';
import { backends, publicClient, serveDuring, type TestServer } from '../helpers/server.ts';

const newPassword = 'Green#Meadow77';

/** The text of the label of the input `id`. */
function labelOf(page: Page, id: string): string {
  return page.$(`label[for="${id}"]`).text().trim();
}

/**
 * The account page (CONTRACT.md section 8): shown after a sign-in through its own client, signing
 * out, and changing the password with what a change of password ends.
 */
for (const backend of backends()) {
  describe(`account page: profile and password (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it('shows the name and the email after a sign-in through its own client, in a session of its own, and signs out', async () => {
      const { secret } = await seedActiveAccount(t, 'page.user@example.com', undefined, 'Page User');
      const { browser, page } = await openAccountPage(t, { email: 'page.user@example.com', secret });
      assert.equal(page.url, `${t.issuer}/account`);
      assert.equal(headingOf(page), 'Your account');
      const facts = page.$('dl.summary-list dd').map((_, el) => page.$(el).text().trim()).get();
      assert.deepEqual(facts, ['Page User', 'page.user@example.com']);
      const cookie = (await browser.jar.getCookies(`${t.issuer}/account`)).find((c) => c.key === 'sso_account');
      assert.ok(cookie?.httpOnly && cookie.path === '/account', 'a session cookie of its own, HttpOnly, for /account only');
      const audit = await t.server.services.audit.recent({ email: 'page.user@example.com', limit: 5 });
      assert.equal(audit.find((event) => event.event === 'signin.success')?.clientId, 'sso-account', 'signed in as the first-party client the server registered');

      const confirm = await browser.submit(page, '/account/signout');
      assert.ok(confirm.$('form[action$="/session/end/confirm"]').length > 0, `the provider's logout follows: ${confirm.url}`);
      const after = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
      assert.match(after.url, /\/interaction\//, 'back at /account, the signed-out browser is asked to sign in');
      const again = await browser.get(`${t.issuer}/account`);
      assert.match(again.url, /\/interaction\//, 'the account page stays signed out');
    });

    it('asks for the current password, a new one and its confirmation, with the contract’s labels', async () => {
      const { secret } = await seedActiveAccount(t, 'labels.user@example.com');
      const { page } = await openAccountPage(t, { email: 'labels.user@example.com', secret }, '/account/password');
      assert.equal(labelOf(page, 'current'), 'Current Password');
      assert.equal(labelOf(page, 'password'), 'New Password');
      assert.equal(labelOf(page, 'confirmation'), 'Confirm New Password');
      assert.equal(page.$('form[action$="/account/password"] button[type=submit]').text().trim(), 'Change password');
      assert.equal(page.$('#current').attr('autocomplete'), 'current-password');
      assert.equal(page.$('#password').attr('autocomplete'), 'new-password');
    });

    it('refuses a wrong current password and a new one that breaks the rules, changing nothing', async () => {
      const { id, secret } = await seedActiveAccount(t, 'rules.user@example.com');
      const { browser, page } = await openAccountPage(t, { email: 'rules.user@example.com', secret }, '/account/password');
      const before = (await t.server.services.accounts.findById(id))!.passwordHash;

      const wrong = await browser.submit(page, '/account/password', { current: 'Wrong#Pass99', password: newPassword, confirmation: newPassword });
      assert.equal(wrong.status, 401);
      assert.deepEqual(errorsOn(wrong), ['The current password is incorrect']);
      assert.equal(wrong.$('#current').attr('value'), undefined, 'no password is echoed back');

      const cases: Array<[string, string, RegExp]> = [
        ['Password1', 'Password1', /too common/],
        ['Rules.user#12', 'Rules.user#12', /email address/],
        ['sh#1Aa7', 'sh#1Aa7', /at least 8/],
        [newPassword, 'Other#Value12', /do not match/],
      ];
      for (const [password, confirmation, expected] of cases) {
        const refused = await browser.submit(page, '/account/password', { current: strongPassword, password, confirmation });
        assert.equal(refused.status, 400, password);
        assert.match(errorsOn(refused).join(' | '), expected, password);
      }
      const missing = await browser.submit(page, '/account/password', { current: '', password: newPassword, confirmation: newPassword });
      assert.deepEqual(errorsOn(missing), ['Enter your current password']);
      assert.equal((await t.server.services.accounts.findById(id))!.passwordHash, before, 'the password is unchanged');
    });

    it('changes the password: every other session and refresh token ends, this browser’s stays, the change is audited and emailed', async () => {
      const email = 'change.user@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      // Elsewhere: another browser with an application holding a refresh token.
      const elsewhere = clientBrowser();
      const otherRp = await relyingPartyIn(t, elsewhere, publicClient);
      const other = await tokensVia(t, elsewhere, otherRp, { email, secret });
      assert.ok(other.tokens.refresh_token);
      // Here: the account page, and an application signed in through the same browser's session.
      const here = clientBrowser();
      const { page } = await openAccountPage(t, { email, secret }, '/account/password', here);
      const hereRp = await relyingPartyIn(t, here, publicClient);
      const mine = await tokensVia(t, here, hereRp);
      assert.ok(mine.tokens.refresh_token);

      const mailsBefore = t.mail.messages.length;
      const changed = await here.submit(page, '/account/password', { current: strongPassword, password: newPassword, confirmation: newPassword });
      assert.equal(changed.url, `${t.issuer}/account?done=password`);
      assert.match(changed.$('.notice--success').text(), /Your password has been changed/);

      await assert.rejects(oidc.refreshTokenGrant(otherRp.config, other.tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant', 'another session’s refresh token is revoked');
      const stillMine = await oidc.refreshTokenGrant(hereRp.config, mine.tokens.refresh_token!);
      assert.ok(stillMine.access_token, 'this browser’s own session keeps its applications');
      const reload = await here.get(`${t.issuer}/account`);
      assert.equal(headingOf(reload), 'Your account', 'this page still works');
      const elsewherePage = await elsewhere.get(`${t.issuer}/auth?client_id=${publicClient.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(publicClient.redirect_uris[0])}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
      assert.match(elsewherePage.url, /\/interaction\//, 'the other browser’s SSO session ended: it must sign in again');

      const mail = await t.mail.next(email, mailsBefore);
      assert.match(mail.raw, /password was changed/i);
      assert.deepEqual(await t.server.services.accountTasks.owedFor(id), [], 'nothing left owed');
      const audit = await t.server.services.audit.recent({ email, limit: 10 });
      const event = audit.find((row) => row.event === 'password.changed');
      assert.equal(event?.outcome, 'success');
      assert.equal(event?.details?.by, 'account');

      // The new password signs in.
      const fresh = new Browser();
      const first = await fresh.get(`${t.issuer}/account`);
      const back = await signInFrom(t, fresh, first, { email, secret, password: newPassword });
      assert.equal(headingOf(back), 'Your account');
    });

    it('counts wrong current passwords like sign-in attempts: a burst gets no more checks than the lock allows', async () => {
      const email = 'burst.user@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret }, '/account/password');
      const tries = rules.lockThreshold * 3;
      const answers = await Promise.all(
        Array.from({ length: tries }, (_, i) => browser.submit(page, '/account/password', { current: `Wrong#Pass${i}x`, password: newPassword, confirmation: newPassword })),
      );
      const statuses = answers.map((answer) => answer.status);
      assert.ok(statuses.every((status) => status === 401 || status === 429), statuses.join(' '));
      const audit = await t.server.services.audit.recent({ email, limit: 200 });
      const checked = audit.filter((row) => row.event === 'password.change-failed').length;
      assert.ok(checked <= rules.lockThreshold, `${checked} wrong passwords were checked, more than the ${rules.lockThreshold} the lock allows`);
      assert.ok(statuses.filter((status) => status === 401).length < rules.lockThreshold, 'the attempt that locks says so');
      const locked = await browser.submit(page, '/account/password', { current: strongPassword, password: newPassword, confirmation: newPassword });
      assert.equal(locked.status, 429, 'even the right password waits for the lock');
      assert.match(errorsOn(locked).join(' '), /Too many failed attempts/);
    });
  });
}
