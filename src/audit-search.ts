import type { Knex } from 'knex';
import { normaliseEmail } from './accounts/account.ts';
import { toAuditRow, type AuditEventRow, type AuditRow } from './audit.ts';

/** What the console's Audit log page filters by; each part is optional. */
export interface AuditFilter {
  readonly email?: string | undefined;
  readonly event?: string | undefined;
  /** Events at or after this moment. */
  readonly from?: Date | undefined;
  /** Events before this moment. */
  readonly until?: Date | undefined;
}

export interface AuditPage {
  readonly rows: readonly AuditRow[];
  /** The cursor of the next (older) page: the id its events come before. */
  readonly next: number | undefined;
}

const table = 'audit_events';
export const maxPageSize = 200;
/** Rows one query of an export reads: enough to keep the round trips few, little to hold. */
const exportBatch = 1000;

/**
 * Searching the audit trail, newest first, a page at a time by key: the id, which only grows, so a
 * page is the events older than the last one shown, however many events are added meanwhile, and
 * no page costs more than its own rows (no OFFSET). The export reads the same way, batch by batch,
 * so even millions of events never sit in memory at once; and it holds no transaction or cursor
 * open between batches, which the embedded database could not share with the server's requests.
 */
export class AuditSearch {
  constructor(private readonly knex: Knex) {}

  async page(filter: AuditFilter, options: { readonly before?: number | undefined; readonly limit: number }): Promise<AuditPage> {
    const limit = Math.min(Math.max(Math.trunc(options.limit), 1), maxPageSize);
    const rows = await this.batch(filter, options.before, limit + 1);
    return { rows: rows.slice(0, limit), next: rows.length > limit ? rows[limit - 1]!.id : undefined };
  }

  /** Every event the filter matches, newest first, read a batch at a time as the consumer asks. */
  async *all(filter: AuditFilter): AsyncGenerator<AuditRow> {
    let before: number | undefined;
    for (;;) {
      const rows = await this.batch(filter, before, exportBatch);
      yield* rows;
      if (rows.length < exportBatch) return;
      before = rows.at(-1)!.id;
    }
  }

  private async batch(filter: AuditFilter, before: number | undefined, limit: number): Promise<AuditRow[]> {
    const query = this.knex<AuditEventRow>(table).orderBy('id', 'desc').limit(limit);
    if (filter.email !== undefined) query.where('email', normaliseEmail(filter.email));
    if (filter.event !== undefined) query.where('event', filter.event);
    if (filter.from !== undefined) query.where('at', '>=', filter.from);
    if (filter.until !== undefined) query.where('at', '<', filter.until);
    if (before !== undefined) query.where('id', '<', before);
    return (await query).map(toAuditRow);
  }
}
