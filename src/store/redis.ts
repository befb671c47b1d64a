import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisEndpoint } from '../config.ts';
import { decodeAttempts } from './attempts.ts';
import { RedisClock } from './redis-clock.ts';
import { StoreUnavailableError, type RateLimiterOptions, type Store, type StoreWrite } from './store.ts';
import { assertTtl } from './ttl.ts';

/** Attempts at start before giving up: covers Redis starting alongside us, not a long outage. */
const startAttempts = 3;
const startRetryDelayMs = 300;
const connectTimeoutMs = 2_000;
/** A request waits at most this long for Redis before the page answers 503 instead of hanging. */
const commandTimeoutMs = 2_000;
/**
 * How long before the command timeout a write stops being worth making (lateGuard): room for the
 * clock sample's error (RedisClock keeps it within 50 ms) and for the answer's way back.
 */
const lateWriteMarginMs = 250;
const reconnectDelayMaxMs = 2_000;
/** Bounds a start that neither fails nor becomes ready (e.g. a server stuck loading its data). */
const startDeadlineMs = startAttempts * (connectTimeoutMs + startRetryDelayMs);
/** How long a replicated write waits for its replicas; below commandTimeoutMs, so WAIT answers first. */
const replicaWaitMs = 1_000;

/**
 * The operations whose writes a failover must never undo: a code or token consumed, a TOTP step
 * used, an attempt reserved or a failure counted, a lock set, a session revoked. (Giving an attempt
 * back is not among them: losing that errs towards the lock.) A Sentinel failover promotes a replica,
 * and what the replica had not received is gone; so with `waitReplicas` above 0 each of these runs
 * on a connection of its own, followed by WAIT, and resolves only once that many replicas hold it.
 * When they do not confirm in time it rejects with StoreUnavailableError (the page answers 503), so
 * a write a failover can lose was never acknowledged. An operation opts in by being named here.
 */
const replicatedOperations = [
  'take',
  'takeIfEquals',
  'setIfAbsent',
  'setIfAbsentWhile',
  'raise',
  'increment',
  'del',
  'reserveAttempt',
  'rateLimiter',
] as const satisfies ReadonlyArray<keyof StoreCommands>;

/** The rate limiter methods that write; each opted-in limiter confirms them like any operation above. */
const limiterWrites = new Set(['consume', 'penalty', 'reward', 'block', 'set', 'delete']);

/**
 * The start of every script that writes. ARGV[1] is the moment (ms on Redis's clock, 0 for none)
 * after which the sender no longer waits for the script (RedisClock): a script that reaches Redis
 * later, held up by a write pause during a failover or by a slow network, writes nothing and answers
 * an error starting with LATE, so that a write this server reported as failed never happens
 * afterwards. The script's own arguments follow it, and the body reads them renumbered from 1.
 */
const lateGuard = `local deadline = tonumber(ARGV[1])
if deadline > 0 then
  local now = redis.call('TIME')
  if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > deadline then
    return redis.error_reply('LATE the sender had stopped waiting for this write: nothing was written')
  end
end
local ARGV = {unpack(ARGV, 2)}
`;

const lateReply = /^LATE\b/;

/**
 * Every write is a script starting with lateGuard: each operation that reads then writes, so that
 * Redis runs it without interleaving, and storeCommand for the plain writes (SET, GETDEL, DEL).
 * The expiry scripts only ever add or lengthen an expiry, never shorten or remove one.
 * (bench/peer/floor.ts sends the same scripts, to measure the forms' backend work alone.)
 */
