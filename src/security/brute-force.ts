import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rules } from '../config.ts';
import { decodeAttempts, lockSecondsAt } from '../store/attempts.ts';
import type { AttemptPolicy, AttemptReservation, AttemptState, Store } from '../store/store.ts';
import { addressKey } from './client-address.ts';

const HOUR_SECONDS = 60 * 60;

/**
 * Brute-force limits of CONTRACT.md section 7: 10 consecutive failures lock an account for 60 s,
 * doubling with each further failure up to 15 minutes, and an address gets at most 100 failures
 * an hour. The count is kept 24 hours after the last attempt: far longer than the longest lock, so
 * the doubling goes on across locks; finite, so one slip long ago does not count against today.
 */
export const accountPolicy: AttemptPolicy = {
  threshold: rules.lockThreshold,
  lockBaseSeconds: rules.lockBaseSeconds,
  lockMaxSeconds: rules.lockMaxSeconds,
  memorySeconds: 24 * HOUR_SECONDS,
};

/** The lock the account's `failures`-th consecutive failure brings, in seconds (0 below the threshold). */
export function lockSecondsAfter(failures: number): number {
  return lockSecondsAt(accountPolicy, failures);
}

export interface Refusal {
  readonly allowed: false;
  /** An account lock is reported before an address limit. */
  readonly scope: 'account' | 'ip';
  readonly retryAfterSeconds: number;
}

/** One attempt, counted before its secret is checked. */
export interface Attempt {
  readonly allowed: true;
  /**
   * Seconds of the lock this attempt brought on the account, or 0. It is already in force; a right
   * secret lifts it again through giveBack().
   */
  readonly lockSeconds: number;
  /** The secret was right, or nothing was tried after all: the attempt no longer counts anywhere. */
  giveBack(): Promise<void>;
}

export interface GuardStatus {
  readonly failures: number;
  readonly lockedForSeconds: number;
}

/**
 * Every attempt at a secret (password, emailed code, authenticator code, any future factor) is
 * counted before the secret is checked, in one atomic step per counter that also refuses it when the
 * account is locked or the address is over its limit. A burst of concurrent guesses therefore gets
 * no more checks than the limits allow. A right secret gives its attempt back; a wrong one stays
 * counted, so nothing needs to happen after a failure. Both counters live in the store, so they hold
 * across instances.
 *
 * The account's counter and lock are one store value (Store.reserveAttempt) timed on the injected
 * clock; the address's counter is a rate-limiter-flexible limiter whose consume() is atomic too.
 */
export class BruteForceGuard {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly addressFailures: RateLimiterAbstract;

  constructor({ store, now = Date.now }: { store: Store; now?: () => number }) {
    this.store = store;
    this.now = now;
    this.addressFailures = store.rateLimiter({ keyPrefix: 'bf-ip-failures', points: rules.ipFailuresPerHour, duration: HOUR_SECONDS });
  }

  /**
   * Counts one attempt for the client address and, when known, the account, or refuses it.
   * A refused attempt counts nowhere.
   */
  async reserve({ accountId, ip }: { accountId?: string | undefined; ip: string }): Promise<Attempt | Refusal> {
    const address = addressKey(ip);
    const [byAddress, byAccount] = await Promise.all([
      this.consumeAddress(address),
      accountId === undefined ? undefined : this.store.reserveAttempt(accountKey(accountId), accountPolicy, this.now()),
    ]);
    if (byAccount !== undefined && !byAccount.reserved) {
      if (byAddress === undefined) await this.addressFailures.reward(address, 1);
      return { allowed: false, scope: 'account', retryAfterSeconds: this.secondsUntil(byAccount.lockedUntil) };
    }
    if (byAddress !== undefined) {
      if (byAccount !== undefined && accountId !== undefined) await this.store.returnAttempt(accountKey(accountId), byAccount);
      return { allowed: false, scope: 'ip', retryAfterSeconds: Math.max(1, Math.ceil(byAddress.msBeforeNext / 1000)) };
    }
    return {
      allowed: true,
      lockSeconds: byAccount === undefined || byAccount.lockedUntil === 0 ? 0 : this.secondsUntil(byAccount.lockedUntil),
      giveBack: () => this.giveBack(address, accountId, byAccount),
    };
  }

  /** A full sign-in or a verified emailed code: the account's failures are no longer consecutive. */
  async recordSuccess(accountId: string): Promise<void> {
    await this.store.del(accountKey(accountId));
  }

  /**
   * The operator's unlock: lifts the lock and forgets the failures that led to it, and returns what
   * it lifted. Taken in one step, so of two unlocks at once only one finds the failures.
   */
  async unlock(accountId: string): Promise<GuardStatus> {
    return this.statusOf(decodeAttempts(await this.store.take(accountKey(accountId))));
  }

  async status(accountId: string): Promise<GuardStatus> {
    return this.statusOf(await this.store.attemptState(accountKey(accountId)));
  }

  private statusOf(state: AttemptState): GuardStatus {
    return { failures: state.count, lockedForSeconds: state.lockedUntil > this.now() ? this.secondsUntil(state.lockedUntil) : 0 };
  }

  /** Undefined when the address may try; the limiter's answer when it may not. */
  private async consumeAddress(address: string): Promise<RateLimiterRes | undefined> {
    try {
      await this.addressFailures.consume(address, 1);
      return undefined;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return refusal;
      throw refusal;
    }
  }

  private async giveBack(address: string, accountId: string | undefined, reservation: AttemptReservation | undefined): Promise<void> {
    await Promise.all([
      this.addressFailures.reward(address, 1),
      accountId !== undefined && reservation?.reserved ? this.store.returnAttempt(accountKey(accountId), reservation) : undefined,
    ]);
  }

  private secondsUntil(ms: number): number {
    return Math.max(1, Math.ceil((ms - this.now()) / 1000));
  }
}

function accountKey(accountId: string): string {
  return `bf-account:${accountId}`;
}
