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
  | { readonly op: 'expire'; readonly key: string; readonly ttlSeconds: number }
  /** As setIfAbsentWhile: the key, when absent and while `owner` exists, expiring with it. */
  | { readonly op: 'setIfAbsentWhile'; readonly owner: string; readonly key: string; readonly value: string };

/**
 * How an attempt counter locks: from the `threshold`-th attempt on, each attempt locks the key for
 * `lockBaseSeconds`, doubling with each further attempt up to `lockMaxSeconds`. The count is kept
 * `memorySeconds` after the last attempt.
 */
export interface AttemptPolicy {
  readonly threshold: number;
  readonly lockBaseSeconds: number;
  readonly lockMaxSeconds: number;
  readonly memorySeconds: number;
}

/** What reserveAttempt decided; times are milliseconds since the epoch on the caller's clock. */
export type AttemptReservation =
  | {
      readonly reserved: true;
      /** The count, this attempt included. */
      readonly count: number;
      /** When the lock this attempt set ends, or 0 when it set none. */
      readonly lockedUntil: number;
    }
  | { readonly reserved: false; readonly lockedUntil: number };

/** An attempt counter's state, as reserveAttempt keeps it. */
export interface AttemptState {
  readonly count: number;
  /** When the current lock ends, or 0; a time already past means no lock. */
  readonly lockedUntil: number;
}

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
  /**
   * getMany, and in the same round trip the value of the key that the first value points at: the
   * key `referencePrefix` followed by the string field `field` of that value read as a JSON object.
   * `referenced` is undefined when there is no such key, field or first value.
   */
  getManyWithReference(keys: readonly string[], field: string, referencePrefix: string): Promise<{ values: Array<string | undefined>; referenced: string | undefined }>;
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
  /**
   * Counts one attempt before its secret is checked, unless the key is locked at `nowMs`: the
   * reservation and the lock it may bring happen in one atomic step, so of concurrent attempts no
   * more get through than the policy allows.
   */
  reserveAttempt(key: string, policy: AttemptPolicy, nowMs: number): Promise<AttemptReservation>;
  /**
   * Gives back an attempt reserveAttempt counted (its secret was right): the count drops by one and
   * the lock that attempt set, if any, is lifted.
   */
  returnAttempt(key: string, reservation: Extract<AttemptReservation, { reserved: true }>): Promise<void>;
  /** The counter as reserveAttempt left it: zero and no lock when there is none. */
  attemptState(key: string): Promise<AttemptState>;
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
