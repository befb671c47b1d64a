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

/** The order of the list and the key of its pages: byte order, the same on every server (migrations/007_account_search.ts). */
const key = 'lower(email) collate "C"';
/**
 * How many accounts a search for a term reads along the key's order, in the index alone, before it
 * asks the trigram index instead: enough for a common term (one account in a few hundred) to fill
 * a page there, few enough to stay a few milliseconds.
 */
const alongKey = 50_000;
/** Matches a rare term has at most: up to this many, the trigram index answers alone, sorted. */
const denseCap = 1_000;
/**
 * Matches a term is estimated to have at most (from how far into the table its first `denseCap`
 * were found) for the trigram index to answer it alone, all of them sorted: some 4 µs a match, so
 * about 40 ms, where the walk along the key's order costs 30 ms before it even starts looking
 * there and finds nothing when the matches are clustered further down the order.
 */
const sparseMatches = 10_000;

type Row = AccountListing & { readonly key: string };

interface FirstMatches {
  readonly rows: Row[];
  readonly rare: boolean;
  readonly estimated: number;
  readonly mostlyAtStart: boolean;
}

interface Steps {
  readonly denseCap: number;
  readonly alongKey: number;
  readonly sparseMatches: number;
}

/** The state a search keeps to: a stored status, or the accounts locked now. */
type State = { readonly status?: AccountStatus | undefined; readonly locked?: undefined } | { readonly status?: undefined; readonly locked: readonly string[] };

/**
 * The console's account search over a million accounts: by part of the email or name, by state,
 * in email order, a page at a time. Paging is by key (`key > after`), never OFFSET, so page 1,000
 * costs what page 1 does. Each shape has its index (migrations/007_account_search.ts to 009):
 *
 * - no term, or a term of one or two letters (the start of the email): one range scan of the key's
 *   index in order, which stops at the page's end;
 * - a term of three letters or more, anywhere in the email or the name (`search`): the trigram
 *   index first (over `search` with its spaces made zeros, so that a term with a space stays one
 *   word of trigrams and names few rows; each is checked against `search` itself), gathering at most 1,000 matches (a materialised CTE, so that the planner never
 *   walks the table in key order reading row by row), which are sorted: a rare term is answered
 *   there. How far into the table those were found tells about how many matches there are: a
 *   sparse term (10,000 or so, in any state) is answered by the trigram index again, every match
 *   gathered and sorted. A common one that starts most of the emails holding it (a first name, its
 *   matches clustered at one place of the order) is cut by where it stands: the start of the email
 *   (a range of the key's index), the start of the name (the name's index), elsewhere (a second
 *   trigram index, over the rest, where it is rare). Any other common one is looked for along the key's order, in the index alone (it includes
 *   `search`), for at most 50,000 accounts, where it usually fills its page; then the trigram index
 *   again, from where that stopped, for every match left (the cost of a common term clustered far
 *   down the order). A term with an @ is part of an email: the trigram index is asked about its part
 *   before the @, and the whole term is checked on what it found (a domain's trigrams are in most
 *   rows).
 *   With a state filter, the walk is along that state's index; the locked accounts, few, are read by id.
 */
export class AccountDirectory {
  constructor(
    private readonly deps: {
      readonly knex: Knex;
      readonly accounts: AccountRepository;
      readonly audit: AuditLog;
      readonly guard: () => Promise<BruteForceGuard>;
      readonly now: () => Date;
      /** The sizes of a search's steps, `denseCap`, `alongKey` and `sparseMatches` unless told (the tests make them small). */
      readonly steps?: Steps;
    },
  ) {}

  async search(search: AccountSearch): Promise<SearchPage> {
    // Invitations past their window are expired first, so the `invited` filter never lists them.
    await this.deps.accounts.expireStaleInvitations();
    const term = search.term.trim().toLowerCase().slice(0, maxTermLength);
    const need = search.limit + 1;
    const state: State = search.state === 'locked' ? { locked: await this.lockedIds() } : { status: search.state };
    const rows = term.length >= substringMinLength ? await this.anywhere(term, search, state, need) : await this.inOrder(term, search, state, need);
    const accounts = rows.slice(0, search.limit).map(({ id, email, name, status }) => ({ id, email, name, status }));
    return { accounts, next: rows.length > search.limit ? accounts.at(-1)?.email : undefined };
  }

