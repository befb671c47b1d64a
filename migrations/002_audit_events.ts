import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('event').notNullable();
    t.text('outcome').notNullable().checkIn(['success', 'failure', 'info'], 'audit_events_outcome_check');
    // No foreign key: the trail must outlive the account it describes.
    t.uuid('account_id');
    t.text('email');
    t.text('ip');
    t.text('user_agent');
    t.text('client_id');
    t.jsonb('details');
    t.index(['at'], 'audit_events_at');
    t.index(['email', 'at'], 'audit_events_email_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
