import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateRecoveryCode, normaliseRecoveryCode, RecoveryCodes, type RecoveryCodesDependencies } from '../../src/factors/recovery-codes.ts';
import { sealSecret } from '../../src/security/secret-box.ts';

describe('recovery codes', () => {
  it('are 10 characters in two groups of five, from an alphabet without look-alikes', () => {
    for (let i = 0; i < 200; i++) assert.match(generateRecoveryCode(), /^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
  });

  it('use every symbol of the alphabet about equally (a CSPRNG, without modulo bias)', () => {
    const counts = new Map<string, number>();
    const codes = 20_000;
    for (let i = 0; i < codes; i++) for (const symbol of generateRecoveryCode().replace('-', '')) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    assert.equal(counts.size, 31);
    const expected = (codes * 10) / 31;
    for (const [symbol, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.08, `${symbol}: ${n} of about ${Math.round(expected)}`);
  });

  it('are accepted as typed or pasted: any case, spaces and dashes anywhere', () => {
    assert.equal(normaliseRecoveryCode('abcde-23456'), 'abcde23456');
    assert.equal(normaliseRecoveryCode(' ABCDE 23456 '), 'abcde23456');
    assert.equal(normaliseRecoveryCode('ab cde–234 56'), 'abcde23456');
  });

  it('refuses what cannot be a code, without a lookup', () => {
    for (const input of ['', 'abcde-2345', 'abcde-234567', 'abcde-2345o', 'abcde-23451', 'abcdé-23456', '123456']) {
      assert.equal(normaliseRecoveryCode(input), undefined, input);
    }
  });

  it('seal a new set with its id, and open only what was sealed so under the same key', () => {
    // Sealing touches nothing but the key.
    const key = randomBytes(32);
    const codes = new RecoveryCodes({ secretKey: key } as RecoveryCodesDependencies);
    const set = { id: randomUUID(), codes: Array.from({ length: 10 }, generateRecoveryCode) };
    const sealed = codes.sealSet(set);
    assert.deepEqual(codes.openSet(sealed), set);
    assert.ok(set.codes.every((code) => !sealed.includes(code)));
    const other = new RecoveryCodes({ secretKey: randomBytes(32) } as RecoveryCodesDependencies);
    assert.equal(other.openSet(sealed), undefined, 'under another key');
    const [version, iv, ...rest] = sealed.split('.');
    const altered = [version, `${iv!.startsWith('A') ? 'B' : 'A'}${iv!.slice(1)}`, ...rest].join('.');
    assert.equal(codes.openSet(altered), undefined, 'altered');
    assert.equal(codes.openSet(codes.seal(set.codes)), undefined, 'codes sealed without their set');
    assert.equal(codes.openSet(sealSecret(key, JSON.stringify({ id: 'x', codes: set.codes }))), undefined, 'not a set');
    assert.equal(codes.openSet(''), undefined);
  });
});
