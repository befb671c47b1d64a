import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { decodeAttempts } from './attempts.ts';
import { StoreUnavailableError, type RateLimiterOptions, type Store } from './store.ts';
import { assertTtl } from './ttl.ts';

/** Attempts at start before giving up: covers Redis starting alongside us, not a long outage. */
const startAttempts = 3;
const startRetryDelayMs = 300;
const connectTimeoutMs = 2_000;
/** A request waits at most this long for Redis before the page answers 503 instead of hanging. */
const commandTimeoutMs = 2_000;
const reconnectDelayMaxMs = 2_000;
/** Bounds a start that neither fails nor becomes ready (e.g. a server stuck loading its data). */
const startDeadlineMs = startAttempts * (connectTimeoutMs + startRetryDelayMs);

/**
 * Each operation that reads then writes is one script, so Redis runs it without interleaving.
 * The expiry scripts only ever add or lengthen an expiry, never shorten or remove one.
 */
const scripts = {
  storeTakeIfEquals: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  storeIncrement: {
    numberOfKeys: 1,
    lua: `local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`,
  },
  storeAddToSet: {
    numberOfKeys: 1,
    lua: `redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1`,
  },
  storeRaise: {
    numberOfKeys: 1,
    lua: `local held = tonumber(redis.call('GET', KEYS[1]))
if held ~= nil and held >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`,
  },
  // Lua transcriptions of reserveIn and returnIn (src/store/attempts.ts); the value is `<count>.<until ms>`.
  storeReserveAttempt: {
    numberOfKeys: 1,
    lua: `local count, lockedUntil = 0, 0
local held = redis.call('GET', KEYS[1])
if held then
  local c, u = string.match(held, '^(%d+)%.(%d+)$')
  if c then count, lockedUntil = tonumber(c), tonumber(u) end
end
local now = tonumber(ARGV[1])
if lockedUntil > now then return {0, string.format('%d', lockedUntil)} end
count = count + 1
local threshold = tonumber(ARGV[2])
local lock = 0
if count >= threshold then
  lock = now + math.min(tonumber(ARGV[3]) * 2 ^ (count - threshold), tonumber(ARGV[4])) * 1000
end
redis.call('SET', KEYS[1], string.format('%d.%d', count, lock), 'EX', ARGV[5])
return {1, count, string.format('%d', lock)}`,
  },
  storeReturnAttempt: {
    numberOfKeys: 1,
    lua: `local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local c, u = string.match(held, '^(%d+)%.(%d+)$')
if not c then return 0 end
local lockedUntil = u
if ARGV[1] ~= '0' and u == ARGV[1] then lockedUntil = '0' end
redis.call('SET', KEYS[1], string.format('%d.%s', math.max(tonumber(c) - 1, 0), lockedUntil), 'KEEPTTL')
return 1`,
  },
  storeSetIfAbsentWhile: {
    numberOfKeys: 2,
    lua: `local left = redis.call('PTTL', KEYS[1])
if left <= 0 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'PX', math.max(left, 1000), 'NX') then return 1 end
return 0`,
  },
};

type ScriptedRedis = Redis & {
  storeTakeIfEquals(key: string, expected: string): Promise<number>;
  storeIncrement(key: string, ttlSeconds: number): Promise<number>;
  storeAddToSet(key: string, member: string, ttlSeconds: number): Promise<number>;
  storeSetIfAbsentWhile(owner: string, key: string, value: string): Promise<number>;
  storeRaise(key: string, value: number, ttlSeconds: number): Promise<number>;
  /** [1, count, locked until] when reserved, [0, locked until] when locked; times as decimal strings. */
  storeReserveAttempt(key: string, nowMs: number, threshold: number, lockBase: number, lockMax: number, memory: number): Promise<[number, ...Array<number | string>]>;
  storeReturnAttempt(key: string, lockedUntil: string): Promise<number>;
};

/** The MULTI of a write batch, with the scripted commands the client defines. */
type ScriptedMulti = ReturnType<Redis['multi']> & {
  storeAddToSet(key: string, member: string, ttlSeconds: number): ScriptedMulti;
};

export interface RedisStoreOptions {
  /**
   * Told when the connection drops (with the error that came with it) and when it is back. Called
   * once per change rather than once per reconnect attempt, so an outage is one log line, not a flood.
   */
  readonly onConnectionChange?: (connected: boolean, error?: Error) => void;
}

/** Host and port only: the URL may carry a password, which must never reach a log line. */
function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    throw new Error('REDIS_URL is not a valid URL');
  }
}

/**
 * Connects to Redis and resolves once it answers, or rejects with one line naming REDIS_URL.
 * After that, the client reconnects forever in the background while every command made during an
 * outage rejects at once with StoreUnavailableError.
 */
