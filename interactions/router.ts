import { Router } from '@koa/router';
import type { Next } from 'koa';
import { rules } from '../src/config.ts';
import { translator } from '../src/i18n/index.ts';
import { csrfTokenFor } from '../src/security/csrf.ts';
import { publicPath } from '../src/public-path.ts';
import { isBackendUnavailable } from '../src/unavailable.ts';
import { rememberApplication } from '../src/web/application-link.ts';
import { PageError } from '../src/web/errors.ts';
import { readForm } from '../src/web/forms.ts';
import { chosenLanguage, languageRequested, pageLocale, rememberLanguage } from '../src/web/language.ts';
import type { InteractionServices, StepContext, StepRoute } from './context.ts';
import { factsOf, factsOfAccount, requireStep, StepRefused } from './flow.ts';
import { currentAccount } from './step-kit.ts';
import { steps } from './steps.ts';

/**
 * Resolves the interaction from its cookie and checks it is the one in the URL, negotiates the
 * language, parses and CSRF-checks forms, and loads the flow state. Steps then trust `ctx.state.it`.
 */
function loadInteraction(services: InteractionServices, route: StepRoute) {
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
    const clientId = typeof params.client_id === 'string' ? params.client_id : undefined;
    const userAgent = (ctx.get('user-agent') || '').slice(0, 300);
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
    const form = ctx.method === 'POST' ? await readForm(ctx, { secretKey: services.secretKey, binding: details.uid }) : {};
    ctx.state.it = {
      uid: details.uid,
      base,
      prompt: details.prompt.name,
      params,
      clientId,
      locale,
      t: translator(locale),
      csrf: csrfTokenFor(services.secretKey, details.uid),
      requester: { ip: ctx.ip, userAgent, clientId },
      ip: ctx.ip,
      userAgent,
      form,
      interaction: details,
      route,
      flow,
    };
    await next();
  };
}

/**
 * Runs a route's handler once its requirement holds: on the flow as the email step left it, or on
 * the account read afresh (a deactivated account is refused there).
 */
async function enter(services: InteractionServices, ctx: StepContext, route: StepRoute): Promise<void> {
  if (route.reads === 'nothing') return route.handler(services, ctx);
  const { flow } = ctx.state.it;
  if (flow === undefined) throw new StepRefused(route.requires);
  if (route.reads === 'flow') return route.handler(services, ctx, requireStep(route.requires, flow, factsOf(flow)));
  const account = await currentAccount(services, ctx);
  return route.handler(services, ctx, { flow: requireStep(route.requires, flow, factsOfAccount(account)), account });
}

/**
 * A step refused, or a form refused for its CSRF token, offers to start the interaction again at
 * its first page.
 */
function startAgain(error: unknown, base: string): unknown {
  if (error instanceof StepRefused) return new PageError(403, 'step', undefined, base);
  if (error instanceof PageError && (error.kind === 'step' || error.kind === 'forbidden') && error.startAgain === undefined) {
    return new PageError(error.status, error.kind, error.body, base);
  }
  return error;
}

/** Every hosted page is under /interaction/:uid, where the provider's interaction cookie is sent. */
export function createInteractionRouter(services: InteractionServices): Router {
  const router = new Router();
  for (const route of steps) {
    const load = loadInteraction(services, route);
    router[route.method](`/interaction/:uid${route.path}`, async (koa) => {
      const ctx = koa as unknown as StepContext;
      try {
        await load(ctx, () => enter(services, ctx, route));
      } catch (error) {
        throw startAgain(error, publicPath(services.config, `/interaction/${ctx.params.uid}`));
      }
    });
  }
  return router;
}
