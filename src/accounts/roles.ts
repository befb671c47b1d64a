import type { Knex } from 'knex';

/** The console's roles (CONTRACT.md section 9): helpdesk helps users, admin also manages accounts. */
export const roles = ['admin', 'helpdesk'] as const;
export type Role = (typeof roles)[number];

const table = 'account_roles';

export class RoleRepository {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async rolesOf(accountId: string): Promise<Role[]> {
    const rows = await this.knex<{ role: Role }>(table).where('account_id', accountId).orderBy('role').select('role');
    return rows.map((row) => row.role);
  }

  /** True when the account did not hold the role before. */
  async grant(accountId: string, role: Role): Promise<boolean> {
    const inserted = await this.knex(table).insert({ account_id: accountId, role, granted_at: this.now() }).onConflict(['account_id', 'role']).ignore().returning('role');
    return inserted.length > 0;
  }

  /** True when the account held the role. */
  async revoke(accountId: string, role: Role): Promise<boolean> {
    // Counted from the rows returned: PGlite's driver does not report a count for a delete.
    return (await this.knex(table).where({ account_id: accountId, role }).del().returning('role')).length > 0;
  }

  in(trx: Knex.Transaction): RoleRepository {
    return new RoleRepository(trx, this.now);
  }
}
