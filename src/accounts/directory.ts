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

/** Below this length a term matches the start of the email: a trigram index needs three letters. */
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

/** The order of the list and the key of its pages: byte order, the same on every server (migrations/006_account_search.ts). */
const key = 'lower(email) collate "C"';

/**
 * The console's account search over a million accounts: by part of the email or name, by state,
 * in email order, a page at a time. Paging is by key (`key > after`), never OFFSET, so page 1,000
 * costs what page 1 does. Each shape has its index (migrations/006_account_search.ts):
 *
 * - no term, or a term of one or two letters (the start of the email): one range scan of the key's
 *   index in order, which stops at the page's end;
 * - a term with an @ anywhere in the email, found by the trigram index from its part before the @;
 * - a term of three letters or more, anywhere in the email or the name: the trigram indexes find
 *   every match, which is then sorted. The matches are gathered first (a materialised CTE) so that
 *   the planner never walks the key's index in order filtering row by row: in a table sorted by
 *   email, a common last name can sit far from the start, and that walk would read most of it.
 *   The work grows with the number of matches, not of accounts.
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
    const term = search.term.trim().toLowerCase().slice(0, maxTermLength);
    const filtered = knex('accounts').select('id', 'email', 'name', 'status', knex.raw(`${key} as key`));
    if (search.state === 'locked') filtered.whereIn('id', await this.lockedIds());
    else if (search.state !== undefined) filtered.where('status', search.state);
    if (search.after !== undefined) filtered.whereRaw(`${key} > ?`, [search.after.toLowerCase()]);
    let query: Knex.QueryBuilder;
    if (term.length >= substringMinLength) {
      filtered.where((match) => matchAnywhere(match, term));
      query = knex.withMaterialized('matches', filtered).select('id', 'email', 'name', 'status').from('matches').orderBy('key');
    } else {
      // One or two letters: the start of the email, a range of the key's index.
      if (term !== '') filtered.whereRaw(`${key} like ?`, [`${escapeLike(term)}%`]);
      query = filtered.orderByRaw(key);
    }
    const rows = (await query.limit(search.limit + 1)) as AccountListing[];
    const accounts = rows.slice(0, search.limit).map(({ id, email, name, status }) => ({ id, email, name, status }));
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

/**
 * The term anywhere in the email or the name. A term with an @ and a part of three letters around
 * it is part of an email only: the trigram index is asked about that part (the one before the @
 * first), and the whole term is checked on what it found. A domain's trigrams are in most rows,
 * and asking about them would make the index read most of itself.
 */
function matchAnywhere(match: Knex.QueryBuilder, term: string): void {
  const emailPart = term.includes('@') ? term.split('@').find((part) => part.length >= substringMinLength) : undefined;
  if (emailPart !== undefined) {
    match.whereRaw('lower(email) like ?', [`%${escapeLike(emailPart)}%`]).andWhereRaw('strpos(lower(email), ?) > 0', [term]);
    return;
  }
  const pattern = `%${escapeLike(term)}%`;
  match.whereRaw('lower(email) like ?', [pattern]).orWhereRaw('lower(name) like ?', [pattern]);
}

/** LIKE's own characters in a term match themselves. */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}
