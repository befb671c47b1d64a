import * as oidc from 'openid-client';
import { Browser, type Page } from './browser.ts';
import { startAuthorization } from './flows.ts';
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
  return new Browser(['http://127.0.0.1:9/', ...stopAt]);
}
