import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/store/redis.ts';
import { StoreUnavailableError } from '../../src/store/store.ts';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { sentinelSkip, startPrivateRedis, startReplicatedRedis } from '../helpers/redis-sentinel.ts';
import { deleteKeys } from '../helpers/stores.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const redisUrl = process.env.TEST_REDIS_URL;

describe('Redis store start', () => {
  it('rejects within seconds, in one line naming REDIS_URL and no password, when Redis is unreachable', async () => {
    const started = Date.now();
    await assert.rejects(createRedisStore('redis://operator:hunter2@127.0.0.1:1', 'test:'), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\): .*ECONNREFUSED/);
      assert.doesNotMatch(error.message, /\n/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  });
});

describe('Redis store', { skip: redisUrl === undefined ? 'set TEST_REDIS_URL to run the Redis variant' : false }, () => {
  const url = redisUrl!;
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  after(() => deleteKeys(url, prefix));

  it('keeps every key, the rate limiter ones included, under its own prefix', async () => {
    const first = await createRedisStore(url, `${prefix}first:`);
    const second = await createRedisStore(url, `${prefix}second:`);
    const raw = new Redis(url);
    try {
      await first.set('k', 'v', 60);
      await first.rateLimiter({ keyPrefix: 'login', points: 5, duration: 60 }).consume('alice');
      assert.equal(await second.get('k'), undefined);
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await raw.scan(cursor, 'MATCH', `${prefix}*`);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
      assert.deepEqual(keys.sort(), [`${prefix}first:k`, `${prefix}first:login:alice`]);
    } finally {
      await Promise.all([first.close(), second.close(), raw.quit()]);
    }
  });

  it('fails fast with StoreUnavailableError during an outage and recovers by itself', async () => {
    const target = new URL(url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const changes = new EventEmitter();
    const proxied = new URL(url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const store = await createRedisStore(proxied.href, `${prefix}outage:`, {
      onConnectionChange: (connected) => changes.emit('change', connected),
    });
    try {
      await store.set('k', 'v', 60);

      const lost = once(changes, 'change');
      await proxy.cut();
      assert.deepEqual(await lost, [false]);

      const failing = Date.now();
      await assert.rejects(store.get('k'), StoreUnavailableError);
      await assert.rejects(store.ping(), StoreUnavailableError);
      await assert.rejects(store.increment('c', 60), StoreUnavailableError);
      assert.ok(Date.now() - failing < 500, `commands waited ${Date.now() - failing} ms`);

      const back = once(changes, 'change');
      await proxy.restore();
      assert.deepEqual(await back, [true]);
      assert.equal(await store.get('k'), 'v');
      await store.ping();
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('passes Redis errors through unchanged: they are bugs, not outages', async () => {
    const store = await createRedisStore(url, `${prefix}errors:`);
    try {
      await store.set('text', 'v', 60);
      await assert.rejects(store.members('text'), (error: unknown) => {
        assert.ok(error instanceof Error && !(error instanceof StoreUnavailableError));
        assert.match(error.message, /WRONGTYPE/);
        return true;
      });
    } finally {
      await store.close();
    }
  });

  it('rejects ping once closed', async () => {
    const store = await createRedisStore(url, `${prefix}closed:`);
    await store.close();
    await assert.rejects(store.ping(), StoreUnavailableError);
  });
});

describe('Redis store while Redis pauses writes', { skip: sentinelSkip || (redisUrl === undefined ? 'set TEST_REDIS_URL to run the Redis variant' : false) }, () => {
  // CLIENT PAUSE stops every client of a server: a Redis of this test's own.
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(() => redis?.stop());

  it('reads its token with its grant, and a write batch held up past the wait writes nothing when Redis runs it later', async () => {
    const store = await createRedisStore(redis.url, 'paused:');
    try {
      await store.write([{ op: 'set', key: 'grant', value: 'g', ttlSeconds: 60 }, { op: 'set', key: 'token', value: JSON.stringify({ grantId: 'grant' }), ttlSeconds: 60 }]);
      // The store asked Redis for its clock when it was made, on this same connection: once these
      // writes have answered, so has it, and the batches below carry a deadline on that clock.
      await store.write([{ op: 'expire', key: 'grant', ttlSeconds: 60 }]);
      await redis.admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
      try {
        const read = await store.getManyWithReference(['token'], 'grantId', '');
        assert.equal(read.referenced, 'g', 'a read runs while writes are paused');
        const batches = Array.from({ length: 5 }, (_, n) => store.write([{ op: 'set', key: `late-${n}`, value: 'v', ttlSeconds: 60 }, { op: 'setIfAbsentWhile', owner: 'grant', key: `mark-${n}`, value: 'used' }]));
        for (const batch of batches) await assert.rejects(batch, StoreUnavailableError);
      } finally {
        await redis.admin.call('CLIENT', 'UNPAUSE');
      }
      // The batches reach Redis now, after their sender stopped waiting: each refuses itself.
      await store.ping();
      assert.deepEqual(await redis.admin.keys('paused:late-*'), [], 'no write of a refused batch was made');
      assert.deepEqual(await redis.admin.keys('paused:mark-*'), [], 'nor any of its marks');
      await store.write([{ op: 'set', key: 'after', value: 'v', ttlSeconds: 60 }]);
      assert.equal(await store.get('after'), 'v', 'writes go on once Redis does');
    } finally {
      await store.close();
    }
  });

  it('answers a write that reaches Redis past its deadline but within the wait as the outage it is, not as a bug', async () => {
    const store = await createRedisStore(redis.url, 'paused-late:');
    try {
      // Answered behind the store's first sample of Redis's clock, on the same connection.
      await store.set('sampled', 'v', 60);
      // Paused for 1.88 s: the write runs after its deadline (2 s less the 250 ms margin) and its
      // refusal comes back before ioredis stops waiting at 2 s. Which of the two a loaded machine
      // sees first is up to its scheduler, so a few tries, until one refusal arrives in time.
      const late = /a write reached Redis after this server had stopped waiting for it/;
      let refusedInTime = 0;
      for (let attempt = 0; attempt < 5 && refusedInTime === 0; attempt += 1) {
        await redis.admin.call('CLIENT', 'PAUSE', '1880', 'WRITE');
        await assert.rejects(store.set(`late-${attempt}`, 'v', 60), (error: unknown) => {
          assert.ok(error instanceof StoreUnavailableError, `an outage, not a bug: ${String(error)}`);
          if (late.test(error.message)) refusedInTime += 1;
          return true;
        });
      }
      assert.equal(refusedInTime, 1, 'a refusal came back within the wait');
      assert.deepEqual(await redis.admin.keys('paused-late:late-*'), [], 'and nothing was written');
    } finally {
      await store.close();
    }
  });

  it('refuses a burst of every other kind of write held up past the wait, and makes none of them when Redis runs them later', async () => {
    const store = await createRedisStore(redis.url, 'paused-each:');
    const policy = { threshold: 10, lockBaseSeconds: 60, lockMaxSeconds: 900, memorySeconds: 3_600 };
    try {
      await Promise.all([store.set('taken', 'code', 60), store.set('taken-if', 'code', 60), store.set('deleted', 'v', 60), store.set('raised', '5', 60)]);
      const reservation = await store.reserveAttempt('returned', policy, Date.now());
      assert.ok(reservation.reserved);
      const burst = () => [
        store.set('set', 'v', 60),
        store.setIfAbsent('absent', 'v', 60),
        store.raise('raised', 10, 60),
        store.take('taken'),
        store.takeIfEquals('taken-if', 'code'),
        store.del('deleted'),
        store.increment('counted', 60),
        store.reserveAttempt('reserved', policy, Date.now()),
        store.returnAttempt('returned', reservation),
        store.addToSet('members', 'm', 60),
      ];
      await redis.admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
      try {
        const writes = [...burst(), ...burst(), ...burst()];
        for (const write of writes) await assert.rejects(write, StoreUnavailableError);
      } finally {
        await redis.admin.call('CLIENT', 'UNPAUSE');
      }
      // Read on the store's own connection, behind the writes the pause held up.
      assert.deepEqual(await store.getMany(['set', 'absent', 'raised', 'taken', 'taken-if', 'deleted', 'counted', 'reserved']), [undefined, undefined, '5', 'code', 'code', 'v', undefined, undefined], 'no refused write was made');
      assert.equal((await store.attemptState('returned')).count, 1, 'the attempt was not given back');
      assert.deepEqual(await store.members('members'), [], 'no member was added');
      assert.equal(await store.take('taken'), 'code', 'writes go on once Redis does');
    } finally {
      await store.close();
    }
  });
});

describe('Redis store with replicas', { skip: sentinelSkip || (redisUrl === undefined ? 'set TEST_REDIS_URL to run the Redis variant' : false) }, () => {
  let redis: Awaited<ReturnType<typeof startReplicatedRedis>>;
  before(async () => {
    redis = await startReplicatedRedis();
  });
  after(() => redis?.stop());

  it('confirms the replicated operations with WAIT, and refuses them when too few replicas hold the write', async () => {
    const confirmed = await createRedisStore(redis.url, 'confirmed:', { waitReplicas: 1 });
    // One replica exists: waiting for two can never be satisfied.
    const unconfirmed = await createRedisStore(redis.url, 'unconfirmed:', { waitReplicas: 2 });
    const replica = new Redis(redis.replicaUrl);
    try {
      await confirmed.set('code', 'v', 60);
      assert.equal(await confirmed.takeIfEquals('code', 'v'), true);
      assert.equal(await replica.exists('confirmed:code'), 0, 'the replica held the take when it was acknowledged');
      await assert.rejects(confirmed.rateLimiter({ keyPrefix: 'limit', points: 1, duration: 60 }).consume('a', 2), RateLimiterRes, 'a refusal still answers as a refusal');

      await unconfirmed.set('code', 'v', 60);
      assert.equal(await unconfirmed.get('code'), 'v', 'operations not replicated do not wait');
      const refused = (error: unknown) => error instanceof StoreUnavailableError && /1 of 2 replica\(s\) confirmed a write/.test(error.message);
      await assert.rejects(unconfirmed.takeIfEquals('code', 'v'), refused);
      await assert.rejects(unconfirmed.raise('step', 5, 60), refused);
      await assert.rejects(unconfirmed.increment('tries', 60), refused);
      await assert.rejects(unconfirmed.rateLimiter({ keyPrefix: 'limit', points: 1, duration: 60 }).penalty('a'), refused);
      await assert.rejects(unconfirmed.rateLimiter({ keyPrefix: 'limit', points: 1, duration: 60 }).consume('b', 2), refused, 'a refusal too waits for its write');
      await unconfirmed.write([{ op: 'set', key: 'token', value: 't', ttlSeconds: 60 }]);
      assert.equal(await unconfirmed.get('token'), 't', 'a write batch that marks nothing does not wait');
      await assert.rejects(
        unconfirmed.write([{ op: 'setIfAbsentWhile', owner: 'token', key: 'token-used', value: '1' }, { op: 'set', key: 'next', value: 'n', ttlSeconds: 60 }]),
        refused,
        'a batch that marks a token used waits as the mark alone does',
      );
      await confirmed.set('token', 't', 60);
      await confirmed.write([{ op: 'setIfAbsentWhile', owner: 'token', key: 'token-used', value: '1' }]);
      assert.equal(await replica.get('confirmed:token-used'), '1', 'the replica held the mark when it was acknowledged');
    } finally {
      replica.disconnect();
      await Promise.all([confirmed.close(), unconfirmed.close()]);
    }
  });

  it('answers a replica\'s READONLY as an outage, not a bug', async () => {
    const store = await createRedisStore(redis.replicaUrl, 'readonly:');
    try {
      await assert.rejects(store.set('k', 'v', 60), (error: unknown) => error instanceof StoreUnavailableError && /READONLY/.test(error.message));
      await assert.rejects(store.rateLimiter({ keyPrefix: 'limit', points: 1, duration: 60 }).penalty('a'), StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});