export const storeScripts = {
  // ARGV[1] names the command; it takes KEYS, then the rest of ARGV. Lua's unpack passes at most
  // about 8,000 values (here and in lateGuard): the store's writes name a few keys each.
  storeCommand: {
    lua: `${lateGuard}local args = {}
for i = 1, #KEYS do args[i] = KEYS[i] end
for i = 2, #ARGV do args[#KEYS + i - 1] = ARGV[i] end
return redis.call(ARGV[1], unpack(args))`,
  },
  storeTakeIfEquals: {
    numberOfKeys: 1,
    lua: `${lateGuard}if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  storeIncrement: {
    numberOfKeys: 1,
    lua: `${lateGuard}local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`,
  },
  storeRaise: {
    numberOfKeys: 1,
    lua: `${lateGuard}local held = tonumber(redis.call('GET', KEYS[1]))
if held ~= nil and held >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`,
  },
  // Lua transcriptions of reserveIn and returnIn (src/store/attempts.ts); the value is `<count>.<until ms>`.
  storeReserveAttempt: {
    numberOfKeys: 1,
    lua: `${lateGuard}local count, lockedUntil = 0, 0
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
    lua: `${lateGuard}local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local c, u = string.match(held, '^(%d+)%.(%d+)$')
if not c then return 0 end
local lockedUntil = u
if ARGV[1] ~= '0' and u == ARGV[1] then lockedUntil = '0' end
redis.call('SET', KEYS[1], string.format('%d.%s', math.max(tonumber(c) - 1, 0), lockedUntil), 'KEEPTTL')
return 1`,
  },
  // KEYS are read with MGET; the first value, a JSON object, names in its field ARGV[1] the key
  // ARGV[2] .. that field's value, read too. The key is not among KEYS: this store does not run on
  // Redis Cluster, where every key a script reads must be declared. Flagged as a read (Redis 7), so
  // that it runs while Redis pauses writes, as during a failover: a grant reads its token then and
  // fails at its writes, which leave nothing behind (src/store/request-writes.ts), not at its read.
  storeGetManyWithReference: {
    lua: `#!lua flags=no-writes
local values = redis.call('MGET', unpack(KEYS))
local referenced = false
if values[1] then
  local ok, decoded = pcall(cjson.decode, values[1])
  if ok and type(decoded) == 'table' and type(decoded[ARGV[1]]) == 'string' then
    referenced = redis.call('GET', ARGV[2] .. decoded[ARGV[1]])
  end
end
return {values, referenced}`,
  },
  // A write batch (StoreWrite) in one script rather than a MULTI: Redis runs it as a whole all the
  // same, and the client builds and parses one command instead of one per write plus MULTI and EXEC
  // (BENCHMARKS.md, "Fixes", round 6). ARGV lists the writes, each its kind and arguments; KEYS
  // lists their keys in the same order: 's' value ttl, 'a' member ttl and 'e' ttl take one key,
  // 'm' value two (the owner, then the mark). 'a' adds a member and only ever lengthens the set's
  // expiry; 'm' sets the mark when absent and while the owner exists, expiring with it (at least a
  // second from now). Answers how many marks it set: addToSet and setIfAbsentWhile are batches of one.
  storeWrite: {
    lua: `${lateGuard}local k, a, marked = 1, 1, 0
while a <= #ARGV do
  local op = ARGV[a]
  if op == 's' then
    redis.call('SET', KEYS[k], ARGV[a + 1], 'EX', ARGV[a + 2])
    k, a = k + 1, a + 3
  elseif op == 'a' then
    redis.call('SADD', KEYS[k], ARGV[a + 1])
    if redis.call('TTL', KEYS[k]) < tonumber(ARGV[a + 2]) then redis.call('EXPIRE', KEYS[k], ARGV[a + 2]) end
    k, a = k + 1, a + 3
  elseif op == 'e' then
    redis.call('EXPIRE', KEYS[k], ARGV[a + 1])
    k, a = k + 1, a + 2
  elseif op == 'm' then
    local left = redis.call('PTTL', KEYS[k])
    if left > 0 and redis.call('SET', KEYS[k + 1], ARGV[a + 1], 'PX', math.max(left, 1000), 'NX') then marked = marked + 1 end
    k, a = k + 2, a + 2
  else
    return redis.error_reply('unknown write ' .. op)
  end
end
return marked`,
  },
};

