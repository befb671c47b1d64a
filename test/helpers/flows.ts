import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Knex } from 'knex';
import { rules } from '../../src/config.ts';
import type { StoredFactor } from '../../src/factors/index.ts';
import { FactorRepository } from '../../src/factors/repository.ts';
import { hashPassword } from '../../src/security/password-hash.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret, totpCodeAt } from '../../src/security/totp.ts';
import { Browser, type Page } from '../../harness/browser.ts';
import { BrowserDriver, firstTimeLogin, signIn } from '../../harness/journeys.ts';
import { codeFrom, type MailServer } from '../../harness/mail.ts';
import { publicClient, type TestServer } from './server.ts';

export const strongPassword = 'Blue#Harbor42';

/** Provisions an account that finished first-time login: password and authenticator set, active. */
export async function seedActiveAccount(
  t: TestServer,
  email: string,
  password = strongPassword,
  name = 'Test User',
): Promise<{ id: string; secret: string }> {
  const { accounts, secretKey } = t.server.services;
  const account = await accounts.create({ email, name });
  const secret = generateTotpSecret();
  await accounts.setPassword(account.id, await hashPassword(password, t.config.bcryptCost));
  await enrollAuthenticatorApp(t.server.database.knex, account.id, sealSecret(secretKey, secret));
  await accounts.activate(account.id);
  return { id: account.id, secret };
}

/** Makes the account's recovery codes, as its first enrollment would; returns the plain codes. */
export function seedRecoveryCodes(t: TestServer, account: { id: string; email: string }): Promise<string[]> {
  return t.server.services.factors.recoveryCodes.create(account, { ip: '127.0.0.1', userAgent: 'test seed' });
}

/** Stores an authenticator app for the account, as a completed enrollment would. */
export async function enrollAuthenticatorApp(knex: Knex, accountId: string, sealedSecret: string, name = 'Authenticator app'): Promise<StoredFactor> {
  const app = await new FactorRepository(knex).add({ accountId, kind: 'authenticator-app', name, secret: sealedSecret }, rules.maxAuthenticatorApps);
  assert.ok(app, 'the account has room for another authenticator app');
  return app;
}

/** The recovery codes a "Save your recovery codes" page shows, in order. */
export function recoveryCodesOn(page: Page): string[] {
  return page.$('ol.recovery-codes code').map((_, el) => page.$(el).text().trim()).get();
}

/** The recovery codes a downloaded recovery-codes file holds, in order. */
export function recoveryCodesInFile(file: Page): string[] {
  return recoveryCodesInText(file.html);
}

/** The recovery codes in the text of a recovery-codes file, in order. */
export function recoveryCodesInText(text: string): string[] {
  return text.split('\r\n').filter((line) => /^\w{5}-\w{5}$/.test(line));
}

/**
 * The page that follows the first authenticator app: reads its recovery codes, ticks "I have saved
 * my recovery codes" and continues; returns the codes and where that led (the client, at sign-in).
 */
export async function saveRecoveryCodes(browser: Browser, page: Page): Promise<{ codes: string[]; next: Page }> {
  assert.equal(page.$('h1').text().trim(), 'Save your recovery codes', `the recovery codes follow the enrollment: ${page.status} at ${page.url}`);
  const codes = recoveryCodesOn(page);
  assert.equal(codes.length, 10, 'ten recovery codes');
  return { codes, next: await browser.submit(page, '/recovery-codes', { saved: 'yes' }) };
}

/** The code the user's authenticator shows now, by the server's clock. */
export function totpNow(t: TestServer, secret: string, stepOffset = 0): string {
  return totpCodeAt(secret, Date.now() + t.clock.offsetMs + stepOffset * 30_000);
}

/** Moves the server's clock to the next TOTP step, so a fresh code is not refused as a replay. */
export function nextTotpStep(t: TestServer): void {
  t.clock.offsetMs += 30_000;
}

/**
 * Moves the server's clock to the start of the next TOTP step: a test that reasons about which step
 * each code belongs to then has a whole step before the real clock moves every code by one.
 */
export function startOfNextTotpStep(t: TestServer): void {
  t.clock.offsetMs += 30_000 - ((Date.now() + t.clock.offsetMs) % 30_000);
}

