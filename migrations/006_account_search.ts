import type { Knex } from 'knex';

/**
 * Indexes of the console's account search (src/accounts/directory.ts), which matches
 * `lower(email)` and `lower(name)` with LIKE and pages in `lower(email)` order:
 *
 * - Trigram GIN indexes (pg_trgm) answer a substring search (`%term%`) among a million accounts
 *   from the index. pg_trgm ships with PostgreSQL's contrib and with PGlite; where it cannot be
 *   installed (a server without contrib, a role that may not create it), the migration goes on
 *   without these two and a substring search reads the table: correct, and slower.
 * - Pattern indexes answer a prefix search (`term%`, what a term of one or two letters is) on
 *   every server, with or without pg_trgm.
 * - (status, lower(email)) pages through one state in order without sorting it.
 */
export async function up(knex: Knex): Promise<void> {
  const trigrams = await trigramSchema(knex);
  if (trigrams !== undefined) {
    await knex.raw(`create index accounts_email_trgm on accounts using gin (lower(email) ??.gin_trgm_ops)`, [trigrams]);
    await knex.raw(`create index accounts_name_trgm on accounts using gin (lower(name) ??.gin_trgm_ops)`, [trigrams]);
  }
  await knex.raw('create index accounts_email_pattern on accounts (lower(email) text_pattern_ops)');
  await knex.raw('create index accounts_name_pattern on accounts (lower(name) text_pattern_ops)');
  await knex.raw('create index accounts_status_email on accounts (status, lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['accounts_email_trgm', 'accounts_name_trgm', 'accounts_email_pattern', 'accounts_name_pattern', 'accounts_status_email']) {
    await knex.raw('drop index if exists ??', [index]);
  }
}

/**
 * The schema pg_trgm lives in, installing it in `public` when it is not there yet (outside the
 * server's own schema, so dropping that schema never takes the extension from another's indexes);
 * undefined when it cannot be had. The attempt runs in a savepoint, so a refusal leaves the
 * migration's transaction usable.
 */
async function trigramSchema(knex: Knex): Promise<string | undefined> {
  const installed = async () => {
    const result = (await knex.raw("select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'")) as { rows: Array<{ schema: string }> };
    return result.rows[0]?.schema;
  };
  const existing = await installed();
  if (existing !== undefined) return existing;
  try {
    await knex.transaction((savepoint) => savepoint.raw('create extension if not exists pg_trgm schema public'));
  } catch {
    return undefined;
  }
  return installed();
}
