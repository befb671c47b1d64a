import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { openSecret, SecretBoxError, sealSecret } from '../../src/security/secret-box.ts';

const key = randomBytes(32);
const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** The sealed text with one bit of one part flipped. */
function flipBit(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('secret box', () => {
  it('opens what it sealed', () => {
    assert.equal(openSecret(key, sealSecret(key, secret)), secret);
    assert.equal(openSecret(key, sealSecret(key, '')), '');
    assert.equal(openSecret(key, sealSecret(key, 'ünïcødé ✓')), 'ünïcødé ✓');
  });

  it('writes v1.<iv>.<tag>.<ciphertext> in base64url, with a fresh iv each time', () => {
    const sealed = sealSecret(key, secret);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(secret), 'the plaintext does not show');
    assert.notEqual(sealSecret(key, secret), sealed);
  });

  it('refuses another key', () => {
    assert.throws(() => openSecret(randomBytes(32), sealSecret(key, secret)), SecretBoxError);
  });

  it('refuses any altered part', () => {
    const sealed = sealSecret(key, secret);
    for (const part of [1, 2, 3]) {
      assert.throws(() => openSecret(key, flipBit(sealed, part)), SecretBoxError, `part ${part}`);
    }
  });

  it('refuses malformed input without quoting it', () => {
    const sealed = sealSecret(key, secret);
    const [, iv, tag, ciphertext] = sealed.split('.');
    for (const bad of [
      '',
      secret,
      `v2.${iv}.${tag}.${ciphertext}`,
      `v1.${iv}.${tag}`,
      `${sealed}.extra`,
      `v1.${iv}.${tag}.${ciphertext}!`,
      `v1.${iv!.slice(2)}.${tag}.${ciphertext}`,
      `v1.${iv}.${tag!.slice(2)}.${ciphertext}`,
    ]) {
      assert.throws(
        () => openSecret(key, bad),
        (error: unknown) => error instanceof SecretBoxError && !error.message.includes(secret),
        JSON.stringify(bad),
      );
    }
  });

  it('needs a 32-byte key', () => {
    assert.throws(() => sealSecret(randomBytes(16), secret), RangeError);
    assert.throws(() => openSecret(randomBytes(31), sealSecret(key, secret)), RangeError);
  });
});
