import type { Knex } from 'knex';
import { trigramSchema } from './007_account_search.ts';

/**
 * Two indexes for a common term that starts the emails holding it ("wim", "sofie": a first name).
 * Its matches cluster at one place of the email order, often far down it, so neither a walk along
 * that order nor the trigram index (every match read from the table, to be sorted) finds its first
 * page quickly. The console's search (src/accounts/directory.ts) splits such a term's matches
 * three ways, by where the term stands:
 *
 * - at the start of the email: a range of the email's own index, already in order;
 * - at the start of the name, where the email does not start with it: the name's index below, a
 *   range read in the index alone (it includes what a page shows);
 * - anywhere else: the trigram index below, over `search` without the first letter of the email
 *   and of the name (spaces made zeros, as in migrations/008_account_search_words.ts), where a first
 *   name's matches are few.
 *
 * The expressions are written the same way in the search, which is how PostgreSQL finds them.
 */
export async function up(knex: Knex): Promise<void> {
  const trigrams = await trigramSchema(knex);
  if (trigrams !== undefined) {
    await knex.raw(
      "create index accounts_search_inner_trgm on accounts using gin (translate(substr(lower(email), 2) || E'\\n' || substr(lower(coalesce(name, '')), 2), ' ', '0') ??.gin_trgm_ops)",
      [trigrams],
    );
  }
  // email and name are included because PostgreSQL reads an expression from an index alone only when the columns it is made of are there.
  await knex.raw('create index accounts_name_key on accounts ((lower(coalesce(name, \'\')) collate "C")) include (id, email, name, status)');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['accounts_search_inner_trgm', 'accounts_name_key']) {
    await knex.raw('drop index if exists ??', [index]);
  }
}