export interface RelyingParty {
  readonly config: oidc.Configuration;
  readonly browser: Browser;
  /** Starts an authorization request in the browser and returns the first page (the email step). */
  start(params?: Record<string, string>): Promise<{ page: Page; verifier: string; state: string; nonce: string }>;
  /** Exchanges the callback URL the flow ended on for tokens, checking state, nonce and PKCE. */
  finish(callbackUrl: string, checks: { verifier: string; state: string; nonce: string }): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

/** An authorization request with PKCE, state and nonce, opened in the given browser. */
export async function startAuthorization(
  config: oidc.Configuration,
  redirectUri: string,
  browser: Browser,
  params: Record<string, string> = {},
): Promise<{ page: Page; verifier: string; state: string; nonce: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { page: await browser.get(url.toString()), verifier, state, nonce };
}

/**
 * A token request of the public client sent by hand, not through openid-client: the test sees the
 * status, headers and body a client would get, also for requests sent at once.
 */
export function tokenRequest(t: Pick<TestServer, 'issuer'>, fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.issuer}/token`, { method: 'POST', body: new URLSearchParams({ client_id: publicClient.client_id, ...fields }) });
}

/** A certified OpenID Connect client (openid-client) driving the flow through a cookie-jar browser. */
export async function relyingParty(t: Pick<TestServer, 'issuer'>, client: { client_id: string; client_secret?: string; redirect_uris: readonly string[] } = publicClient, acceptLanguage = 'en'): Promise<RelyingParty> {
  const config = await oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    client.client_secret === undefined ? undefined : { client_secret: client.client_secret },
    client.client_secret === undefined ? oidc.None() : oidc.ClientSecretBasic(client.client_secret),
    { execute: [oidc.allowInsecureRequests] },
  );
  const redirectUri = client.redirect_uris[0]!;
  const browser = new Browser({ stopAt: [redirectUri, 'http://127.0.0.1:9/'], acceptLanguage });
  return {
    config,
    browser,
    async start(params = {}) {
      return startAuthorization(config, redirectUri, browser, params);
    },
    async finish(callbackUrl, checks) {
      return oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
      });
    },
  };
}

/**
 * Email, password, authenticator code (the shared journey, in the relying party's browser), with a
 * code of the next time step by the server's clock: returns the page the provider sends the browser
 * to, usually the client's redirect_uri.
 */
export async function walkSignIn(rp: RelyingParty, t: TestServer, first: Page, email: string, secret: string, password = strongPassword): Promise<Page> {
  const driver = new BrowserDriver(rp.browser, first);
  await signIn(driver, {
    email,
    password,
    code: () => {
      nextTotpStep(t);
      return totpNow(t, secret);
    },
  });
  return driver.page;
}

/** From the email step to the choose-password page of a first-time login, the code read from the email. */
/** An active account signed in through the hosted pages by a relying party of `client`, with the tokens it got. */
export async function signedInWithTokens(t: TestServer, email: string, client: { client_id: string; client_secret?: string; redirect_uris: readonly string[] } = publicClient) {
  const { id, secret } = await seedActiveAccount(t, email);
  const rp = await relyingParty(t, client);
  const start = await rp.start();
  const tokens = await rp.finish((await walkSignIn(rp, t, start.page, email, secret)).url, start);
  return { id, rp, tokens };
}

export async function toNewPassword(mail: MailServer, rp: RelyingParty, email: string): Promise<Page> {
  const { page } = await rp.start();
  const signIn = await rp.browser.submit(page, '/email', { email });
  const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
  const before = mail.messages.length;
  const sent = await rp.browser.submit(help, '/activation/send');
  const verified = await rp.browser.submit(sent, '/activation/verify', { code: codeFrom(await mail.next(email, before)) });
  return rp.browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
}

/**
 * The ordinary sign-in through a server whose clock the test cannot move (a server process): the
 * code is the one for now. Returns the page the provider sends the browser to.
 */
export async function signInNow(browser: Browser, first: Page, email: string, secret: string): Promise<Page> {
  const driver = new BrowserDriver(browser, first);
  await signIn(driver, { email, password: strongPassword, code: () => totpCodeAt(secret, Date.now()) });
  return driver.page;
}

/** First-time login through a server process (codes for now): the page it ends on and the enrolled secret. */
export async function firstTimeLoginNow(browser: Browser, first: Page, email: string, mail: MailServer): Promise<{ callback: Page; secret: string }> {
  const driver = new BrowserDriver(browser, first);
  const { secret } = await firstTimeLogin(driver, { email, mail, newPassword: strongPassword, code: (enrolled) => totpCodeAt(enrolled, Date.now()) });
  return { callback: driver.page, secret };
}
