import { ConfigError } from '../config.ts';

/** A failure the operator can act on; its message is the one line the CLI prints. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * Other errors whose own message speaks to the operator, recognised by name so that reporting an
 * error never loads the modules (database, mail, store) that throw them.
 */
const operatorFacing = new Set(['DuplicateEmailError', 'AccountStateError', 'MailDeliveryError', 'StoreUnavailableError']);

/** One line for stderr, whatever was thrown: the CLI never shows a stack trace. */
export function errorLine(error: unknown): string {
  const known = error instanceof CliError || error instanceof ConfigError || (error instanceof Error && operatorFacing.has(error.name));
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n', 1)[0]!.trim() || (error instanceof Error ? error.name : 'Unknown error');
  return known ? line : `Unexpected error: ${line}`;
}
