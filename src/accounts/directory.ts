import type { Knex } from 'knex';
import type { AuditLog } from '../audit.ts';
import type { BruteForceGuard } from '../security/brute-force.ts';
import { accountStatuses, type AccountStatus } from './account.ts';
import type { AccountRepository } from './repository.ts';

/** A state the console filters by: the stored ones, and `locked` (a brute-force lock in force now). */
export const searchStates = [...accountStatuses, 'locked'] as const;
export type SearchState = (typeof searchStates)[number];

export interface AccountSearch {
  /** Part of the email or the name, in any letter case; empty for every account. */
  readonly term: string;
  readonly state?: SearchState | undefined;
  /** The last email of the page before (keyset paging): this page starts after it. */
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface AccountListing {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly status: AccountStatus;
}

export interface SearchPage {
  readonly accounts: readonly AccountListing[];
  /** Where the next page starts (its `after`), when there is one. */
  readonly next: string | undefined;
}

/** Below this length a term matches the start of the email or name: a trigram index needs three letters. */
export const substringMinLength = 3;
/** Longer terms are cut: nobody's email or name is longer, and LIKE's work grows with the pattern. */
export const maxTermLength = 100;
/**
 * How far back a lock's audit event makes its account a candidate for the `locked` filter. A lock
 * lasts at most rules.lockMaxSeconds from its latest failure, and every failure that brings one is
 * audited as `account.locked`; a day leaves room for clocks that disagree, and the candidates are
 * checked against the store's lock each time.
 */
const lockCandidateHours = 24;

/**
 * The console's account search over a million accounts: by part of the email or name, by state,
 * in email order, a page at a time. Paging is by key (`lower(email) > after`), never OFFSET, so
 * page 1,000 costs what page 1 does. Every query is served by an index of
 * migrations/006_account_search.ts.
 */
export class AccountDirectory {
  constructor(
    private readonly deps: {
      readonly knex: Knex;
      readonly accounts: AccountRepository;
      readonly audit: AuditLog;
      readonly guard: () => Promise<BruteForceGuard>;
      readonly now: () => Date;
    },
  ) {}

  async search(search: AccountSearch): Promise<SearchPage> {
    // Invitations past their window are expired first, so the `invited` filter never lists them.
    await this.deps.accounts.expireStaleInvitations();
    const { knex } = this.deps;
    const query = knex('accounts').select('id', 'email', 'name', 'status').orderByRaw('lower(email)').limit(search.limit + 1);
    const term = search.term.trim().toLowerCase().slice(0, maxTermLength);
    if (term !== '') {
      const pattern = term.length < substringMinLength ? `${escapeLike(term)}%` : `%${escapeLike(term)}%`;
      query.where((match) => match.whereRaw('lower(email) like ?', [pattern]).orWhereRaw('lower(name) like ?', [pattern]));
    }
    if (search.state === 'locked') query.whereIn('id', await this.lockedIds());
    else if (search.state !== undefined) query.where('status', search.state);
    if (search.after !== undefined) query.whereRaw('lower(email) > ?', [search.after.toLowerCase()]);
    const rows = (await query) as AccountListing[];
    const accounts = rows.slice(0, search.limit);
    return { accounts, next: rows.length > search.limit ? accounts.at(-1)?.email : undefined };
  }

  /** The accounts under a brute-force lock now: those recently audited as locked, checked against the store. */
  private async lockedIds(): Promise<string[]> {
    const since = new Date(this.deps.now().getTime() - lockCandidateHours * 60 * 60 * 1000);
    const candidates = await this.deps.audit.accountsWith('account.locked', since);
    if (candidates.length === 0) return [];
    const guard = await this.deps.guard();
    const statuses = await Promise.all(candidates.map(async (id) => ({ id, status: await guard.status(id) })));
    return statuses.filter(({ status }) => status.lockedForSeconds > 0).map(({ id }) => id);
  }
}

/** LIKE's own characters in a term match themselves. */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}
