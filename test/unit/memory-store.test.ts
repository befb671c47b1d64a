import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../src/store/memory.ts';

/** The expiry rules Redis applies, checked on the in-process store with a clock the test moves. */
describe('memory store expiry', () => {
  const clockedStore = () => {
    const clock = { now: 1_000_000 };
    return { clock, store: createMemoryStore({ now: () => clock.now }) };
  };

  it('keeps a key until the last millisecond of its TTL and not a millisecond longer', async () => {
    const { clock, store } = clockedStore();
    try {
      await store.set('k', 'v', 2);
      clock.now += 1_999;
      assert.equal(await store.get('k'), 'v');
      clock.now += 1;
      assert.equal(await store.get('k'), undefined);
      assert.equal(await store.ttl('k'), undefined);
    } finally {
      await store.close();
    }
  });

  it('rounds the seconds left like Redis does', async () => {
    const { clock, store } = clockedStore();
    try {
      await store.set('k', 'v', 10);
      clock.now += 4_400;
      assert.equal(await store.ttl('k'), 6);
      clock.now += 200;
      assert.equal(await store.ttl('k'), 5);
    } finally {
      await store.close();
    }
  });

  it('lets setIfAbsent, increment and addToSet start afresh on an expired key', async () => {
    const { clock, store } = clockedStore();
    try {
      await store.set('once', 'old', 1);
      await store.increment('counter', 1);
      await store.addToSet('set', 'old', 1);
      clock.now += 1_000;
      assert.equal(await store.setIfAbsent('once', 'new', 60), true);
      assert.equal(await store.increment('counter', 60), 1);
      await store.addToSet('set', 'new', 60);
      assert.deepEqual(await store.members('set'), ['new']);
      assert.equal(await store.ttl('set'), 60);
    } finally {
      await store.close();
    }
  });
});
