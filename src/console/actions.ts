import type { Role } from '../accounts/roles.ts';

/**
 * What a point of contact may do in the console, and which roles may do it (CONTRACT.md section 9):
 * the one table every page, menu entry and button asks. `helpdesk` helps users; `admin` also
 * manages accounts. Reading the audit log is with its export, an admin's.
 */
export const actionRoles = {
  /** Search and view accounts. */
  view: ['helpdesk', 'admin'],
  'resend-invitation': ['helpdesk', 'admin'],
  reactivate: ['helpdesk', 'admin'],
  unlock: ['helpdesk', 'admin'],
  'reset-authenticator': ['helpdesk', 'admin'],
  'sign-out-everywhere': ['helpdesk', 'admin'],
  invite: ['admin'],
  import: ['admin'],
  deactivate: ['admin'],
  'reset-account': ['admin'],
  'audit-log': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type ConsoleAction = keyof typeof actionRoles;

export const consoleActions = Object.keys(actionRoles) as ConsoleAction[];

export function mayDo(roles: readonly Role[], action: ConsoleAction): boolean {
  const allowed: readonly Role[] = actionRoles[action];
  return roles.some((role) => allowed.includes(role));
}
