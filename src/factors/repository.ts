import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { factorKinds, primaryKinds, type FactorKind, type StoredFactor } from './record.ts';

interface FactorRow {
  id: string;
  account_id: string;
  kind: FactorKind;
  name: string | null;
  secret: string | null;
  credential_id: string | null;
  data: unknown;
  created_at: Date;
  last_used_at: Date | null;
}

const table = 'factors';
/** The authenticator step's write of every sign-in, written out once rather than built each time (BENCHMARKS.md, "Fixes", round 5). */
export const touchQuery = `update "${table}" set "last_used_at" = ? where "id" = ?`;

/**
 * The row as a JSON object, as the accounts' queries aggregate it (see factorsColumn): timestamps
 * arrive as strings there, so rows are parsed rather than cast.
 */
const aggregatedRow = z.object({
  id: z.string(),
  account_id: z.string(),
  kind: z.enum(factorKinds),
  name: z.string().nullable(),
  secret: z.string().nullable(),
  credential_id: z.string().nullable(),
  data: z.unknown(),
  created_at: z.coerce.date(),
  last_used_at: z.coerce.date().nullable(),
});

export function toFactor(row: FactorRow | z.infer<typeof aggregatedRow>): StoredFactor {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    name: row.name,
    secret: row.secret,
    credentialId: row.credential_id,
    data: row.data ?? null,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/**
 * A select column holding an account's factors as a JSON array, oldest first, so one query reads an
 * account and everything its sign-in needs; it names the account by the query's `accounts.id`.
 * Plain text, so that statements read on every sign-in step can be written out once.
 */
export const factorsColumn = `coalesce((select json_agg(f order by f.created_at, f.id) from "${table}" f where f.account_id = "accounts"."id"), '[]'::json) as factors`;

/** The factors column as read back: a row that does not parse is left out rather than trusted. */
export function parseFactorsColumn(value: unknown): StoredFactor[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const parsed = aggregatedRow.safeParse(item);
    return parsed.success ? [toFactor(parsed.data)] : [];
  });
}

export interface NewFactor {
  readonly accountId: string;
  readonly kind: FactorKind;
  readonly name: string | null;
  readonly secret?: string | null;
  readonly credentialId?: string | null;
  readonly data?: unknown;
}

/** Locks the account's row for the transaction, so changes to its factors happen one after the other; false when there is no such account. */
async function lockAccount(trx: Knex.Transaction, accountId: string): Promise<boolean> {
  return (await trx('accounts').where('id', accountId).forUpdate().first('id')) !== undefined;
}

/** The `factors` table. Each kind's module (src/factors/) decides what goes in; this only stores it. */
export class FactorRepository {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async listFor(accountId: string, kind?: FactorKind): Promise<StoredFactor[]> {
    const query = this.knex<FactorRow>(table).where('account_id', accountId).orderBy([{ column: 'created_at' }, { column: 'id' }]);
    if (kind !== undefined) query.where('kind', kind);
    return (await query).map(toFactor);
  }

  /**
   * Adds a factor unless the account already holds `max` of its kind; undefined when it does. The
   * account's row is locked first, so two enrollments at once count one after the other.
   */
  async add(factor: NewFactor, max: number): Promise<StoredFactor | undefined> {
    return this.knex.transaction(async (trx) => {
      if (!(await lockAccount(trx, factor.accountId))) return undefined;
      const [counted] = await trx(table).where({ account_id: factor.accountId, kind: factor.kind }).count({ n: '*' });
      if (Number(counted?.n ?? 0) >= max) return undefined;
      return this.insert(trx, factor);
    });
  }

  /**
   * Stores the factor in place of every factor of its kind the account had (a new set of recovery
   * codes voids the old one), under the account's row lock: two replacements at once leave one.
   * Undefined when there is no such account.
   */
  async replace(factor: NewFactor): Promise<StoredFactor | undefined> {
    return this.knex.transaction(async (trx) => {
      if (!(await lockAccount(trx, factor.accountId))) return undefined;
      await trx(table).where({ account_id: factor.accountId, kind: factor.kind }).del();
      return this.insert(trx, factor);
    });
  }

