import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { primaryKinds } from '../factors/record.ts';
import { isLocale, type Locale } from '../i18n/index.ts';
import { factorsColumn, parseFactorsColumn } from '../factors/repository.ts';
import { normaliseEmail, type Account, type AccountStatus, type AccountWithFactors, type DeactivationReason } from './account.ts';
import { inBatches } from '../db/batches.ts';

export class DuplicateEmailError extends Error {
  override name = 'DuplicateEmailError';
  constructor(readonly email: string) {
    super(`An account with the email ${email} already exists`);
  }
}

export class AccountNotFoundError extends Error {
  override name = 'AccountNotFoundError';
  constructor(readonly id: string) {
    super(`No account has the id ${id}`);
  }
}

/** The account is not in a state that allows the change (e.g. activating a deactivated account). */
export class AccountStateError extends Error {
  override name = 'AccountStateError';
}

export interface NewAccount {
  readonly email: string;
  readonly name?: string | null;
  /** Starts the activation window; defaults to now. */
  readonly invitedAt?: Date;
}

export interface AccountRepositoryOptions {
  readonly activationDays: number;
  readonly now?: () => Date;
  /** How many overdue invitations one statement of the sweep expires: `sweepBatch` unless told (the tests make it small). */
  readonly sweepBatch?: number;
}

interface AccountRow {
  id: string;
  email: string;
  name: string | null;
  status: AccountStatus;
  invited_at: Date;
  activated_at: Date | null;
  deactivated_at: Date | null;
  deactivation_reason: DeactivationReason | null;
  password_hash: string | null;
  password_changed_at: Date | null;
  locale: string | null;
  created_at: Date;
  updated_at: Date;
}

type RowWithFactors = AccountRow & { factors: unknown };

const table = 'accounts';
const insertChunkSize = 1000;
/**
 * Overdue invitations expired by one statement of the sweep. Every index of the table is written
 * for each (the console search's among them), and an import of many invitations expires them all on
 * the same day: in one statement, a hundred thousand would outlast the statement timeout, be rolled
 * back, and fail every search that sweeps first, each time again.
 */
const sweepBatch = 1000;
const dayMs = 24 * 60 * 60 * 1000;
/**
 * findActiveClaims's statement, written out once: every refresh grant reads it, and building and
 * compiling it with the query builder each time is CPU and garbage for nothing (BENCHMARKS.md,
 * "Fixes", round 4). It reads the accounts of every grant that asked in the same turn of the event
 * loop at once (round 6).
 */
const activeClaimsQuery = `select "id", "email", "name", "status" from "${table}" where "id" = any(?::uuid[]) and "status" = 'active'`;
type ActiveClaims = Pick<Account, 'id' | 'email' | 'name' | 'status'>;
/** At most this many accounts in one read of findActiveClaims's. */
const claimsBatch = 100;
/** The account with its factors, as the email and the authenticator steps read it: written out once for the same reason. */
const withFactorsWhere = (condition: string) => `select "${table}".*, ${factorsColumn} from "${table}" where ${condition} limit 1`;
export const byEmailQuery = withFactorsWhere('lower(email) = ?');
export const byIdQuery = withFactorsWhere('"id" = ?');
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Accounts in PostgreSQL or PGlite.
 *
 * The activation window: an invitation older than `activationDays` is deactivated with the reason
 * 'activation-expired'. expireStaleInvitations() does that for every account at once, but nothing
 * may depend on it having run: every read that meets an overdue invitation expires that account in
 * the database first (list() runs the sweep itself), and every state change expires its account
 * before deciding. The stored state, the sweep and every reader therefore always agree, with no
 * second notion of "effective status" to keep in step. deactivated_at records the moment the window
 * closed, so it does not depend on when the expiry was noticed.
 */
export class AccountRepository {
  private readonly activationDays: number;
  private readonly now: () => Date;
  private readonly sweepBatch: number;
  private claimsLoader: DataLoader<string, ActiveClaims | undefined> | undefined;

  constructor(
    private readonly knex: Knex,
    options: AccountRepositoryOptions,
  ) {
    this.activationDays = options.activationDays;
    this.now = options.now ?? (() => new Date());
    this.sweepBatch = options.sweepBatch ?? sweepBatch;
  }

  /** The account with this email, in any letter case, with its factors. */
  async findByEmail(email: string): Promise<AccountWithFactors | undefined> {
    return this.findOne(this.firstRow(byEmailQuery, normaliseEmail(email)));
  }

