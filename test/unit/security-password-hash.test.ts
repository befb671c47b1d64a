import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../../src/security/password-hash.ts';

// The lowest cost bcrypt allows keeps these tests fast; the timing test needs a measurable cost.
const FAST = 4;
const MEASURABLE = 10;

async function fastestOf(runs: number, work: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('password hashing', () => {
  it('hashes with bcrypt at the given cost and verifies', async () => {
    const hash = await hashPassword('Tr0ub4dor&3x', FAST);
    assert.match(hash, /^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    assert.equal(await verifyPassword('Tr0ub4dor&3x', hash, FAST), true);
    assert.equal(await verifyPassword('Tr0ub4dor&3X', hash, FAST), false);
    assert.equal(await verifyPassword('', hash, FAST), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('Tr0ub4dor&3x', FAST), await hashPassword('Tr0ub4dor&3x', FAST));
  });

  it('refuses every password when there is no hash', async () => {
    assert.equal(await verifyPassword('Tr0ub4dor&3x', null, FAST), false);
    assert.equal(await verifyPassword('', null, FAST), false);
  });

  it('spends the same bcrypt work when there is no hash', async () => {
    const hash = await hashPassword('Tr0ub4dor&3x', MEASURABLE);
    const real = await fastestOf(3, () => verifyPassword('wrong-guess', hash, MEASURABLE));
    const dummy = await fastestOf(3, () => verifyPassword('wrong-guess', null, MEASURABLE));
    // Skipping the work would take well under a millisecond against tens of milliseconds.
    assert.ok(dummy > real * 0.5 && dummy < real * 2, `real ${real} ms, without hash ${dummy} ms`);
  });
});
