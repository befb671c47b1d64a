import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Signs and checks the `.sig` cookies, as the keys of our Koa app and of oidc-provider's (whose
 * interactionDetails() reads the interaction cookie through its own app). The signatures are those
 * of Koa's default Keygrip (HMAC-SHA1 of `name=value` under the first key, base64url), so cookies
 * signed before this class stay valid, and one signed with an older key is still accepted (and
 * re-signed by `cookies`) while that key is listed.
 *
 * Keygrip compares through tsscmp, which draws a random key and computes two more HMACs per check
 * to compare in constant time; every hosted request checks the interaction cookie and the
 * application cookie that way. `timingSafeEqual` on the two fixed-size MACs is as constant-time,
 * for a third of the work (BENCHMARKS.md, "Fixes", round 5).
 */
export class CookieSigner {
  private readonly keys: readonly KeyObject[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new RangeError('at least one cookie key is needed');
    this.keys = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  }

  sign(data: string): string {
    return mac(this.keys[0]!, data);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** The position of the key that signed `data` as `digest`, or -1. */
  index(data: string, digest: string): number {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest);
    for (let i = 0; i < this.keys.length; i++) {
      const expected = Buffer.from(mac(this.keys[i]!, data));
      // An HMAC-SHA1 in base64url is always 27 characters: a length mismatch reveals nothing secret.
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}

function mac(key: KeyObject, data: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}
