import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, headingOf, type Page } from '../../harness/browser.ts';
import { openAccountPage } from '../helpers/account-page.ts';
import { seedActiveAccount } from '../helpers/flows.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/logout-receiver.ts';
import { relyingPartyIn, tokensVia } from '../helpers/relying-parties.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

const chromeOnLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const firefoxOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

/** A public client that holds refresh tokens and is told of logouts on the back channel. */
const appClient = (receiver: LogoutReceiver) => ({
  client_id: 'sessions-app',
  client_name: 'Planning tool',
  redirect_uris: ['http://127.0.0.1:9/sessions-app/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  backchannel_logout_uri: receiver.uriFor('sessions-app'),
});

function browserAs(userAgent: string): Browser {
  return new Browser({ stopAt: ['http://127.0.0.1:9/'], userAgent });
}

/** The rows of the sessions table: what each says, and the uid its "Sign out this session" posts. */
function sessionRows(page: Page): Array<{ text: string; uid: string }> {
  return page
    .$('form[action$="/account/sessions/end"]')
    .map((_, form) => ({ text: page.$(form).closest('tr').text().replace(/\s+/g, ' ').trim(), uid: page.$(form).find('input[name=session]').attr('value')! }))
    .get();
}

const invalidGrant = (error: { error?: string }) => error.error === 'invalid_grant';

/** "Where you're signed in" on the account page: every session and application, ending one, or all. */
for (const backend of backends()) {
  describe(`account page: where you are signed in (${backend.name})`, { skip: backend.skip }, () => {
    let receiver: LogoutReceiver;
    let t: TestServer;
    let app: ReturnType<typeof appClient>;
    before(async () => {
      receiver = await startLogoutReceiver(() => t.issuer);
      app = appClient(receiver);
      t = await startTestServer(backend, {}, { clients: [app] });
    });
    after(async () => {
      await t?.close();
      await receiver?.close();
      await backend.cleanup();
    });

    /** The account page in Chrome, and the application signed in from Firefox with a refresh token. */
    async function signedInTwice(email: string) {
      const { id, secret } = await seedActiveAccount(t, email);
      const laptop = browserAs(firefoxOnWindows);
      const rp = await relyingPartyIn(t, laptop, app);
      const onLaptop = await tokensVia(t, laptop, rp, { email, secret });
      assert.ok(onLaptop.tokens.refresh_token);
      const here = browserAs(chromeOnLinux);
      const { page } = await openAccountPage(t, { email, secret }, '/account', here);
      return { id, secret, laptop, rp, onLaptop, here, page };
    }

    it('lists every session with its browser, address and times, and the applications holding a refresh token', async () => {
      const { page } = await signedInTwice('list.places@example.com');
      const rows = sessionRows(page);
      assert.equal(rows.length, 2, rows.map((row) => row.text).join(' / '));
      const mine = rows.find((row) => row.text.includes('Chrome 120 on Linux'));
      const laptop = rows.find((row) => row.text.includes('Firefox 121 on Windows'));
      assert.ok(mine?.text.includes('(this browser)'), mine?.text);
      assert.ok(laptop && !laptop.text.includes('this browser') && laptop.text.includes('Planning tool') && laptop.text.includes('127.0.0.1'), laptop?.text);
      assert.match(laptop.text, /\d{4} at \d{2}:\d{2} UTC/, 'when it started and was last active');
      const applications = page.$('form[action$="/account/applications/end"]').closest('tr').text();
      assert.match(applications, /Planning tool/);
      assert.equal(page.$('form[action$="/account/applications/end"] input[name=client]').attr('value'), 'sessions-app');
      assert.ok(!page.html.includes((await t.server.store.get(`oidc:uid:${laptop.uid}`)) ?? 'no session id'), 'a session’s id (its cookie value) is never shown');
    });

    it('ends another session: its refresh token is revoked and its application told on the back channel; this page goes on', async () => {
      const { laptop, rp, onLaptop, here, page } = await signedInTwice('end.one@example.com');
      const before = receiver.received.length;
      const target = sessionRows(page).find((row) => row.text.includes('Firefox'))!;
      const ended = await here.submit(page, '/account/sessions/end', { session: target.uid });
      assert.equal(ended.url, `${t.issuer}/account?done=sessionEnded`);
      assert.equal(sessionRows(ended).length, 1, 'one session left');
      await assert.rejects(oidc.refreshTokenGrant(rp.config, onLaptop.tokens.refresh_token!), invalidGrant, 'the ended session’s refresh token fails');
      const [told] = (await receiver.waitFor(before + 1)).slice(before);
      assert.equal(told?.clientId, 'sessions-app');
      assert.equal(told?.payload.sid, onLaptop.claims.sid, 'the logout token names the ended session');
      const again = await rp.start();
      assert.match(again.page.url, /\/interaction\//, 'the laptop must sign in again');
      assert.equal(headingOf(await here.get(`${t.issuer}/account`)), 'Your account');
    });

    it('removes an application’s access: its refresh token fails, the sessions stay', async () => {
      const { rp, onLaptop, here, page } = await signedInTwice('end.app@example.com');
      const ended = await here.submit(page, '/account/applications/end', { client: 'sessions-app' });
      assert.equal(ended.url, `${t.issuer}/account?done=applicationEnded`);
      await assert.rejects(oidc.refreshTokenGrant(rp.config, onLaptop.tokens.refresh_token!), invalidGrant);
      assert.equal(ended.$('form[action$="/account/applications/end"]').length, 0, 'no application left with access');
      assert.equal(sessionRows(ended).length, 2, 'both sessions stay');
    });

    it('never ends another account’s session, nor revokes its access', async () => {
      const victim = await signedInTwice('victim.places@example.com');
      const victimUids = sessionRows(victim.page).map((row) => row.uid);
      const { here, page } = await signedInTwice('attacker.places@example.com');
      for (const uid of victimUids) {
        const refused = await here.submit(page, '/account/sessions/end', { session: uid });
        assert.equal(refused.status, 404);
      }
      assert.equal(sessionRows(await victim.here.get(`${t.issuer}/account`)).length, 2, 'the victim’s sessions stay');
      assert.ok((await oidc.refreshTokenGrant(victim.rp.config, victim.onLaptop.tokens.refresh_token!)).access_token, 'the victim’s refresh token still works');
    });

    it('signs out everywhere after a confirmation page whose button repeats the action, this browser included', async () => {
      const { rp, onLaptop, here, page } = await signedInTwice('everywhere@example.com');
      const confirm = await here.get(new URL(page.$('a[href$="/account/signout-everywhere"]').attr('href')!, page.url).toString());
      assert.equal(confirm.$('form[action$="/account/signout-everywhere"] button[type=submit]').text().trim(), 'Sign out everywhere');
      const done = await here.submit(confirm, '/account/signout-everywhere');
      assert.equal(headingOf(done), 'You have been signed out everywhere');
      await assert.rejects(oidc.refreshTokenGrant(rp.config, onLaptop.tokens.refresh_token!), invalidGrant);
      const after = await here.get(`${t.issuer}/account`);
      assert.match(after.url, /\/interaction\//, 'this browser is signed out too');
      const audit = await t.server.services.audit.recent({ email: 'everywhere@example.com', limit: 10 });
      assert.equal(audit.find((row) => row.event === 'account.signed-out')?.details?.by, 'account');
    });
  });
}