/** The scripts that write take the deadline (see lateGuard) after their keys, before their own arguments. */
export type ScriptedRedis = Redis & {
  /** The number of keys, the keys, the deadline, the command, then its arguments after the keys. */
  storeCommand(...args: Array<string | number>): Promise<unknown>;
  storeTakeIfEquals(key: string, deadline: number, expected: string): Promise<number>;
  storeIncrement(key: string, deadline: number, ttlSeconds: number): Promise<number>;
  /** The number of keys, the keys, the deadline, then the writes (see the script). */
  storeWrite(...args: Array<string | number>): Promise<number>;
  /** The number of keys, the keys, the field and the prefix of the referenced key; [values, referenced value]. */
  storeGetManyWithReference(...args: Array<string | number>): Promise<[Array<string | null>, string | null]>;
  storeRaise(key: string, deadline: number, value: number, ttlSeconds: number): Promise<number>;
  /** [1, count, locked until] when reserved, [0, locked until] when locked; times as decimal strings. */
  storeReserveAttempt(key: string, deadline: number, nowMs: number, threshold: number, lockBase: number, lockMax: number, memory: number): Promise<[number, ...Array<number | string>]>;
  storeReturnAttempt(key: string, deadline: number, lockedUntil: string): Promise<number>;
};

/** What the store does with its data, apart from the connection's own life. */
type StoreCommands = Omit<Store, 'kind' | 'ping' | 'close'>;

export interface RedisStoreOptions {
  /**
   * Told when the connection drops (with the error that came with it) and when it is back. Called
   * once per change rather than once per reconnect attempt, so an outage is one log line, not a flood.
   */
  readonly onConnectionChange?: (connected: boolean, error?: Error) => void;
  /** Replicas that must hold each replicated operation's write before it resolves; 0 (the default) trusts the master alone. */
  readonly waitReplicas?: number;
}

/** Host and port only: the URL may carry a password, which must never reach a log line. */
function describeEndpoint(endpoint: RedisEndpoint): string {
  if (endpoint.kind === 'sentinel') {
    const sentinels = endpoint.sentinels.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`));
    return `the Redis master "${endpoint.name}" of REDIS_SENTINELS=${sentinels.join(',')}`;
  }
  try {
    const parsed = new URL(endpoint.url);
    return `Redis at ${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'} (REDIS_URL)`;
  } catch {
    throw new Error('REDIS_URL is not a valid URL');
  }
}

/** Replies that mean "not now" (a replica, a master still loading or cut off from its replicas), not a bug. */
const outageReplies = /^(READONLY|LOADING|MASTERDOWN|NOREPLICAS|TRYAGAIN)\b/;

/**
 * Redis's own replies (wrong type, script error) are bugs and pass through; anything else means
 * Redis did not answer, or answered that it cannot serve now: an outage.
 */
function classify(error: unknown, where: string): unknown {
  if (error instanceof StoreUnavailableError || error instanceof RateLimiterRes) return error;
  if (error instanceof Error && error.name === 'ReplyError' && !outageReplies.test(error.message)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`${where} is unavailable: ${reason}`, { cause: error });
}

function createClient(endpoint: RedisEndpoint, isStarted: () => boolean): ScriptedRedis {
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Commands never queue while disconnected: they fail now, and the caller answers 503.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => {
      if (isStarted()) return Math.min(attempt * 200, reconnectDelayMaxMs);
      return attempt < startAttempts ? startRetryDelayMs : null;
    },
    // A master demoted by a failover answers READONLY: that command fails (503), and the client asks
    // the Sentinels again for the new master rather than keep writing to a replica.
    reconnectOnError: (error) => outageReplies.test(error.message),
    scripts: storeScripts,
  };
  if (endpoint.kind === 'url') return new Redis(endpoint.url, common) as ScriptedRedis;
  return new Redis({
    ...common,
    sentinels: endpoint.sentinels.map(({ host, port }) => ({ host, port })),
    name: endpoint.name,
    role: 'master',
    password: endpoint.password,
    sentinelPassword: endpoint.sentinelPassword,
    sentinelCommandTimeout: connectTimeoutMs,
    // At start one pass over the Sentinels per attempt; afterwards they are asked again until one answers.
    sentinelRetryStrategy: (attempt) => (isStarted() ? Math.min(attempt * 200, reconnectDelayMaxMs) : null),
  }) as ScriptedRedis;
}

