import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { Database } from './knex.ts';

const migrationsDirectory = fileURLToPath(new URL('../../migrations/', import.meta.url));
/** `.ts` under tsx, `.js` compiled to dist/: the migrations are built alongside this module. */
const migrationExtension = path.extname(fileURLToPath(import.meta.url));
const migrationFile = new RegExp(`^\\d+_[\\w-]+\\${migrationExtension}$`);

/**
 * Imports each migration with import(), so tsx's ESM loader compiles the TypeScript, instead of
 * relying on knex's own file loader. Names are recorded without the extension, so the history
 * stays valid however the files are run.
 */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  /** @param until the last migration to apply (its name, without extension); all of them when undefined */
  constructor(private readonly until?: string) {}

  async getMigrations(): Promise<string[]> {
    const files = (await readdir(migrationsDirectory)).filter((file) => migrationFile.test(file)).sort();
    return this.until === undefined ? files : files.filter((file) => this.getMigrationName(file) <= this.until!);
  }

  getMigrationName(file: string): string {
    return path.basename(file, migrationExtension);
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    return (await import(pathToFileURL(path.join(migrationsDirectory, file)).href)) as Knex.Migration;
  }
}

/**
 * Applies every pending migration and returns the names applied, in order (empty when up to date).
 * `until` stops after the named migration: the tests build a database as an older version left it.
 */
export async function migrate(db: Database, options: { until?: string } = {}): Promise<string[]> {
  // A migration may rewrite a large table: it runs free of the requests' statement timeout.
  return db.withoutTimeouts(async (knex) => {
    const latest = async (): Promise<string[]> => {
      const [, applied] = (await knex.migrate.latest({ migrationSource: new DirectoryMigrationSource(options.until) })) as [number, string[]];
      return applied;
    };
    if (db.kind === 'embedded') return latest();
    // Instances starting together would race in knex's check-then-create of its own bookkeeping
    // tables; a transaction-scoped advisory lock per schema makes them take turns. The lock holds one
    // connection while the migrations run on the other.
    return knex.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtext('fluxys-sso migrations ' || current_schema()))");
      return latest();
    });
  });
}
