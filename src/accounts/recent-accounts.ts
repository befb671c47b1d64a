import { LRUCache } from 'lru-cache';
import type { Account } from './account.ts';

/** What the provider needs of an account: its claims and whether it may still sign in. */
export type RecentAccount = Pick<Account, 'id' | 'email' | 'name' | 'status'>;

export interface RecentAccountsOptions {
  /** How long a remembered account serves. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Milliseconds; the server's injectable clock. */
  readonly now: () => number;
}

/**
 * Accounts as the last step of a sign-in read them, kept for the few seconds in which the provider
 * asks for the same account again (to resume the authorization, then at the code exchange), so that
 * a sign-in reads PostgreSQL at its gate rather than three times over.
 *
 * Only a fresh read is remembered, never a read made through this cache, so an entry is at most
 * `ttlMs` old. An operator's change made within that window reaches the tokens through revocation
 * instead: deactivating, resetting or removing the authenticator ends the account's sessions and
 * grants in the store, and a refresh-token grant then finds its grant gone.
 */
export class RecentAccounts {
  private readonly cache: LRUCache<string, RecentAccount>;

  constructor(options: RecentAccountsOptions) {
    // ttlResolution 0: read the clock on every lookup rather than lru-cache's timer-cached reading, so
    // that the server's clock (which tests move) is the only one.
    this.cache = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs, ttlResolution: 0, perf: { now: options.now } });
  }

  /** Keeps no credential: only what the provider asks for. */
  remember(account: Account): void {
    this.cache.set(account.id, { id: account.id, email: account.email, name: account.name, status: account.status });
  }

  recall(id: string): RecentAccount | undefined {
    return this.cache.get(id);
  }
}
