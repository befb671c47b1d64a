import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Next } from 'koa';
import type { SessionActivity } from './store/oidc-adapter.ts';

/** Longest User-Agent kept: enough to tell the browser, and bounded whatever a client sends. */
const userAgentLength = 300;

/**
 * The browser and address of the request the provider is answering, for the adapter to stamp on
 * the sessions it saves (src/store/oidc-adapter.ts): the account page shows where each session was
 * last used, at no cost to the sign-in beyond the session write it makes anyway.
 */
export class SessionActivityContext {
  private readonly storage = new AsyncLocalStorage<SessionActivity>();

  /** Koa middleware: the provider's work for this request runs within its activity. */
  middleware() {
    return (ctx: Context, next: Next) => this.storage.run({ ip: ctx.ip, userAgent: ctx.get('user-agent').slice(0, userAgentLength) }, next);
  }

  current(): SessionActivity | undefined {
    return this.storage.getStore();
  }
}
