import type { Context, Next } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { translator, type Locale } from '../src/i18n/index.ts';
import type { ProviderPages } from '../src/provider.ts';
import { isBackendUnavailable } from '../src/unavailable.ts';
import { localeOf, renderErrorPage, uiLocalesOf } from '../src/web/errors.ts';
import { pageLocale, rememberLanguage } from '../src/web/language.ts';
import type { Renderer } from '../src/web/render.ts';

/** The signed-out page is reached by a redirect without `ui_locales`; the cookie carries the language there. */
const logoutLanguageSeconds = 3600;

/**
 * The language of a logout, kept for its signed-out page: a language left from an earlier logout
 * must not outrank what this request asks for.
 */
function logoutLocale(ctx: KoaContextWithOIDC): Locale {
  const locale = pageLocale(ctx, [uiLocalesOf(ctx)]);
  rememberLanguage(ctx, locale, { path: new URL(ctx.oidc.urlFor('end_session')).pathname, maxAgeSeconds: logoutLanguageSeconds });
  return locale;
}

const expiredErrors = new Set(['SessionNotFound', 'InvalidRequest:interaction']);

/**
 * The address a refused redirect asked for, shown so that the application's team can compare it
 * with what they registered: redirect URIs match exactly, to the trailing slash.
 */
function refusedRedirect(ctx: KoaContextWithOIDC, out: { error_description?: string }, error: Error): string | undefined {
  const params = ctx.oidc?.params as Record<string, unknown> | undefined;
  const name = (error as { name?: string }).name;
  const received =
    name === 'InvalidRedirectUri'
      ? params?.redirect_uri
      : /post_logout_redirect_uri/.test(out.error_description ?? '') ? params?.post_logout_redirect_uri : undefined;
  return typeof received === 'string' ? received.slice(0, 2000) : undefined;
}

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
        received: refusedRedirect(ctx, out, error),
      });
    },

    async logoutConfirm(ctx) {
      const locale = logoutLocale(ctx);
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

interface FormPost {
  readonly action: string;
  readonly fields: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

const entities: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescapeHtml = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity]!);

/**
 * The action and fields of the auto-submitting page oidc-provider writes itself (its form_post
 * helper, which escapes every value), or undefined for any other body. A page that does not read
 * back field for field is left as it is: it still works, unbranded.
 */
function providerFormPost(body: unknown): FormPost | undefined {
  if (typeof body !== 'string' || !body.includes('<title>Submitting Callback</title>')) return undefined;
  const action = /<form method="post" action="([^"]*)">/.exec(body)?.[1];
  const fields = [...body.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g)].map(([, name, value]) => ({
    name: unescapeHtml(name!),
    value: unescapeHtml(value!),
  }));
  if (action === undefined || fields.length !== body.split('<input').length - 1) return undefined;
  return { action: unescapeHtml(action), fields };
}

/**
 * oidc-provider answers with a page of its own, English, unbranded and with an inline script, in
 * three places: the form_post response mode, a logout without a session, and a sign-in as another
 * account than the session's (which ends the old session first). Each is drawn again as our page in
 * the user's language, the same form submitting itself through app.js, and the policy's script hash
 * the provider added is dropped with its script.
 */
export function brandedFormPosts(views: Renderer) {
  return async (ctx: Context, next: Next) => {
    const policy = ctx.response.get('content-security-policy');
    await next();
    const form = providerFormPost(ctx.body);
    if (form === undefined) return;
    const logout = form.fields.some((field) => field.name === 'xsrf');
    const locale = logout ? logoutLocale(ctx as KoaContextWithOIDC) : localeOf(ctx);
    const t = translator(locale);
    ctx.set('content-security-policy', policy);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = views.render('form-post', locale, {
      title: t(logout ? 'logout.heading' : 'formPost.heading'),
      lead: t(logout ? 'formPost.signingOut' : 'formPost.returning'),
      action: form.action,
      fields: form.fields,
    });
  };
}
