import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from './config.ts';

const redirectUri = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hash === '';
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute http(s) URL without a fragment' },
);

const clientSchema = z
  .object({
    client_id: z.string().min(1, { message: 'is required' }).max(200),
    client_secret: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    client_name: z.string().min(1).max(200).optional(),
    redirect_uris: z.array(redirectUri).min(1, { message: 'needs at least one URI' }),
    post_logout_redirect_uris: z.array(redirectUri).optional(),
    token_endpoint_auth_method: z
      .enum(['none', 'client_secret_basic', 'client_secret_post'])
      .default('client_secret_basic'),
    grant_types: z
      .array(z.enum(['authorization_code', 'refresh_token']))
      .min(1)
      .refine((g) => g.includes('authorization_code'), { message: 'must include authorization_code' })
      .default(['authorization_code', 'refresh_token']),
    response_types: z
      .array(z.literal('code', { message: 'only "code" is supported' }))
      .default(['code']),
  })
  .strict()
  .superRefine((client, ctx) => {
    if (client.token_endpoint_auth_method === 'none' && client.client_secret !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'must be absent for a public client' });
    }
    if (client.token_endpoint_auth_method !== 'none' && client.client_secret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'is required unless token_endpoint_auth_method is "none"' });
    }
  });

export type ClientMetadata = z.infer<typeof clientSchema>;

/** Validates the registered clients; errors name the client and the field. */
export function parseClients(json: unknown, source: string): ClientMetadata[] {
  if (!Array.isArray(json)) throw new ConfigError(`${source}: expected a JSON array of clients`);
  const seen = new Set<string>();
  return json.map((entry: unknown, index) => {
    const label =
      typeof entry === 'object' && entry !== null && typeof (entry as { client_id?: unknown }).client_id === 'string'
        ? `client "${(entry as { client_id: string }).client_id}"`
        : `client #${index + 1}`;
    const parsed = clientSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join('.') : 'entry';
      throw new ConfigError(`${source}: ${label}: ${field} ${issue.message}`);
    }
    if (seen.has(parsed.data.client_id)) {
      throw new ConfigError(`${source}: ${label}: client_id is registered twice`);
    }
    seen.add(parsed.data.client_id);
    return parsed.data;
  });
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
