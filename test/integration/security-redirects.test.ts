import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import { HeaderBrowser, authorize, rawRequest, reachedClient } from '../helpers/attack.ts';
import { relyingParty, seedActiveAccount, walkSignIn } from '../helpers/flows.ts';
import { backends, confidentialClient, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

const registered = publicClient.redirect_uris[0];

/** Redirect targets that differ from the registered one in a way an attacker would try. */
const lookalikes = [
  'https://evil.example/callback',
  'http://127.0.0.1:10/callback',
  'http://127.0.0.1:9/callback/../evil',
  'http://127.0.0.1:9/callbackevil',
  'http://127.0.0.1:9/callback?next=https://evil.example/',
  'http://127.0.0.1:9/CALLBACK',
  'http://127.0.0.1:9@evil.example/callback',
  'http://evil.example#@127.0.0.1:9/callback',
  '//evil.example/callback',
  'javascript:alert(1)//http://127.0.0.1:9/callback',
  'data:text/html,<script>alert(1)</script>',
];

/** Refused with a page of the server's own, and no redirect anywhere. */
function assertPageNotRedirect(result: { status: number; location: string | null; html: string }, what: string): void {
  assert.equal(result.location, null, `${what}: redirected to ${result.location}`);
  assert.equal(result.status, 400, what);
  assert.match(result.html, /<h1/, `${what}: an error page`);
}

const [embedded] = backends();

describe('security: no open redirect', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(embedded!);
  });
  after(async () => {
    await t?.close();
  });

  function authorization(clientId: string, redirectUri: string): string {
    const url = new URL(`${t.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'xyz',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  it('answers an unregistered redirect_uri with a page, never a redirect', async () => {
    assert.ok((await rawRequest(authorization(publicClient.client_id, registered))).location, 'the registered URI is accepted');
    for (const uri of lookalikes) {
      assertPageNotRedirect(await rawRequest(authorization(publicClient.client_id, uri)), `redirect_uri ${uri}`);
    }
    // Another client's registered URI, and an unknown client.
    assertPageNotRedirect(await rawRequest(authorization(publicClient.client_id, confidentialClient.redirect_uris[0])), "another client's URI");
    assertPageNotRedirect(await rawRequest(authorization('no-such-client', 'https://evil.example/callback')), 'an unknown client');
  });

  it('answers an unregistered post_logout_redirect_uri with a page, never a redirect', async () => {
    const email = 'leaving@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const rp = await relyingParty(t);
    const start = await rp.start();
    const callback = await walkSignIn(rp, t, start.page, email, secret);
    assert.ok(reachedClient(callback));
    const { id_token: idToken } = await rp.finish(callback.url, start);
    const cookie = await rp.browser.jar.getCookieString(`${t.issuer}/session/end`);

    const logout = (params: Record<string, string>) => {
      const url = new URL(`${t.issuer}/session/end`);
      url.search = new URLSearchParams(params).toString();
      return rawRequest(url.toString(), { cookie });
    };
    for (const uri of [...lookalikes, registered]) {
      assertPageNotRedirect(await logout({ client_id: publicClient.client_id, post_logout_redirect_uri: uri }), `post_logout_redirect_uri ${uri}`);
      assertPageNotRedirect(await logout({ id_token_hint: idToken!, post_logout_redirect_uri: uri }), `post_logout_redirect_uri ${uri} with id_token_hint`);
    }
    assertPageNotRedirect(
      await logout({ client_id: confidentialClient.client_id, post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0] }),
      "another client's post-logout URI",
    );
    const accepted = await logout({ id_token_hint: idToken!, post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0] });
    assert.equal(accepted.status, 200, 'the registered post-logout URI is accepted (confirmation page)');
  });
});

/** A GET with whatever Host header the caller likes (fetch would not send a forged one). */
function getWithHost(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

for (const trustProxy of ['false', 'true']) {
  describe(`security: absolute URLs come from SSO_ISSUER only (SSO_TRUST_PROXY=${trustProxy})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(embedded!, { SSO_TRUST_PROXY: trustProxy });
    });
    after(async () => {
      await t?.close();
    });

    const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };

    it('lists the issuer\'s endpoints in discovery whatever Host and X-Forwarded-Host say', async () => {
      const { status, body } = await getWithHost(`${t.issuer}/.well-known/openid-configuration`, forged);
      assert.equal(status, 200);
      const discovery = JSON.parse(body) as Record<string, unknown>;
      assert.equal(discovery.issuer, t.issuer);
      const urls = Object.entries(discovery).filter(([key, value]) => key.endsWith('_endpoint') || key === 'jwks_uri' ? typeof value === 'string' : false);
      assert.ok(urls.length >= 5);
      for (const [key, value] of urls) assert.ok(String(value).startsWith(`${t.issuer}/`), `${key}: ${String(value)}`);
      assert.doesNotMatch(body, /evil\.example/);
    });

    it('sends the browser only to the issuer and the client through a whole sign-in with a forged X-Forwarded-Host', async () => {
      const email = `forged.host.${trustProxy}@example.com`;
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const browser = new HeaderBrowser({ 'x-forwarded-host': 'evil.example' });
      const start = await authorize(rp, browser);
      const callback = await walkSignIn({ ...rp, browser }, t, start.page, email, secret);
      assert.ok(reachedClient(callback), `signed in: ${callback.url}`);
      const locations = browser.seen.map((seen) => seen.headers.get('location')).filter((location) => location !== null);
      assert.ok(locations.length >= 4);
      for (const location of locations) {
        const absolute = new URL(location, t.issuer).toString();
        assert.ok(absolute.startsWith(`${t.issuer}/`) || absolute.startsWith(registered), `redirected to ${location}`);
      }
      const page = await browser.get(`${t.issuer}/.well-known/openid-configuration`);
      assert.doesNotMatch(page.html, /evil\.example/);
    });
  });
}
