import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Router } from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { authorizationLimits } from './authorization-limits.ts';
import { browserPosts } from './browser-posts.ts';
import { brandStylesheet, readBrandLogo } from './brand.ts';
import type { ClientMetadata } from './clients.ts';
import type { Config } from './config.ts';
import { accessLogger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { RequestWrites } from './store/request-writes.ts';
import { jsonOutages, sendingHeldWrites } from './web/json-outages.ts';
import { brandedFormPosts } from '../interactions/provider-pages.ts';
import { CookieSigner } from './security/cookie-signer.ts';
import { errorPages } from './web/errors.ts';
import { noStore, securityHeaders } from './web/headers.ts';
import type { Renderer } from './web/render.ts';
import { createInteractionRouter } from '../interactions/router.ts';
import type { InteractionServices } from '../interactions/context.ts';
import { issuerPathRouting, providerRoute, publicPath } from './public-path.ts';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'interactions', 'public');
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export interface Readiness {
  /** Resolves when the database and the store answer. */
  check(): Promise<void>;
  /** False once shutdown began: the load balancer should stop sending traffic. */
  accepting: boolean;
}

/** A signed-in surface's routers, every route of which lies under `path` (`/account`, `/admin`). */
export interface SurfaceRoutes {
  readonly path: string;
  readonly routers: readonly Router[];
}

/**
 * A router's middleware, matched only for requests under `path`: a router tests each of its
 * patterns against every request it sees, and the token endpoint should not pay for the console's.
 */
function routesUnder(path: string, router: Router) {
  const routes = router.routes();
  return (ctx: Context, next: Next) => (ctx.path === path || ctx.path.startsWith(`${path}/`) ? routes(ctx as never, next) : next());
}

export interface AppDependencies {
  readonly config: Config;
  readonly provider: Provider;
  readonly clients: ClientMetadata[];
  readonly services: InteractionServices;
  readonly views: Renderer;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** The routes of the signed-in surfaces (the account page, the console), each under its path: before the provider's. */
  readonly surfaceRoutes: readonly SurfaceRoutes[];
  /** oidc-provider signs its cookies with the keys of the Koa app it is mounted in. */
  readonly cookieKeys: readonly string[];
  /** Where the token endpoint's store writes wait for its answer (src/store/request-writes.ts). */
  readonly requestWrites: RequestWrites;
}

function requestLog(logger: Logger, metrics: Metrics) {
  const access = accessLogger(logger);
  return async (ctx: Context, next: Next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    ctx.state.requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    metrics.requestsInFlight.inc();
    try {
      await next();
    } finally {
      metrics.requestsInFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? routeGroup(ctx.path);
      metrics.requestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      access.info(
        { reqId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 1000) },
        'request',
      );
    }
  };
}

/** Keeps the metrics' route label bounded: ids in paths never become label values. */
function routeGroup(pathname: string): string {
  if (pathname.startsWith('/assets/')) return '/assets';
  if (pathname.startsWith('/interaction/')) return '/interaction/:uid';
  if (pathname.startsWith('/auth/')) return '/auth/:uid';
  if (pathname.startsWith('/session/end/')) return pathname;
  const known = ['/auth', '/token', '/me', '/jwks', '/session/end', '/token/revocation', '/token/introspection', '/.well-known/openid-configuration', '/healthz', '/readyz', '/metrics'];
  return known.includes(pathname) ? pathname : 'other';
}

function brandAssets(config: Config) {
  const css = brandStylesheet(config.brand.color);
  const logo = config.brand.logoFile === undefined ? undefined : readBrandLogo(config.brand.logoFile);
  return async (ctx: Context, next: Next) => {
    if (ctx.path === '/assets/brand.css') {
      ctx.type = 'text/css';
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = css;
      return;
    }
    if (ctx.path === '/assets/brand-logo' && logo !== undefined) {
      ctx.type = logo.type;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = logo.body;
      return;
    }
    await next();
  };
}

/**
 * Browser libraries the pages use, served from the installed package under /assets/vendor/ (no
 * CDN: the pages' CSP allows scripts from this origin only). Read once at start.
 */
