import { randomBytes } from 'node:crypto';
import { createMemoryStore } from '../../src/store/memory.ts';
import { createRedisStore } from '../../src/store/redis.ts';
import type { Store } from '../../src/store/store.ts';
import { deleteKeys } from '../../harness/redis-keys.ts';
import { sentinelSkip, startReplicatedRedis } from './redis-sentinel.ts';

export { deleteKeys };

/**
 * One backend to run a suite against. Typical use:
 *
 *   for (const variant of storeVariants()) {
 *     describe(`thing (${variant.name})`, { skip: variant.skip }, () => {
 *       after(() => variant.cleanup());
 *       it('...', async () => { const store = await variant.create(); ... });
 *     });
 *   }
 */
export interface StoreVariant {
  readonly name: 'memory' | 'redis' | 'redis, writes confirmed by a replica';
  /** The Store's `kind`. */
  readonly kind: Store['kind'];
  /** Set, with the reason, when this backend is not available here: pass it to describe's `skip`. */
  readonly skip: string | undefined;
  /** A new, empty store: every call gets its own key namespace, so tests never see each other's keys. */
  create(): Promise<Store>;
  /** Closes every store this variant created and deletes every Redis key of this run. */
  cleanup(): Promise<void>;
}

/**
 * The in-process store always; with TEST_REDIS_URL set, Redis too, and a Redis of the test's own
 * with a replica, whose replicated operations wait for it (SSO_REDIS_WAIT_REPLICAS=1).
 */
export function storeVariants(): StoreVariant[] {
  return [memoryVariant(), redisVariant(process.env.TEST_REDIS_URL), replicatedVariant(process.env.TEST_REDIS_URL !== undefined)];
}

function memoryVariant(): StoreVariant {
  const created: Store[] = [];
  return {
    name: 'memory',
    kind: 'memory',
    skip: undefined,
    async create() {
      const store = createMemoryStore();
      created.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(created.splice(0).map((store) => store.close()));
    },
  };
}

function redisVariant(url: string | undefined): StoreVariant {
  const runPrefix = `test:${randomBytes(6).toString('hex')}:`;
  const created: Store[] = [];
  let namespaces = 0;
  return {
    name: 'redis',
    kind: 'redis',
    skip: url === undefined ? 'set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run the Redis variant' : undefined,
    async create() {
      if (url === undefined) throw new Error('TEST_REDIS_URL is not set');
      namespaces += 1;
      const store = await createRedisStore(url, `${runPrefix}${namespaces}:`);
      created.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(created.splice(0).map((store) => store.close()));
      if (url !== undefined) await deleteKeys(url, runPrefix);
    },
  };
}

function replicatedVariant(wanted: boolean): StoreVariant {
  const created: Store[] = [];
  let redis: ReturnType<typeof startReplicatedRedis> | undefined;
  let namespaces = 0;
  return {
    name: 'redis, writes confirmed by a replica',
    kind: 'redis',
    skip: !wanted ? 'set TEST_REDIS_URL to run the Redis variants' : sentinelSkip || undefined,
    async create() {
      redis ??= startReplicatedRedis();
      namespaces += 1;
      const store = await createRedisStore((await redis).url, `test:${namespaces}:`, { waitReplicas: 1 });
      created.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(created.splice(0).map((store) => store.close()));
      await (await redis?.catch(() => undefined))?.stop();
      redis = undefined;
    },
  };
}
