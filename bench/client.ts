/** The one client the scenarios sign in to, at our server and at the peer: public, PKCE, refresh tokens. */
export const benchClient = {
  client_id: 'bench-public',
  client_name: 'Benchmark client',
  redirect_uris: ['http://127.0.0.1:9/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
} as const;
