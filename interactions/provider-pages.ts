import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { isLocale, translator, type Locale } from '../src/i18n/index.ts';
import type { ProviderPages } from '../src/provider.ts';
import { isBackendUnavailable } from '../src/unavailable.ts';
import { rememberedApplication } from './application-link.ts';
import { chosenLanguage, pageLocale, rememberLanguage } from './language.ts';
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

function uiLocalesOf(ctx: Context | KoaContextWithOIDC): string | undefined {
  const params = (ctx as KoaContextWithOIDC).oidc?.params as Record<string, unknown> | undefined;
  return typeof params?.ui_locales === 'string' ? params.ui_locales : undefined;
}

/**
 * The language of a page outside the steps: the interaction's, when the request belongs to one;
 * else the `ui_locales` of the request, then a language remembered for this path, then Accept-Language.
 */
export function localeOf(ctx: Context | KoaContextWithOIDC): Locale {
  const known: unknown = ctx.state.locale;
  if (isLocale(known)) return known;
  return pageLocale(ctx, [uiLocalesOf(ctx), chosenLanguage(ctx)]);
}

/** The signed-out page is reached by a redirect without `ui_locales`; the cookie carries the language there. */
const logoutLanguageSeconds = 3600;

/** One error page for the whole server: the provider's errors, ours, and unknown URLs. */
export function renderErrorPage(
  views: Renderer,
  ctx: Context,
  status: number,
  kind: ErrorKind,
  extra: { body?: string; startAgain?: string } = {},
): void {
  const locale = localeOf(ctx);
  const t = translator(locale);
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  const title = t(`error.${kind}.title`);
  ctx.body = views.render('error', locale, {
    title,
    body: extra.body ?? t(`error.${kind}.body`),
    startAgain: extra.startAgain,
    // An expired sign-in can only start again at the application.
    returnTo: kind === 'expired' ? rememberedApplication(ctx) : undefined,
    requestId: ctx.state.requestId,
  });
}

const expiredErrors = new Set(['SessionNotFound', 'InvalidRequest:interaction']);

export function createProviderPages(views: Renderer): ProviderPages {
  return {
    async error(ctx, out, error) {
      const name = (error as { name?: string }).name ?? '';
      const status = ctx.status >= 400 && ctx.status < 600 ? ctx.status : 400;
      if (expiredErrors.has(name)) return renderErrorPage(views, ctx, status, 'expired');
      // The provider reports a store outage as a server_error; the user should retry, not give up.
      if (isBackendUnavailable(error)) return renderErrorPage(views, ctx, 503, 'unavailable');
      renderErrorPage(views, ctx, status, status >= 500 ? 'generic' : 'badRequest', {
        body: out.error_description,
      });
    },

    async logoutConfirm(ctx) {
      // A language left from an earlier logout must not outrank what this request asks for.
      const locale = pageLocale(ctx, [uiLocalesOf(ctx)]);
      rememberLanguage(ctx, locale, { path: new URL(ctx.oidc.urlFor('end_session')).pathname, maxAgeSeconds: logoutLanguageSeconds });
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.render('logout', locale, {
        title: translator(locale)('logout.heading'),
        action: ctx.oidc.urlFor('end_session_confirm'),
        xsrf: (ctx.oidc.session!.state as { secret: string }).secret,
        // A valid id_token_hint shows the client asked on the user's behalf: no need to ask again.
        autoSubmit: ctx.oidc.entities.IdTokenHint !== undefined,
      });
    },

    async loggedOut(ctx) {
      const locale = localeOf(ctx);
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.render('logged-out', locale, { title: translator(locale)('logout.heading') });
    },
  };
}
