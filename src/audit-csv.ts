import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { AuditRow } from './audit.ts';

export const auditCsvColumns = ['time', 'event', 'outcome', 'email', 'account_id', 'ip', 'client_id', 'user_agent', 'details'] as const;

function record(row: AuditRow): Record<(typeof auditCsvColumns)[number], string> {
  return {
    time: row.at.toISOString(),
    event: row.event,
    outcome: row.outcome,
    email: row.email ?? '',
    account_id: row.accountId ?? '',
    ip: row.ip ?? '',
    client_id: row.clientId ?? '',
    user_agent: row.userAgent ?? '',
    details: row.details === null ? '' : JSON.stringify(row.details),
  };
}

/**
 * Audit events as a CSV stream (RFC 4180 quoting, a header row), written as the rows come and at
 * the pace the reader takes them. Much of an event is text someone else chose (an email typed at
 * the sign-in page, a user agent): a cell starting with = + - @, a tab or a carriage return gets a
 * leading apostrophe, so a spreadsheet opening the file never runs it as a formula.
 */
export function auditCsv(rows: AsyncIterable<AuditRow>): Readable {
  const csv = stringify({ header: true, columns: [...auditCsvColumns], escape_formulas: true, record_delimiter: 'windows' });
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) yield record(row);
    })(),
  );
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
