import type { Context } from 'koa';

/**
 * The way back to the application on an expired page. While the interaction lives, its pages
 * remember the application in a signed cookie scoped to the interaction's path and kept a day,
 * longer than the interaction: when the sign-in expires, the page that says so can still link back.
 * Signed, so that nobody can plant a link of their choosing on our page.
 */
const COOKIE = 'sso_app';
const maxAgeMs = 24 * 3600 * 1000;

/**
 * The application's address: the origin of the redirect URI its request used (oidc-provider
 * checked it against the registration), for web applications only; a native application's
 * private-use scheme has no page to open.
 */
function applicationAddress(redirectUri: unknown): string | undefined {
  if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) return undefined;
  const url = new URL(redirectUri);
  return url.protocol === 'https:' || url.protocol === 'http:' ? `${url.origin}/` : undefined;
}

/** @param path the interaction's public address, where its pages are */
export function rememberApplication(ctx: Context, path: string, redirectUri: unknown): void {
  const address = applicationAddress(redirectUri);
  if (address === undefined || ctx.cookies.get(COOKIE, { signed: true }) === address) return;
  ctx.cookies.set(COOKIE, address, {
    path,
    maxAge: maxAgeMs,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    signed: true,
    overwrite: true,
  });
}

export function rememberedApplication(ctx: Context): string | undefined {
  return applicationAddress(ctx.cookies.get(COOKIE, { signed: true }));
}
