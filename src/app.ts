import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa, { type Context, type Next } from 'koa';
import helmet from 'koa-helmet';
import mount from 'koa-mount';
import serve from 'koa-static';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { authorizationLimits } from './authorization-limits.ts';
import { brandStylesheet, readBrandLogo } from './brand.ts';
import type { ClientMetadata } from './clients.ts';
import type { Config } from './config.ts';
import type { Metrics } from './metrics.ts';
import { StepRefused } from '../interactions/flow.ts';
import { renderErrorPage } from '../interactions/provider-pages.ts';
import type { Renderer } from '../interactions/render.ts';
import { createInteractionRouter } from '../interactions/router.ts';
import type { InteractionServices } from '../interactions/context.ts';
import { PageError } from '../interactions/step-kit.ts';
import { isBackendUnavailable } from './unavailable.ts';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'interactions', 'public');
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export interface Readiness {
  /** Resolves when the database and the store answer. */
  check(): Promise<void>;
  /** False once shutdown began: the load balancer should stop sending traffic. */
  accepting: boolean;
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
  /** oidc-provider signs its cookies with the keys of the Koa app it is mounted in. */
  readonly cookieKeys: readonly string[];
}

function requestLog(logger: Logger, metrics: Metrics) {
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
      logger.info(
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

/**
 * Every failure becomes a page with a status and a message: never a stack trace. A store or
 * database that does not answer is a 503 the user can retry, not an error of theirs.
 */
function errorPages(views: Renderer, logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) renderErrorPage(views, ctx, 404, 'notFound');
    } catch (error) {
      if (error instanceof PageError) {
        const uid = (ctx as Context & { params?: { uid?: string } }).params?.uid;
        const startAgain = error.kind === 'step' || error.kind === 'forbidden' ? `/interaction/${uid}` : undefined;
        return renderErrorPage(views, ctx, error.status, error.kind, { body: error.body, startAgain });
      }
      if (error instanceof StepRefused) {
        return renderErrorPage(views, ctx, 403, 'step', { startAgain: `/interaction/${ctx.path.split('/')[2]}` });
      }
      if (isBackendUnavailable(error)) {
        logger.error({ reqId: ctx.state.requestId, err: (error as Error).message }, 'backend unavailable');
        return renderErrorPage(views, ctx, 503, 'unavailable');
      }
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        return renderErrorPage(views, ctx, status, status === 404 ? 'notFound' : 'badRequest');
      }
      logger.error({ reqId: ctx.state.requestId, err: error }, 'unhandled error');
      renderErrorPage(views, ctx, 500, 'generic');
    }
  };
}

function securityHeaders(config: Config, clients: ClientMetadata[]) {
  // Chrome applies form-action to the redirects that follow a form post, and the last step's post
  // ends at the client's redirect_uri: the registered origins must be allowed.
  const clientOrigins = [...new Set(clients.flatMap((c) => [...c.redirect_uris, ...(c.post_logout_redirect_uris ?? [])]).map((u) => new URL(u).origin))];
  const https = config.issuer.startsWith('https://');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", ...clientOrigins],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
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

/** Seconds a client is asked to wait before retrying during a backend outage; Redis and PostgreSQL come back by themselves. */
const outageRetrySeconds = 5;

/**
 * The provider answers 500 server_error when the store or the database does not answer. To a
 * client that is an outage to wait out, not a fault of ours: its JSON endpoints (token, userinfo,
 * introspection, revocation...) answer 503 temporarily_unavailable with Retry-After instead, as
 * the pages already do. The provider's server_error event tells the cause (src/server.ts).
 */
function jsonOutages() {
  return async (ctx: Context, next: Next) => {
    await next();
    if (ctx.status !== 500 || ctx.state.backendUnavailable !== true || typeof ctx.body !== 'object' || ctx.body === null) return;
    ctx.status = 503;
    ctx.set('Retry-After', String(outageRetrySeconds));
    ctx.body = { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; retry later' };
  };
}

/** Stamps no-store on everything but static assets: pages and tokens must never be cached. */
async function noStore(ctx: Context, next: Next) {
  await next();
  if (!ctx.path.startsWith('/assets/')) ctx.set('Cache-Control', 'no-store');
}

export function createApp(deps: AppDependencies): Koa {
  const { config, provider, views, logger, metrics } = deps;
  // The trusted proxy appends the address it saw to X-Forwarded-For; anything before it is whatever
  // the client sent. Only the last entry may count, or an attacker picks a new address per request.
  const app = new Koa({ proxy: config.trustProxy, maxIpsCount: 1 });
  app.keys = [...deps.cookieKeys];
  app.silent = true;
  app.use(requestLog(logger, metrics));
  app.use(issuerHost(config));
  app.use(securityHeaders(config, deps.clients));
  app.use(errorPages(views, logger));
  app.use(noStore);
  app.use(health(deps));
  app.use(brandAssets(config));
  app.use(vendorAssets());
  app.use(mount('/assets', serve(publicDir, { maxage: 300_000, gzip: false, brotli: false })));
  const interactions = createInteractionRouter(deps.services);
  app.use(interactions.routes());
  app.use(authorizationLimits({ provider, store: deps.services.store, views }));
  app.use(jsonOutages());
  // Provider last: in oidc-provider 9 its routes end the request, so ours must come first.
  app.use(mount(provider));
  return app;
}
