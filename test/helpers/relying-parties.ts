import * as oidc from 'openid-client';
import { Browser, type Page } from '../../harness/browser.ts';
import { nextTotpStep, startAuthorization, strongPassword, totpNow } from './flows.ts';
import type { TestServer } from './server.ts';

/** A client of clients.json as a test registers it; only what the relying party needs. */
export interface RegisteredClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly redirect_uris: readonly string[];
  readonly id_token_signed_response_alg?: string;
}

/**
 * One more relying party in a browser that may already hold a session: several applications of
 * one user, signing in once (openid-client, with the client's own ID token algorithm).
 */
export interface SharedRelyingParty {
  readonly config: oidc.Configuration;
  start(params?: Record<string, string>): Promise<{ page: Page; verifier: string; state: string; nonce: string }>;
  finish(callbackUrl: string, checks: { verifier: string; state: string; nonce: string }): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

export async function relyingPartyIn(
  t: Pick<TestServer, 'issuer'>,
  browser: Browser,
  client: RegisteredClient,
  authentication: oidc.ClientAuth = client.client_secret === undefined ? oidc.None() : oidc.ClientSecretBasic(client.client_secret),
): Promise<SharedRelyingParty> {
  const metadata: Partial<oidc.ClientMetadata> = {
    ...(client.client_secret === undefined ? {} : { client_secret: client.client_secret }),
    ...(client.id_token_signed_response_alg === undefined ? {} : { id_token_signed_response_alg: client.id_token_signed_response_alg }),
  };
  const config = await oidc.discovery(new URL(t.issuer), client.client_id, metadata, authentication, { execute: [oidc.allowInsecureRequests] });
  const redirectUri = client.redirect_uris[0]!;
  return {
    config,
    start: (params = {}) => startAuthorization(config, redirectUri, browser, params),
    finish: (callbackUrl, checks) =>
      oidc.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce }),
  };
}

/** A browser that stops at any redirect to the test clients' addresses (127.0.0.1:9) and to the given prefixes. */
export function clientBrowser(...stopAt: string[]): Browser {
  return new Browser({ stopAt: ['http://127.0.0.1:9/', ...stopAt] });
}

/** Email, password, authenticator code in any browser: ends where the flow leads (the client's redirect). */
export async function signInWith(t: TestServer, browser: Browser, first: Page, email: string, secret: string): Promise<Page> {
  const password = await browser.submit(first, '/email', { email });
  const code = await browser.submit(password, '/password', { password: strongPassword });
  nextTotpStep(t);
  return browser.submit(code, '/totp', { code: totpNow(t, secret) });
}

/** Signs the browser in through `rp` (or goes through its session) and returns the tokens and the ID token's claims. */
export async function tokensVia(t: TestServer, browser: Browser, rp: SharedRelyingParty, account?: { email: string; secret: string }) {
  const start = await rp.start();
  const callback = account === undefined ? start.page : await signInWith(t, browser, start.page, account.email, account.secret);
  const tokens = await rp.finish(callback.url, start);
  return { tokens, claims: tokens.claims()! };
}
