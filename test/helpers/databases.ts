import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { openDatabase, type Database } from '../../src/db/knex.ts';

/**
 * The databases a durable-storage test must pass on: the embedded PGlite database always, and
 * PostgreSQL when TEST_DATABASE_URL is set (otherwise that variant carries a skip reason).
 *
 * Each variant owns a fresh place of its own, created on the first open(): a temporary directory, or
 * a schema with a random name. open() returns an unmigrated Database (call migrate()); it may be
 * called again after closing to reopen the same data. cleanup() removes the place: close every
 * Database it opened first.
 *
 *   for (const variant of databaseVariants()) {
 *     describe(variant.name, { skip: variant.skip }, () => {
 *       let db: Database;
 *       before(async () => { db = await variant.open(); await migrate(db); });
 *       after(async () => { await db?.close(); await variant.cleanup(); });
 *     });
 *   }
 */
export interface DatabaseVariant {
  readonly name: 'embedded' | 'postgres';
  /** Why this variant cannot run here, or false. Pass it as node:test's `skip` option. */
  readonly skip: string | false;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

export function databaseVariants(): DatabaseVariant[] {
  return [embeddedVariant(), postgresVariant(process.env.TEST_DATABASE_URL)];
}

function embeddedVariant(): DatabaseVariant {
  let dataDir: string | undefined;
  return {
    name: 'embedded',
    skip: false,
    async open() {
      dataDir ??= await mkdtemp(path.join(os.tmpdir(), 'sso-test-db-'));
      return openDatabase({ databaseUrl: undefined, databaseSchema: undefined, dataDir });
    },
    async cleanup() {
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
      dataDir = undefined;
    },
  };
}

function postgresVariant(url: string | undefined): DatabaseVariant {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  let opened = false;
  return {
    name: 'postgres',
    skip: url === undefined ? 'set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run on PostgreSQL' : false,
    async open() {
      if (url === undefined) throw new Error('TEST_DATABASE_URL is not set');
      opened = true;
      // dataDir is unused with a databaseUrl.
      return openDatabase({ databaseUrl: url, databaseSchema: schema, dataDir: os.tmpdir() });
    },
    async cleanup() {
      if (url === undefined || !opened) return;
      await dropSchema(url, schema);
      opened = false;
    },
  };
}

/** Removes a test run's schema from PostgreSQL with everything in it. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('drop schema if exists ?? cascade', [schema]);
  } finally {
    await admin.destroy();
  }
}
