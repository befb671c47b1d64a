import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { storeVariants } from '../helpers/stores.ts';

/** Runs `count` calls at once, so atomicity is tested under real interleaving. */
const race = <T>(count: number, call: (index: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, index) => call(index)));

const isWithin = (value: number | undefined, low: number, high: number) =>
  value !== undefined && value >= low && value <= high;

for (const variant of storeVariants()) {
  describe(`store contract (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());

    it('gets what was set, overwrites it, and has nothing for a missing key', async () => {
      const store = await variant.create();
      assert.equal(await store.get('missing'), undefined);
      await store.set('k', 'first', 60);
      assert.equal(await store.get('k'), 'first');
      await store.set('k', 'second', 60);
      assert.equal(await store.get('k'), 'second');
    });

    it('reports the seconds a key has left, and undefined for a missing key', async () => {
      const store = await variant.create();
      assert.equal(await store.ttl('missing'), undefined);
      await store.set('k', 'v', 60);
      assert.ok(isWithin(await store.ttl('k'), 59, 60));
      await store.set('k', 'v', 600);
      assert.ok(isWithin(await store.ttl('k'), 599, 600), 'set replaces the expiry');
    });

    it('refuses TTLs Redis would refuse, on every writing method', async () => {
      const store = await variant.create();
      for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(store.set('k', 'v', ttl), RangeError);
        await assert.rejects(store.setIfAbsent('k', 'v', ttl), RangeError);
        await assert.rejects(store.increment('c', ttl), RangeError);
        await assert.rejects(store.addToSet('s', 'm', ttl), RangeError);
      }
      assert.equal(await store.get('k'), undefined);
    });

    it('setIfAbsent sets once: of 20 racing callers exactly one wins, and its value stays', async () => {
      const store = await variant.create();
      const results = await race(20, (i) => store.setIfAbsent('k', `caller-${i}`, 60));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.get('k'), `caller-${results.indexOf(true)}`);
      assert.equal(await store.setIfAbsent('k', 'later', 600), false);
      assert.ok(isWithin(await store.ttl('k'), 59, 60), 'a refused setIfAbsent leaves the expiry alone');
    });

    it('getMany answers each key in the order asked, undefined where missing', async () => {
      const store = await variant.create();
      await store.set('a', '1', 60);
      await store.set('c', '3', 60);
      assert.deepEqual(await store.getMany(['c', 'b', 'a']), ['3', undefined, '1']);
      assert.deepEqual(await store.getMany([]), []);
    });

    it('getManyWithReference also reads the key that the first value names in its field', async () => {
      const store = await variant.create();
      await store.set('token', JSON.stringify({ grantId: 'g1', other: { nested: true } }), 60);
      await store.set('mark', 'm', 60);
      await store.set('grant:g1', 'the grant', 60);
      assert.deepEqual(await store.getManyWithReference(['token', 'missing', 'mark'], 'grantId', 'grant:'), {
        values: [JSON.stringify({ grantId: 'g1', other: { nested: true } }), undefined, 'm'],
        referenced: 'the grant',
      });
      await store.set('orphan', JSON.stringify({ grantId: 'gone' }), 60);
      assert.deepEqual(await store.getManyWithReference(['orphan'], 'grantId', 'grant:'), { values: [JSON.stringify({ grantId: 'gone' })], referenced: undefined }, 'a reference to nothing');
      for (const value of ['not json', JSON.stringify({ grantId: 7 }), JSON.stringify(['grantId'])]) {
        await store.set('odd', value, 60);
        assert.deepEqual(await store.getManyWithReference(['odd'], 'grantId', 'grant:'), { values: [value], referenced: undefined }, value);
      }
      assert.deepEqual(await store.getManyWithReference(['missing'], 'grantId', 'grant:'), { values: [undefined], referenced: undefined });
    });

    it('write applies sets, set members and expiries together', async () => {
      const store = await variant.create();
      await store.set('existing', 'v', 600);
      await store.write([
        { op: 'set', key: 'k', value: 'v', ttlSeconds: 60 },
        { op: 'addToSet', key: 's', member: 'm1', ttlSeconds: 60 },
        { op: 'addToSet', key: 's', member: 'm2', ttlSeconds: 120 },
        { op: 'expire', key: 'existing', ttlSeconds: 30 },
        { op: 'expire', key: 'absent', ttlSeconds: 30 },
      ]);
      assert.equal(await store.get('k'), 'v');
      assert.ok(isWithin(await store.ttl('k'), 59, 60));
      assert.deepEqual((await store.members('s')).sort(), ['m1', 'm2']);
      assert.ok(isWithin(await store.ttl('s'), 119, 120), 'a set keeps its longest expiry');
      assert.ok(isWithin(await store.ttl('existing'), 29, 30), 'expire shortens as well as lengthens');
      assert.equal(await store.get('absent'), undefined, 'expire creates nothing');
    });

    it('write applies nothing when one of its TTLs is refused', async () => {
      const store = await variant.create();
      await assert.rejects(
        store.write([
          { op: 'set', key: 'k', value: 'v', ttlSeconds: 60 },
          { op: 'addToSet', key: 's', member: 'm', ttlSeconds: 0 },
        ]),
        RangeError,
      );
      assert.equal(await store.get('k'), undefined);
      assert.deepEqual(await store.members('s'), []);
    });

    it('setIfAbsentWhile sets once, only while the owner exists, and expires with it', async () => {
      const store = await variant.create();
      assert.equal(await store.setIfAbsentWhile('owner', 'mark', 'x'), false);
      assert.equal(await store.get('mark'), undefined, 'no owner, no mark');
      await store.set('owner', 'o', 90);
      const results = await race(20, (i) => store.setIfAbsentWhile('owner', 'mark', `caller-${i}`));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.get('mark'), `caller-${results.indexOf(true)}`);
      assert.ok(isWithin(await store.ttl('mark'), 89, 90));
    });

    it('write sets a mark if absent while its owner exists, in the same batch as the rest, the first mark staying', async () => {
      const store = await variant.create();
      await store.set('owner', 'o', 90);
      const mark = (value: string, owner = 'owner') => ({ op: 'setIfAbsentWhile' as const, owner, key: `mark:${owner}`, value });
      await store.write([mark('first'), { op: 'set', key: 'k', value: 'v', ttlSeconds: 60 }, mark('none', 'absent')]);
      assert.equal(await store.get('mark:owner'), 'first');
      assert.ok(isWithin(await store.ttl('mark:owner'), 89, 90), 'it expires with its owner');
      assert.equal(await store.get('k'), 'v');
      assert.equal(await store.get('mark:absent'), undefined, 'no owner, no mark');
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.write([mark(`later-${i}`)])));
      assert.equal(await store.get('mark:owner'), 'first', 'a later mark, even many at once, changes nothing');
    });

    it('raise stores only a greater number: of 20 racing callers with one value exactly one wins', async () => {
      const store = await variant.create();
      assert.equal(await store.raise('n', 5, 60), true);
      assert.equal(await store.raise('n', 5, 600), false);
      assert.equal(await store.raise('n', 4, 600), false);
      assert.ok(isWithin(await store.ttl('n'), 59, 60), 'a refused raise leaves the expiry alone');
      const results = await race(20, () => store.raise('n', 7, 90));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.get('n'), '7');
      assert.ok(isWithin(await store.ttl('n'), 89, 90));
    });

    it('take hands the value to exactly one of 20 concurrent takers and deletes it', async () => {
      const store = await variant.create();
      assert.equal(await store.take('missing'), undefined);
      await store.set('code', 'secret', 60);
      const results = await race(20, () => store.take('code'));
      assert.deepEqual(
        results.filter((r) => r !== undefined),
        ['secret'],
      );
      assert.equal(await store.get('code'), undefined);
    });

    it('takeIfEquals deletes only the expected value, for exactly one of 20 racing callers', async () => {
      const store = await variant.create();
      assert.equal(await store.takeIfEquals('missing', 'x'), false);
      await store.set('k', 'right', 60);
      assert.equal(await store.takeIfEquals('k', 'wrong'), false);
      assert.equal(await store.get('k'), 'right', 'a mismatch leaves the key in place');
      const results = await race(20, () => store.takeIfEquals('k', 'right'));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.get('k'), undefined);
    });

    it('del removes any number of keys, none included', async () => {
      const store = await variant.create();
      await store.set('a', '1', 60);
      await store.set('b', '2', 60);
      await store.set('c', '3', 60);
      await store.del();
      await store.del('a', 'b', 'missing');
      assert.equal(await store.get('a'), undefined);
      assert.equal(await store.get('b'), undefined);
      assert.equal(await store.get('c'), '3');
    });

    it('increment counts atomically: 50 racing increments give 1..50', async () => {
      const store = await variant.create();
      const counts = await race(50, () => store.increment('failures', 60));
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.equal(await store.get('failures'), '50');
    });

    it('increment sets the expiry only when the counter is new', async () => {
      const store = await variant.create();
      assert.equal(await store.increment('c', 60), 1);
      assert.equal(await store.increment('c', 1), 2);
      assert.equal(await store.increment('c', 600), 3);
      assert.ok(isWithin(await store.ttl('c'), 59, 60));
    });

    it('keeps a set of distinct members, and an empty list for a missing set', async () => {
      const store = await variant.create();
      assert.deepEqual(await store.members('missing'), []);
      await store.addToSet('s', 'a', 60);
      await store.addToSet('s', 'b', 60);
      await store.addToSet('s', 'a', 60);
      assert.deepEqual((await store.members('s')).sort(), ['a', 'b']);
    });

    it('addToSet only ever lengthens the set expiry', async () => {
      const store = await variant.create();
      await store.addToSet('long-first', 'a', 60);
      await store.addToSet('long-first', 'b', 1);
      assert.ok(isWithin(await store.ttl('long-first'), 59, 60));
      await store.addToSet('short-first', 'a', 1);
      await store.addToSet('short-first', 'b', 60);
      assert.ok(isWithin(await store.ttl('short-first'), 59, 60));
    });

    it('refuses a string operation on a set and the other way round, alike on both backends', async () => {
      const store = await variant.create();
      await store.set('text', 'v', 60);
      await store.addToSet('set', 'm', 60);
      await assert.rejects(store.members('text'), /WRONGTYPE/);
      await assert.rejects(store.addToSet('text', 'm', 60), /WRONGTYPE/);
      await assert.rejects(store.get('set'), /WRONGTYPE/);
      await assert.rejects(store.increment('text', 60), /not an integer/);
      assert.equal(await store.setIfAbsent('set', 'v', 60), false);
    });

    it('forgets every kind of key once its TTL has run out', async () => {
      const store = await variant.create();
      await store.set('value', 'v', 1);
      await store.setIfAbsent('once', 'v', 1);
      await store.increment('counter', 1);
      await store.increment('counter', 1);
      await store.addToSet('set', 'm', 1);
      await sleep(1_100);
      assert.equal(await store.get('value'), undefined);
      assert.equal(await store.ttl('value'), undefined);
      assert.equal(await store.take('value'), undefined);
      assert.equal(await store.setIfAbsent('once', 'again', 60), true);
      assert.equal(await store.increment('counter', 60), 1, 'an expired counter starts over');
      assert.deepEqual(await store.members('set'), []);
    });

    it('rate limiter allows its points per key, then rejects with the wait', async () => {
      const store = await variant.create();
      const limiter = store.rateLimiter({ keyPrefix: 'send', points: 3, duration: 60 });
      for (const remaining of [2, 1, 0]) {
        assert.equal((await limiter.consume('alice')).remainingPoints, remaining);
      }
      await assert.rejects(
        limiter.consume('alice'),
        (res: unknown) => res instanceof RateLimiterRes && res.msBeforeNext > 0 && res.msBeforeNext <= 60_000,
      );
      assert.equal((await limiter.consume('bob')).remainingPoints, 2, 'keys are counted apart');
      await limiter.delete('alice');
      assert.equal((await limiter.consume('alice')).remainingPoints, 2, 'delete resets a key');
    });

    it('rate limiters with different key prefixes never share counts', async () => {
      const store = await variant.create();
      const first = store.rateLimiter({ keyPrefix: 'first', points: 1, duration: 60 });
      const second = store.rateLimiter({ keyPrefix: 'second', points: 1, duration: 60 });
      await first.consume('alice');
      await assert.rejects(first.consume('alice'), RateLimiterRes);
      assert.equal((await second.consume('alice')).remainingPoints, 0);
    });

    const policy = { threshold: 3, lockBaseSeconds: 60, lockMaxSeconds: 600, memorySeconds: 3600 } as const;
    const t0 = 1_780_000_000_000;

    it('reserveAttempt counts attempts, locks from the threshold on with a doubling lock, and refuses while locked', async () => {
      const store = await variant.create();
      assert.deepEqual(await store.reserveAttempt('a', policy, t0), { reserved: true, count: 1, lockedUntil: 0 });
      assert.deepEqual(await store.reserveAttempt('a', policy, t0), { reserved: true, count: 2, lockedUntil: 0 });
      assert.deepEqual(await store.reserveAttempt('a', policy, t0), { reserved: true, count: 3, lockedUntil: t0 + 60_000 });
      assert.deepEqual(await store.reserveAttempt('a', policy, t0 + 59_999), { reserved: false, lockedUntil: t0 + 60_000 });
      assert.deepEqual(await store.attemptState('a'), { count: 3, lockedUntil: t0 + 60_000 }, 'a refused attempt is not counted');
      const t1 = t0 + 60_000;
      assert.deepEqual(await store.reserveAttempt('a', policy, t1), { reserved: true, count: 4, lockedUntil: t1 + 120_000 });
      const t2 = t1 + 120_000;
      assert.deepEqual(await store.reserveAttempt('a', policy, t2), { reserved: true, count: 5, lockedUntil: t2 + 240_000 });
      const t3 = t2 + 240_000;
      assert.deepEqual(await store.reserveAttempt('a', policy, t3), { reserved: true, count: 6, lockedUntil: t3 + 480_000 });
      const t4 = t3 + 480_000;
      assert.deepEqual(await store.reserveAttempt('a', policy, t4), { reserved: true, count: 7, lockedUntil: t4 + 600_000 }, 'up to the maximum');
      assert.ok(isWithin(await store.ttl('a'), 3599, 3600), 'the count is kept memorySeconds after the last attempt');
      assert.deepEqual(await store.attemptState('other'), { count: 0, lockedUntil: 0 });
    });

    it('reserveAttempt lets exactly the policy\'s attempts through a burst, and locks the rest out', async () => {
      const store = await variant.create();
      const results = await race(50, () => store.reserveAttempt('burst', policy, t0));
      const reserved = results.filter((r) => r.reserved);
      assert.equal(reserved.length, policy.threshold, 'the attempt that reaches the threshold locks the others out');
      assert.deepEqual(reserved.map((r) => r.count).sort(), [1, 2, 3]);
      assert.ok(results.filter((r) => !r.reserved).every((r) => r.lockedUntil === t0 + 60_000));
    });

    it('returnAttempt gives one attempt back and lifts only the lock that attempt set', async () => {
      const store = await variant.create();
      await store.reserveAttempt('r', policy, t0);
      const first = await store.reserveAttempt('r', policy, t0);
      assert.ok(first.reserved);
      await store.returnAttempt('r', first);
      assert.deepEqual(await store.attemptState('r'), { count: 1, lockedUntil: 0 });
      await store.reserveAttempt('r', policy, t0);
      const locking = await store.reserveAttempt('r', policy, t0);
      assert.ok(locking.reserved && locking.lockedUntil > 0);
      await store.returnAttempt('r', locking);
      assert.deepEqual(await store.attemptState('r'), { count: 2, lockedUntil: 0 }, 'a right answer lifts the lock its attempt set');
      const again = await store.reserveAttempt('r', policy, t0);
      assert.ok(again.reserved && again.lockedUntil === t0 + 60_000);
      const stale = { reserved: true as const, count: 9, lockedUntil: t0 + 1 };
      await store.returnAttempt('r', stale);
      assert.deepEqual(await store.attemptState('r'), { count: 2, lockedUntil: t0 + 60_000 }, "another attempt's lock stays");
      await store.returnAttempt('gone', stale);
      assert.deepEqual(await store.attemptState('gone'), { count: 0, lockedUntil: 0 }, 'nothing is created');
    });

    it('answers ping', async () => {
      const store = await variant.create();
      await store.ping();
      assert.equal(store.kind, variant.kind);
    });
  });
}
