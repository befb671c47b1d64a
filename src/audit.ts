import type { Knex } from 'knex';
import { normaliseEmail } from './accounts/account.ts';
import { inBatches } from './db/batches.ts';

/**
 * Every event name the server records. `signin.*`, `code.*`, `password.*`, `totp.*`,
 * `recovery-code(s).*` and `passkey.*` come from the hosted pages (and the account page); `account.*` are state changes, whoever made them; `cli.*` name the operator command
 * that was run (recorded next to the `account.*` change it caused).
 */
export const auditEventNames = [
  'signin.email',
  'signin.password',
  'signin.success',
  'signin.failure',
  'code.sent',
  'code.verified',
  'code.failure',
  'password.set',
  'password.reset',
  'password.forgot',
  'totp.enrolled',
  'totp.failure',
  'recovery-codes.created',
  'recovery-code.used',
  'recovery-code.failure',
  'passkey.added',
  'passkey.failure',
  'passkey.renamed',
  'totp.renamed',
  'password.changed',
  'password.change-failed',
  'session.ended',
  'application.ended',
  'factor.removed',
  'mfa.reset',
  'account.created',
  'account.imported',
  'account.activated',
  'account.expired',
  'account.locked',
  'account.unlocked',
  'account.reset',
  'account.deactivated',
  'account.reactivated',
  'account.signed-out',
  'account.sessions-ended',
  'account.role-granted',
  'account.role-revoked',
  'account.invitation-sent',
  'audit.exported',
  'logout',
  'cli.users.add',
  'cli.users.import',
  'cli.users.deactivate',
  'cli.users.reactivate',
  'cli.users.reset-mfa',
  'cli.users.reset',
  'cli.users.unlock',
  'cli.keys.rotate',
  'cli.audit.purge',
  'cli.migrate',
] as const;

export type AuditEventName = (typeof auditEventNames)[number];
export type AuditOutcome = 'success' | 'failure' | 'info';
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEvent {
  readonly event: AuditEventName;
  readonly outcome: AuditOutcome;
  readonly accountId?: string | null;
  readonly email?: string | null;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly clientId?: string | null;
  /** Context such as a failure reason. Keys that look secret are dropped (see secretKey). */
  readonly details?: AuditDetails;
}

export interface AuditRow {
  readonly id: number;
  readonly at: Date;
  /** A string, not AuditEventName: rows written by older versions may carry retired names. */
  readonly event: string;
  readonly outcome: AuditOutcome;
  readonly accountId: string | null;
  readonly email: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly clientId: string | null;
  readonly details: AuditDetails | null;
}

/** A row of audit_events as the drivers return it. */
export interface AuditEventRow {
  id: number | string;
  at: Date;
  event: string;
  outcome: AuditOutcome;
  account_id: string | null;
  email: string | null;
  ip: string | null;
  user_agent: string | null;
  client_id: string | null;
  details: AuditDetails | null;
}

/**
 * A guard, not the primary defence: callers must never pass a password, code, secret, token or
 * cookie, and a detail whose key suggests one is dropped in case they do.
 */
const secretKey = /pass(word|wd)|pwd|secret|token|cookie|code|otp|hash|authori[sz]ation|credential/i;

/** Client-supplied text (user agent, details) is capped so one request cannot bloat the trail. */
const maxTextLength = 512;
const maxRecentLimit = 10_000;
const dayMs = 24 * 60 * 60 * 1000;
const table = 'audit_events';
/** Rows one purge statement deletes: each stays far inside SSO_DATABASE_TIMEOUT, however large the backlog. */
const purgeBatch = 5_000;
/** Rows of one multi-row insert: 9 parameters each, well under PostgreSQL's 65,535. */
const insertBatch = 1_000;
/**
 * One event's insert, written out once: every sign-in records one, and building and compiling it
 * with the query builder each time is CPU for nothing (BENCHMARKS.md, "Fixes", round 5).
 */
