import assert from 'node:assert/strict';
import { Browser, errorsOn, formOf, type Exchange, type Page } from '../../harness/browser.ts';
import { startAuthorization, type RelyingParty } from './flows.ts';
import { publicClient, type TestServer } from './server.ts';

/**
 * Tools for the security suites: browsers that present themselves as an attacker would, and the
 * facts about an interaction (uid, cookies, CSRF token) that an attacker can lift from one page to
 * replay on another.
 */

const stopAt = [publicClient.redirect_uris[0], 'http://127.0.0.1:9/'];

/** One response as the browser received it. */
export type Seen = Pick<Exchange, 'url' | 'status' | 'headers'>;

/** A browser whose every request carries extra headers (e.g. the client address a proxy reports), and that remembers every response. */
export class HeaderBrowser extends Browser {
  readonly seen: Seen[] = [];

  constructor(extra: Record<string, string> = {}) {
    super({ stopAt, headers: extra, onResponse: (exchange) => void this.seen.push(exchange) });
  }
}

/**
 * A browser talking to `publicOrigin` (an https issuer) through a TLS-terminating proxy: requests go
 * to the server's loopback address with the proxy's X-Forwarded-Proto, while cookies and redirects
 * stay those of the public https origin, as a real browser would see them.
 */
export class TlsProxyBrowser extends Browser {
  readonly seen: Seen[] = [];

  constructor(publicOrigin: string, backendOrigin: string) {
    super({ stopAt, behindProxy: { publicOrigin, backendOrigin }, onResponse: (exchange) => void this.seen.push(exchange) });
  }
}

export interface Authorization {
  readonly page: Page;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** An authorization request of the relying party's client, opened in any browser. */
export function authorize(rp: RelyingParty, browser: Browser, params: Record<string, string> = {}): Promise<Authorization> {
  return startAuthorization(rp.config, publicClient.redirect_uris[0], browser, params);
}

/** The uid of the interaction a page belongs to. */
export function uidOf(page: Page): string {
  const match = /\/interaction\/([^/?#]+)/.exec(page.url);
  assert.ok(match, `not an interaction page: ${page.url}`);
  return match[1]!;
}

/** The CSRF token a page's forms carry. */
export function csrfOf(page: Page): string {
  const token = page.$('input[name=_csrf]').first().attr('value');
  assert.ok(token, `no CSRF token on ${page.url}`);
  return token;
}

/** The Cookie header the browser sends to an interaction's pages: what an attacker would copy. */
export function interactionCookies(browser: Browser, t: TestServer, uid: string): Promise<string> {
  return browser.jar.getCookieString(`${t.issuer}/interaction/${uid}`);
}

/** True when the browser was sent back to the client, i.e. the flow handed out an authorization code. */
export function reachedClient(page: Page): boolean {
  return stopAt.some((prefix) => page.url.startsWith(prefix));
}

/**
 * A bare request that follows no redirect, so a test sees exactly where the server would send a
 * browser; it accepts HTML first, as a browser does.
 */
export async function rawRequest(
  url: string,
  init: { cookie?: string; form?: Record<string, string> } = {},
): Promise<{ status: number; location: string | null; html: string }> {
  const response = await fetch(url, {
    method: init.form === undefined ? 'GET' : 'POST',
    redirect: 'manual',
    body: init.form === undefined ? undefined : new URLSearchParams(init.form),
    headers: {
      accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

/** The page's heading, for telling apart error pages that share a status. */
export function headingOf(html: string): string {
  const match = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  return match === null ? '' : match[1]!.replace(/<[^>]+>/g, '').trim();
}

/** Refused: a client error status, and no redirect towards the client (so no authorization code). */
export function assertRefused(result: { status: number; location: string | null }, what: string): void {
  assert.ok(result.status >= 400 && result.status < 500, `${what}: expected a 4xx, got ${result.status}`);
  assert.ok(result.location === null || !/[?&]code=/.test(result.location), `${what}: redirected with a code to ${result.location}`);
}

/** One answer to a form post of a burst: its status and the errors the page shows. */
export interface BurstAnswer {
  readonly status: number;
  readonly errors: string[];
  /** Where a redirect sent the browser, when the post was accepted. */
  readonly location: string | null;
}

/**
 * Posts the form of `page` whose action ends with `action` once per field set, all at once, with
 * the page's cookies and hidden fields (its CSRF token): what a script replaying one interaction in
 * parallel sends.
 */
export async function burst(browser: Browser, page: Page, action: string, fieldSets: ReadonlyArray<Record<string, string>>): Promise<BurstAnswer[]> {
  return Promise.all(
    fieldSets.map(async (fields) => {
      const { url, body } = formOf(page, action, fields);
      const answer = await browser.send(url, { method: 'POST', body });
      return { status: answer.status, errors: errorsOn(answer), location: answer.headers.get('location') };
    }),
  );
}
