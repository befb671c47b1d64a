import type { Context, Next } from 'koa';
import helmet from 'koa-helmet';
import type { ClientMetadata } from '../clients.ts';
import type { Config } from '../config.ts';

/**
 * Where a form of ours may lead a browser back to a client: a redirect URI's origin, any port of a
 * native application's loopback redirect (RFC 8252 7.3), a native application's private-use scheme.
 */
function formTarget(client: ClientMetadata, uri: string): string {
  const url = new URL(uri);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.protocol;
  return client.application_type === 'native' && url.protocol === 'http:' ? `http://${url.hostname}:*` : url.origin;
}

/**
 * The headers of every page and answer: a strict Content-Security-Policy (no inline script or style),
 * no framing, no referrer, HSTS behind an https issuer.
 */
export function securityHeaders(config: Config, clients: ClientMetadata[]) {
  // Chrome applies form-action to the redirects that follow a form post, and the last step's post
  // ends at the client's redirect_uri: the registered origins must be allowed.
  const clientOrigins = [
    ...new Set(clients.flatMap((client) => [...client.redirect_uris, ...(client.post_logout_redirect_uris ?? [])].map((uri) => formTarget(client, uri)))),
  ];
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

/** Stamps no-store on everything but static assets: pages and tokens must never be cached. */
export async function noStore(ctx: Context, next: Next) {
  await next();
  if (!ctx.path.startsWith('/assets/')) ctx.set('Cache-Control', 'no-store');
}

