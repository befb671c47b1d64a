import type { Context, Next } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { isLocale, translator, type Locale } from '../i18n/index.ts';
import { isBackendUnavailable } from '../unavailable.ts';
import { rememberedApplication } from './application-link.ts';
import { chosenLanguage, pageLocale } from './language.ts';
import type { Renderer } from './render.ts';

export type ErrorKind =
  | 'expired'
  | 'badRequest'
  | 'forbidden'
  | 'notFound'
  | 'unavailable'
  | 'generic'
  | 'step'
  | 'deactivated'
  | 'tooMany'
  | 'tooLarge';

/** A request that ends with an error page of its own status (never a 500). */
export class PageError extends Error {
  override name = 'PageError';
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    /** Replaces the kind's standard explanation, already translated. */
    readonly body?: string,
    /** Where the user can start again, for the page's button. */
    readonly startAgain?: string,
  ) {
    super(kind);
  }
}

/** The `ui_locales` the request carries, when it is one of the provider's. */
export function uiLocalesOf(ctx: Context | KoaContextWithOIDC): string | undefined {
  const params = (ctx as KoaContextWithOIDC).oidc?.params as Record<string, unknown> | undefined;
  return typeof params?.ui_locales === 'string' ? params.ui_locales : undefined;
}

/**
 * The language of a page outside a surface's own negotiation: the one the request already chose
 * (`ctx.state.locale`), else the `ui_locales` of the request, then a language remembered for this
 * path, then Accept-Language.
 */
export function localeOf(ctx: Context | KoaContextWithOIDC): Locale {
  const known: unknown = ctx.state.locale;
  if (isLocale(known)) return known;
  return pageLocale(ctx, [uiLocalesOf(ctx), chosenLanguage(ctx)]);
}

/** One error page for the whole server: the provider's errors, every surface's, and unknown URLs. */
export function renderErrorPage(
  views: Renderer,
  ctx: Context,
  status: number,
  kind: ErrorKind,
  extra: { body?: string | undefined; startAgain?: string | undefined; received?: string | undefined } = {},
): void {
  const locale = localeOf(ctx);
  const t = translator(locale);
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = views.render('error', locale, {
    title: t(`error.${kind}.title`),
    body: extra.body ?? t(`error.${kind}.body`),
    startAgain: extra.startAgain,
    received: extra.received,
    // An expired sign-in can only start again at the application.
    returnTo: kind === 'expired' ? rememberedApplication(ctx) : undefined,
    requestId: ctx.state.requestId,
  });
}

/**
 * Every failure becomes a page with a status and a message: never a stack trace. A store or
 * database that does not answer is a 503 the user can retry, not an error of theirs.
 */
export function errorPages(views: Renderer, logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) renderErrorPage(views, ctx, 404, 'notFound');
    } catch (error) {
      if (error instanceof PageError) {
        return renderErrorPage(views, ctx, error.status, error.kind, { body: error.body, startAgain: error.startAgain });
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