export const insertOneQuery = `insert into "${table}" ("at", "event", "outcome", "account_id", "email", "ip", "user_agent", "client_id", "details") values (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class AuditLog {
  private readonly now: () => Date;

  constructor(
    private readonly knex: Knex,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The same trail inside a transaction of the caller's: an event recorded with the change it describes. */
  in(trx: Knex.Transaction): AuditLog {
    return new AuditLog(trx, { now: this.now });
  }

  async record(event: AuditEvent): Promise<void> {
    const row = this.row(event);
    await this.knex.raw(insertOneQuery, [row.at, row.event, row.outcome, row.account_id, row.email, row.ip, row.user_agent, row.client_id, row.details]);
  }

  /** Many events in multi-row inserts, e.g. one per account of an import, inside the caller's transaction. */
  async recordMany(events: readonly AuditEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += insertBatch) {
      await this.knex(table).insert(events.slice(start, start + insertBatch).map((event) => this.row(event)));
    }
  }

  /**
   * Records a refusal that a client may repeat at will (an unknown or deactivated email asked again
   * and again): a repeat of the same event, outcome, reason, email and address within
   * `windowSeconds` of the last row recording it adds one to that row's `details.repeats` instead of
   * adding a row, so a client cannot grow the trail by asking the same thing. One statement, so
   * concurrent repeats are all counted.
   */
  async recordRepeatable(event: AuditEvent & { details: { reason: string } }, windowSeconds: number): Promise<void> {
    const row = this.row(event);
    const since = new Date(this.now().getTime() - windowSeconds * 1000);
    await this.knex.raw(
      `with repeated as (
         update ?? set details = jsonb_set(details, '{repeats}', to_jsonb(coalesce((details->>'repeats')::int, 0) + 1))
         where id = (
           select id from ?? where email is not distinct from ? and at > ? and event = ? and outcome = ?
             and ip is not distinct from ? and details->>'reason' = ?
           order by at desc limit 1
         )
         returning id
       )
       insert into ?? (at, event, outcome, account_id, email, ip, user_agent, client_id, details)
       select ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb where not exists (select 1 from repeated)`,
      [
        table,
        table,
        row.email,
        since,
        row.event,
        row.outcome,
        row.ip,
        event.details.reason,
        table,
        row.at,
        row.event,
        row.outcome,
        row.account_id,
        row.email,
        row.ip,
        row.user_agent,
        row.client_id,
        row.details,
      ],
    );
  }

  private row(event: AuditEvent) {
    const details = safeDetails(event.details);
    return {
      at: this.now(),
      event: event.event,
      outcome: event.outcome,
      account_id: event.accountId ?? null,
      email: event.email == null ? null : clip(normaliseEmail(event.email)),
      ip: clip(event.ip),
      user_agent: clip(event.userAgent),
      client_id: clip(event.clientId),
      // Serialised here so both drivers store the same JSON rather than each choosing an encoding.
      details: details === null ? null : JSON.stringify(details),
    };
  }

  /** Newest first; `email` matches in any letter case. */
  async recent(filter: { email?: string; limit: number }): Promise<AuditRow[]> {
    const limit = Math.min(Math.max(Math.trunc(filter.limit), 1), maxRecentLimit);
    const query = this.knex<AuditEventRow>(table).orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    if (filter.email !== undefined) query.where('email', normaliseEmail(filter.email));
    return (await query.limit(limit)).map(toAuditRow);
  }

  /** When `event` was last recorded for the account with this email (the (email, at) index serves it). */
  async lastAt(email: string, event: AuditEventName): Promise<Date | undefined> {
    const row = await this.knex<AuditEventRow>(table).where({ email: normaliseEmail(email), event, outcome: 'success' }).orderBy('at', 'desc').first('at');
    return row?.at;
  }

  /** The accounts an event was recorded for since `since` (the `at` index bounds the read). */
  async accountsWith(event: AuditEventName, since: Date): Promise<string[]> {
    const rows = await this.knex<AuditEventRow>(table).distinct('account_id').where('at', '>', since).andWhere('event', event).whereNotNull('account_id');
    return rows.map((row) => row.account_id!);
  }

  /** Deletes events older than `days` days, in batches; returns how many. */
  async purgeOlderThan(days: number): Promise<number> {
    const cutoff = new Date(this.now().getTime() - days * dayMs);
    return inBatches(purgeBatch, async () => {
      // Counted in SQL: a purge may remove millions of rows, too many to bring back as a list.
      const result = (await this.knex.raw(
        'with purged as (delete from ?? where id in (select id from ?? where at < ? limit ?) returning 1) select count(*)::int as count from purged',
        [table, table, cutoff, purgeBatch],
      )) as { rows: Array<{ count: number }> };
      return result.rows[0]?.count ?? 0;
    });
  }
}

function safeDetails(details: AuditDetails | undefined): AuditDetails | null {
  if (details === undefined) return null;
  const kept = Object.entries(details)
    .filter(([key]) => !secretKey.test(key))
    .map(([key, value]) => [key, typeof value === 'string' ? clip(value) : value] as const);
  return kept.length === 0 ? null : Object.fromEntries(kept);
}

function clip(text: string | null | undefined): string | null {
  if (text == null) return null;
  return text.length > maxTextLength ? text.slice(0, maxTextLength) : text;
}

export function toAuditRow(row: AuditEventRow): AuditRow {
  return {
    // bigint: a string from pg, a number from PGlite.
    id: Number(row.id),
    at: row.at,
    event: row.event,
    outcome: row.outcome,
    accountId: row.account_id,
    email: row.email,
    ip: row.ip,
    userAgent: row.user_agent,
    clientId: row.client_id,
    details: row.details,
  };
}
