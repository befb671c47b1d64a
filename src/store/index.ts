import type { Config } from '../config.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisStore, type RedisStoreOptions } from './redis.ts';
import type { Store } from './store.ts';

export type { Store } from './store.ts';
export { StoreUnavailableError } from './store.ts';

/**
 * Redis when REDIS_URL or REDIS_SENTINELS is set (any number of instances), otherwise the
 * in-process store (one instance).
 */
export async function createStore(
  config: Pick<Config, 'redis' | 'redisPrefix' | 'redisWaitReplicas'>,
  options: Pick<RedisStoreOptions, 'onConnectionChange'> = {},
): Promise<Store> {
  if (config.redis === undefined) return createMemoryStore();
  return createRedisStore(config.redis, config.redisPrefix, { ...options, waitReplicas: config.redisWaitReplicas });
}
