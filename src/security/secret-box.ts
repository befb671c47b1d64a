import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A sealed secret that is malformed, was sealed under another key, or was altered. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit random nonces are GCM's native size; collisions stay negligible for the few secrets sealed.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`secret box key must be ${KEY_BYTES} bytes`);
}

/** Encrypts a small string as `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
export function sealSecret(key: Buffer, plaintext: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Decrypts what sealSecret produced; throws SecretBoxError unless it is intact and under this key. */
export function openSecret(key: Buffer, sealed: string): string {
  assertKey(key);
  const parts = sealed.split('.');
  const [version, ivText, tagText, ciphertextText] = parts;
  if (
    parts.length !== 4 ||
    version !== VERSION ||
    ivText === undefined ||
    tagText === undefined ||
    ciphertextText === undefined ||
    ![ivText, tagText, ciphertextText].every((p) => BASE64URL.test(p))
  ) {
    throw new SecretBoxError('sealed secret is malformed');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('sealed secret is malformed');
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('sealed secret failed authentication (wrong key or altered)');
  }
}
