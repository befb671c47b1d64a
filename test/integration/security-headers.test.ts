import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { HeaderBrowser, TlsProxyBrowser, authorize, reachedClient, type Seen } from '../helpers/attack.ts';
import type { Page } from '../../harness/browser.ts';
import { nextTotpStep, relyingParty, seedActiveAccount, strongPassword, totpNow } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

const httpsIssuer = 'https://sso.example.test';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0] !== '')
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

/** The headers every page and redirect of the server must carry, whatever its status. */
function assertPageHeaders(response: Seen): void {
  const where = `${response.status} ${response.url}`;
  const csp = response.headers.get('content-security-policy');
  assert.ok(csp, `CSP on ${where}`);
  const policy = directives(csp);
  for (const name of ['default-src', 'script-src', 'style-src']) {
    const values = policy.get(name);
    assert.ok(values, `${name} on ${where}`);
    assert.ok(!values.includes("'unsafe-inline'") && !values.includes("'unsafe-eval'"), `${name} ${values.join(' ')} on ${where}`);
    assert.ok(!values.includes('*') && !values.some((v) => /^(https?|data):?$/.test(v) && name !== 'img-src'), `${name} too broad on ${where}`);
  }
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], `frame-ancestors on ${where}`);
  assert.deepEqual(policy.get('object-src'), ["'none'"], `object-src on ${where}`);
  assert.equal(response.headers.get('x-frame-options'), 'DENY', `X-Frame-Options on ${where}`);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', `Referrer-Policy on ${where}`);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `nosniff on ${where}`);
  assert.equal(response.headers.get('cache-control'), 'no-store', `Cache-Control on ${where}`);
}

/** Nothing on the page needs the inline script or style the policy forbids. */
function assertNoInlineCode(page: Page): void {
  const where = `${page.status} ${page.url}`;
  assert.equal(page.$('script:not([src])').length, 0, `inline script on ${where}`);
  assert.equal(page.$('style').length, 0, `style element on ${where}`);
  assert.equal(page.$('[style]').length, 0, `style attribute on ${where}`);
  const handlers = page.$('*').filter((_, el) => Object.keys((el as { attribs?: object }).attribs ?? {}).some((a) => a.startsWith('on')));
  assert.equal(handlers.length, 0, `inline event handler on ${where}`);
  assert.doesNotMatch(page.html, /javascript:/i, `javascript: URL on ${where}`);
}

function assertCookieFlags(setCookies: readonly string[], secure: boolean): void {
  assert.ok(setCookies.length > 0, 'cookies were set');
  for (const cookie of setCookies) {
    const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    const name = cookie.split('=')[0];
    assert.ok(attributes.includes('httponly'), `${name} is HttpOnly: ${cookie}`);
    assert.ok(attributes.includes('samesite=lax'), `${name} is SameSite=Lax: ${cookie}`);
    assert.equal(attributes.includes('secure'), secure, `${name} Secure=${secure}: ${cookie}`);
  }
}

const setCookiesOf = (seen: readonly Seen[]) => seen.flatMap((response) => response.headers.getSetCookie());
const link = (page: Page, selector: string) => new URL(page.$(selector).attr('href')!, page.url).toString();

const [embedded] = backends();

