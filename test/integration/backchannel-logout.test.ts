import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { runCli } from '../helpers/cli-process.ts';
import { nextTotpStep, seedActiveAccount, totpNow } from '../helpers/flows.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../helpers/logout-receiver.ts';
import { clientBrowser, relyingPartyIn, tokensVia } from '../helpers/relying-parties.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0) as a relying party receives it: a
 * real endpoint verifies each logout token's signature against /jwks and its claims, and the test
 * matches its `sub` and `sid` with the ID tokens the same client got.
 */
const webClient = (receiver: LogoutReceiver) => ({
  client_id: 'bc-web',
  client_secret: 'bc-web-secret-0123456789abcdefghijkl',
  redirect_uris: ['http://127.0.0.1:9/bc-web/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9/bc-web/signed-out'],
  token_endpoint_auth_method: 'client_secret_basic',
  backchannel_logout_uri: receiver.uriFor('bc-web'),
});
const ecClient = (receiver: LogoutReceiver) => ({
  client_id: 'bc-ec',
  redirect_uris: ['http://127.0.0.1:9/bc-ec/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9/bc-ec/signed-out'],
  token_endpoint_auth_method: 'none',
  id_token_signed_response_alg: 'ES256',
  backchannel_logout_uri: receiver.uriFor('bc-ec'),
  // The server sends sid all the same, as every ID token carries it.
  backchannel_logout_session_required: false,
});

for (const backend of backends()) {
  describe(`back-channel logout (${backend.name})`, { skip: backend.skip }, () => {
    let receiver: LogoutReceiver;
    let t: TestServer;
    let web: ReturnType<typeof webClient>;
    let ec: ReturnType<typeof ecClient>;
    before(async () => {
      receiver = await startLogoutReceiver(() => t.issuer);
      web = webClient(receiver);
      ec = ecClient(receiver);
      t = await startTestServer(backend, {}, { clients: [web, ec] });
    });
    after(async () => {
      await t?.close();
      await receiver?.close();
      await backend.cleanup();
    });

    it('puts sid in every ID token, and at sign-out tells each client of the session, naming its sid', async () => {
      const { id, secret } = await seedActiveAccount(t, 'two.apps@example.com');
      const browser = clientBrowser();
      const [webRp, ecRp, plainRp] = await Promise.all([relyingPartyIn(t, browser, web), relyingPartyIn(t, browser, ec), relyingPartyIn(t, browser, publicClient)]);
      const fromWeb = await tokensVia(t, browser, webRp, { email: 'two.apps@example.com', secret });
      const fromEc = await tokensVia(t, browser, ecRp);
      const fromPlain = await tokensVia(t, browser, plainRp);
      for (const { claims } of [fromWeb, fromEc, fromPlain]) assert.equal(typeof claims.sid, 'string', 'every ID token carries sid');
      assert.equal(decodeProtectedHeader(fromEc.tokens.id_token!).alg, 'ES256');

      const already = receiver.received.length;
      const confirm = await browser.get(
        oidc.buildEndSessionUrl(webRp.config, { id_token_hint: fromWeb.tokens.id_token!, post_logout_redirect_uri: web.post_logout_redirect_uris[0]! }).toString(),
      );
      const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
      assert.ok(done.url.startsWith(web.post_logout_redirect_uris[0]!), done.url);

      const logouts = (await receiver.waitFor(already + 2)).slice(already);
      assert.deepEqual(
        logouts.map((logout) => [logout.clientId, logout.payload.sub, logout.payload.sid]).sort(),
        [
          ['bc-ec', id, fromEc.claims.sid],
          ['bc-web', id, fromWeb.claims.sid],
        ],
        'one logout token per client of the session, none for the client without a back-channel logout URI',
      );
      assert.equal(logouts.find((logout) => logout.clientId === 'bc-ec')!.alg, 'ES256', 'signed as the client asked for its ID tokens');
      assert.deepEqual(receiver.refused, []);
    });

    it('tells the clients of the other sessions when the user resets the password', async () => {
      const email = 'reset.elsewhere@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      const laptop = clientBrowser();
      const held = await tokensVia(t, laptop, await relyingPartyIn(t, laptop, web), { email, secret });

      const phone = clientBrowser();
      const rp = await relyingPartyIn(t, phone, publicClient);
      const already = receiver.received.length;
      const start = await rp.start();
      const signIn = await phone.submit(start.page, '/email', { email });
      const forgot = await phone.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      const codePage = await phone.submit(forgot, '/forgot', { email });
      nextTotpStep(t);
      const choose = await phone.submit(codePage, '/totp', { code: totpNow(t, secret) });
      const callback = await phone.submit(choose, '/new-password', { password: 'Green$Valley77', confirmation: 'Green$Valley77' });
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]));

      const [logout] = (await receiver.waitFor(already + 1)).slice(already);
      assert.deepEqual([logout!.clientId, logout!.payload.sub, logout!.payload.sid], ['bc-web', id, held.claims.sid]);
      assert.deepEqual(receiver.refused, []);
    });

    it(
      'tells the clients when an operator deactivates, resets or removes the authenticator of an account',
      { skip: backend.name === 'embedded' ? 'the embedded database belongs to the test server: the CLI runs beside a server on PostgreSQL' : false },
      async () => {
        const cliEnv = {
          ...backend.env,
          SSO_ISSUER: t.issuer,
          SSO_DATA_DIR: t.dataDir,
          SSO_CLIENTS_FILE: path.join(t.dataDir, 'clients.json'),
          SMTP_URL: t.mail.url,
        };
        for (const command of ['deactivate', 'reset', 'reset-mfa']) {
          const email = `${command}.by.operator@example.com`;
          const { id, secret } = await seedActiveAccount(t, email);
          const browser = clientBrowser();
          const held = await tokensVia(t, browser, await relyingPartyIn(t, browser, web), { email, secret });
          const already = receiver.received.length;
          const run = await runCli(['users', command, email], cliEnv);
          assert.equal(run.code, 0, run.stderr);
          assert.equal(run.stderr, '');
          const [logout] = (await receiver.waitFor(already + 1)).slice(already);
          assert.deepEqual([logout!.clientId, logout!.payload.sub, logout!.payload.sid], ['bc-web', id, held.claims.sid], command);
        }
        assert.deepEqual(receiver.refused, []);
      },
    );
  });
}
