import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import type { Page } from '../../harness/browser.ts';
import { relyingParty, seedActiveAccount, strongPassword, totpNow, nextTotpStep } from '../helpers/flows.ts';
import { startPathProxy, type PathProxy } from '../helpers/path-proxy.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * `SSO_ISSUER=http://host:port/sso`, the server published under /sso by a proxy that either keeps
 * the prefix when it forwards or strips it. Clients see only the proxy, which publishes nothing
 * outside /sso: every endpoint, page, redirect, form, asset and cookie must live under it.
 */

/** Every address a page leads to on the server itself: links, forms, scripts, styles, images. */
function ownAddresses(page: Page): string[] {
  return page
    .$('[href], [src], form[action]')
    .map((_, element) => page.$(element).attr('href') ?? page.$(element).attr('src') ?? page.$(element).attr('action'))
    .get()
    .filter((address: string) => address.startsWith('/') || address.startsWith('http://127.0.0.1'));
}

function assertUnderPath(page: Page, prefix: string): void {
  for (const address of ownAddresses(page)) {
    const path = address.startsWith('/') ? address : new URL(address).pathname;
    assert.ok(path.startsWith(`${prefix}/`), `${address} on ${page.url} is outside ${prefix}`);
  }
}

for (const mode of ['keep', 'strip'] as const) {
  describe(`an issuer with a path, behind a proxy that ${mode === 'keep' ? 'keeps' : 'strips'} it`, () => {
    let proxy: PathProxy;
    let t: TestServer;
    let issuer: string;
    before(async () => {
      let port = 0;
      proxy = await startPathProxy('/sso', mode, () => port);
      issuer = `${proxy.url}/sso`;
      t = await startTestServer(backends()[0]!, { SSO_ISSUER: issuer });
      port = t.config.port;
    });
    after(async () => {
      await t?.close();
      await proxy?.close();
    });

    it('serves discovery under the path, every endpoint listed there, and oauth4webapi and openid-client accept it', async () => {
      const issuerUrl = new URL(issuer);
      const response = await oauth.discoveryRequest(issuerUrl, { algorithm: 'oidc', [oauth.allowInsecureRequests]: true });
      const metadata = await oauth.processDiscoveryResponse(issuerUrl, response);
      assert.equal(metadata.issuer, issuer);
      const endpoints = ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint', 'revocation_endpoint', 'introspection_endpoint'] as const;
      for (const endpoint of endpoints) {
        assert.ok(String(metadata[endpoint]).startsWith(`${issuer}/`), `${endpoint}: ${metadata[endpoint]}`);
      }
      const jwks = await fetch(metadata.jwks_uri!);
      assert.equal(jwks.status, 200, 'the key set is served where discovery says');
      const config = await oidc.discovery(issuerUrl, publicClient.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
      assert.equal(config.serverMetadata().issuer, issuer);
    });

    it('walks a whole sign-in through the hosted pages under the path, then refreshes, reads userinfo and signs out', async () => {
      const email = `${mode}.path@example.com`;
      const { id, secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty({ issuer });
      const start = await rp.start();
      assert.equal(start.page.status, 200);
      assert.ok(new URL(start.page.url).pathname.startsWith('/sso/interaction/'), start.page.url);
      assertUnderPath(start.page, '/sso');
      for (const asset of start.page.$('link[rel=stylesheet], script[src]').map((_, element) => start.page.$(element).attr('href') ?? start.page.$(element).attr('src')).get()) {
        assert.equal((await fetch(new URL(asset, issuer))).status, 200, `${asset} is served`);
      }

      const switched = await rp.browser.get(new URL(`${new URL(start.page.url).pathname}?lang=nl`, issuer).toString());
      assert.equal(switched.$('html').attr('lang'), 'nl', 'the language switch comes back to the same page under the path');
      const signInPage = await rp.browser.submit(switched, '/email', { email });
      assert.equal(signInPage.status, 200);
      assertUnderPath(signInPage, '/sso');

      const uid = new URL(start.page.url).pathname.split('/')[3]!;
      const cookies = (await rp.browser.jar.serialize()).cookies as Array<{ key: string; path: string; expires?: string }>;
      const interaction = cookies.find((cookie) => cookie.key === '_interaction');
      const resume = cookies.find((cookie) => cookie.key === '_interaction_resume');
      assert.equal(interaction?.path, `/sso/interaction/${uid}`);
      assert.equal(resume?.path, `/sso/auth/${uid}`);
      assert.ok(Date.parse(interaction!.expires!) - Date.now() > 50 * 60_000, 'the email step gave the interaction its hour, on the path the browser holds it');
      assert.equal(cookies.find((cookie) => cookie.key === 'sso_lang')?.path, `/sso/interaction/${uid}`);

      const codePage = await rp.browser.submit(signInPage, '/password', { password: strongPassword });
      assertUnderPath(codePage, '/sso');
      nextTotpStep(t);
      const callback = await rp.browser.submit(codePage, '/totp', { code: totpNow(t, secret) });
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), callback.url);
      const tokens = await rp.finish(callback.url, start);
      assert.equal(tokens.claims()!.iss, issuer);
      assert.equal(tokens.claims()!.sub, id);
      assert.equal((await oidc.fetchUserInfo(rp.config, tokens.access_token, id)).email, email);
      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      const session = ((await rp.browser.jar.serialize()).cookies as Array<{ key: string; path: string }>).find((cookie) => cookie.key === '_session');
      assert.equal(session?.path, '/sso', 'the session cookie belongs to the issuer path alone');

      const silent = await rp.start({ prompt: 'none' });
      assert.ok(silent.page.url.startsWith(publicClient.redirect_uris[0]) && new URL(silent.page.url).searchParams.has('code'), 'the session is found again');

      const confirm = await rp.browser.get(
        oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0] }).toString(),
      );
      assertUnderPath(confirm, '/sso');
      const done = await rp.browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
      assert.ok(done.url.startsWith(publicClient.post_logout_redirect_uris[0]), done.url);
      assert.ok(proxy.forwarded.length > 0 && proxy.forwarded.every((path) => (mode === 'keep' ? path.startsWith('/sso') : !path.startsWith('/sso'))));
    });

    it('keeps the limits on authorization requests under the path', async () => {
      const oversized = await fetch(`${issuer}/auth?client_id=${publicClient.client_id}&state=${'x'.repeat(9000)}`);
      assert.equal(oversized.status, 413);
      const posted = await fetch(`${issuer}/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `client_id=${publicClient.client_id}&state=${'x'.repeat(9000)}`,
      });
      assert.equal(posted.status, 413);
      const unknown = await fetch(`${issuer}/interaction/nothing-here`);
      assert.equal(unknown.status, 400);
      const html = await unknown.text();
      assertUnderPath({ url: unknown.url, status: unknown.status, headers: unknown.headers, html, $: cheerio.load(html), ms: 0 }, '/sso');
      assert.match(html, /href="\/sso\/assets\/styles.css"/, 'an error page links its styles under the path');
    });
  });
}
