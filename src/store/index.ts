import type { Config } from '../config.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisStore, type RedisStoreOptions } from './redis.ts';
import type { Store } from './store.ts';

export type { Store } from './store.ts';
export { StoreUnavailableError } from './store.ts';

/** Redis when REDIS_URL is set (any number of instances), otherwise the in-process store (one instance). */
export async function createStore(
  config: Pick<Config, 'redisUrl' | 'redisPrefix'>,
  options: RedisStoreOptions = {},
): Promise<Store> {
  if (config.redisUrl === undefined) return createMemoryStore();
  return createRedisStore(config.redisUrl, config.redisPrefix, options);
}
