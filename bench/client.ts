import type { SigningAlgorithm } from '../src/secrets.ts';

/** The one client the scenarios sign in to, at our server and at the peer: public, PKCE, refresh tokens. */
export const benchClient = {
  client_id: 'bench-public',
  client_name: 'Benchmark client',
  redirect_uris: ['http://127.0.0.1:9/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
} as const;

/** The ID token algorithms the token sections measure, the default (RS256) first. */
export const benchAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const satisfies readonly SigningAlgorithm[];
export type BenchAlgorithm = (typeof benchAlgorithms)[number];

/** The benchmark's client whose ID tokens are signed with `alg`: the same client but for its id and that choice. */
export function benchClientFor(alg: BenchAlgorithm) {
  return {
    ...benchClient,
    client_id: alg === 'RS256' ? benchClient.client_id : `${benchClient.client_id}-${alg.toLowerCase()}`,
    redirect_uris: [...benchClient.redirect_uris],
    grant_types: [...benchClient.grant_types],
    response_types: [...benchClient.response_types],
    id_token_signed_response_alg: alg,
  };
}

/** Every client the servers register: one per measured algorithm. */
export const benchClients = benchAlgorithms.map(benchClientFor);
