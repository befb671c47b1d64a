import type { Context } from 'koa';
import Provider from 'oidc-provider';
import type { SessionActivity } from './store/oidc-adapter.ts';

/** Longest User-Agent kept: enough to tell the browser, and bounded whatever a client sends. */
const userAgentLength = 300;

/** The browser and address of a request. */
function activityOf(ctx: Context): SessionActivity {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent').slice(0, userAgentLength) };
}

/**
 * The browser and address of the request the provider is answering, for the adapter to stamp on
 * the sessions it saves (src/store/oidc-adapter.ts): the account page shows where each session was
 * last used, at no cost to the sign-in beyond the session write it makes anyway. The provider keeps
 * the context of each request of its routes in an AsyncLocalStorage of its own (`Provider.ctx`);
 * a second one of ours would cost every promise of every request a second propagation.
 */
export function currentSessionActivity(): SessionActivity | undefined {
  const ctx = Provider.ctx as Context | undefined;
  return ctx === undefined ? undefined : activityOf(ctx);
}
