import type { Metrics } from '../metrics.ts';
import type { BruteForceGuard, Refusal } from './brute-force.ts';

/** Who is trying: the limits count the address, and the audit trail names all three. */
export interface Requester {
  readonly ip: string;
  readonly userAgent: string;
  readonly clientId?: string | undefined;
}

/** What an attempt checks: the label of sso_secret_checks_total. */
export type SecretKind = 'password' | 'totp' | 'recovery_code' | 'passkey' | 'email_code' | 'email';

export type Attempted<V> =
  /** Over a limit: nothing was checked. */
  | { readonly kind: 'refused'; readonly refusal: Refusal }
  /** Checked; when wrong, `lockSeconds` is the lock this very attempt brought on the account (0 for none). */
  | { readonly kind: 'checked'; readonly verdict: V; readonly right: boolean; readonly lockSeconds: number };

export interface AttemptTarget {
  readonly kind: SecretKind;
  readonly account: { readonly id: string; readonly email: string } | undefined;
  readonly requester: Requester;
}

/** A lock that just started on an account: at most one per lock, however many attempts ran at once. */
export interface LockStarted {
  readonly account: { readonly id: string; readonly email: string };
  readonly seconds: number;
  readonly requester: Requester;
}

/** Who hears of a lock: the audit trail and the user (src/accounts/lock-notices.ts). */
export interface LockReporter {
  locked(lock: LockStarted): Promise<void>;
}

/**
 * Every check of a secret goes through here: the attempt is counted against the account (when
 * known) and the address before `check` runs, so a burst of guesses gets no more checks than the
 * limits allow (src/security/brute-force.ts). A right answer gives the attempt back; a wrong one
 * stays counted, and the lock it brought is reported.
 */
export class Attempts {
  constructor(private readonly deps: { readonly guard: BruteForceGuard; readonly locks: LockReporter; readonly metrics: Metrics }) {}

  async run<V>(target: AttemptTarget, check: () => Promise<V>, isRight: (verdict: V) => boolean): Promise<Attempted<V>> {
    const { guard, locks, metrics } = this.deps;
    const { account, requester } = target;
    const reserved = await guard.reserve({ accountId: account?.id, ip: requester.ip });
    if (!reserved.allowed) return { kind: 'refused', refusal: reserved };
    metrics.secretChecks.inc({ kind: target.kind });
    const verdict = await check();
    if (isRight(verdict)) {
      await reserved.giveBack();
      return { kind: 'checked', verdict, right: true, lockSeconds: 0 };
    }
    // Only the attempt that brought the lock sees lockSeconds > 0 (the store decides it atomically,
    // and later attempts are refused), so a burst of failures reports one lock, once.
    if (reserved.lockSeconds > 0 && account !== undefined) {
      metrics.lockouts.inc();
      await locks.locked({ account, seconds: reserved.lockSeconds, requester });
    }
    return { kind: 'checked', verdict, right: false, lockSeconds: account === undefined ? 0 : reserved.lockSeconds };
  }
}
