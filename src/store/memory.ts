import { RateLimiterMemory } from 'rate-limiter-flexible';
import { decodeAttempts, encodeAttempts, reserveIn, returnIn } from './attempts.ts';
import type { RateLimiterOptions, Store } from './store.ts';
import { assertTtl } from './ttl.ts';

type Entry =
  | { readonly kind: 'string'; value: string; expiresAt: number }
  | { readonly kind: 'set'; readonly members: Set<string>; expiresAt: number };

/** Expired entries are dropped when read; the sweep only bounds memory held by keys nobody reads again. */
const sweepIntervalMs = 60_000;

/** Same text as Redis, so code handling a type mix-up behaves alike on both backends. */
class WrongTypeError extends Error {
  constructor() {
    super('WRONGTYPE Operation against a key holding the wrong kind of value');
  }
}

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; injectable so tests can expire keys without waiting. */
  readonly now?: () => number;
}

/** The string field `field` of `json` read as an object, as the Redis script reads it. */
function referenceIn(json: string | undefined, field: string): string | undefined {
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    const reference = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
    return typeof reference === 'string' ? reference : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The in-process store for the embedded default: one instance only, state lost on restart.
 * Each method runs synchronously inside its promise, which makes it atomic in a single process.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const limiters = new Map<string, RateLimiterMemory>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const liveString = (key: string): Extract<Entry, { kind: 'string' }> | undefined => {
    const entry = live(key);
    if (entry !== undefined && entry.kind !== 'string') throw new WrongTypeError();
    return entry;
  };

  const expiryAfter = (ttlSeconds: number): number => {
    assertTtl(ttlSeconds);
    return now() + ttlSeconds * 1000;
  };

  const addMember = (key: string, member: string, ttlSeconds: number): void => {
    const expiresAt = expiryAfter(ttlSeconds);
    const entry = live(key);
    if (entry === undefined) {
      entries.set(key, { kind: 'set', members: new Set([member]), expiresAt });
      return;
    }
    if (entry.kind !== 'set') throw new WrongTypeError();
    entry.members.add(member);
    entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
  };

  const setIfAbsentWhile = (owner: string, key: string, value: string): boolean => {
    const ownerEntry = live(owner);
    if (ownerEntry === undefined || live(key) !== undefined) return false;
    entries.set(key, { kind: 'string', value, expiresAt: Math.max(ownerEntry.expiresAt, now() + 1000) });
    return true;
  };

  const sweep = setInterval(() => {
    const at = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= at) entries.delete(key);
    }
  }, sweepIntervalMs);
  sweep.unref();

  return {
    kind: 'memory',

    async get(key) {
      return liveString(key)?.value;
    },

    async getMany(keys) {
      return keys.map((key) => liveString(key)?.value);
    },

    async getManyWithReference(keys, field, referencePrefix) {
      const values = keys.map((key) => liveString(key)?.value);
      const reference = referenceIn(values[0], field);
      return { values, referenced: reference === undefined ? undefined : liveString(referencePrefix + reference)?.value };
    },

    async set(key, value, ttlSeconds) {
      entries.set(key, { kind: 'string', value, expiresAt: expiryAfter(ttlSeconds) });
    },

    async write(writes) {
      // Checked before anything changes, so a refused TTL leaves the batch unapplied, as on Redis.
      for (const write of writes) if (write.op !== 'setIfAbsentWhile') assertTtl(write.ttlSeconds);
      for (const write of writes) {
        if (write.op === 'set') entries.set(write.key, { kind: 'string', value: write.value, expiresAt: expiryAfter(write.ttlSeconds) });
        else if (write.op === 'addToSet') addMember(write.key, write.member, write.ttlSeconds);
        else if (write.op === 'setIfAbsentWhile') setIfAbsentWhile(write.owner, write.key, write.value);
        else {
          const entry = live(write.key);
          if (entry !== undefined) entry.expiresAt = expiryAfter(write.ttlSeconds);
        }
      }
    },

    async setIfAbsentWhile(owner, key, value) {
      return setIfAbsentWhile(owner, key, value);
    },

    async setIfAbsent(key, value, ttlSeconds) {
      const expiresAt = expiryAfter(ttlSeconds);
      if (live(key) !== undefined) return false;
      entries.set(key, { kind: 'string', value, expiresAt });
      return true;
    },

    async raise(key, value, ttlSeconds) {
      const expiresAt = expiryAfter(ttlSeconds);
      const entry = liveString(key);
      if (entry !== undefined && Number(entry.value) >= value) return false;
      entries.set(key, { kind: 'string', value: String(value), expiresAt });
      return true;
    },

    async take(key) {
      const entry = liveString(key);
      entries.delete(key);
      return entry?.value;
    },

    async takeIfEquals(key, expected) {
      if (liveString(key)?.value !== expected) return false;
      entries.delete(key);
      return true;
    },

    async del(...keys) {
      for (const key of keys) entries.delete(key);
    },

    async ttl(key) {
      const entry = live(key);
      // Rounded like Redis's TTL, so both backends report the same number.
      return entry === undefined ? undefined : Math.round((entry.expiresAt - now()) / 1000);
    },

    async increment(key, ttlSeconds) {
      const expiresAt = expiryAfter(ttlSeconds);
      const entry = liveString(key);
      if (entry === undefined) {
        entries.set(key, { kind: 'string', value: '1', expiresAt });
        return 1;
      }
      if (!/^-?\d+$/.test(entry.value)) throw new Error('ERR value is not an integer or out of range');
      const count = Number(entry.value) + 1;
      entry.value = String(count);
      return count;
    },

    async reserveAttempt(key, policy, nowMs) {
      const expiresAt = expiryAfter(policy.memorySeconds);
      const { next, reservation } = reserveIn(decodeAttempts(liveString(key)?.value), policy, nowMs);
      if (reservation.reserved) entries.set(key, { kind: 'string', value: encodeAttempts(next), expiresAt });
      return reservation;
    },

    async returnAttempt(key, reservation) {
      const entry = liveString(key);
      if (entry !== undefined) entry.value = encodeAttempts(returnIn(decodeAttempts(entry.value), reservation));
    },

    async attemptState(key) {
      return decodeAttempts(liveString(key)?.value);
    },

    async addToSet(key, member, ttlSeconds) {
      addMember(key, member, ttlSeconds);
    },

    async members(key) {
      const entry = live(key);
      if (entry === undefined) return [];
      if (entry.kind !== 'set') throw new WrongTypeError();
      return [...entry.members];
    },

    rateLimiter(limiter: RateLimiterOptions) {
      // RateLimiterMemory keeps its counts in the instance: one per prefix, so that every user
      // of this store counts together, as they would on Redis.
      const key = `${limiter.keyPrefix}\0${limiter.points}\0${limiter.duration}`;
      let shared = limiters.get(key);
      if (shared === undefined) {
        shared = new RateLimiterMemory({ keyPrefix: limiter.keyPrefix, points: limiter.points, duration: limiter.duration });
        limiters.set(key, shared);
      }
      return shared;
    },

    async ping() {},

    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