/**
 * Resolves once the client is ready, or rejects with one line naming the variable to check.
 * connect() rejects on the first failed attempt even while retries remain; 'ready' and 'end' tell the outcome.
 */
async function connect(client: Redis, where: string, lastError: () => Error | undefined): Promise<void> {
  let timedOut: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      timedOut = new Error(`no answer within ${startDeadlineMs} ms`);
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
      const reason = ((timedOut ?? lastError())?.message ?? 'connection closed').replace(/\s+/g, ' ');
      reject(new Error(`Cannot connect to ${where}: ${reason}`));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
    client.connect().catch(() => undefined);
  });
}

/** The store's operations on one connection. */
function commandsOn(client: ScriptedRedis, prefix: string, call: <T>(command: () => Promise<T>) => Promise<T>, where: string): StoreCommands {
  const key = (name: string) => prefix + name;
  const clock = new RedisClock(client);
  /**
   * Sends a script that writes with its deadline: the moment this side stops waiting for it, less a
   * margin for the clock sample's error and the answer's way back. A script arriving later writes
   * nothing (lateGuard), and its failure is reported like any outage.
   */
  const guarded = <T>(write: (deadline: number) => Promise<T>): Promise<T> =>
    call(async () => {
      try {
        return await write(clock.deadline(commandTimeoutMs - lateWriteMarginMs));
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ReplyError' && lateReply.test(error.message))) throw error;
        // Redis's clock may have been stepped: the next writes ask it again.
        void clock.sample();
        throw new StoreUnavailableError(`${where}: a write reached Redis after this server had stopped waiting for it, and was not made`, { cause: error });
      }
    });
  const command = (name: 'SET' | 'GETDEL' | 'DEL', keys: readonly string[], ...args: Array<string | number>) =>
    guarded((deadline) => client.storeCommand(keys.length, ...keys.map(key), deadline, name, ...args));
  /** Runs the writes as one storeWrite script; answers how many marks it set. */
  const batch = (writes: readonly StoreWrite[]): Promise<number> => {
    for (const write of writes) if (write.op !== 'setIfAbsentWhile') assertTtl(write.ttlSeconds);
    const keys: string[] = [];
    const args: Array<string | number> = [];
    for (const write of writes) {
      switch (write.op) {
        case 'set':
          keys.push(key(write.key));
          args.push('s', write.value, write.ttlSeconds);
          break;
        case 'addToSet':
          keys.push(key(write.key));
          args.push('a', write.member, write.ttlSeconds);
          break;
        case 'expire':
          keys.push(key(write.key));
          args.push('e', write.ttlSeconds);
          break;
        case 'setIfAbsentWhile':
          keys.push(key(write.owner), key(write.key));
          args.push('m', write.value);
      }
    }
    return guarded((deadline) => client.storeWrite(keys.length, ...keys, deadline, ...args));
  };
  return {
    async get(name) {
      return (await call(() => client.get(key(name)))) ?? undefined;
    },

    async getMany(names) {
      if (names.length === 0) return [];
      const values = await call(() => client.mget(names.map(key)));
      return values.map((value) => value ?? undefined);
    },

    async getManyWithReference(names, field, referencePrefix) {
      const [values, referenced] = await call(() => client.storeGetManyWithReference(names.length, ...names.map(key), field, key(referencePrefix)));
      return { values: values.map((value) => value ?? undefined), referenced: referenced ?? undefined };
    },

    async set(name, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      await command('SET', [name], value, 'EX', ttlSeconds);
    },

    async write(writes) {
      if (writes.length > 0) await batch(writes);
    },

    async setIfAbsentWhile(owner, name, value) {
      return (await batch([{ op: 'setIfAbsentWhile', owner, key: name, value }])) === 1;
    },

    async setIfAbsent(name, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      return (await command('SET', [name], value, 'EX', ttlSeconds, 'NX')) === 'OK';
    },

    async raise(name, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      return (await guarded((deadline) => client.storeRaise(key(name), deadline, value, ttlSeconds))) === 1;
    },

    async take(name) {
      return ((await command('GETDEL', [name])) as string | null) ?? undefined;
    },

    async takeIfEquals(name, expected) {
      return (await guarded((deadline) => client.storeTakeIfEquals(key(name), deadline, expected))) === 1;
    },

    async del(...names) {
      if (names.length === 0) return;
      await command('DEL', names);
    },

    async ttl(name) {
      const seconds = await call(() => client.ttl(key(name)));
      // -2: no such key. -1 (no expiry) cannot happen: every key this store writes expires.
      return seconds === -2 ? undefined : seconds;
    },

    async increment(name, ttlSeconds) {
      assertTtl(ttlSeconds);
      return guarded((deadline) => client.storeIncrement(key(name), deadline, ttlSeconds));
    },

    async reserveAttempt(name, policy, nowMs) {
      assertTtl(policy.memorySeconds);
      const reply = await guarded((deadline) =>
        client.storeReserveAttempt(key(name), deadline, nowMs, policy.threshold, policy.lockBaseSeconds, policy.lockMaxSeconds, policy.memorySeconds),
      );
      if (reply[0] === 0) return { reserved: false, lockedUntil: Number(reply[1]) };
      return { reserved: true, count: Number(reply[1]), lockedUntil: Number(reply[2]) };
    },

    async returnAttempt(name, reservation) {
      await guarded((deadline) => client.storeReturnAttempt(key(name), deadline, String(reservation.lockedUntil)));
    },

    async attemptState(name) {
      return decodeAttempts((await call(() => client.get(key(name)))) ?? undefined);
    },

    async addToSet(name, member, ttlSeconds) {
      await batch([{ op: 'addToSet', key: name, member, ttlSeconds }]);
    },

    async members(name) {
      return call(() => client.smembers(key(name)));
    },

    // The one writer without a deadline: the limiter sends its own script. A point it counts after
    // its request answered 503 counts a request that was in fact made, towards the limit.
    rateLimiter(limiter: RateLimiterOptions) {
      const redisLimiter = new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: false,
        keyPrefix: key(limiter.keyPrefix),
        points: limiter.points,
        duration: limiter.duration,
      });
      return withLimiterErrors(redisLimiter, where);
    },
  };
}

