import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { negotiateLocale, translator, type Locale } from '../src/i18n/index.ts';
import type { ProviderPages } from '../src/provider.ts';
import type { Renderer } from './render.ts';

export type ErrorKind = 'expired' | 'badRequest' | 'forbidden' | 'notFound' | 'unavailable' | 'generic' | 'step' | 'deactivated';

export function localeOf(ctx: Context | KoaContextWithOIDC): Locale {
  const params = (ctx as KoaContextWithOIDC).oidc?.params as Record<string, unknown> | undefined;
  const uiLocales = typeof params?.ui_locales === 'string' ? params.ui_locales : undefined;
  return negotiateLocale(uiLocales, ctx.get('accept-language') || undefined);
}

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
      renderErrorPage(views, ctx, status, status >= 500 ? 'generic' : 'badRequest', {
        body: out.error_description,
      });
    },

    async logoutConfirm(ctx) {
      const locale = localeOf(ctx);
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