  /**
   * The accounts of the state after `after`, with the columns a page shows and the key. Not async:
   * a query builder is a thenable, and an async function would run it instead of returning it.
   */
  private filtered(state: State, after: string | undefined): Knex.QueryBuilder {
    const { knex } = this.deps;
    const query = knex('accounts').select('id', 'email', 'name', 'status', knex.raw(`${key} as key`));
    if (state.locked !== undefined) query.whereIn('id', state.locked);
    else if (state.status !== undefined) query.where('status', state.status);
    if (after !== undefined) query.whereRaw(`${key} > ?`, [after]);
    return query;
  }

  /** No term, or the start of the email: a range of the key's index, in order. */
  private async inOrder(term: string, search: AccountSearch, state: State, need: number): Promise<Row[]> {
    const query = this.filtered(state, search.after?.toLowerCase());
    if (term !== '') query.whereRaw(`${key} like ?`, [`${escapeLike(term)}%`]);
    return (await query.orderByRaw(key).limit(need)) as Row[];
  }

  /**
   * The term anywhere in the email or the name. The trigram index first, for at most `denseCap`
   * matches: a rare term is answered there, sorted, and so is a sparse one, gathered whole. A common
   * one is then looked for along the key's order, then through the trigram index again from where
   * that stopped.
   */
  private async anywhere(term: string, search: AccountSearch, state: State, need: number): Promise<Row[]> {
    const match = matchAnywhere(term);
    let after = search.after?.toLowerCase();
    const capped = await this.firstMatches(match, state, after, need);
    if (capped.rare) return capped.rows;
    if (capped.mostlyAtStart && !term.includes('\n')) {
      const split = await this.splitByStart(term, match, state, after, need);
      if (split !== undefined) return split;
    }
    let found: Row[] = [];
    // With a state filter, the index names every account holding the term, of any state: how many
    // matches the state has does not say how many rows gathering them all reads.
    const sparse = state.status === undefined && capped.estimated <= this.steps.sparseMatches;
    if (state.locked === undefined && !sparse) {
      const scanned = await this.alongKey(match, state.status, after, need);
      found = scanned.rows;
      if (found.length >= need || scanned.lastKey === undefined) return found;
      after = scanned.lastKey;
    }
    return [...found, ...(await this.allMatches(match, state, after, need - found.length))];
  }

  /**
   * The matches after `after` the trigram index finds, gathered first (a materialised CTE, so the
   * planner never walks the table in key order reading row by row), then sorted.
   */
  private trigramMatches(match: Match, state: State, after: string | undefined, cap?: number): Knex.QueryBuilder {
    const matches = this.filtered(state, after).whereRaw(match.indexed.sql, match.indexed.bindings).whereRaw(match.sql, match.bindings);
    if (cap !== undefined) matches.select(this.deps.knex.raw(`(ctid::text::point)[0] as block`)).limit(cap);
    return this.deps.knex.withMaterialized('matches', matches).select('id', 'email', 'name', 'status', 'key').from('matches').orderBy('key');
  }