function vendorAssets() {
  const require = createRequire(import.meta.url);
  // The package exports only its module entry points; its browser bundle sits beside them.
  const webauthnBundle = path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');
  const files = new Map([['/assets/vendor/simplewebauthn-browser.js', readFileSync(webauthnBundle)]]);
  return async (ctx: Context, next: Next) => {
    const body = files.get(ctx.path);
    if (body === undefined || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.type = 'application/javascript';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  };
}

function health(deps: AppDependencies) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path === '/healthz') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      ctx.set('Cache-Control', 'no-store');
      if (!deps.readiness.accepting) {
        ctx.status = 503;
        ctx.body = { status: 'shutting-down' };
        return;
      }
      try {
        await deps.readiness.check();
        ctx.body = { status: 'ready' };
      } catch (error) {
        ctx.status = 503;
        ctx.body = { status: 'unavailable', reason: (error as Error).message };
      }
      return;
    }
    if (ctx.path === '/metrics') {
      ctx.type = deps.metrics.registry.contentType;
      ctx.body = await deps.metrics.registry.metrics();
      return;
    }
    await next();
  };
}

/**
 * Absolute URLs come from SSO_ISSUER only. oidc-provider builds discovery's endpoints and the
 * address an interaction resumes at from the request's host, which a client can forge with Host,
 * or with X-Forwarded-Host when a proxy is trusted: every request is given the issuer's host.
 */
function issuerHost(config: Config) {
  const host = new URL(config.issuer).host;
  return async (ctx: Context, next: Next) => {
    ctx.req.headers.host = host;
    delete ctx.req.headers['x-forwarded-host'];
    await next();
  };
}

/**
 * The provider's endpoints that answer programs, not browsers: a client's token, introspection and
 * revocation requests, userinfo and the key set. No page, asset or sign-in surface answers there,
 * so they go from the middleware every answer needs straight to the provider, and a refresh grant
 * does not pay for a dozen layers that would only pass it on (BENCHMARKS.md, "Fixes", round 6).
 */
function clientEndpoints(deps: AppDependencies, providerRoutes: (ctx: Context, next: Next) => Promise<void>) {
  const paths = new Set(['token', 'introspection', 'revocation', 'userinfo', 'jwks'].map((name) => providerRoute(deps.provider, name)));
  const outages = jsonOutages();
  const withWrites = sendingHeldWrites(deps.requestWrites, deps.logger);
  return (ctx: Context, next: Next) => (paths.has(ctx.path) ? outages(ctx, () => withWrites(ctx, () => providerRoutes(ctx, next))) : next());
}

export function createApp(deps: AppDependencies): Koa {
  const { config, provider, views, logger, metrics } = deps;
  // The trusted proxy appends the address it saw to X-Forwarded-For; anything before it is whatever
  // the client sent. Only the last entry may count, or an attacker picks a new address per request.
  const app = new Koa({ proxy: config.trustProxy, maxIpsCount: 1 });
  app.keys = new CookieSigner(deps.cookieKeys);
  app.silent = true;
  app.use(requestLog(logger, metrics));
  app.use(issuerHost(config));
  app.use(issuerPathRouting(config));
  app.use(securityHeaders(config, deps.clients));
  app.use(errorPages(views, logger));
  app.use(noStore);
  const providerRoutes: (ctx: Context, next: Next) => Promise<void> = mount(provider);
  app.use(clientEndpoints(deps, providerRoutes));
  app.use(health(deps));
  app.use(brandAssets(config));
  app.use(vendorAssets());
  app.use(mount('/assets', serve(publicDir, { maxage: 300_000, gzip: false, brotli: false })));
  app.use(routesUnder('/interaction', createInteractionRouter(deps.services)));
  for (const surface of deps.surfaceRoutes) for (const router of surface.routers) app.use(routesUnder(surface.path, router));
  app.use(browserPosts({ config, provider, views }));
  app.use(authorizationLimits({ provider, store: deps.services.store, views }));
  app.use(jsonOutages());
  app.use(brandedFormPosts(views));
  // Provider last: in oidc-provider 9 its routes end the request, so ours must come first.
  app.use(providerRoutes);
  return app;
}
