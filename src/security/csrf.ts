import { createHmac, timingSafeEqual } from 'node:crypto';

// The secret key also keys other MACs; this label keeps a CSRF token from ever equalling one of them.
const PURPOSE = 'csrf-token\0';

/**
 * The CSRF token for what a form belongs to (an interaction's uid, a signed-in session's id): a MAC
 * of it, so it needs no storage and dies with what it is bound to.
 */
export function csrfTokenFor(secretKey: Buffer, binding: string): string {
  return createHmac('sha256', secretKey).update(PURPOSE + binding).digest('base64url');
}

/** True only when `token` is the CSRF token of this binding; compared in constant time. */
export function verifyCsrfToken(secretKey: Buffer, binding: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secretKey, binding));
  const given = Buffer.from(token);
  // The token's length is public (a fixed-size MAC), so leaving early on a length mismatch reveals nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
