import type { Knex } from 'knex';

/**
 * The console's account search (src/accounts/directory.ts). It pages in the order of
 * `lower(email) collate "C"` (byte order: the same on every server, whatever its locale) and
 * matches a term anywhere in `search`, a stored column holding the email and the name in lower
 * case, a line apart (a term of one line never spans both):
 *
 * - (lower(email) collate "C") including `email` and `search` gives the order, the keyset condition of a page
 *   (`> after`) and a prefix search (`like 'ja%'`) as one range scan (LIKE uses a btree only in the
 *   C collation), and lets a common term be looked for along that order in the index alone.
 * - A trigram GIN index (pg_trgm) finds the accounts holding a rare term of three letters or more.
 *   pg_trgm ships with PostgreSQL's contrib and with PGlite; where it cannot be installed (a server
 *   without contrib, a role that may not create it), the migration goes on without it and such a
 *   search reads the table: correct, and slower.
 * - (status, lower(email) collate "C") including the same pages through one state in order, and
 *   looks for a term along it, in the same ways.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table accounts add column search text generated always as (lower(email) || E'\\n' || lower(coalesce(name, ''))) stored");
  const trigrams = await trigramSchema(knex);
  if (trigrams !== undefined) await knex.raw('create index accounts_search_trgm on accounts using gin (search ??.gin_trgm_ops)', [trigrams]);
  // email is included too: PostgreSQL reads an expression from an index alone only when the columns it is made of are there.
  await knex.raw('create index accounts_email_key on accounts ((lower(email) collate "C")) include (email, search)');
  await knex.raw('create index accounts_status_email_key on accounts (status, (lower(email) collate "C")) include (email, search)');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['accounts_search_trgm', 'accounts_email_key', 'accounts_status_email_key']) {
    await knex.raw('drop index if exists ??', [index]);
  }
  await knex.raw('alter table accounts drop column search');
}

/**
 * The schema pg_trgm lives in (migrations/008_account_search_words.ts asks too), installing it in `public` when it is not there yet (outside the
 * server's own schema, so dropping that schema never takes the extension from another's indexes);
 * undefined when it cannot be had. The attempt runs in a savepoint, so a refusal leaves the
 * migration's transaction usable.
 */
export async function trigramSchema(knex: Knex): Promise<string | undefined> {
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
