import type { Knex } from 'knex';
import { trigramSchema } from './007_account_search.ts';

/**
 * The trigram index of the console's account search is rebuilt over `search` with its spaces made
 * zeros. pg_trgm cuts text into words at every character that is not a letter or a digit, so a term
 * with a space ("e van d") gave the index only its separate words ("van", a word starting with "d"),
 * which every "Van Dijk" holds: the index named 50,000 rows for 7,500 matches, each read from the
 * table to be rejected. Joined by a digit, the name's words stay one word ("marie0van0dijk"), and
 * the term asked the same way ("e0van0d") names only the rows that hold it. Spaces are zeros in the
 * term and the row alike, so every row holding the term is among those named; a zero that stood for
 * nothing is sorted out by the search, which also checks `search` itself (src/accounts/directory.ts,
 * where the same expression is written).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists accounts_search_trgm');
  const trigrams = await trigramSchema(knex);
  if (trigrams !== undefined) await knex.raw("create index accounts_search_words_trgm on accounts using gin (translate(search, ' ', '0') ??.gin_trgm_ops)", [trigrams]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists accounts_search_words_trgm');
  const trigrams = await trigramSchema(knex);
  if (trigrams !== undefined) await knex.raw('create index accounts_search_trgm on accounts using gin (search ??.gin_trgm_ops)', [trigrams]);
}
