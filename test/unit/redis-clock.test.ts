import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisClock } from '../../src/store/redis-clock.ts';

const redisUrl = process.env.TEST_REDIS_URL;

/** Redis's clock minus this process's, as the clock holds it: what every deadline is reckoned from. */
function offsetOf(clock: RedisClock): number {
  return clock.deadline(0) - performance.now();
}

describe('Redis clock', { skip: redisUrl === undefined ? 'set TEST_REDIS_URL to run the Redis variant' : false }, () => {
  it('keeps its sample when a new one waited behind another command, which would set every deadline late', async () => {
    const client = new Redis(redisUrl!, { lazyConnect: true });
    try {
      const clock = new RedisClock(client);
      await client.connect();
      await clock.sample();
      const good = offsetOf(clock);
      assert.ok(Number.isFinite(good) && clock.deadline(0) > 0, 'sampled once the connection was ready');

      // TIME waits on this connection behind a BLPOP that blocks 400 ms: Redis reads its clock at the
      // end of that round trip, 200 ms after its middle.
      const blocked = client.blpop(`redis-clock-test:${randomBytes(6).toString('hex')}`, 0.4);
      await clock.sample();
      assert.equal(await blocked, null);
      assert.ok(Math.abs(offsetOf(clock) - good) < 50, `the slow sample was dropped: offset ${good} → ${offsetOf(clock)} ms`);

      await clock.sample();
      assert.ok(Math.abs(offsetOf(clock) - good) < 50, 'a quick sample agrees with the first');
    } finally {
      client.disconnect();
      if (client.status !== 'end') await once(client, 'end');
    }
  });
});
