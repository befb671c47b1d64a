import type { Account, AccountWithFactors } from '../src/accounts/account.ts';
import { rules } from '../src/config.ts';
import type { AuditEvent } from '../src/audit.ts';
import { formatDays, formatWait, type Translate } from '../src/i18n/index.ts';
import type { Attempted, AttemptTarget } from '../src/security/attempts.ts';
import type { Refusal } from '../src/security/brute-force.ts';
import { isBackendUnavailable } from '../src/unavailable.ts';
import type { FlowState } from './flow.ts';
import type { InteractionServices, Page, StepContext } from './context.ts';
import { rememberedApplication } from '../src/web/application-link.ts';
import { PageError } from '../src/web/errors.ts';
import { languageLinks } from '../src/web/language.ts';
import { publicPath } from '../src/public-path.ts';

/** Why an account cannot be used, in the user's language. */
export function deactivationReason(services: InteractionServices, t: Translate, account: Account): string {
  return account.deactivationReason === 'activation-expired'
    ? t('identify.error.activationExpired', { period: formatDays(t, services.config.activationDays) })
    : t('identify.error.deactivatedByOperator');
}

/**
 * Draws a step's page. The language switch reloads it from the route's `again` address: a page drawn
 * in answer to a form (with its errors) sits at the form's action, which has no GET.
 */
export function render(services: InteractionServices, ctx: StepContext, page: Page): void {
  const { view, status, ...model } = page;
  const { it } = ctx.state;
  const { base } = it;
  const { again } = it.route;
  const address = typeof again === 'function' ? again(it.flow) : again;
  ctx.status = status ?? 200;
  ctx.type = 'html';
  ctx.body = services.views.render(view, it.locale, {
    ...model,
    uid: it.uid,
    csrf: it.csrf,
    base,
    cancelHref: `${base}/cancel`,
    languages: address === undefined ? [] : languageLinks(`${base}${address}`, it.locale),
  });
}

/** Sends the browser to another step of the interaction: one the route declares as its `next`. */
export function goTo(ctx: StepContext, path: string): void {
  const { route, base } = ctx.state.it;
  if (!(route.next ?? []).includes(path)) throw new Error(`${route.method.toUpperCase()} ${route.path} does not lead to ${path}`);
  ctx.status = 303;
  ctx.redirect(`${base}${path}`);
}

/**
 * The account behind the flow, read fresh so that an operator's deactivation or reset takes effect
 * immediately, even in the middle of a flow.
 */
export async function currentAccount(services: InteractionServices, ctx: StepContext): Promise<AccountWithFactors> {
  const flow = ctx.state.it.flow;
  if (flow === undefined) throw new PageError(403, 'step');
  const account = await services.accounts.findById(flow.accountId);
  if (account === undefined) throw new PageError(403, 'step');
  if (account.status === 'deactivated') {
    throw new PageError(403, 'deactivated', deactivationReason(services, ctx.state.it.t, account));
  }
  return account;
}

export async function saveFlow(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<void> {
  ctx.state.it.flow = flow;
  await services.flows.save(flow);
}

export function audit(services: InteractionServices, ctx: StepContext, event: Omit<AuditEvent, 'ip' | 'userAgent' | 'clientId'>): Promise<void> {
  const { requester } = ctx.state.it;
  return services.audit.record({ ...event, ...requester });
}

/**
 * Audits a refusal a client can repeat at will (an unknown or deactivated email): repeats from the
 * same address within the window add to the first row's count rather than adding rows.
 */
export function auditRefusal(
  services: InteractionServices,
  ctx: StepContext,
  event: Omit<AuditEvent, 'ip' | 'userAgent' | 'clientId'> & { details: { reason: string } },
): Promise<void> {
  const { requester } = ctx.state.it;
  return services.audit.recordRepeatable({ ...event, ...requester }, rules.auditRepeatWindowSeconds);
}

/** Why an attempt was refused, in the user's language: the account's lock or the address's limit. */
export function refusalMessage(t: Translate, refusal: Pick<Refusal, 'scope' | 'retryAfterSeconds'>): string {
  return t(refusal.scope === 'account' ? 'limit.locked' : 'limit.network', { wait: formatWait(t, refusal.retryAfterSeconds) });
}

/** The lock message when this attempt locked the account, or undefined. */
export function lockMessage(t: Translate, lockSeconds: number): string | undefined {
  return lockSeconds === 0 ? undefined : refusalMessage(t, { scope: 'account', retryAfterSeconds: lockSeconds });
}

/** One attempt at a secret by this request's requester (src/security/attempts.ts). */
export function attempt<V>(
  services: InteractionServices,
  ctx: StepContext,
  target: Omit<AttemptTarget, 'requester'>,
  check: () => Promise<V>,
  isRight: (verdict: V) => boolean,
): Promise<Attempted<V>> {
  return services.attempts.run({ ...target, requester: ctx.state.it.requester }, check, isRight);
}

/** A durable change a page made, to be told to the user when what follows it fails. */
export type DoneKind = 'passwordSet' | 'passwordChanged' | 'authenticatorAdded';

/**
 * Runs what follows a durable change (saving the flow, finishing the sign-in: store writes). When
 * the store fails there, the change stands, so the page says it was made and how to go on: a 503
 * would tell the user it was not. Whatever the change still owes was stored with it as account tasks.
 */
export async function thenOrDone(services: InteractionServices, ctx: StepContext, done: DoneKind, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isBackendUnavailable(error)) throw error;
    services.logger.error({ reqId: ctx.state.requestId, err: (error as Error).message }, 'backend unavailable after a change was stored');
    const { t } = ctx.state.it;
    ctx.remove('Location');
    render(services, ctx, {
      view: 'done',
      title: t(`done.${done}.title`),
      body: t(`done.${done}.body`),
      returnTo: rememberedApplication(ctx),
      // The account page is where the user sees and changes what they just set up.
      accountHref: publicPath(services.config, '/account'),
    });
  }
}