/** The limiter's methods, with each outage reported as StoreUnavailableError like every other operation. */
function withLimiterErrors(limiter: RateLimiterAbstract, where: string): RateLimiterAbstract {
  return wrapMethods(limiter, () => true, (method) => async (...args) => {
    try {
      return await method(...args);
    } catch (error) {
      throw classify(error, where);
    }
  });
}

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/** The object with each of its methods that `select` picks replaced by `wrap` of it. */
function wrapMethods<T extends object>(target: T, select: (name: string) => boolean, wrap: (method: AsyncMethod) => AsyncMethod): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !select(property)) return value;
      return wrap((...args) => (value as AsyncMethod).apply(object, args));
    },
  });
}

/**
 * The replicated operations of `commands`, each confirmed by `confirm` once it has written: after
 * it resolves, and for a limiter also after a refusal (a RateLimiterRes), which wrote too.
 */
function confirming(commands: StoreCommands, confirm: () => Promise<void>): Pick<StoreCommands, (typeof replicatedOperations)[number]> {
  const confirmed = <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await operation(...args);
      await confirm();
      return result;
    };
  const entries = replicatedOperations.map((name) => {
    if (name === 'rateLimiter') {
      const rateLimiter = (options: RateLimiterOptions) =>
        wrapMethods(commands.rateLimiter(options), (method) => limiterWrites.has(method), (method) => async (...args) => {
          try {
            return await confirmed(method)(...args);
          } catch (error) {
            if (error instanceof RateLimiterRes) await confirm();
            throw error;
          }
        });
      return [name, rateLimiter] as const;
    }
    return [name, confirmed(commands[name] as AsyncMethod)] as const;
  });
  return Object.fromEntries(entries) as Pick<StoreCommands, (typeof replicatedOperations)[number]>;
}

