import type { ClientMetadata } from '../clients.ts';

/**
 * Where an invitation email leads. The hosted sign-in page exists only inside a flow that a client
 * application starts, and the issuer's root serves no page, so the invitation links to the
 * application instead: the first registered client's post-logout page (its public home), else the
 * origin of its first redirect URI. Undefined when no client is registered.
 */
export function invitationLink(clients: readonly ClientMetadata[]): string | undefined {
  const [client] = clients;
  if (client === undefined) return undefined;
  return client.post_logout_redirect_uris?.[0] ?? `${new URL(client.redirect_uris[0]!).origin}/`;
}
