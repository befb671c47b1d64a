import { z } from 'zod';
import { invitationLink } from '../accounts/invitation-link.ts';
import { loadClients } from '../clients.ts';
import { CliError } from './errors.ts';
import { quote } from './account-input.ts';

const webUrl = z.url({ protocol: /^https?$/ });

export function parseSignInUrl(value: string): string {
  if (!webUrl.safeParse(value).success) throw new CliError(`Invalid --sign-in-url ${quote(value)}: expected an http(s) URL`);
  return value;
}

/** The invitation's link (src/accounts/invitation-link.ts) for the clients registered in `clientsFile`. */
export async function defaultSignInUrl(clientsFile: string): Promise<string> {
  const link = invitationLink(await loadClients(clientsFile));
  if (link === undefined) throw new CliError(`No client is registered in ${clientsFile}; pass --sign-in-url`);
  return link;
}
