import type { ConsolePage } from '../registry.ts';
import type { ConsoleServices } from '../services.ts';
import { auditLogPage } from './audit-log.ts';
import { importPage } from './import.ts';
import { invitePage } from './invite.ts';
import { userActionsPage } from './user-actions.ts';
import { userPage } from './user.ts';
import { usersPage } from './users.ts';

/** The console's pages, in the order of its menu. */
export const consolePages: readonly ConsolePage<ConsoleServices>[] = [usersPage, userPage, userActionsPage, invitePage, importPage, auditLogPage];