export async function createRedisStore(url: string, prefix: string, options: RedisStoreOptions = {}): Promise<Store> {
  const where = describeRedisUrl(url);
  let started = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Commands never queue while disconnected: they fail now, and the caller answers 503.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => {
      if (started) return Math.min(attempt * 200, reconnectDelayMaxMs);
      return attempt < startAttempts ? startRetryDelayMs : null;
    },
    scripts,
  }) as ScriptedRedis;

  let lastError: Error | undefined;
  let connected = false;
  // Without a listener ioredis prints every failed attempt to stderr; the outcome is reported instead.
  client.on('error', (error: Error) => {
    lastError = error;
  });

  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      lastError = new Error(`no answer within ${startDeadlineMs} ms`);
      client.disconnect();
    }, startDeadlineMs);
    const onReady = () => {
      clearTimeout(deadline);
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      clearTimeout(deadline);
      client.off('ready', onReady);
      const reason = (lastError?.message ?? 'connection closed').replace(/\s+/g, ' ');
      reject(new Error(`Cannot connect to Redis at ${where} (REDIS_URL): ${reason}`));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
    // connect() rejects on the first failed attempt even while retries remain; 'ready' and 'end' tell the outcome.
    client.connect().catch(() => undefined);
  });
  started = true;
  connected = true;
  lastError = undefined;
  client.on('close', () => {
    if (!connected) return;
    connected = false;
    options.onConnectionChange?.(false, lastError);
  });
  client.on('ready', () => {
    connected = true;
    lastError = undefined;
    options.onConnectionChange?.(true);
  });

  const key = (name: string) => prefix + name;

  /** Redis's own replies (wrong type, script error) are bugs and pass through; anything else is an outage. */
  const call = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`Redis at ${where} is unavailable: ${reason}`, { cause: error });
    }
  };

  return {
    kind: 'redis',

    async get(name) {
      return (await call(() => client.get(key(name)))) ?? undefined;
    },

    async getMany(names) {
      if (names.length === 0) return [];
      const values = await call(() => client.mget(names.map(key)));
      return values.map((value) => value ?? undefined);
    },

    async set(name, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      await call(() => client.set(key(name), value, 'EX', ttlSeconds));
    },

    async write(writes) {
      if (writes.length === 0) return;
      for (const write of writes) assertTtl(write.ttlSeconds);
      const multi = client.multi() as ScriptedMulti;
      for (const write of writes) {
        if (write.op === 'set') multi.set(key(write.key), write.value, 'EX', write.ttlSeconds);
        else if (write.op === 'addToSet') multi.storeAddToSet(key(write.key), write.member, write.ttlSeconds);
        else multi.expire(key(write.key), write.ttlSeconds);
      }
      const results = await call(() => multi.exec());
      // EXEC answers per command: a command refused inside the transaction is a bug, not an outage.
      const failed = results?.find(([error]) => error !== null);
      if (failed !== undefined) throw failed[0];
    },

    async setIfAbsentWhile(owner, name, value) {
      return (await call(() => client.storeSetIfAbsentWhile(key(owner), key(name), value))) === 1;
    },

    async setIfAbsent(name, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      return (await call(() => client.set(key(name), value, 'EX', ttlSeconds, 'NX'))) === 'OK';
    },

    async raise(name, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      return (await call(() => client.storeRaise(key(name), value, ttlSeconds))) === 1;
    },

    async take(name) {
      return (await call(() => client.getdel(key(name)))) ?? undefined;
    },

    async takeIfEquals(name, expected) {
      return (await call(() => client.storeTakeIfEquals(key(name), expected))) === 1;
    },

    async del(...names) {
      if (names.length === 0) return;
      await call(() => client.del(...names.map(key)));
    },

    async ttl(name) {
      const seconds = await call(() => client.ttl(key(name)));
      // -2: no such key. -1 (no expiry) cannot happen: every key this store writes expires.
      return seconds === -2 ? undefined : seconds;
    },

    async increment(name, ttlSeconds) {
      assertTtl(ttlSeconds);
      return call(() => client.storeIncrement(key(name), ttlSeconds));
    },

    async reserveAttempt(name, policy, nowMs) {
      assertTtl(policy.memorySeconds);
      const reply = await call(() =>
        client.storeReserveAttempt(key(name), nowMs, policy.threshold, policy.lockBaseSeconds, policy.lockMaxSeconds, policy.memorySeconds),
      );
      if (reply[0] === 0) return { reserved: false, lockedUntil: Number(reply[1]) };
      return { reserved: true, count: Number(reply[1]), lockedUntil: Number(reply[2]) };
    },

    async returnAttempt(name, reservation) {
      await call(() => client.storeReturnAttempt(key(name), String(reservation.lockedUntil)));
    },

    async attemptState(name) {
      return decodeAttempts((await call(() => client.get(key(name)))) ?? undefined);
    },

    async addToSet(name, member, ttlSeconds) {
      assertTtl(ttlSeconds);
      await call(() => client.storeAddToSet(key(name), member, ttlSeconds));
    },

    async members(name) {
      return call(() => client.smembers(key(name)));
    },

    rateLimiter(limiter: RateLimiterOptions) {
      return new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: false,
        keyPrefix: key(limiter.keyPrefix),
        points: limiter.points,
        duration: limiter.duration,
      });
    },

    async ping() {
      await call(() => client.ping());
    },

    async close() {
      connected = false;
      try {
        await client.quit();
      } catch {
        // Redis is already gone: nothing left to flush, just stop reconnecting.
        client.disconnect();
      }
    },
  };
}