  /**
   * The first `denseCap` matches, sorted: `rare` when they are all there are. Otherwise the blocks
   * they were found in tell how much of the table was read to find them (see `estimatedMatches`),
   * and `estimated` extends their count to the whole table; `mostlyAtStart` says that most of them
   * start their email with the term.
   */
  private async firstMatches(match: Match, state: State, after: string | undefined, need: number): Promise<FirstMatches> {
    const { knex } = this.deps;
    const cap = this.steps.denseCap;
    const rows = (await this.trigramMatches(match, state, after, cap)
      .with('reach', knex.raw('select max(block) - min(block) as span, coalesce(max(gap), 0) as widest_gap from (select block, block - lag(block) over (order by block) as gap from matches) gaps'))
      .joinRaw('cross join reach')
      .select(
        knex.raw('count(*) over () as gathered'),
        knex.raw('count(*) filter (where key like ?) over () as at_start', [`${escapeLike(match.term)}%`]),
        'span',
        'widest_gap',
        knex.raw("pg_relation_size('accounts') / current_setting('block_size')::int as blocks"),
      )
      .limit(need)) as Array<Row & { gathered: number | string; at_start: number | string; span: number; widest_gap: number; blocks: number | string }>;
    const first = rows[0];
    if (first === undefined || Number(first.gathered) < cap) return { rows, rare: true, estimated: rows.length, mostlyAtStart: false };
    const estimated = estimatedMatches({ found: cap, blocks: Number(first.blocks), span: first.span, widestGap: first.widest_gap });
    return { rows, rare: false, estimated, mostlyAtStart: 2 * Number(first.at_start) > cap };
  }

