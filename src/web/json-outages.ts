import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { RequestWrites } from '../store/request-writes.ts';
import { isBackendUnavailable } from '../unavailable.ts';

/** Seconds a client is asked to wait before retrying during a backend outage; Redis and PostgreSQL come back by themselves. */
const outageRetrySeconds = 5;

/** What a client's JSON endpoint answers while a backend does not: an outage to wait out, not a fault. */
function answerOutage(ctx: Context): void {
  ctx.status = 503;
  ctx.set('Retry-After', String(outageRetrySeconds));
  ctx.body = { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; retry later' };
}

/**
 * The provider answers 500 server_error when the store or the database does not answer. To a
 * client that is an outage to wait out, not a fault of ours: its JSON endpoints (token, userinfo,
 * introspection, revocation...) answer 503 temporarily_unavailable with Retry-After instead, as
 * the pages already do. The provider's server_error event tells the cause (src/server.ts).
 */
export function jsonOutages() {
  return async (ctx: Context, next: Next) => {
    await next();
    if (ctx.status !== 500 || ctx.state.backendUnavailable !== true || typeof ctx.body !== 'object' || ctx.body === null) return;
    answerOutage(ctx);
  };
}

/**
 * The answer of `next` (the provider's), with the store writes it held sent together before it
 * leaves (src/store/request-writes.ts). When the store refuses them, none of them was made, and
 * the answer (new tokens, perhaps) is replaced by the outage's: the client tries again later with
 * what it had.
 */
export function sendingHeldWrites(requestWrites: RequestWrites, logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await requestWrites.during(ctx, next);
    } catch (error) {
      if (!isBackendUnavailable(error)) throw error;
      logger.error({ reqId: ctx.state.requestId, err: (error as Error).message }, 'backend unavailable');
      answerOutage(ctx);
    }
  };
}
