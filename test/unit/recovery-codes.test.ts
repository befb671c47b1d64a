import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateRecoveryCode, normaliseRecoveryCode } from '../../src/factors/recovery-codes.ts';

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
});