  /**
   * A term that starts most of the emails holding it (a first name): its matches are cut by where it
   * stands (migrations/009_account_search_starts.ts). At the start of the email, a range of the
   * key's index in order; at the start of the name where the email does not start with it, the
   * name's index alone; anywhere else (not at the very start of the email or the name), the trigram
   * index over the rest, which must name few rows: undefined when it names many, and the search
   * goes on as for any common term. Every match is in one of the three, and they are merged.
   */
  private async splitByStart(term: string, match: Match, state: State, after: string | undefined, need: number): Promise<Row[] | undefined> {
    const { knex } = this.deps;
    const inside: Match = { ...match, indexed: { sql: `${innerWords} like ?`, bindings: match.indexed.bindings } };
    const elsewhere = await this.firstMatches(inside, state, after, need);
    let others = elsewhere.rows;
    if (!elsewhere.rare) {
      if (state.status !== undefined || state.locked !== undefined || elsewhere.estimated > this.steps.sparseMatches) return undefined;
      others = await this.allMatches(inside, state, after, need);
    }
    // Gathered first (a materialised CTE): sorted by key straight away, the planner would walk the key's order, name by name.
    const startsName = (await knex
      .withMaterialized('named', this.filtered(state, after).whereRaw(`${nameKey} like ?`, [`${escapeLike(term)}%`]).whereRaw(`${key} not like ?`, [`${escapeLike(term)}%`]))
      .select('id', 'email', 'name', 'status', 'key')
      .from('named')
      .orderBy('key')
      .limit(need)) as Row[];
    const startsEmail = await this.inOrder(term, { term, after, limit: need }, state, need);
    const merged = new Map([...startsEmail, ...startsName, ...others].map((row) => [row.id, row]));
    return [...merged.values()].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key))).slice(0, need);
  }

  /** Every match after `after`, sorted: the first `need` of them. */
  private async allMatches(match: Match, state: State, after: string | undefined, need: number): Promise<Row[]> {
    return (await this.trigramMatches(match, state, after).limit(need)) as Row[];
  }

  /**
   * The first matches among the next accounts in key order (50,000 unless told), read from the key's
   * index alone and in its order, so it stops at the page's end; `lastKey` is where the reading
   * stopped when it found too few, undefined when it reached the end of the table.
   */
  private async alongKey(match: Match, status: AccountStatus | undefined, after: string | undefined, need: number): Promise<{ rows: Row[]; lastKey: string | undefined }> {
    const { knex } = this.deps;
    const conditions = [...(status === undefined ? [] : [{ sql: 'status = ?', binding: status }]), ...(after === undefined ? [] : [{ sql: `${key} > ?`, binding: after }])];
    const from = { sql: conditions.length === 0 ? '' : `where ${conditions.map((condition) => condition.sql).join(' and ')}`, bindings: conditions.map((condition) => condition.binding) };
    const window = `select ${key} as key, search from accounts ${from.sql} order by 1 limit ?`;
    const found = (await knex.raw(`select key from (${window}) s where ${match.sql} order by key limit ?`, [...from.bindings, this.steps.alongKey, ...match.bindings, need])) as {
      rows: Array<{ key: string }>;
    };
    const keys = found.rows.map((row) => row.key);
    let lastKey: string | undefined;
    if (keys.length < need) {
      // The window's last key, skipped to in the index alone: no column is read or counted on the way.
      const edge = (await knex.raw(`select ${key} as key from accounts ${from.sql} order by 1 offset ? limit 1`, [...from.bindings, this.steps.alongKey - 1])) as {
        rows: Array<{ key: string }>;
      };
      lastKey = edge.rows[0]?.key;
    }
    if (keys.length === 0) return { rows: [], lastKey };
    const rows = (await knex('accounts')
      .select('id', 'email', 'name', 'status', knex.raw(`${key} as key`))
      .whereRaw(`${key} in (${keys.map(() => '?').join(', ')})`, keys)
      .orderByRaw(key)) as Row[];
    return { rows, lastKey };
  }

  private get steps(): Steps {
    return this.deps.steps ?? { denseCap, alongKey, sparseMatches };
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

interface Match {
  /** The term, as looked for. */
  readonly term: string;
  /** The condition itself, on `search` (strpos: the term as it is, and quicker than LIKE row by row). */
  readonly sql: string;
  readonly bindings: readonly string[];
  /** A wider condition the trigram index answers (`words`), added where that index is asked. */
  readonly indexed: { readonly sql: string; readonly bindings: readonly string[] };
}

/**
 * The expression of the trigram index (migrations/008_account_search_words.ts): `search` with its
 * spaces made zeros, so that a name's words and a term's stay one word of trigrams. A row holding a
 * term holds it there with the same change, so asking it never loses a match.
 */
const words = "translate(search, ' ', '0')";

/**
 * The expression of the trigram index over `search` without the first letter of the email and of
 * the name (migrations/009_account_search_starts.ts): every match but those at the very start of
 * either is there, with its spaces made zeros as in `words`.
 */
const innerWords = "translate(substr(lower(email), 2) || E'\\n' || substr(lower(coalesce(name, '')), 2), ' ', '0')";

/** The name's index (migrations/009_account_search_starts.ts), in byte order like the key. */
const nameKey = `lower(coalesce(name, '')) collate "C"`;

/**
 * The term anywhere in `search` (the email and the name). A term with an @ and a part of three
 * letters around it is part of an email only: the trigram index is asked about that part (the one
 * before the @ first), and the whole term is checked on what it found. A domain's
 * trigrams are in most rows, and asking about them would make the index read most of itself.
 */
function matchAnywhere(term: string): Match {
  const emailPart = term.includes('@') ? term.split('@').find((part) => part.length >= substringMinLength) : undefined;
  const asked = emailPart ?? term;
  return { term, sql: 'strpos(search, ?) > 0', bindings: [term], indexed: { sql: `${words} like ?`, bindings: [`%${escapeLike(asked).replaceAll(' ', '0')}%`] } };
}

/**
 * How many matches the whole table holds, from `found` matches gathered in the blocks they lay in:
 * `span` from the first block to the last of them, `widestGap` the widest step between two of them
 * in block order, `blocks` the table's size. A bitmap scan reads the table from its start, but a
 * sequential scan may start anywhere (PostgreSQL's synchronised scans start where the last one
 * was) and wrap around the end: the widest gap, the one around the end included, is then the part
 * left unread, and the rest is what was read. Matches clustered inside the part read only widen a
 * gap, so the estimate can only come out higher than the true rate: the safe side, where a search
 * walks along the key's order instead of gathering every match.
 */
export function estimatedMatches(reach: { readonly found: number; readonly blocks: number; readonly span: number; readonly widestGap: number }): number {
  const blocks = Math.max(reach.blocks, reach.span + 1);
  const unread = Math.max(reach.widestGap, blocks - reach.span) - 1;
  return (reach.found * blocks) / Math.max(blocks - unread, 1);
}

/** LIKE's own characters in a term match themselves. */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}