/**
 * The commands with the replicated operations run on their own connection and confirmed. A write
 * batch that marks something used (the token endpoint's: src/store/request-writes.ts) is confirmed
 * as the mark alone would be; other batches are not, as before.
 */
function withConfirmedWrites(plain: StoreCommands, replicated: StoreCommands, confirm: () => Promise<void>): StoreCommands {
  return {
    ...plain,
    ...confirming(replicated, confirm),
    async write(writes) {
      if (!writes.some((write) => write.op === 'setIfAbsentWhile')) return plain.write(writes);
      await replicated.write(writes);
      await confirm();
    },
  };
}

/**
 * Connects to Redis (a REDIS_URL, or the master its Sentinels name) and resolves once it answers, or
 * rejects with one line naming the variable to check. After that, the client reconnects forever in
 * the background (following the master through a failover) while every command made during an
 * outage rejects at once with StoreUnavailableError.
 */
export async function createRedisStore(target: RedisEndpoint | string, prefix: string, options: RedisStoreOptions = {}): Promise<Store> {
  const endpoint: RedisEndpoint = typeof target === 'string' ? { kind: 'url', url: target } : target;
  const where = describeEndpoint(endpoint);
  const waitReplicas = options.waitReplicas ?? 0;
  let started = false;
  const main = createClient(endpoint, () => started);
  // The replicated operations' own connection: WAIT holds up every command behind it on its connection.
  const replicated = waitReplicas > 0 ? createClient(endpoint, () => started) : undefined;
  const clients = replicated === undefined ? [main] : [main, replicated];

  const lastErrors = new Map<Redis, Error | undefined>();
  // Without a listener ioredis prints every failed attempt to stderr; the outcome is reported instead.
  for (const client of clients) client.on('error', (error: Error) => lastErrors.set(client, error));

  try {
    await Promise.all(clients.map((client) => connect(client, where, () => lastErrors.get(client))));
  } catch (error) {
    for (const client of clients) client.disconnect();
    throw error;
  }
  started = true;
  const watcher = watchConnections(clients, lastErrors, options.onConnectionChange);

  const call = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw classify(error, where);
    }
  };

  const plain = commandsOn(main, prefix, call, where);
  const commands: StoreCommands = replicated === undefined ? plain : withConfirmedWrites(plain, commandsOn(replicated, prefix, call, where), async () => {
    const confirmed = await call(() => replicated.wait(waitReplicas, replicaWaitMs));
    if (confirmed < waitReplicas) {
      throw new StoreUnavailableError(`${where}: ${confirmed} of ${waitReplicas} replica(s) confirmed a write within ${replicaWaitMs} ms (SSO_REDIS_WAIT_REPLICAS)`);
    }
  });

  return {
    kind: 'redis',
    ...commands,

    async ping() {
      await Promise.all(clients.map((client) => call(() => client.ping())));
    },

    async close() {
      watcher.stop();
      await Promise.all(
        clients.map(async (client) => {
          try {
            await client.quit();
          } catch {
            // Redis is already gone: nothing left to flush, just stop reconnecting.
            client.disconnect();
          }
        }),
      );
    },
  };
}

/**
 * Reports when the store stops having every connection ready, and when it has them all again,
 * until stopped (a closing store is not an outage).
 */
function watchConnections(
  clients: readonly Redis[],
  lastErrors: Map<Redis, Error | undefined>,
  onChange: RedisStoreOptions['onConnectionChange'],
): { stop(): void } {
  const ready = new Set(clients);
  let stopped = false;
  for (const client of clients) {
    lastErrors.set(client, undefined);
    client.on('close', () => {
      const wasConnected = ready.size === clients.length;
      ready.delete(client);
      if (wasConnected && !stopped) onChange?.(false, lastErrors.get(client));
    });
    client.on('ready', () => {
      lastErrors.set(client, undefined);
      ready.add(client);
      if (ready.size === clients.length && !stopped) onChange?.(true);
    });
  }
  return {
    stop() {
      stopped = true;
    },
  };
}
