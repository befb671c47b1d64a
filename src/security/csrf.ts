import { createHmac, timingSafeEqual } from 'node:crypto';

// The secret key also keys other MACs; this label keeps a CSRF token from ever equalling one of them.
const PURPOSE = 'csrf-token\0';

/** The CSRF token for an interaction: a MAC of its uid, so it needs no storage and dies with the uid. */
export function csrfTokenFor(secretKey: Buffer, interactionUid: string): string {
  return createHmac('sha256', secretKey).update(PURPOSE + interactionUid).digest('base64url');
}

/** True only when `token` is the CSRF token of this interaction; compared in constant time. */
export function verifyCsrfToken(secretKey: Buffer, interactionUid: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secretKey, interactionUid));
  const given = Buffer.from(token);
  // The token's length is public (a fixed-size MAC), so leaving early on a length mismatch reveals nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
