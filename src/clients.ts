import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from './config.ts';
import { idTokenSigningAlgorithms } from './secrets.ts';

/** Schemes no redirect may use, whatever the application (oidc-provider refuses them too). */
const forbiddenSchemes = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'file:', 'about:']);
const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parsed(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

const webUri = z.string().refine(
  (v) => {
    const u = parsed(v);
    return u !== undefined && (u.protocol === 'https:' || u.protocol === 'http:') && u.hash === '' && !v.includes('#');
  },
  { message: 'must be an absolute http(s) URL without a fragment' },
);

/**
 * A native application's redirect (RFC 8252): a loopback http URI, matched on any port (section
 * 7.3), a claimed https URI, or a private-use scheme named after a domain the vendor controls
 * (`com.example.app:/callback`, section 7.1). A web application's redirect is http(s).
 */
function redirectAllowed(value: string, native: boolean): boolean {
  const u = parsed(value);
  if (u === undefined || u.hash !== '' || value.includes('#')) return false;
  if (u.protocol === 'https:') return !native || !loopbackHosts.has(u.hostname);
  if (u.protocol === 'http:') return !native || loopbackHosts.has(u.hostname);
  return native && !forbiddenSchemes.has(u.protocol) && /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(u.protocol);
}

const redirectMessage = 'must be an absolute http(s) URL without a fragment (a native application may also use a loopback address or a private-use scheme such as com.example.app:/callback)';

/** A public key of a client's key set, for private_key_jwt: never a private part. */
const publicJwk = z
  .object({ kty: z.enum(['RSA', 'EC', 'OKP']), kid: z.string().min(1).optional() })
  .passthrough()
  .refine((key) => !['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((part) => part in key), { message: 'must hold public keys only' });

const clientSchema = z
  .object({
    client_id: z.string().min(1, { message: 'is required' }).max(200),
    client_secret: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    client_name: z.string().min(1).max(200).optional(),
    application_type: z.enum(['web', 'native']).default('web'),
    redirect_uris: z.array(z.string()).min(1, { message: 'needs at least one URI' }),
    post_logout_redirect_uris: z.array(z.string()).optional(),
    token_endpoint_auth_method: z
      .enum(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'])
      .default('client_secret_basic'),
    jwks: z.object({ keys: z.array(publicJwk).min(1, { message: 'needs at least one key' }) }).strict().optional(),
    jwks_uri: webUri.optional(),
    grant_types: z
      .array(z.enum(['authorization_code', 'refresh_token']))
      .min(1)
      .refine((g) => g.includes('authorization_code'), { message: 'must include authorization_code' })
      .default(['authorization_code', 'refresh_token']),
    response_types: z
      .array(z.literal('code', { message: 'only "code" is supported' }))
      .default(['code']),
    id_token_signed_response_alg: z.enum(idTokenSigningAlgorithms).default('RS256'),
    backchannel_logout_uri: webUri.optional(),
    backchannel_logout_session_required: z.boolean().optional(),
    /** May introspect the tokens of other clients (src/provider.ts). */
    sso_resource_server: z.boolean().optional(),
  })
  .strict()
  .superRefine((client, ctx) => {
    const native = client.application_type === 'native';
    for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
      (client[field] ?? []).forEach((uri, index) => {
        if (!redirectAllowed(uri, native)) ctx.addIssue({ code: 'custom', path: [field, index], message: redirectMessage });
      });
    }
    const method = client.token_endpoint_auth_method;
    const secretUsed = method === 'client_secret_basic' || method === 'client_secret_post';
    if (!secretUsed && client.client_secret !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: `must be absent when token_endpoint_auth_method is "${method}"` });
    }
    if (secretUsed && client.client_secret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'is required unless token_endpoint_auth_method is "none" or "private_key_jwt"' });
    }
    const keySources = [client.jwks, client.jwks_uri].filter((source) => source !== undefined).length;
    if (method === 'private_key_jwt' && keySources !== 1) {
      ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'or jwks_uri (one of them) is required when token_endpoint_auth_method is "private_key_jwt"' });
    }
    if (method !== 'private_key_jwt' && keySources > 0) {
      ctx.addIssue({ code: 'custom', path: [client.jwks === undefined ? 'jwks_uri' : 'jwks'], message: 'is only used with token_endpoint_auth_method "private_key_jwt"' });
    }
    if (client.backchannel_logout_session_required !== undefined && client.backchannel_logout_uri === undefined) {
      ctx.addIssue({ code: 'custom', path: ['backchannel_logout_session_required'], message: 'needs a backchannel_logout_uri' });
    }
  });