describe('security: headers and cookies', () => {
  let t: TestServer;
  let tls: TestServer;
  before(async () => {
    t = await startTestServer(embedded!);
    tls = await startTestServer(embedded!, { SSO_ISSUER: httpsIssuer, SSO_TRUST_PROXY: 'true' });
  });
  after(async () => {
    await Promise.all([t?.close(), tls?.close()]);
  });

  it('sends the policy headers and no-store on every page and redirect, with no inline code, and HttpOnly SameSite=Lax cookies', async () => {
    const browser = new HeaderBrowser();
    const rp = await relyingParty(t);
    const pages: Page[] = [];
    const keep = (page: Page) => (pages.push(page), page);
    const submit = async (page: Page, action: string, fields: Record<string, string> = {}) => keep(await browser.submit(page, action, fields));
    const get = async (url: string) => keep(await browser.get(url));

    const invited = 'headers.invited@example.com';
    await t.server.services.accounts.create({ email: invited });
    let page = keep((await authorize(rp, browser)).page);
    page = await get(`${page.url}?lang=en`);
    page = await submit(page, '/email', { email: 'nobody@example.com' });
    page = await submit(page, '/email', { email: invited });
    page = await submit(page, '/password', { password: 'Wrong#Pass99' });
    page = await get(link(page, 'a[href$="/help"]'));
    const before = t.mail.messages.length;
    page = await submit(page, '/activation/send');
    const code = codeFrom(await t.mail.next(invited, before));
    page = await submit(page, '/activation/verify', { code: code === '000000' ? '111111' : '000000' });
    page = await submit(page, '/activation/verify', { code });
    page = await get(link(page, 'a.button'));
    page = await submit(page, '/new-password', { password: 'short', confirmation: 'other' });
    page = await submit(page, '/new-password', { password: strongPassword, confirmation: strongPassword });
    const secret = page.$('code.secret').text().replace(/\s+/g, '');
    page = await get(link(page, 'a.button'));
    nextTotpStep(t);
    page = await submit(page, '/enroll/verify', { code: totpNow(t, secret) });
    await get(link(page, 'a[download]'));
    page = await submit(page, '/recovery-codes');
    page = await submit(page, '/recovery-codes', { saved: 'yes' });
    assert.ok(reachedClient(page), `first-time login finished: ${page.url}`);

    const email = 'headers.active@example.com';
    const seeded = await seedActiveAccount(t, email);
    const reset = new HeaderBrowser();
    page = keep((await authorize(rp, reset)).page);
    page = keep(await reset.submit(page, '/email', { email }));
    page = keep(await reset.get(link(page, 'a[href$="/help"]')));
    page = keep(await reset.submit(page, '/forgot', { email }));
    page = keep(await reset.get(page.url.replace(/\/totp$/, '/enroll')));
    assert.equal(page.status, 403, 'a refused step is a page too');

    page = await get(`${t.issuer}/interaction/no-such-interaction`);
    page = await get(`${t.issuer}/no/such/page`);
    const evil = new URL(`${t.issuer}/auth`);
    evil.search = new URLSearchParams({ client_id: publicClient.client_id, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'openid' }).toString();
    page = await get(evil.toString());
    assert.equal(page.status, 400, 'the provider error page');

    const signIn = new HeaderBrowser();
    const start = await authorize(rp, signIn);
    page = keep(await signIn.submit(start.page, '/email', { email }));
    page = keep(await signIn.submit(page, '/password', { password: strongPassword }));
    const recovery = keep(await signIn.get(link(page, 'a[href$="/recovery"]')));
    keep(await signIn.submit(recovery, '/recovery', { recoveryCode: 'zzzzz-zzzzz' }));
    nextTotpStep(t);
    page = await signIn.submit(page, '/totp', { code: totpNow(t, seeded.secret) });
    assert.ok(reachedClient(page), `signed in: ${page.url}`);
    const tokens = await rp.finish(page.url, start);
    page = keep(await signIn.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token! }).toString()));
    page = keep(await signIn.post(new URL(page.$('form').attr('action')!, t.issuer).toString(), {
      xsrf: page.$('input[name=xsrf]').attr('value')!,
      logout: 'yes',
    }));
    assert.equal(page.status, 200, 'signed out');

    for (const p of pages.filter((p) => p.html !== '')) assertNoInlineCode(p);
    const responses = [...browser.seen, ...reset.seen, ...signIn.seen];
    assert.ok(responses.length > 30, `walked ${responses.length} responses`);
    for (const response of responses) assertPageHeaders(response);
    for (const response of responses) {
      assert.equal(response.headers.get('strict-transport-security'), null, 'no HSTS over plain http');
    }
    assertCookieFlags(setCookiesOf(responses), false);

    for (const asset of ['/assets/app.js', '/assets/styles.css']) {
      const response = await fetch(`${t.issuer}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', asset);
    }
  });

  // The client endpoints skip the pages' middleware (src/app.ts, clientEndpoints): not the headers,
  // the request id or the provider's own answers.
  it('sends the same headers and a request id from the endpoints clients call: token, introspection, revocation, userinfo, keys', async () => {
    const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
    const calls: Array<[path: string, init: RequestInit, status: number, body: string]> = [
      ['/token', form({ grant_type: 'refresh_token', refresh_token: 'unknown', client_id: publicClient.client_id }), 400, '"error":"invalid_grant"'],
      ['/token/introspection', form({ token: 'unknown', client_id: publicClient.client_id }), 200, '{"active":false}'],
      ['/token/revocation', form({ token: 'unknown', client_id: publicClient.client_id }), 200, ''],
      ['/me', { headers: { authorization: 'Bearer unknown' } }, 401, '"error":"invalid_token"'],
      ['/jwks', {}, 200, '"keys":['],
    ];
    for (const [path, init, status, body] of calls) {
      const response = await fetch(`${t.issuer}${path}`, { ...init, headers: { ...init.headers, 'x-request-id': 'client-endpoint-01' } });
      const text = await response.text();
      assert.equal(response.status, status, `${path}: ${text}`);
      assert.ok(text.includes(body), `${path} answers ${text}`);
      assertPageHeaders({ url: `${t.issuer}${path}`, status: response.status, headers: response.headers });
      assert.equal(response.headers.get('x-request-id'), 'client-endpoint-01', `X-Request-Id on ${path}`);
    }
  });

  it('adds HSTS and Secure cookies behind a TLS-terminating proxy for an https issuer', async () => {
    const email = 'headers.tls@example.com';
    const { secret } = await seedActiveAccount(tls, email);
    const browser = new TlsProxyBrowser(httpsIssuer, tls.issuer);
    const authorization = new URL(`${httpsIssuer}/auth`);
    authorization.search = new URLSearchParams({
      client_id: publicClient.client_id,
      redirect_uri: publicClient.redirect_uris[0],
      response_type: 'code',
      scope: 'openid email',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    let page = await browser.get(authorization.toString());
    assert.ok(page.url.startsWith(`${httpsIssuer}/interaction/`), `the interaction is on the https origin: ${page.url}`);
    // The language switch sets a cookie of ours next to the provider's.
    page = await browser.get(`${page.url}?lang=en`);
    page = await browser.submit(page, '/email', { email });
    page = await browser.submit(page, '/password', { password: strongPassword });
    nextTotpStep(tls);
    page = await browser.submit(page, '/totp', { code: totpNow(tls, secret) });
    assert.ok(reachedClient(page), `signed in over https: ${page.url}`);

    assert.ok(browser.seen.length >= 6);
    for (const response of browser.seen) {
      assertPageHeaders(response);
      const hsts = response.headers.get('strict-transport-security') ?? '';
      assert.match(hsts, /max-age=(\d+)/, `HSTS on ${response.url}`);
      assert.ok(Number(/max-age=(\d+)/.exec(hsts)![1]) >= 15_552_000, `HSTS for at least 180 days: ${hsts}`);
    }
    const cookies = setCookiesOf(browser.seen);
    assert.ok(cookies.some((c) => c.startsWith('_session=')), 'the session cookie was set');
    assertCookieFlags(cookies, true);
  });
});
