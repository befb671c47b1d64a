import { z } from 'zod';
import { loadClients } from '../clients.ts';
import { CliError } from './errors.ts';
import { quote } from './account-input.ts';

const webUrl = z.url({ protocol: /^https?$/ });

export function parseSignInUrl(value: string): string {
  if (!webUrl.safeParse(value).success) throw new CliError(`Invalid --sign-in-url ${quote(value)}: expected an http(s) URL`);
  return value;
}

/**
 * The hosted sign-in page exists only inside a flow that a client application starts, and the
 * issuer's root serves no page, so the invitation links to the application instead: the first
 * registered client's post-logout page (its public home), else the origin of its first redirect URI.
 */
export async function defaultSignInUrl(clientsFile: string): Promise<string> {
  const [client] = await loadClients(clientsFile);
  if (client === undefined) throw new CliError(`No client is registered in ${clientsFile}; pass --sign-in-url`);
  return client.post_logout_redirect_uris?.[0] ?? `${new URL(client.redirect_uris[0]!).origin}/`;
}
