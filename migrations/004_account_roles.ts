import type { Knex } from 'knex';

/** The console's roles (CONTRACT.md section 9), given and taken with the CLI. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_roles', (t) => {
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('role').notNullable().checkIn(['admin', 'helpdesk'], 'account_roles_role_check');
    t.timestamp('granted_at', { useTz: true }).notNullable();
    t.primary(['account_id', 'role']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_roles');
}