  /**
   * Takes `member` out of the list `data.<list>` of the account's factor of `kind` in one conditional
   * statement: of concurrent takers of one member, exactly one finds it there (the others' updates
   * wait for its row lock and then no longer match). Returns how many members the list has left,
   * or undefined when it did not hold the member. The factor is marked used.
   */
  async takeFromList(accountId: string, kind: FactorKind, list: string, member: string): Promise<number | undefined> {
    if (!/^[a-z]+$/.test(list)) throw new RangeError(`not a list name: ${list}`);
    const result = (await this.knex.raw(
      `update ${table} set data = jsonb_set(data, '{${list}}', (data -> ?) - ?::text), last_used_at = ?
       where account_id = ? and kind = ? and (data -> ?) @> jsonb_build_array(?::text)
       returning jsonb_array_length(data -> ?) as left`,
      [list, member, this.now(), accountId, kind, list, member, list],
    )) as { rows: Array<{ left: number | string }> };
    const row = result.rows[0];
    return row === undefined ? undefined : Number(row.left);
  }

  /**
   * Sets `data.counter` of a factor to `counter` when it is higher than the stored one, or when both
   * are 0 (an authenticator that keeps no counter): a counter that did not move forward is refused,
   * as the sign of a cloned authenticator. One conditional statement, so two uses cannot both move
   * it to the same value. The factor is marked used. False when refused.
   */
  async advanceCounter(factorId: string, counter: number): Promise<boolean> {
    const result = (await this.knex.raw(
      `update ${table} set data = jsonb_set(data, '{counter}', to_jsonb(?::bigint)), last_used_at = ?
       where id = ? and (coalesce((data ->> 'counter')::bigint, 0) < ?::bigint
                         or (?::bigint = 0 and coalesce((data ->> 'counter')::bigint, 0) = 0))
       returning id`,
      [counter, this.now(), factorId, counter, counter],
    )) as { rows: unknown[] };
    return result.rows.length > 0;
  }

  private async insert(trx: Knex.Transaction, factor: NewFactor): Promise<StoredFactor | undefined> {
    const [row] = await trx<FactorRow>(table)
      .insert({
        id: randomUUID(),
        account_id: factor.accountId,
        kind: factor.kind,
        name: factor.name,
        secret: factor.secret ?? null,
        credential_id: factor.credentialId ?? null,
        // Serialised here so both drivers store the same JSON.
        data: factor.data === undefined ? null : (JSON.stringify(factor.data) as unknown),
        created_at: this.now(),
        last_used_at: null,
      })
      .returning('*');
    return row === undefined ? undefined : toFactor(row);
  }

  /** Renames one of the account's factors; false when it has no such factor. */
  async rename(accountId: string, factorId: string, name: string): Promise<boolean> {
    return (await this.knex<FactorRow>(table).where({ id: factorId, account_id: accountId }).update({ name }).returning('id')).length > 0;
  }

  /**
   * Removes one of the account's factors, unless it is the last authenticator app or passkey (an
   * account always keeps one): 'last' then, 'missing' when there is no such factor. The account's
   * row is locked first, so of removals at once each counts what the one before it left: of an
   * account's last two, removed at once, one stays. `alongside` runs in the same transaction when
   * the factor is removed (its audit event, the email it owes).
   */
  async remove(accountId: string, factorId: string, alongside?: (trx: Knex.Transaction) => Promise<void>): Promise<'removed' | 'last' | 'missing'> {
    return this.knex.transaction(async (trx) => {
      if (!(await lockAccount(trx, accountId))) return 'missing';
      const factor = await trx<FactorRow>(table).where({ id: factorId, account_id: accountId }).first('kind');
      if (factor === undefined) return 'missing';
      if (primaryKinds.has(factor.kind)) {
        const others = await trx(table)
          .where('account_id', accountId)
          .whereNot('id', factorId)
          .whereIn('kind', [...primaryKinds])
          .first('id');
        if (others === undefined) return 'last';
      }
      await trx(table).where({ id: factorId, account_id: accountId }).del();
      await alongside?.(trx);
      return 'removed';
    });
  }

  /** Removes every factor of the account (an operator's reset); returns how many. */
  async removeAll(accountId: string): Promise<number> {
    // Counted from the rows returned: PGlite's driver does not report a count for a delete.
    return (await this.knex(table).where('account_id', accountId).del().returning('id')).length;
  }

  /** The same table inside a transaction of the caller's. */
  in(trx: Knex.Transaction): FactorRepository {
    return new FactorRepository(trx, this.now);
  }

  /** Runs `work` in a transaction, with this repository bound to it. */
  transaction<T>(work: (trx: Knex.Transaction, factors: FactorRepository) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(trx, this.in(trx)));
  }

  async touch(factorId: string): Promise<void> {
    await this.knex.raw(touchQuery, [this.now(), factorId]);
  }
}
