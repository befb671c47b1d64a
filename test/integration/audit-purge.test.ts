import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../src/audit.ts';
import { openDatabase } from '../../src/db/knex.ts';
import { migrate } from '../../src/db/migrate.ts';
import { runCli } from '../helpers/cli-process.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** `audit purge`: the retention applied on demand by an operator, on the embedded database. */
describe('audit purge (CLI)', () => {
  let dataDir: string;
  let env: Record<string, string>;

  /** Between CLI runs only: the embedded database admits one process at a time. */
  async function withDatabase<T>(use: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
    const db = await openDatabase({ databaseUrl: undefined, databaseSchema: undefined, dataDir });
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-audit-purge-'));
    env = { SSO_DATA_DIR: dataDir, SSO_AUDIT_RETENTION_DAYS: '100' };
    await withDatabase(async (db) => {
      await migrate(db);
      for (const age of [400, 150, 50, 0]) {
        const log = new AuditLog(db.knex, { now: () => new Date(Date.now() - age * dayMs) });
        await log.record({ event: 'signin.success', outcome: 'success', email: `aged.${age}@example.com` });
      }
    });
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('purges beyond SSO_AUDIT_RETENTION_DAYS, or --older-than, and records that it did', async () => {
    const byRetention = await runCli(['audit', 'purge'], env);
    assert.equal(byRetention.code, 0, byRetention.stderr);
    assert.match(byRetention.stdout, /^Purged 2 audit events older than 100 days \(before \d{4}-\d\d-\d\dT[\d:]+Z\)\n$/);

    const byOption = await runCli(['audit', 'purge', '--older-than', '30'], env);
    assert.equal(byOption.code, 0, byOption.stderr);
    assert.match(byOption.stdout, /^Purged 1 audit event older than 30 days /);

    const remaining = await withDatabase((db) => new AuditLog(db.knex).recent({ limit: 10 }));
    assert.deepEqual(
      remaining.map((row) => `${row.event} ${row.email ?? '-'}`),
      ['cli.audit.purge -', 'cli.audit.purge -', 'signin.success aged.0@example.com'],
    );
    assert.deepEqual(
      remaining.filter((row) => row.event === 'cli.audit.purge').map(({ details }) => [details?.days, details?.purged]),
      [[30, 1], [100, 2]],
    );
  });

  it('refuses a bad --older-than with one line and exit code 1, before touching anything', async () => {
    const run = await runCli(['audit', 'purge', '--older-than', '0'], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^[^\n]*--older-than[^\n]*Use a whole number of days from 1 to \d+\.\n$/);
    const count = await withDatabase(async (db) => (await db.knex('audit_events').count<{ count: number }[]>('* as count'))[0]!.count);
    assert.equal(Number(count), 3);
  });
});
