import type { Config } from '../config.ts';
import { accountSurface } from '../web/surfaces.ts';

/**
 * Where every invitation email leads (the CLI's `users add --send-invite`, the console's invite and
 * resend alike: the lifecycle builds it, so no sender can differ): the account page's sign-in with
 * the email as `login_hint`. It starts the server's own OIDC flow on the email page with the address
 * filled in, from where the user takes "First time login"; once activated, the user lands on their
 * account page rather than on a page of some application they may not use.
 */
export function invitationLink(config: Pick<Config, 'issuer'>, email: string): string {
  const url = new URL(`${config.issuer}${accountSurface.path}/signin`);
  url.searchParams.set('login_hint', email);
  return url.toString();
}
