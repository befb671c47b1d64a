import type { RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * The store's backend did not answer (Redis down or unreachable). Callers answer 503 on it rather
 * than 500: the request was fine, the service is temporarily degraded.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** One write of a `write` batch. */
export type StoreWrite =
  | { readonly op: 'set'; readonly key: string; readonly value: string; readonly ttlSeconds: number }
  | { readonly op: 'addToSet'; readonly key: string; readonly member: string; readonly ttlSeconds: number }
  /** Gives an existing key this remaining life (longer or shorter); nothing when the key is absent. */
  | { readonly op: 'expire'; readonly key: string; readonly ttlSeconds: number };

export interface RateLimiterOptions {
  /** Distinguishes this limiter's keys from every other limiter's. */
  readonly keyPrefix: string;
  readonly points: number;
  /** Seconds after which consumed points are forgotten; 0 means never. */
  readonly duration: number;
}

/**
 * Short-lived state: flow state, email codes, counters, TOTP replay marks and oidc-provider's
 * sessions and tokens. Keys are given without the instance prefix; each implementation adds it.
 * Every method is atomic on its own, so two concurrent callers can never both win a take.
 * TTLs are whole seconds greater than zero (both backends refuse anything else with a RangeError),
 * so every key written through these methods expires. A backend outage rejects with
 * StoreUnavailableError.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  /** Several keys in one round trip, in the order asked. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when the key does not exist; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Applies the writes in order, all or none, in one round trip; `set` and `addToSet` behave as the
   * methods of the same name.
   */
  write(writes: readonly StoreWrite[]): Promise<void>;
  /**
   * Sets the key when it is absent and `owner` exists, to expire when `owner` does (at least a
   * second from now); true when this call set it.
   */
  setIfAbsentWhile(owner: string, key: string, value: string): Promise<boolean>;
  /**
   * Stores `value` when the key holds a smaller number or nothing, with a fresh expiry; true when
   * this call stored it. Of concurrent callers with the same value, exactly one gets true.
   */
  raise(key: string, value: number, ttlSeconds: number): Promise<boolean>;
  /** Reads and deletes in one step: of concurrent takers, exactly one gets the value. */
  take(key: string): Promise<string | undefined>;
  /** Deletes the key only when it holds `expected`; true when this call deleted it. */
  takeIfEquals(key: string, expected: string): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /** Seconds the key has left, or undefined when it does not exist. */
  ttl(key: string): Promise<number | undefined>;
  /** Adds one and returns the new count; a new counter expires after ttlSeconds. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /** Adds a member to a set, extending the set's expiry to at least ttlSeconds. */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  members(key: string): Promise<string[]>;
  /**
   * A rate limiter from rate-limiter-flexible sharing this store's backend and prefix. Create each
   * limiter once and reuse it: in memory, two limiters never share their counts. Over the limit it
   * rejects with a RateLimiterRes; during an outage, with the backend's Error.
   */
  rateLimiter(options: RateLimiterOptions): RateLimiterAbstract;
  /** Resolves when the backend answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
