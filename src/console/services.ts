import type { AccountDirectory } from '../accounts/directory.ts';
import type { AccountLifecycle } from '../accounts/lifecycle.ts';
import type { AuditLog } from '../audit.ts';

/** What the console's pages call: the account use cases, the search, the audit trail. */
export interface ConsoleServices {
  readonly lifecycle: AccountLifecycle;
  readonly directory: AccountDirectory;
  readonly audit: AuditLog;
  /** How long an invitation stays valid, for the activation deadline a user's page shows. */
  readonly activationDays: number;
}
