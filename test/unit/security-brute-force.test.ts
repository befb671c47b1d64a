import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { rules } from '../../src/config.ts';
import { BruteForceGuard, lockSecondsAfter, type Attempt, type Refusal } from '../../src/security/brute-force.ts';
import { addressKey } from '../../src/security/client-address.ts';
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

describe('addressKey', () => {
  it('counts IPv4 addresses one by one and IPv6 addresses by their /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7', 'an IPv4-mapped address is the IPv4 address');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), addressKey('2001:db8:1:2::7'), 'one /64, one budget');
    assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
  });
});

function allowed(result: Attempt | Refusal): Attempt {
  assert.ok(result.allowed, `expected an allowed attempt, got ${JSON.stringify(result)}`);
  return result;
}

function refused(result: Attempt | Refusal): Refusal {
  assert.ok(!result.allowed, 'expected a refusal');
  return result;
}

for (const variant of storeVariants()) {
  describe(`BruteForceGuard (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());
    const clock = { ms: 1_780_000_000_000 };
    const newGuard = async () => new BruteForceGuard({ store: await variant.create(), now: () => clock.ms });

    /** `times` wrong secrets one after another: each attempt reserved and kept. */
    async function fail(guard: BruteForceGuard, accountId: string | undefined, times: number, from = ip): Promise<number[]> {
      const locks = [];
      for (let i = 0; i < times; i++) locks.push(allowed(await guard.reserve({ accountId, ip: from })).lockSeconds);
      return locks;
    }

    it('locks an account with the attempt that reaches the threshold, for the base duration', async () => {
      const guard = await newGuard();
      assert.deepEqual(await fail(guard, 'acct', rules.lockThreshold - 1), Array(rules.lockThreshold - 1).fill(0));
      assert.deepEqual(await fail(guard, 'acct', 1), [rules.lockBaseSeconds]);
      const refusal = refused(await guard.reserve({ accountId: 'acct', ip }));
      assert.deepEqual(refusal, { allowed: false, scope: 'account', retryAfterSeconds: rules.lockBaseSeconds });
      assert.deepEqual(await guard.status('acct'), { failures: rules.lockThreshold, lockedForSeconds: rules.lockBaseSeconds });
      clock.ms += rules.lockBaseSeconds * 1000;
      assert.deepEqual(await fail(guard, 'acct', 1), [2 * rules.lockBaseSeconds], 'after the lock, the next failure doubles it');
    });

    it('doubles the lock with each further failure, up to the maximum', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold - 1);
      const locks: number[] = [];
      for (let i = 0; i < 7; i++) {
        locks.push(...(await fail(guard, 'acct', 1)));
        clock.ms += locks.at(-1)! * 1000;
      }
      assert.deepEqual(locks, locks.map((_, i) => lockSecondsAfter(rules.lockThreshold + i)));
      assert.equal(locks.at(-1), rules.lockMaxSeconds);
    });

    it('gives a right answer its attempt back, lifting the lock that attempt brought', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold - 1);
      const tenth = allowed(await guard.reserve({ accountId: 'acct', ip }));
      assert.equal(tenth.lockSeconds, rules.lockBaseSeconds, 'the tenth attempt locks while it is checked');
      assert.equal(refused(await guard.reserve({ accountId: 'acct', ip })).scope, 'account');
      await tenth.giveBack();
      assert.deepEqual(await guard.status('acct'), { failures: rules.lockThreshold - 1, lockedForSeconds: 0 });
      assert.equal(allowed(await guard.reserve({ accountId: 'acct', ip })).lockSeconds, rules.lockBaseSeconds);
    });

    it('lets exactly the threshold through a burst of concurrent attempts on one account', async () => {
      const guard = await newGuard();
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => guard.reserve({ accountId: 'burst', ip: `198.51.100.${i % 250}` })));
      assert.equal(results.filter((r) => r.allowed).length, rules.lockThreshold);
      assert.ok(results.filter((r) => !r.allowed).every((r) => !r.allowed && r.scope === 'account'));
      assert.equal((await guard.status('burst')).failures, rules.lockThreshold, 'refused attempts are not counted');
    });

    it('lets exactly ipFailuresPerHour through a burst from one address, and no more later', async () => {
      const guard = await newGuard();
      const results = await Promise.all(Array.from({ length: 300 }, () => guard.reserve({ ip: '192.0.2.44' })));
      assert.equal(results.filter((r) => r.allowed).length, rules.ipFailuresPerHour);
      const refusal = refused(await guard.reserve({ accountId: 'fresh', ip: '192.0.2.44' }));
      assert.equal(refusal.scope, 'ip');
      assert.ok(refusal.retryAfterSeconds > 3500 && refusal.retryAfterSeconds <= 3600, `waits ${refusal.retryAfterSeconds} s`);
      assert.deepEqual(await guard.status('fresh'), { failures: 0, lockedForSeconds: 0 }, 'a refused attempt costs the account nothing');
      assert.ok(allowed(await guard.reserve({ accountId: 'fresh', ip: '198.51.100.1' })), 'other addresses are untouched');
    });

    it('counts the addresses of one IPv6 /64 together', async () => {
      const guard = await newGuard();
      await Promise.all(Array.from({ length: rules.ipFailuresPerHour }, (_, i) => guard.reserve({ ip: `2001:db8:5:6::${(i + 1).toString(16)}` })));
      assert.equal(refused(await guard.reserve({ ip: '2001:db8:5:6:abcd::99' })).scope, 'ip');
    });

    it('gives an address its attempt back on a right answer', async () => {
      const guard = await newGuard();
      await fail(guard, undefined, rules.ipFailuresPerHour - 1, '192.0.2.45');
      await allowed(await guard.reserve({ ip: '192.0.2.45' })).giveBack();
      await allowed(await guard.reserve({ ip: '192.0.2.45' })).giveBack();
      await fail(guard, undefined, 1, '192.0.2.45');
      assert.equal(refused(await guard.reserve({ ip: '192.0.2.45' })).scope, 'ip');
    });

    it('forgets the failures after a success, and lets the operator unlock', async () => {
      const guard = await newGuard();
      await fail(guard, 'acct', rules.lockThreshold - 1);
      await guard.recordSuccess('acct');
      assert.deepEqual(await guard.status('acct'), { failures: 0, lockedForSeconds: 0 });
      assert.deepEqual(await fail(guard, 'acct', rules.lockThreshold - 1), Array(rules.lockThreshold - 1).fill(0), 'no lock before the threshold again');
      await fail(guard, 'acct', 1);
      await guard.unlock('acct');
      assert.deepEqual(await guard.status('acct'), { failures: 0, lockedForSeconds: 0 });
      assert.deepEqual(await fail(guard, 'acct', 1), [0]);
    });

    it('keeps accounts apart, and reports the account lock before the address limit', async () => {
      const guard = await newGuard();
      await fail(guard, 'a', rules.lockThreshold, '192.0.2.46');
      assert.deepEqual(await guard.status('b'), { failures: 0, lockedForSeconds: 0 });
      await fail(guard, undefined, rules.ipFailuresPerHour - rules.lockThreshold, '192.0.2.46');
      assert.equal(refused(await guard.reserve({ accountId: 'a', ip: '192.0.2.46' })).scope, 'account');
      assert.equal(refused(await guard.reserve({ accountId: 'b', ip: '192.0.2.46' })).scope, 'ip');
      assert.deepEqual(await guard.status('b'), { failures: 0, lockedForSeconds: 0 }, 'refused by the address, the account is not counted');
    });
  });
}

describe('BruteForceGuard across instances (redis)', { skip: process.env.TEST_REDIS_URL === undefined && 'set TEST_REDIS_URL' }, () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const prefix = `test:bf:${randomBytes(6).toString('hex')}:`;
  after(() => deleteKeys(url, prefix));

  it('counts a burst spread over instances once, and sees an unlock made by a third', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => createRedisStore(url, prefix)));
    after(() => Promise.all(stores.map((s) => s.close())));
    const [one, two, operator] = stores.map((store) => new BruteForceGuard({ store }));
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? one! : two!).reserve({ accountId: 'acct', ip: `198.51.100.${i}` })));
    assert.equal(results.filter((r) => r.allowed).length, rules.lockThreshold);
    assert.equal(refused(await two!.reserve({ accountId: 'acct', ip })).scope, 'account');
    assert.equal((await one!.status('acct')).failures, rules.lockThreshold);
    await operator!.unlock('acct');
    assert.ok(allowed(await one!.reserve({ accountId: 'acct', ip })));
  });
});
