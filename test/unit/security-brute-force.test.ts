import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { rules } from '../../src/config.ts';
import { BruteForceGuard, lockSecondsAfter } from '../../src/security/brute-force.ts';
import { createRedisStore } from '../../src/store/redis.ts';
import { deleteKeys, storeVariants } from '../helpers/stores.ts';

const ip = '203.0.113.7';

describe('lockSecondsAfter', () => {
  it('locks from the threshold on, doubling up to the maximum', () => {
    for (let n = 0; n < rules.lockThreshold; n++) assert.equal(lockSecondsAfter(n), 0, `after ${n}`);
    const expected: number[] = [];
    for (let seconds = rules.lockBaseSeconds; seconds < rules.lockMaxSeconds; seconds *= 2) expected.push(seconds);
    expected.push(rules.lockMaxSeconds, rules.lockMaxSeconds);
    const actual = expected.map((_, i) => lockSecondsAfter(rules.lockThreshold + i));
    assert.deepEqual(actual, expected);
    assert.equal(lockSecondsAfter(10_000), rules.lockMaxSeconds);
  });
});

/** True when `seconds` is what a lock of `duration` reports a moment after it was set. */
function aboutLeft(seconds: number, duration: number): boolean {
  return seconds <= duration && seconds >= duration - 2;
}

for (const variant of storeVariants()) {
  describe(`BruteForceGuard (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());
    const newGuard = async () => new BruteForceGuard({ store: await variant.create() });

    async function fail(guard: BruteForceGuard, accountId: string, times: number) {
      const outcomes = [];
      for (let i = 0; i < times; i++) outcomes.push(await guard.recordFailure({ accountId, ip }));
      return outcomes;
    }

    it('locks an account at the threshold, for the base duration', async () => {
      const guard = await newGuard();
      const before = await fail(guard, 'acct', rules.lockThreshold - 1);
      assert.deepEqual(before, Array(rules.lockThreshold - 1).fill({ locked: false }));
      assert.deepEqual(await guard.check({ accountId: 'acct', ip }), { allowed: true });

      assert.deepEqual(await guard.recordFailure({ accountId: 'acct', ip }), {
        locked: true,
        retryAfterSeconds: rules.lockBaseSeconds,
      });
      const verdict = await guard.check({ accountId: 'acct', ip });
      assert.equal(verdict.allowed, false);
      assert.equal(!verdict.allowed && verdict.scope, 'account');
      const wait = verdict.allowed ? 0 : verdict.retryAfterSeconds;
      assert.ok(aboutLeft(wait, rules.lockBaseSeconds), `waits ${wait} s`);
      const status = await guard.status('acct');
      assert.equal(status.failures, rules.lockThreshold);
      assert.ok(aboutLeft(status.lockedForSeconds, rules.lockBaseSeconds), `locked for ${status.lockedForSeconds} s`);
    });

    it('doubles the lock with each further failure, up to the maximum', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold - 1);
      const outcomes = await fail(guard, 'acct', 7);
      const expected = outcomes.map((_, i) => lockSecondsAfter(rules.lockThreshold + i));
      assert.deepEqual(outcomes, expected.map((seconds) => ({ locked: true, retryAfterSeconds: seconds })));
      assert.equal(expected.at(-1), rules.lockMaxSeconds);
      const { lockedForSeconds } = await guard.status('acct');
      assert.ok(aboutLeft(lockedForSeconds, rules.lockMaxSeconds), `locked for ${lockedForSeconds} s`);
    });

    it('forgets the failures after a success', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold - 1);
      await guard.recordSuccess('acct');
      assert.deepEqual(await guard.status('acct'), { failures: 0, lockedForSeconds: 0 });
      const again = await fail(guard, 'acct', rules.lockThreshold - 1);
      assert.ok(again.every((o) => !o.locked), 'no lock before the threshold again');
      assert.deepEqual(await guard.check({ accountId: 'acct', ip }), { allowed: true });
    });

    it('lets the operator unlock an account', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold);
      await guard.unlock('acct');
      assert.deepEqual(await guard.check({ accountId: 'acct', ip }), { allowed: true });
      assert.deepEqual(await guard.status('acct'), { failures: 0, lockedForSeconds: 0 });
      assert.deepEqual(await guard.recordFailure({ accountId: 'acct', ip }), { locked: false });
    });

    it('keeps accounts apart', async () => {
      const guard = await newGuard();
      await fail(guard, 'a', rules.lockThreshold);
      assert.deepEqual(await guard.check({ accountId: 'b', ip }), { allowed: true });
      assert.deepEqual(await guard.status('b'), { failures: 0, lockedForSeconds: 0 });
    });

    it('allows at most ipFailuresPerHour failures from one address', async () => {
      const guard = await newGuard();
      for (let i = 0; i < rules.ipFailuresPerHour - 1; i++) {
        // Spread over accounts, and some without one (unknown email), so no account lock interferes.
        const accountId = i % 2 === 0 ? undefined : `acct-${i}`;
        assert.deepEqual(await guard.recordFailure({ accountId, ip }), { locked: false });
      }
      assert.deepEqual(await guard.check({ ip }), { allowed: true });
      await guard.recordFailure({ ip });
      const verdict = await guard.check({ accountId: 'fresh', ip });
      assert.equal(verdict.allowed, false);
      assert.equal(!verdict.allowed && verdict.scope, 'ip');
      const wait = verdict.allowed ? 0 : verdict.retryAfterSeconds;
      assert.ok(aboutLeft(wait, 3600), `waits ${wait} s`);
      assert.deepEqual(await guard.check({ accountId: 'fresh', ip: '198.51.100.1' }), { allowed: true });
    });

    it('reports the account lock before the address limit', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold);
      for (let i = rules.lockThreshold; i < rules.ipFailuresPerHour; i++) await guard.recordFailure({ ip });
      const verdict = await guard.check({ accountId: 'acct', ip });
      assert.equal(!verdict.allowed && verdict.scope, 'account');
    });
  });
}

describe('BruteForceGuard across instances (redis)', { skip: process.env.TEST_REDIS_URL === undefined && 'set TEST_REDIS_URL' }, () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const prefix = `test:bf:${randomBytes(6).toString('hex')}:`;
  after(() => deleteKeys(url, prefix));

  it('sees a lock set by another instance and an unlock made by a third', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => createRedisStore(url, prefix)));
    after(() => Promise.all(stores.map((s) => s.close())));
    const [one, two, operator] = stores.map((store) => new BruteForceGuard({ store }));
    for (let i = 0; i < rules.lockThreshold; i++) {
      await (i % 2 === 0 ? one! : two!).recordFailure({ accountId: 'acct', ip });
    }
    const verdict = await two!.check({ accountId: 'acct', ip });
    assert.equal(!verdict.allowed && verdict.scope, 'account');
    assert.equal((await one!.status('acct')).failures, rules.lockThreshold);
    await operator!.unlock('acct');
    assert.deepEqual(await one!.check({ accountId: 'acct', ip }), { allowed: true });
  });
});
