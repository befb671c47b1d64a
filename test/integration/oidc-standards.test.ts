import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browser, type Page } from '../../harness/browser.ts';
import { seedActiveAccount } from '../helpers/flows.ts';
import { clientBrowser, relyingPartyIn, signInWith, tokensVia } from '../helpers/relying-parties.ts';
import { backends, confidentialClient, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * What relying parties other than this project's own expect of an OpenID Provider (issue 17,
 * CONTRACT sections 3 and 4), each tried the way such a client does it.
 */

const resourceServer = {
  client_id: 'resource-api',
  client_secret: 'resource-api-secret-0123456789abcdefgh',
  redirect_uris: ['http://127.0.0.1:9/resource/callback'],
  token_endpoint_auth_method: 'client_secret_post',
  sso_resource_server: true,
};
const ecClient = { client_id: 'alg-es256', redirect_uris: ['http://127.0.0.1:9/es/callback'], token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'ES256' };
const edClient = { client_id: 'alg-eddsa', redirect_uris: ['http://127.0.0.1:9/ed/callback'], token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'EdDSA' };
const nativeClient = {
  client_id: 'native-app',
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/callback'],
  token_endpoint_auth_method: 'none',
};
const slashClient = {
  client_id: 'slash-app',
  redirect_uris: ['http://127.0.0.1:9/slash/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9/slash/'],
  token_endpoint_auth_method: 'none',
};

/** A key pair for private_key_jwt, its public half as clients.json holds it. */
async function clientKey(alg: 'ES256' | 'RS256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, kid: `${alg}-key`, jwk: { ...(await exportJWK(publicKey)), kid: `${alg}-key`, alg, use: 'sig' } };
}

const invalid = (code: string) => (error: Error & { error?: string }) => {
  assert.equal(error.error, code);
  return true;
};

