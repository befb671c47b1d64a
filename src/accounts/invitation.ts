import type { Config } from '../config.ts';
import type { Locale } from '../i18n/index.ts';
import { accountSurface } from '../web/surfaces.ts';
import type { Invitation } from './lifecycle.ts';

/**
 * The invitation every sender emails (the CLI's `users add --send-invite`, the console's invite and
 * resend): its link is the account page's sign-in with the email as `login_hint`, so it starts the
 * server's own OIDC flow on the email page with the address filled in, from where the user takes
 * "First time login"; once activated, the user lands on their account page rather than on a page
 * of some application they may not use.
 */
export function invitationFor(config: Pick<Config, 'issuer'>, email: string, locale: Locale): Invitation {
  const url = new URL(`${config.issuer}${accountSurface.path}/signin`);
  url.searchParams.set('login_hint', email);
  return { signInUrl: url.toString(), locale };
}
