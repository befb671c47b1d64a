import { randomBytes } from 'node:crypto';
import { createMemoryStore } from '../../src/store/memory.ts';
import { createRedisStore } from '../../src/store/redis.ts';
import type { Store } from '../../src/store/store.ts';
import { deleteKeys } from '../../harness/redis-keys.ts';

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
  readonly name: 'memory' | 'redis';
  /** Set, with the reason, when this backend is not available here: pass it to describe's `skip`. */
  readonly skip: string | undefined;
  /** A new, empty store: every call gets its own key namespace, so tests never see each other's keys. */
  create(): Promise<Store>;
  /** Closes every store this variant created and deletes every Redis key of this run. */
  cleanup(): Promise<void>;
}

/** The in-process store always; Redis too when TEST_REDIS_URL is set. */
export function storeVariants(): StoreVariant[] {
  return [memoryVariant(), redisVariant(process.env.TEST_REDIS_URL)];
}

function memoryVariant(): StoreVariant {
  const created: Store[] = [];
  return {
    name: 'memory',
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
