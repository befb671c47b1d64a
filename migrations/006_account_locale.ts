import type { Knex } from 'knex';

/**
 * The language of the account's last sign-in, so that emails no page caused (a lock, an operator's
 * reset or deactivation) reach the user in the language they use. Null until they sign in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('locale');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('locale');
  });
}
