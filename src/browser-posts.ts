import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { renderErrorPage } from './web/errors.ts';
import type { Renderer } from './web/render.ts';
import { rules, type Config } from './config.ts';
import { providerRoute, publicPath } from './public-path.ts';

/** Thrown by the body parser, which sets the status: 413 past the limit, 415 for another content type. */
class RefusedBody extends Error {
  constructor(readonly status: number) {
    super('refused body');
  }
}

const formParser = bodyParser({
  enableTypes: ['form'],
  formLimit: String(rules.authorizationRequestMaxBytes),
  onError: (error) => {
    throw new RefusedBody((error as { status?: number }).status === 413 ? 413 : 400);
  },
});

/**
 * The authorization and end-session endpoints accept POST as well as GET (OpenID Connect Core
 * 3.1.2.1, RP-Initiated Logout 1.0 section 2). Such a form is posted from the application's site,
 * and a browser sends no SameSite=Lax cookie with a cross-site POST: the provider would see no
 * session, asking a signed-in user to sign in again and leaving a logout without effect. So the
 * POST is answered with 303 to the same endpoint carrying the same parameters in its query: the GET
 * that follows is a top-level navigation, which carries the session cookie, and from then on the
 * request is the GET it would have been. The parameters are capped like a query's.
 */
export function browserPosts({ config, provider, views }: { config: Config; provider: Provider; views: Renderer }) {
  const endpoints = ['authorization', 'end_session'].map((name) => providerRoute(provider, name));
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || !endpoints.includes(ctx.path)) return next();
    try {
      await formParser(ctx, async () => {});
    } catch (error) {
      if (!(error instanceof RefusedBody)) throw error;
      ctx.set('Connection', 'close');
      return renderErrorPage(views, ctx, error.status, error.status === 413 ? 'tooLarge' : 'badRequest');
    }
    if (!ctx.is('application/x-www-form-urlencoded')) return renderErrorPage(views, ctx, 400, 'badRequest');
    const query = new URLSearchParams(ctx.request.rawBody ?? '').toString();
    ctx.status = 303;
    ctx.redirect(`${publicPath(config, ctx.path)}${query === '' ? '' : `?${query}`}`);
  };
}