  async findById(id: string): Promise<AccountWithFactors | undefined> {
    if (!uuidPattern.test(id)) return undefined;
    return this.findOne(this.firstRow(byIdQuery, id));
  }

  /** The account, its row locked until the caller's transaction ends: the changes of one account take turns. */
  async findForChange(id: string): Promise<AccountWithFactors | undefined> {
    if (!uuidPattern.test(id)) return undefined;
    return this.findOne(this.withFactors().where('id', id).forUpdate(table).first());
  }

  /** The same table inside a transaction of the caller's. */
  in(trx: Knex.Transaction): AccountRepository {
    return new AccountRepository(trx, { activationDays: this.activationDays, now: this.now, sweepBatch: this.sweepBatch });
  }

  /** Runs `work` in a transaction, with this repository bound to it. */
  transaction<T>(work: (trx: Knex.Transaction, accounts: AccountRepository) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(trx, this.in(trx)));
  }

  private withFactors(): Knex.QueryBuilder<RowWithFactors> {
    return this.knex<RowWithFactors>(table).select(`${table}.*`, this.knex.raw(factorsColumn));
  }

  private async firstRow(query: string, binding: string): Promise<RowWithFactors | undefined> {
    const result = (await this.knex.raw(query, [binding])) as { rows: RowWithFactors[] };
    return result.rows[0];
  }

  private async findOne(found: Promise<unknown>): Promise<AccountWithFactors | undefined> {
    const row = (await found) as RowWithFactors | undefined;
    if (row === undefined) return undefined;
    const factors = parseFactorsColumn(row.factors);
    if (row.status !== 'invited' || row.invited_at >= this.windowStart(this.now())) return { ...toAccount(row), factors };
    // An invitation found past its window is expired first, so every reader sees the same state.
    await this.expireOne(row.id);
    const expired = await this.knex<AccountRow>(table).where('id', row.id).first();
    return expired === undefined ? undefined : { ...toAccount(expired), factors };
  }

  /**
   * An active account's claims and nothing else: what the provider reads on every token grant, where
   * the whole row (hashes, sealed secret, seven timestamps to parse) cost twice the CPU. Any other
   * state reads as no account, which is all a grant needs to know.
   */
  async findActiveClaims(id: string): Promise<ActiveClaims | undefined> {
    if (!uuidPattern.test(id)) return undefined;
    this.claimsLoader ??= new DataLoader((ids) => this.readActiveClaims(ids), {
      // Never a remembered answer: each grant reads the account after it arrived, so a deactivation
      // that returned before it is seen. Grants that ask in the same turn share one statement: on
      // loopback every statement costs two system calls and a wake-up of the database.
      cache: false,
      batchScheduleFn: (read) => setImmediate(read),
      maxBatchSize: claimsBatch,
    });
    return this.claimsLoader.load(id);
  }

  private async readActiveClaims(ids: readonly string[]): Promise<Array<ActiveClaims | undefined>> {
    // An array literal: knex would spread an array binding into a list. Every id matched uuidPattern.
    const result = (await this.knex.raw(activeClaimsQuery, [`{${ids.join(',')}}`])) as { rows: Array<Pick<AccountRow, 'id' | 'email' | 'name' | 'status'>> };
    const byId = new Map(result.rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  /** Throws DuplicateEmailError when an account already has this email, in any letter case. */
  async create(account: NewAccount): Promise<Account> {
    const row = this.newRow(account, this.now());
    const [inserted] = await this.knex<AccountRow>(table).insert(row).onConflict().ignore().returning('*');
    if (inserted === undefined) throw new DuplicateEmailError(row.email);
    return this.current(inserted);
  }

  /**
   * Provisions many accounts in one transaction, in multi-row inserts; an email that already exists
   * (or repeats within `accounts`) is skipped, so rerunning an import adds nothing.
   */
  async createMany(
    accounts: readonly NewAccount[],
    options: { onProgress?: (processed: number) => void } = {},
  ): Promise<{ added: number; skipped: number }> {
    let added = 0;
    await this.transaction(async (_trx, unit) => {
      for (let start = 0; start < accounts.length; start += insertChunkSize) {
        const chunk = accounts.slice(start, start + insertChunkSize);
        added += (await unit.insertNew(chunk)).length;
        options.onProgress?.(start + chunk.length);
      }
    });
    return { added, skipped: accounts.length - added };
  }

  /**
   * One multi-row insert (the caller keeps it to a few thousand rows and wraps it in its
   * transaction); an email that already exists, or repeats within `accounts`, is skipped. Returns
   * the accounts it added.
   */
  async insertNew(accounts: readonly NewAccount[]): Promise<Array<Pick<Account, 'id' | 'email'>>> {
    if (accounts.length === 0) return [];
    const now = this.now();
    const rows = accounts.map((account) => this.newRow(account, now));
    return this.knex<AccountRow>(table).insert(rows).onConflict().ignore().returning(['id', 'email']);
  }

  /** Which of these normalised emails an account already has. */
  async existingEmails(emails: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < emails.length; start += insertChunkSize) {
      const chunk = emails.slice(start, start + insertChunkSize);
      const rows = (await this.knex(table)
        .select(this.knex.raw('lower(email) as email'))
        .whereRaw(`lower(email) in (${chunk.map(() => '?').join(', ')})`, [...chunk])) as Array<{ email: string }>;
      for (const row of rows) found.add(row.email);
    }
    return found;
  }

  /** Ordered by email. */
  async list(filter: { status?: AccountStatus } = {}): Promise<Account[]> {
    await this.expireStaleInvitations();
    const query = this.knex<AccountRow>(table).orderBy('email');
    if (filter.status !== undefined) query.where('status', filter.status);
    return (await query).map(toAccount);
  }

  /** The language of the account's last sign-in, null before the first (or for no such account). */
  async localeOf(id: string): Promise<Locale | null> {
    if (!uuidPattern.test(id)) return null;
    const row = await this.knex<AccountRow>(table).where('id', id).first('locale');
    return isLocale(row?.locale) ? row.locale : null;
  }

  /** Keeps the language the user signed in with, for the emails no page of theirs causes. */
  async rememberLocale(id: string, locale: Locale): Promise<void> {
    assertId(id);
    await this.knex<AccountRow>(table).where('id', id).update({ locale });
  }

  async setPassword(id: string, passwordHash: string): Promise<Account> {
    return this.update(id, { password_hash: passwordHash, password_changed_at: this.now() });
  }

  /**
   * Ends first-time login: invited becomes active. An account that is already active is returned
   * unchanged. Refused (AccountStateError) for a deactivated account, an invitation past its window,
   * or an account without both a password and an authenticator app or passkey.
   */
  async activate(id: string): Promise<Account> {
    assertId(id);
    const now = this.now();
    const [row] = await this.knex<AccountRow>(table)
      .where({ id, status: 'invited' })
      .andWhere('invited_at', '>=', this.windowStart(now))
      .whereNotNull('password_hash')
      .whereExists(
        this.knex('factors')
          .whereRaw('factors.account_id = accounts.id')
          .whereIn('kind', [...primaryKinds])
          .select(this.knex.raw('1')),
      )
      .update({ status: 'active', activated_at: now, updated_at: now })
      .returning('*');
    if (row !== undefined) return toAccount(row);
    const account = await this.require(id);
    if (account.status === 'active') return account;
    if (account.status === 'deactivated') throw new AccountStateError(`The account ${account.email} is deactivated`);
    throw new AccountStateError(`The account ${account.email} has no password or no authenticator yet`);
  }

  /**
   * Clears the password so the user goes through first-time login again (the caller removes the
   * factors in the same transaction): an invited or active account becomes invited with a fresh
   * activation window. A deactivated account stays deactivated; reactivating it later starts that window.
   */
  async resetCredentials(id: string): Promise<Account> {
    assertId(id);
    await this.expireOne(id);
    const now = this.now();
    return this.update(id, {
      password_hash: null,
      password_changed_at: null,
      // Forgetting the activation is what makes a later reactivation return to invited, not active.
      activated_at: null,
      status: this.knex.raw("case when status = 'deactivated' then status else 'invited' end"),
      invited_at: this.knex.raw("case when status = 'deactivated' then invited_at else ? end", [now]),
    });
  }

  /** A deactivated account is returned unchanged, keeping its original date and reason. */
  async deactivate(id: string, reason: DeactivationReason = 'operator'): Promise<Account> {
    assertId(id);
    await this.expireOne(id);
    const now = this.now();
    const [row] = await this.knex<AccountRow>(table)
      .where('id', id)
      .whereNot('status', 'deactivated')
      .update({ status: 'deactivated', deactivated_at: now, deactivation_reason: reason, updated_at: now })
      .returning('*');
    return row === undefined ? this.require(id) : toAccount(row);
  }

  /**
   * An account that had been activated returns to active. One that never was returns to invited with
   * a new activation window starting now, as does an invited account (the operator extends its
   * window). An active account is returned unchanged.
   */
  async reactivate(id: string): Promise<Account> {
    assertId(id);
    await this.expireOne(id);
    const now = this.now();
    const [row] = await this.knex<AccountRow>(table)
      .where('id', id)
      .whereNot('status', 'active')
      .update({
        status: this.knex.raw("case when activated_at is null then 'invited' else 'active' end"),
        invited_at: this.knex.raw('case when activated_at is null then ? else invited_at end', [now]),
        deactivated_at: null,
        deactivation_reason: null,
        updated_at: now,
      })
      .returning('*');
    return row === undefined ? this.require(id) : toAccount(row);
  }

  /** Deactivates every invitation past its activation window, a batch per statement; returns how many. */
  async expireStaleInvitations(): Promise<number> {
    return inBatches(this.sweepBatch, async () => {
      const now = this.now();
      // Rows another sweep is expiring are skipped, not waited for: that sweep finishes them. A CTE, run
      // once: as a subquery of the update, PostgreSQL may run it again when it rechecks a row another
      // sweep changed, and expire more than a batch.
      const batch = this.stale(this.knex<AccountRow>(table).select('id'), now).limit(this.sweepBatch).forUpdate().skipLocked();
      return (await this.expire(now).with('batch', batch).whereIn('id', this.knex.select('id').from('batch')).returning('id')).length;
    });
  }

  private stale<Q extends Knex.QueryBuilder>(query: Q, now: Date): Q {
    return query.where('status', 'invited').andWhere('invited_at', '<', this.windowStart(now)) as Q;
  }

  private expire(now = this.now()): Knex.QueryBuilder<AccountRow, number> {
    return this.stale(this.knex<AccountRow>(table), now)
      .update({
        status: 'deactivated',
        deactivation_reason: 'activation-expired',
        deactivated_at: this.knex.raw('invited_at + make_interval(days => ?)', [this.activationDays]),
        updated_at: now,
      });
  }

  private async expireOne(id: string): Promise<void> {
    await this.expire().andWhere('id', id);
  }

  /** The row as it must be seen now: an invitation found past its window is expired first. */
  private async current(row: AccountRow): Promise<Account> {
    if (row.status !== 'invited' || row.invited_at >= this.windowStart(this.now())) return toAccount(row);
    await this.expireOne(row.id);
    return this.require(row.id);
  }

  private async require(id: string): Promise<Account> {
    const found = await this.findById(id);
    if (found === undefined) throw new AccountNotFoundError(id);
    const { factors: _factors, ...account } = found;
    return account;
  }

  private async update(id: string, changes: { [K in keyof AccountRow]?: AccountRow[K] | Knex.Raw }): Promise<Account> {
    assertId(id);
    const [row] = await this.knex<AccountRow>(table)
      .where('id', id)
      .update({ ...changes, updated_at: this.now() })
      .returning('*');
    if (row === undefined) throw new AccountNotFoundError(id);
    return this.current(row);
  }

  /** Invitations sent before this moment are past their activation window. */
  private windowStart(now: Date): Date {
    return new Date(now.getTime() - this.activationDays * dayMs);
  }

  private newRow(account: NewAccount, now: Date): AccountRow {
    const name = account.name?.trim();
    return {
      id: randomUUID(),
      email: normaliseEmail(account.email),
      name: name === undefined || name === '' ? null : name,
      status: 'invited',
      invited_at: account.invitedAt ?? now,
      activated_at: null,
      deactivated_at: null,
      deactivation_reason: null,
      password_hash: null,
      password_changed_at: null,
      locale: null,
      created_at: now,
      updated_at: now,
    };
  }
}

/** An id that is not a UUID names no account; checked here because PostgreSQL rejects it as a uuid value. */
function assertId(id: string): void {
  if (!uuidPattern.test(id)) throw new AccountNotFoundError(id);
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    invitedAt: row.invited_at,
    activatedAt: row.activated_at,
    deactivatedAt: row.deactivated_at,
    deactivationReason: row.deactivation_reason,
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
    // A language this version does not know reads as none: the server's default then applies.
    locale: isLocale(row.locale) ? row.locale : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
