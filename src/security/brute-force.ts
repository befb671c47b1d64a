import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { rules } from '../config.ts';
import type { Store } from '../store/store.ts';

const HOUR_SECONDS = 60 * 60;

/**
 * How long an account's failures are remembered without a success in between. Far longer than the
 * longest lock, so the doubling keeps going across locks; finite, so an account that was
 * mistyped at once, long ago, does not start locking after a single slip.
 */
const FAILURE_MEMORY_SECONDS = 24 * HOUR_SECONDS;

export type GuardVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly scope: 'account' | 'ip'; readonly retryAfterSeconds: number };

export interface FailureOutcome {
  /** True exactly when this failure locked the account, so the caller can audit the lock. */
  readonly locked: boolean;
  readonly retryAfterSeconds?: number;
}

export interface GuardStatus {
  readonly failures: number;
  readonly lockedForSeconds: number;
}

/**
 * The lock after an account's `failures`-th consecutive failure: none before the threshold, then
 * the base duration, doubling with each further failure up to the maximum.
 */
export function lockSecondsAfter(failures: number): number {
  if (failures < rules.lockThreshold) return 0;
  return Math.min(rules.lockBaseSeconds * 2 ** (failures - rules.lockThreshold), rules.lockMaxSeconds);
}

const allowed: GuardVerdict = { allowed: true };

function secondsLeft(res: RateLimiterRes | null): number {
  return res === null || res.msBeforeNext <= 0 ? 0 : Math.ceil(res.msBeforeNext / 1000);
}

/**
 * Brute-force limits of CONTRACT.md section 7, kept in the store's backend so they hold across
 * instances.
 *
 * rate-limiter-flexible has no lock that grows with each failure, so two limiters split the work:
 * one counts an account's consecutive failures (penalty() increments atomically and returns the
 * count), the other holds the lock, written with block() for the duration that count calls for
 * and read with get(). A third counts failures per client address in a one-hour window. None is
 * ever consume()d, so each limiter's `points` limits nothing: the thresholds are compared here.
 *
 * Time is kept by rate-limiter-flexible on the backend's clock, which cannot be injected; tests
 * assert on the durations reported back.
 */
export class BruteForceGuard {
  private readonly failures: RateLimiterAbstract;
  private readonly locks: RateLimiterAbstract;
  private readonly ipFailures: RateLimiterAbstract;

  constructor({ store }: { store: Store }) {
    this.failures = store.rateLimiter({
      keyPrefix: 'bf-account-failures',
      points: rules.lockThreshold,
      duration: FAILURE_MEMORY_SECONDS,
    });
    this.locks = store.rateLimiter({ keyPrefix: 'bf-account-lock', points: 1, duration: rules.lockMaxSeconds });
    this.ipFailures = store.rateLimiter({
      keyPrefix: 'bf-ip-failures',
      points: rules.ipFailuresPerHour,
      duration: HOUR_SECONDS,
    });
  }

  /**
   * Whether an attempt may go ahead; an account lock is reported before an address limit.
   *
   * @param address the address's verdict when this request already read it
   */
  async check({ accountId, ip }: { accountId?: string | undefined; ip: string }, address?: GuardVerdict): Promise<GuardVerdict> {
    const [account, addressVerdict] = await Promise.all([
      accountId === undefined ? allowed : this.checkAccount(accountId),
      address ?? this.checkAddress(ip),
    ]);
    return account.allowed ? addressVerdict : account;
  }

  /** Whether the client address may make another attempt. */
  async checkAddress(ip: string): Promise<GuardVerdict> {
    const res = await this.ipFailures.get(ip);
    if (res === null || res.consumedPoints < rules.ipFailuresPerHour) return allowed;
    return { allowed: false, scope: 'ip', retryAfterSeconds: Math.max(1, secondsLeft(res)) };
  }

  /** Whether the account is free of a lock. */
  async checkAccount(accountId: string): Promise<GuardVerdict> {
    const lockedFor = secondsLeft(await this.locks.get(accountId));
    return lockedFor > 0 ? { allowed: false, scope: 'account', retryAfterSeconds: lockedFor } : allowed;
  }

  /** Counts a failed password or code against the client address and, when known, the account. */
  async recordFailure({ accountId, ip }: { accountId?: string | undefined; ip: string }): Promise<FailureOutcome> {
    const [count] = await Promise.all([
      accountId === undefined ? undefined : this.failures.penalty(accountId),
      this.ipFailures.penalty(ip),
    ]);
    if (accountId === undefined || count === undefined) return { locked: false };
    const seconds = lockSecondsAfter(count.consumedPoints);
    if (seconds === 0) return { locked: false };
    // Concurrent failures may write their locks out of order, leaving the shorter of two adjacent
    // durations; the next failure writes the longer one again, so this is not worth a script.
    await this.locks.block(accountId, seconds);
    return { locked: true, retryAfterSeconds: seconds };
  }

  /** A correct password or code: the account's failures are no longer consecutive. */
  async recordSuccess(accountId: string): Promise<void> {
    await this.failures.delete(accountId);
  }

  /** The operator's unlock: lifts the lock and forgets the failures that led to it. */
  async unlock(accountId: string): Promise<void> {
    await Promise.all([this.failures.delete(accountId), this.locks.delete(accountId)]);
  }

  async status(accountId: string): Promise<GuardStatus> {
    const [failures, lock] = await Promise.all([this.failures.get(accountId), this.locks.get(accountId)]);
    return { failures: failures?.consumedPoints ?? 0, lockedForSeconds: secondsLeft(lock) };
  }
}