export type ClientMetadata = z.infer<typeof clientSchema>;

function labelOf(entry: unknown, index: number): string {
  return typeof entry === 'object' && entry !== null && typeof (entry as { client_id?: unknown }).client_id === 'string'
    ? `client "${(entry as { client_id: string }).client_id}"`
    : `client #${index + 1}`;
}

/** Validates the registered clients; errors name the client and the field. */
export function parseClients(json: unknown, source: string): ClientMetadata[] {
  if (!Array.isArray(json)) throw new ConfigError(`${source}: expected a JSON array of clients`);
  const seen = new Set<string>();
  return json.map((entry: unknown, index) => {
    const label = labelOf(entry, index);
    const result = clientSchema.safeParse(entry);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join('.') : 'entry';
      throw new ConfigError(`${source}: ${label}: ${field} ${issue.message}`);
    }
    if (seen.has(result.data.client_id)) {
      throw new ConfigError(`${source}: ${label}: client_id is registered twice`);
    }
    seen.add(result.data.client_id);
    return result.data;
  });
}

/**
 * Each client whose ID tokens would need a signing algorithm the key set cannot sign with: the
 * server refuses to start rather than fail at the first sign-in.
 */
export function checkSigningKeys(clients: readonly ClientMetadata[], available: readonly string[], source: string): void {
  for (const client of clients) {
    if (!available.includes(client.id_token_signed_response_alg)) {
      throw new ConfigError(
        `${source}: client "${client.client_id}": id_token_signed_response_alg ${client.id_token_signed_response_alg} has no signing key in the key set (it signs ${available.join(', ')})`,
      );
    }
  }
}

/** Characters a secret can hold that every client library sends unchanged. */
const portableSecret = /^[A-Za-z0-9_-]+$/;

/**
 * What a valid clients.json can still hold that trips real client libraries: each warning names
 * the client, the field, and why.
 */
export function clientWarnings(clients: readonly ClientMetadata[]): string[] {
  const warnings: string[] = [];
  for (const client of clients) {
    const label = `client "${client.client_id}"`;
    if (client.client_secret !== undefined && !portableSecret.test(client.client_secret)) {
      warnings.push(
        `${label}: client_secret has characters outside A-Z a-z 0-9 - _: HTTP Basic authentication sends it form-encoded (RFC 6749 section 2.3.1), ` +
          'which some libraries (Python Authlib among them) skip, so they present another secret and are refused; choose one from those characters (e.g. openssl rand -hex 32)',
      );
    }
    for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
      for (const uri of client[field] ?? []) {
        const u = new URL(uri);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
        if (uri.endsWith('/')) {
          warnings.push(
            `${label}: ${field} "${uri}" ends with a slash: URIs must match exactly, and libraries that build it from a base URL (express-openid-connect's baseURL, for one) may send it without; register "${uri.replace(/\/+$/, '')}" too if unsure`,
          );
        } else if (!uri.slice(u.protocol.length + 2).includes('/')) {
          warnings.push(
            `${label}: ${field} "${uri}" has no path: libraries that parse it as a URL send it with a slash ("${u.href}"), which does not match; register both forms if unsure`,
          );
        }
      }
    }
    if (client.post_logout_redirect_uris === undefined || client.post_logout_redirect_uris.length === 0) {
      warnings.push(`${label}: no post_logout_redirect_uris: after signing out through the server, the user cannot be sent back to the application`);
    }
  }
  return warnings;
}

export async function loadClients(file: string): Promise<ClientMetadata[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read SSO_CLIENTS_FILE (${file}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SSO_CLIENTS_FILE (${file}) is not valid JSON: ${(error as Error).message}`);
  }
  return parseClients(json, `SSO_CLIENTS_FILE (${file})`);
}
