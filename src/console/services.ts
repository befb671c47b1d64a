import type { AccountDirectory } from '../accounts/directory.ts';
import type { AccountImport } from '../accounts/import.ts';
import type { AccountLifecycle } from '../accounts/lifecycle.ts';
import type { AuditSearch } from '../audit-search.ts';
import type { AuditLog } from '../audit.ts';
import type { CheckedImports } from './checked-imports.ts';

/** What the console's pages call: the account use cases, the search, the import, the audit trail. */
export interface ConsoleServices {
  readonly lifecycle: AccountLifecycle;
  readonly directory: AccountDirectory;
  readonly audit: AuditLog;
  /** How long an invitation stays valid, for the activation deadline a user's page shows. */
  readonly activationDays: number;
  readonly imports: AccountImport;
  /** The file an operator checked, kept until they import it. */
  readonly checkedImports: CheckedImports;
  readonly auditSearch: AuditSearch;
}