for (const backend of backends()) {
  describe(`what any OIDC client expects (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let keysServer: http.Server;
    let jwksKey: Awaited<ReturnType<typeof clientKey>>;
    let uriKey: Awaited<ReturnType<typeof clientKey>>;
    const jwksClient = { client_id: 'pk-jwks', redirect_uris: ['http://127.0.0.1:9/pk-jwks/callback'], token_endpoint_auth_method: 'private_key_jwt' };
    const uriClient = { client_id: 'pk-uri', redirect_uris: ['http://127.0.0.1:9/pk-uri/callback'], token_endpoint_auth_method: 'private_key_jwt' };

    before(async () => {
      [jwksKey, uriKey] = await Promise.all([clientKey('ES256'), clientKey('RS256')]);
      keysServer = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [uriKey.jwk] })));
      keysServer.listen(0, '127.0.0.1');
      await once(keysServer, 'listening');
      const jwksUri = `http://127.0.0.1:${(keysServer.address() as AddressInfo).port}/jwks`;
      t = await startTestServer(backend, {}, {
        clients: [resourceServer, ecClient, edClient, nativeClient, slashClient, { ...jwksClient, jwks: { keys: [jwksKey.jwk] } }, { ...uriClient, jwks_uri: jwksUri }],
      });
    });
    after(async () => {
      await t?.close();
      keysServer?.closeAllConnections();
      await new Promise((resolve) => keysServer?.close(resolve));
      await backend.cleanup();
    });

    async function signedIn(email: string, browser = clientBrowser()) {
      const account = { email, ...(await seedActiveAccount(t, email)) };
      const rp = await relyingPartyIn(t, browser, publicClient);
      return { browser, rp, account, ...(await tokensVia(t, browser, rp, account)) };
    }

    it('answers POST at /auth and /session/end with the same request by GET, so the session comes along', async () => {
      const { browser, rp, tokens } = await signedIn('posted@example.com');
      const authorization = new URL(oidc.buildAuthorizationUrl(rp.config, {
        redirect_uri: publicClient.redirect_uris[0],
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        prompt: 'none',
        state: 'posted-state',
      }));
      const posted = await browser.send(authorization.origin + authorization.pathname, { method: 'POST', body: authorization.searchParams });
      assert.equal(posted.status, 303);
      const again = new URL(posted.headers.get('location')!, t.issuer);
      assert.equal(again.pathname, '/auth');
      assert.deepEqual([...again.searchParams].sort(), [...authorization.searchParams].sort(), 'the same parameters, now in the query');
      const answered = await browser.follow(posted);
      const callback = new URL(answered.url);
      assert.ok(callback.searchParams.get('code'), `prompt=none by POST finds the session: ${answered.url}`);
      assert.equal(callback.searchParams.get('state'), 'posted-state');

      const end = new URL(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0] }));
      const confirm = await browser.post(end.origin + end.pathname, Object.fromEntries(end.searchParams));
      assert.equal(confirm.status, 200);
      assert.equal(confirm.$('form[data-auto-submit]').length, 1, 'the logout the client asked for by POST is confirmed like a GET');
      const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
      assert.ok(done.url.startsWith(publicClient.post_logout_redirect_uris[0]), done.url);

      const tooLarge = await browser.send(`${t.issuer}/auth`, { method: 'POST', body: new URLSearchParams({ client_id: publicClient.client_id, state: 'x'.repeat(9000) }) });
      assert.equal(tooLarge.status, 413);
      const json = await browser.send(`${t.issuer}/session/end`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(json.status, 400);
      assert.match(json.html, /<html/, 'a page, not a stack trace');
    });

    it('prompt=select_account offers the signed-in account, keeps it without a new sign-in, or signs in another', async () => {
      const first = await signedIn('chooser@example.com');
      const other = { email: 'other.account@example.com', ...(await seedActiveAccount(t, 'other.account@example.com')) };

      const offer = await first.rp.start({ prompt: 'select_account' });
      assert.equal(offer.page.status, 200, offer.page.url);
      assert.match(offer.page.$('.lead').first().text(), /You are signed in as chooser@example\.com\./);
      assert.equal(offer.page.$('form[action$="/continue"] button').text().trim(), 'Continue with this account');
      assert.equal(offer.page.$('h2').text().trim(), 'Use another account');
      assert.equal(offer.page.$('label[for=email]').text().trim(), 'Email Address');
      const kept = await first.browser.submit(offer.page, '/continue');
      const keptTokens = await first.rp.finish(kept.url, offer);
      assert.equal(keptTokens.claims()!.sub, first.claims.sub);
      assert.equal(keptTokens.claims()!.auth_time, first.claims.auth_time, 'no new sign-in');

      const switching = await first.rp.start({ prompt: 'select_account' });
      const switched = await signInWith(t, first.browser, switching.page, other.email, other.secret);
      // Signing in as another account ends the session's account first, on our own page.
      assert.equal(switched.$('form[data-auto-submit] input[name=logout]').attr('value'), 'yes', switched.html.slice(0, 300));
      assert.equal(switched.$('html').attr('lang'), 'en');
      const callback = await first.browser.submit(switched, '/session/end/confirm');
      const otherTokens = await first.rp.finish(callback.url, switching);
      assert.notEqual(otherTokens.claims()!.sub, first.claims.sub, 'signed in as the other account');

      const fresh = await relyingPartyIn(t, clientBrowser(), publicClient);
      const nobody = await fresh.start({ prompt: 'select_account' });
      assert.equal(nobody.page.$('form[action$="/continue"]').length, 0, 'without a session there is nothing to offer');
      assert.equal(nobody.page.$('label[for=email]').text().trim(), 'Email Address');

      const login = await first.rp.start({ prompt: 'login' });
      const refused = await first.browser.send(new URL(`${new URL(login.page.url).pathname}/continue`, t.issuer).toString(), {
        method: 'POST',
        body: new URLSearchParams({ _csrf: login.page.$('input[name=_csrf]').attr('value')! }),
      });
      assert.equal(refused.status, 403, 'keeping the session is for prompt=select_account only');
    });

    it('does not offer an account deactivated since it signed in', async () => {
      const { rp, claims } = await signedIn('gone@example.com');
      await t.server.services.accounts.deactivate(claims.sub);
      const page = (await rp.start({ prompt: 'select_account' })).page;
      assert.equal(page.$('form[action$="/continue"]').length, 0);
    });

    it('advertises in discovery only what works: languages, the claims tokens carry, the authentication methods and algorithms', async () => {
      const metadata = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
      assert.deepEqual(metadata.ui_locales_supported, ['en', 'nl', 'fr', 'de']);
      assert.deepEqual([...metadata.token_endpoint_auth_methods_supported!].sort(), ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']);
      assert.deepEqual([...metadata.token_endpoint_auth_signing_alg_values_supported!].sort(), ['ES256', 'EdDSA', 'PS256', 'RS256']);
      assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256', 'ES256', 'EdDSA']);

      const { rp, tokens, claims } = await signedIn('claims@example.com');
      const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
      const carried = new Set([...Object.keys(claims), ...Object.keys(userinfo)]);
      for (const claim of metadata.claims_supported!) assert.ok(carried.has(claim), `${claim} is advertised but no token carries it`);
    });

    it('lets a client introspect only its own tokens, unless it is a declared resource server', async () => {
      const { tokens, claims } = await signedIn('introspected@example.com');
      const introspect = async (client: { client_id: string; client_secret: string }, basic: boolean) => {
        const body = new URLSearchParams({ token: tokens.access_token, ...(basic ? {} : { client_id: client.client_id, client_secret: client.client_secret }) });
        const headers: Record<string, string> = basic ? { authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` } : {};
        const response = await fetch(`${t.issuer}/token/introspection`, { method: 'POST', body, headers });
        assert.equal(response.status, 200);
        return (await response.json()) as { active: boolean; sub?: string };
      };
      assert.deepEqual(await introspect(confidentialClient, true), { active: false }, 'another client learns nothing');
      const asResourceServer = await introspect(resourceServer, false);
      assert.equal(asResourceServer.active, true);
      assert.equal(asResourceServer.sub, claims.sub);
    });

    it('signs ID tokens with the algorithm each client registered', async () => {
      const browser = clientBrowser();
      const { secret } = await seedActiveAccount(t, 'algorithms@example.com');
      const keys = createRemoteJWKSet(new URL(`${t.issuer}/jwks`));
      const es = await tokensVia(t, browser, await relyingPartyIn(t, browser, ecClient), { email: 'algorithms@example.com', secret });
      const ed = await tokensVia(t, browser, await relyingPartyIn(t, browser, edClient));
      const rs = await tokensVia(t, browser, await relyingPartyIn(t, browser, publicClient));
      for (const [tokens, client, alg] of [[es.tokens, ecClient.client_id, 'ES256'], [ed.tokens, edClient.client_id, 'EdDSA'], [rs.tokens, publicClient.client_id, 'RS256']] as const) {
        const verified = await jwtVerify(tokens.id_token!, keys, { issuer: t.issuer, audience: client });
        assert.equal(verified.protectedHeader.alg, alg, client);
      }
    });

    it('authenticates clients by private_key_jwt with jwks or jwks_uri, and refuses an assertion signed by another key', async () => {
      const { secret } = await seedActiveAccount(t, 'keyed@example.com');
      for (const [client, key] of [[jwksClient, jwksKey], [uriClient, uriKey]] as const) {
        const browser = clientBrowser();
        const rp = await relyingPartyIn(t, browser, client, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
        const { tokens } = await tokensVia(t, browser, rp, { email: 'keyed@example.com', secret });
        assert.ok(tokens.refresh_token, client.client_id);
        const forged = await relyingPartyIn(t, browser, client, oidc.PrivateKeyJwt({ key: (await clientKey('ES256')).privateKey, kid: key.kid }));
        await assert.rejects(oidc.refreshTokenGrant(forged.config, tokens.refresh_token!), invalid('invalid_client'), client.client_id);
      }
    });

    it('accepts a native application’s loopback redirect on any port and its private-use scheme (RFC 8252), not a web application’s other port', async () => {
      const browser = new Browser({ stopAt: ['http://127.0.0.1:51234/', 'com.example.app:'] });
      const { secret } = await seedActiveAccount(t, 'native@example.com');
      const loopback = await relyingPartyIn(t, browser, { ...nativeClient, redirect_uris: ['http://127.0.0.1:51234/callback'] });
      const first = await tokensVia(t, browser, loopback, { email: 'native@example.com', secret });
      assert.ok(first.tokens.access_token, 'exchanged at the port the application listened on');
      const scheme = await relyingPartyIn(t, browser, { ...nativeClient, redirect_uris: ['com.example.app:/callback'] });
      const start = await scheme.start();
      assert.ok(start.page.url.startsWith('com.example.app:/callback?code='), start.page.url);
      assert.ok((await scheme.finish(start.page.url, start)).access_token);

      const web = await relyingPartyIn(t, clientBrowser(), { ...publicClient, redirect_uris: ['http://127.0.0.1:8/callback'] });
      const refused = (await web.start()).page;
      assert.equal(refused.status, 400);
      assert.equal(refused.$('.received-uri').text(), 'http://127.0.0.1:8/callback', 'the page shows the URI it received');
    });

    it('shows the post-logout URI it received when it is not registered exactly, trailing slash included', async () => {
      const browser = clientBrowser();
      const url = `${t.issuer}/session/end?client_id=slash-app&post_logout_redirect_uri=${encodeURIComponent('http://127.0.0.1:9/slash')}`;
      const page = await browser.follow(await browser.send(url, { headers: { accept: 'text/html' } }));
      assert.equal(page.status, 400);
      assert.equal(page.$('.received-uri').text(), 'http://127.0.0.1:9/slash');
      assert.match(page.$('p:has(.received-uri)').text(), /Address received:/);
    });

    it('draws the provider’s own pages as ours, in the user’s language: logout without a session, form_post, errors', async () => {
      const browser = clientBrowser();
      const logout = await browser.get(`${t.issuer}/session/end?ui_locales=nl`);
      assertOurPage(logout, 'nl', 'Afmelden');
      assert.equal(logout.$('form[data-auto-submit] input[name=logout]').attr('value'), 'yes');
      const signedOut = await browser.submit(logout, '/session/end/confirm');
      assertOurPage(signedOut, 'nl', 'Afmelden');
      assert.match(signedOut.html, /U bent afgemeld\./);

      const { rp, account, browser: signedInBrowser } = await signedIn('form.post@example.com');
      const start = await rp.start({ response_mode: 'form_post', ui_locales: 'fr', prompt: 'login' });
      const formPost = await signInWith(t, signedInBrowser, start.page, account.email, account.secret);
      assertOurPage(formPost, 'fr', 'Retour à l’application');
      const form = formPost.$('form[data-auto-submit]');
      assert.equal(form.attr('action'), publicClient.redirect_uris[0]);
      const fields = Object.fromEntries(form.find('input[type=hidden]').map((_, input) => [[formPost.$(input).attr('name'), formPost.$(input).attr('value')]]).get());
      assert.deepEqual(Object.keys(fields).sort(), ['code', 'iss', 'state']);
      assert.equal(fields.state, start.state);
      assert.equal(fields.iss, t.issuer);
      const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(`${publicClient.redirect_uris[0]}?${new URLSearchParams(fields)}`), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      assert.ok(tokens.access_token, 'the code handed over by our page is the provider’s');

      const error = await browser.get(`${t.issuer}/auth?client_id=nobody&ui_locales=de`);
      assertOurPage(error, 'de');
      assert.equal(error.status, 400);
    });
  });
}

/** Our layout, in the language, with no inline script and a policy that allows none. */
function assertOurPage(page: Page, lang: string, heading?: string): void {
  assert.equal(page.$('html').attr('lang'), lang, `${page.url}: ${page.html.slice(0, 200)}`);
  assert.equal(page.$('.header__service').length, 1, 'the brand’s header');
  if (heading !== undefined) assert.equal(page.$('h1').text().trim(), heading);
  assert.equal(page.$('script:not([src])').length, 0, 'no inline script');
  assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /sha256-/, 'no script hash left in the policy');
  assert.doesNotMatch(page.html, /Submitting Callback/);
}
