import { StoreUnavailableError } from './store/store.ts';

// 57014: a statement cancelled, by SSO_DATABASE_TIMEOUT's statement_timeout among others.
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57014', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
// pg giving up on a server that does not answer: "timeout expired" while connecting, "Query read
// timeout" for a statement the server did not even cancel (both SSO_DATABASE_TIMEOUT); knex puts
// the statement before the message.
const connectionMessages = /Connection terminated|Connection is closed|Stream isn't writeable|connect ECONNREFUSED|(^|- )(timeout expired|Query read timeout)$/;

/**
 * True when a request failed because PostgreSQL or Redis did not answer, not because of the request:
 * the user gets a 503 to retry. Errors can come from our store, knex, pg or ioredis (through
 * rate-limiter-flexible), so they are recognised by class, code and message.
 */
export function isBackendUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  return (
    name === 'KnexTimeoutError' ||
    name === 'MaxRetriesPerRequestError' ||
    connectionCodes.has(code ?? '') ||
    connectionMessages.test(message ?? '')
  );
}
