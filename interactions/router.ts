import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import type { Next } from 'koa';
import { rules } from '../src/config.ts';
import { translator } from '../src/i18n/index.ts';
import { csrfTokenFor, verifyCsrfToken } from '../src/security/csrf.ts';
import { publicPath } from '../src/public-path.ts';
import { isBackendUnavailable } from '../src/unavailable.ts';
import { activationRoutes } from './activation.ts';
import { rememberApplication } from './application-link.ts';
import type { InteractionServices, StepContext, StepRoute } from './context.ts';
import { emailRoutes } from './email.ts';
import { enrollRoutes } from './enroll.ts';
import { chosenLanguage, languageRequested, pageLocale, rememberLanguage } from './language.ts';
import { PageError } from './step-kit.ts';
import { newPasswordRoutes } from './password.ts';
import { resetRoutes } from './reset.ts';
import { selectAccountRoutes } from './select-account.ts';
import { signInRoutes } from './signin.ts';
import { totpRoutes } from './totp.ts';

const routes: StepRoute[] = [
  ...emailRoutes,
  ...signInRoutes,
  ...totpRoutes,
  ...activationRoutes,
  ...newPasswordRoutes,
  ...enrollRoutes,
  ...resetRoutes,
  ...selectAccountRoutes,
];

/** Keeps only string fields: arrays and objects where a string belongs are bad input, not data. */
function stringFields(body: unknown): Record<string, string> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') return undefined;
    fields[key] = value;
  }
  return fields;
}

const formParser = bodyParser({
  enableTypes: ['form'],
  formLimit: rules.bodyLimit,
  onError: () => {
    throw new PageError(400, 'badRequest');
  },
});

/**
 * Resolves the interaction from its cookie and checks it is the one in the URL, negotiates the
 * language, parses and CSRF-checks forms, and loads the flow state. Steps then trust `ctx.state.it`.
 */
function loadInteraction(services: InteractionServices) {
  return async (ctx: StepContext, next: Next) => {
    // The flow state is keyed by the same uid: fetched alongside, and used only once the interaction
    // behind the cookie turns out to be the one in the URL.
    const [details, flow] = await Promise.all([
      services.provider.interactionDetails(ctx.req, ctx.res).catch((error: unknown) => {
        // A store that does not answer says nothing about the interaction: a 503 to retry, not "expired".
        throw isBackendUnavailable(error) ? error : new PageError(400, 'expired');
      }),
      services.flows.load(String(ctx.params.uid)),
    ]);
    if (details.uid !== ctx.params.uid) throw new PageError(400, 'expired');
    const params = details.params as Record<string, unknown>;
    const base = publicPath(services.config, `/interaction/${details.uid}`);
    rememberApplication(ctx, base, params.redirect_uri);
    const requested = languageRequested(ctx);
    if (requested !== undefined) {
      // The switch only changes the language: the same page comes back, so no step is skipped or repeated.
      rememberLanguage(ctx, requested, { path: base, maxAgeSeconds: rules.interactionTtlSeconds });
      ctx.status = 303;
      ctx.redirect(publicPath(services.config, ctx.path));
      return;
    }
    const locale = pageLocale(ctx, [chosenLanguage(ctx), typeof params.ui_locales === 'string' ? params.ui_locales : undefined]);
    // Error pages of this request (a refused step, a missing CSRF token) speak the same language.
    ctx.state.locale = locale;
    let form: Record<string, string> = {};
    if (ctx.method === 'POST') {
      await formParser(ctx, async () => {});
      const fields = stringFields(ctx.request.body);
      if (fields === undefined) throw new PageError(400, 'badRequest');
      form = fields;
      if (!verifyCsrfToken(services.secretKey, details.uid, form._csrf)) {
        throw new PageError(403, 'forbidden');
      }
    }
    ctx.state.it = {
      uid: details.uid,
      base,
      prompt: details.prompt.name,
      params,
      clientId: typeof params.client_id === 'string' ? params.client_id : undefined,
      locale,
      t: translator(locale),
      csrf: csrfTokenFor(services.secretKey, details.uid),
      ip: ctx.ip,
      userAgent: (ctx.get('user-agent') || '').slice(0, 300),
      form,
      interaction: details,
      flow,
    };
    await next();
  };
}

/** Every hosted page is under /interaction/:uid, where the provider's interaction cookie is sent. */
export function createInteractionRouter(services: InteractionServices): Router {
  const router = new Router();
  const load = loadInteraction(services);
  for (const route of routes) {
    router[route.method](`/interaction/:uid${route.path}`, (ctx) =>
      load(ctx as unknown as StepContext, () => route.handler(services, ctx as unknown as StepContext)),
    );
  }
  return router;
}
