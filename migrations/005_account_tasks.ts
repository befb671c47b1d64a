import type { Knex } from 'knex';

/**
 * What an account change still owes outside the database (ending sessions in the store, sending an
 * email), written in the same transaction as the change, so it is never forgotten when the store
 * or the mail server fails half-way: the command run again, or the server, finishes it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_tasks', (t) => {
    t.bigIncrements('id');
    t.uuid('account_id').notNullable();
    t.text('kind').notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    // Set while someone (a command, an instance) runs the task, so no two run it at once.
    t.timestamp('claimed_until', { useTz: true });
    t.index(['account_id'], 'account_tasks_account_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_tasks');
}
