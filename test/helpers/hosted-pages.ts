import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { signIn } from '../../harness/journeys.ts';
import { loads, PlaywrightDriver } from '../../harness/playwright-driver.ts';

export { loads };
import { nextTotpStep, relyingParty, strongPassword, totpNow } from './flows.ts';
import { decodeQrDataUrl } from './qr.ts';
import { translator, type Translate } from '../../src/i18n/index.ts';
import { publicClient, type TestServer } from './server.ts';

/** The two widths every flow is walked at: a small phone and a laptop. */
export const narrow = { width: 360, height: 740 } as const;
export const wide = { width: 1280, height: 800 } as const;

/** Nothing listens at the test clients' redirect URIs; the browser context answers for the client. */
const clientOrigin = new URL(publicClient.redirect_uris[0]).origin;

/** One browser context: a person with their own cookies, and what their pages did. */
export interface Visit {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every URL the pages requested, navigations and subresources alike. */
  readonly requests: string[];
  /** CSP violations and uncaught script errors the pages reported. */
  readonly problems: string[];
}

/**
 * Runs `body` in a fresh context, then asserts that no page broke its CSP or threw, and that every
 * request went to the server itself (the client's redirect aside): the pages load nothing from
 * another origin. The context is closed whatever happens.
 */
export async function withVisit(
  browser: Browser,
  t: Pick<TestServer, 'issuer'>,
  options: BrowserContextOptions,
  body: (visit: Visit) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ viewport: wide, ...options });
  try {
    await context.route(`${clientOrigin}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>Client</title><p>Client application</p>' }),
    );
    const page = await context.newPage();
    const visit: Visit = { context, page, requests: [], problems: [] };
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) visit.problems.push(message.text());
    });
    page.on('pageerror', (error) => visit.problems.push(error.message));
    context.on('request', (request) => visit.requests.push(request.url()));
    await body(visit);
    assert.deepEqual(visit.problems, [], 'the pages ran without CSP violations or script errors');
    assert.deepEqual(foreignRequests(visit, t.issuer), [], 'the pages load nothing from another origin');
  } finally {
    await context.close();
  }
}

function foreignRequests(visit: Visit, issuer: string): string[] {
  const allowed = new Set([new URL(issuer).origin, clientOrigin]);
  return visit.requests.filter((url) => !url.startsWith('data:') && !allowed.has(new URL(url).origin));
}

export interface Authorization {
  readonly url: string;
  readonly config: oidc.Configuration;
  /** Exchanges the code at the client's redirect_uri, checking state, nonce and PKCE, as a client would. */
  finish(callbackUrl: string): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

/** An authorization request of the public test client, built by openid-client. */
export async function authorization(t: Pick<TestServer, 'issuer'>, params: Record<string, string> = {}): Promise<Authorization> {
  const { config } = await relyingParty(t);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: publicClient.redirect_uris[0],
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return {
    url: url.toString(),
    config,
    finish: (callbackUrl) =>
      oidc.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
  };
}

export function press(page: Page, button: string): Promise<void> {
  return loads(page, () => page.getByRole('button', { name: button, exact: true }).click());
}

/** Follows a link, found in `scope` (a part of the page) when its name alone is ambiguous. */
export function follow(page: Page, link: string, scope: Page | Locator = page): Promise<void> {
  return loads(page, () => scope.getByRole('link', { name: link, exact: true }).click());
}

export async function fill(page: Page, label: string, value: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(value);
}

/** The messages of the error summary, as the user reads them. */
export async function errorSummary(page: Page): Promise<string[]> {
  return (await page.locator('.error-summary__list li').allInnerTexts()).map((text) => text.trim());
}

/** What a screen reader reads after an element's name: the texts its aria-describedby names, in order. */
export async function describedBy(_page: Page, element: Locator): Promise<string> {
  return element.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter((id) => id !== '')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

export async function heading(page: Page): Promise<string> {
  return (await page.locator('h1').innerText()).trim();
}

/** Waits for the browser to arrive at the client (its redirect_uri or post-logout URI) and returns that URL. */
export async function arrivedAtClient(page: Page, path: string): Promise<string> {
  await page.waitForURL((url) => url.origin === clientOrigin && url.pathname === path);
  return page.url();
}

/**
 * The otpauth:// URI of the enrollment QR code, read twice: from the image's data and from the
 * pixels the browser drew (as a phone camera would see them); both must agree.
 */
export async function scanQr(page: Page): Promise<string> {
  const image = page.getByRole('img', { name: 'QR code', exact: true });
  const fromSource = decodeQrDataUrl((await image.getAttribute('src')) ?? '');
  const shot = await image.screenshot();
  const fromPixels = decodeQrDataUrl(`data:image/png;base64,${shot.toString('base64')}`);
  assert.equal(fromPixels, fromSource, 'the rendered QR code reads the same as its image data');
  return fromSource;
}

/**
 * The recovery codes page that follows the first authenticator app, in `locale`'s words: ticks
 * "I have saved my recovery codes" and continues. Returns the codes shown.
 */
export async function confirmRecoveryCodes(page: Page, l: Translate = translator('en')): Promise<string[]> {
  assert.equal(await heading(page), l('recoveryCodes.heading'));
  const codes = await page.locator('ol.recovery-codes code').allInnerTexts();
  await page.getByLabel(l('recoveryCodes.savedLabel'), { exact: true }).check();
  await press(page, l('common.continue'));
  return codes;
}

/** Email, password and authenticator code through the pages, from the email page to the client (the shared journey, in Chromium). */
export async function signInThroughPages(page: Page, t: TestServer, email: string, secret: string, password = strongPassword): Promise<void> {
  await signIn(new PlaywrightDriver(page), {
    email,
    password,
    code: () => {
      nextTotpStep(t);
      return totpNow(t, secret);
    },
  });
}
