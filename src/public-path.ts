import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from './config.ts';

/**
 * An issuer with a path (`https://example.com/sso`) is the server published under that path by a
 * proxy. Routes, templates and steps are written at the root ("/interaction/abc"); this module is
 * the one place where such an internal path becomes the path a browser must use
 * ("/sso/interaction/abc"): links, redirects, form actions, cookie paths and asset links.
 */

type Issuer = Pick<Config, 'issuer'>;

/** The issuer's path without its trailing slash: "" for `https://example.com`, "/sso" for `https://example.com/sso/`. */
export function issuerPath(config: Issuer): string {
  return new URL(config.issuer).pathname.replace(/\/+$/, '');
}

/** The path a browser must use for an internal path (which starts with "/"). */
export function publicPath(config: Issuer, internal: string): string {
  return `${issuerPath(config)}${internal}`;
}

/**
 * Routes a request published under the issuer's path: a proxy that forwards `/sso/auth` as it is
 * reaches `/auth`, as does one that strips the prefix. The provider builds its absolute URLs from
 * `ctx.mountPath`, so discovery and its redirects carry the prefix either way.
 */
export function issuerPathRouting(config: Issuer) {
  const prefix = issuerPath(config);
  return async (ctx: Context, next: Next) => {
    if (prefix !== '') {
      if (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) ctx.path = ctx.path.slice(prefix.length) || '/';
      ctx.mountPath = prefix;
    }
    await next();
  };
}

/** The path a provider route (`authorization`, `end_session`...) is routed at inside the app, without the issuer's path. */
export function providerRoute(provider: Provider, name: string): string {
  return provider.pathFor(name, { mountPath: '' });
}
