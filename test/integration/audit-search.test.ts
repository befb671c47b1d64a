import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { auditCsv, auditCsvColumns } from '../../src/audit-csv.ts';
import { AuditSearch } from '../../src/audit-search.ts';
import { AuditLog, type AuditEvent, type AuditRow } from '../../src/audit.ts';
import type { Database } from '../../src/db/knex.ts';
import { migrate } from '../../src/db/migrate.ts';
import { databaseVariants } from '../helpers/databases.ts';

/**
 * The audit query behind the console's Audit log page: filters by email, event and dates, pages by
 * key, and a CSV export streamed batch by batch with formulas defused.
 */
const t0 = new Date('2026-01-01T00:00:00.000Z');
const hourMs = 3600 * 1000;
const total = 5000;

async function collect(rows: AsyncIterable<AuditRow>): Promise<AuditRow[]> {
  const all: AuditRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

for (const variant of databaseVariants()) {
  describe(`audit search and export (${variant.name})`, { skip: variant.skip, timeout: 300_000 }, () => {
    let db: Database;
    let search: AuditSearch;

    before(async () => {
      db = await variant.open();
      await migrate(db);
      search = new AuditSearch(db.knex);
      // Event i happens at t0 + i hours; every 10th is ann's, every 3rd a failed sign-in.
      for (let start = 0; start < total; start += 500) {
        const events: AuditEvent[] = [];
        for (let i = start; i < start + 500; i++) {
          events.push({
            event: i % 3 === 0 ? 'signin.failure' : 'signin.success',
            outcome: i % 3 === 0 ? 'failure' : 'success',
            email: i % 10 === 0 ? 'Ann@Example.com' : `user${i}@example.com`,
            ip: '192.0.2.1',
            details: { i },
          });
        }
        // One clock per event, so each has its own hour.
        for (const [k, event] of events.entries()) await new AuditLog(db.knex, { now: () => new Date(t0.getTime() + (start + k) * hourMs) }).record(event);
      }
    });
    after(async () => {
      await db?.close();
      await variant.cleanup();
    });

    it('filters by email in any case, event and a date range, newest first', async () => {
      const from = new Date(t0.getTime() + 1000 * hourMs);
      const until = new Date(t0.getTime() + 2000 * hourMs);
      const rows = await collect(search.all({ email: ' ANN@example.com', event: 'signin.failure', from, until }));
      const expected = Array.from({ length: 1000 }, (_, k) => 1999 - k).filter((i) => i % 10 === 0 && i % 3 === 0);
      assert.deepEqual(rows.map((row) => row.details?.i), expected);
      assert.ok(rows.every((row) => row.email === 'ann@example.com' && row.event === 'signin.failure'));
      assert.deepEqual(await collect(search.all({ event: 'no.such.event' })), []);
    });

    it('pages by key: every matching event once, in order, even while new events arrive between pages', async () => {
      const seen: number[] = [];
      let before: number | undefined;
      let pages = 0;
      do {
        const page = await search.page({ email: 'ann@example.com' }, { before, limit: 37 });
        seen.push(...page.rows.map((row) => Number(row.details?.i)));
        before = page.next;
        pages += 1;
        // A newer event of ann's: it belongs before the first page, never inside a later one.
        if (pages === 2) await new AuditLog(db.knex).record({ event: 'signin.success', outcome: 'success', email: 'ann@example.com', details: { i: -1 } });
      } while (before !== undefined);
      const expected = Array.from({ length: total / 10 }, (_, k) => total - 10 - k * 10);
      assert.deepEqual(seen, expected);
      assert.equal(pages, Math.ceil(expected.length / 37));
      const last = await search.page({ email: 'ann@example.com' }, { limit: 1 });
      assert.equal(last.rows[0]?.details?.i, -1);
    });

    it('streams the CSV export batch by batch: the first bytes come before most rows are read', async () => {
      let queries = 0;
      const count = () => (queries += 1);
      db.knex.on('query', count);
      try {
        const stream = auditCsv(search.all({}));
        const chunks: string[] = [];
        let queriesAtFirstChunk: number | undefined;
        for await (const chunk of stream) {
          queriesAtFirstChunk ??= queries;
          chunks.push(String(chunk));
        }
        assert.ok(queriesAtFirstChunk !== undefined && queriesAtFirstChunk <= 2, `${queriesAtFirstChunk} queries before the first chunk`);
        assert.ok(queries >= total / 1000, `${queries} queries for ${total} rows: read in batches`);
        const records = parse(chunks.join(''), { columns: true }) as Array<Record<string, string>>;
        assert.equal(records.length, total + 1);
        assert.deepEqual(Object.keys(records[0]!), [...auditCsvColumns]);
        const ids = records.map((record) => JSON.parse(record.details!) as { i: number }).map((details) => details.i);
        assert.equal(new Set(ids).size, ids.length, 'every event once');
      } finally {
        db.knex.removeListener('query', count);
      }
    });

    it('quotes cells and defuses formulas a spreadsheet would run', async () => {
      const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', 'comma, "quote"\r\nnew line'];
      for (const userAgent of hostile) await new AuditLog(db.knex).record({ event: 'signin.failure', outcome: 'failure', email: 'csv@example.com', userAgent, details: { reason: userAgent } });
      let text = '';
      for await (const chunk of auditCsv(search.all({ email: 'csv@example.com' }))) text += String(chunk);
      const records = parse(text, { columns: true }) as Array<Record<string, string>>;
      const agents = records.map((record) => record.user_agent!).reverse();
      assert.deepEqual(agents.slice(0, 5), hostile.slice(0, 5).map((value) => `'${value}`));
      assert.equal(agents[5], hostile[5], 'ordinary text is quoted, not changed');
      assert.ok(records.every((record) => !/^[=+\-@\t\r]/.test(record.user_agent!)));
      assert.ok(records.every((record) => record.details!.startsWith('{')), 'details are JSON objects, which cannot start a formula');
    });
  });
}
