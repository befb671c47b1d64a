import type { Account } from '../src/accounts/account.ts';
import { rules } from '../src/config.ts';
import type { Refusal } from '../src/security/brute-force.ts';
import type { AuditEvent } from '../src/audit.ts';
import { formatDays, formatWait, type Translate } from '../src/i18n/index.ts';
import type { ErrorKind } from './provider-pages.ts';
import { type FlowState, factsOf, requireStep, StepRefused, type AccountFacts, type Step } from './flow.ts';
import type { InteractionServices, Page, StepContext } from './context.ts';
import { languageLinks } from './language.ts';

/** A step that ends the request with an error page of its own status (never a 500). */
export class PageError extends Error {
  override name = 'PageError';
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    /** Replaces the kind's standard explanation, already translated. */
    readonly body?: string,
  ) {
    super(kind);
  }
}

/** Why an account cannot be used, in the user's language. */
export function deactivationReason(services: InteractionServices, t: Translate, account: Account): string {
  return account.deactivationReason === 'activation-expired'
    ? t('identify.error.activationExpired', { period: formatDays(t, services.config.activationDays) })
    : t('identify.error.deactivatedByOperator');
}

/**
 * The address that shows each page again. A page drawn in answer to a form (with its errors) sits
 * at the form's action, which has no GET: the language switch reloads the page from here instead.
 * The authenticator page serves several steps, so its address is its form's.
 */
const pageAddresses: Readonly<Record<string, string>> = {
  email: '',
  signin: '/password',
  'activation-send': '/help',
  'activation-code': '/activation/code',
  'activation-verified': '/activation/verified',
  'new-password': '/new-password',
  enroll: '/enroll',
  forgot: '/forgot',
};

export function render(services: InteractionServices, ctx: StepContext, page: Page): void {
  const { view, status, ...model } = page;
  const { it } = ctx.state;
  const { base } = it;
  const address = view === 'totp' ? String(model.action) : pageAddresses[view];
  ctx.status = status ?? 200;
  ctx.type = 'html';
  ctx.body = services.views.render(view, it.locale, {
    ...model,
    uid: it.uid,
    csrf: it.csrf,
    base,
    languages: address === undefined ? [] : languageLinks(`${base}${address}`, it.locale),
  });
}

export function goTo(ctx: StepContext, path: string): void {
  ctx.status = 303;
  ctx.redirect(`${ctx.state.it.base}${path}`);
}

export function facts(account: Account): AccountFacts {
  return { hasTotp: account.totpSecretEncrypted !== null, passwordChangedAt: account.passwordChangedAt?.getTime() ?? null };
}

/**
 * The account behind the flow, read fresh on every step so that an operator's deactivation or
 * reset takes effect immediately, even in the middle of a flow.
 */
export async function currentAccount(services: InteractionServices, ctx: StepContext): Promise<Account> {
  const flow = ctx.state.it.flow;
  if (flow === undefined) throw new PageError(403, 'step');
  const account = await services.accounts.findById(flow.accountId);
  if (account === undefined) throw new PageError(403, 'step');
  if (account.status === 'deactivated') {
    throw new PageError(403, 'deactivated', deactivationReason(services, ctx.state.it.t, account));
  }
  return account;
}

/** The flow and the account, once the step's requirements are met; a refused step is a 403 page. */
export async function enterStep(
  services: InteractionServices,
  ctx: StepContext,
  step: Step,
): Promise<{ flow: FlowState; account: Account }> {
  const account = await currentAccount(services, ctx);
  const flow = requireStep(step, ctx.state.it.flow, facts(account));
  return { flow, account };
}

/**
 * The flow of a step that reads nothing from the account (a page showing a form, or the password
 * check against the hash the flow carries), checked against the account as the flow last saw it.
 * The step that follows, which proves or changes something, reads the account again.
 */
export function enterFlowStep(ctx: StepContext, step: Step): FlowState {
  const flow = ctx.state.it.flow;
  if (flow === undefined) throw new StepRefused(step);
  return requireStep(step, flow, factsOf(flow));
}

export async function saveFlow(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<void> {
  ctx.state.it.flow = flow;
  await services.flows.save(flow);
}

export function audit(
  services: InteractionServices,
  ctx: StepContext,
  event: Omit<AuditEvent, 'ip' | 'userAgent' | 'clientId'>,
): Promise<void> {
  const { it } = ctx.state;
  return services.audit.record({ ...event, ip: it.ip, userAgent: it.userAgent, clientId: it.clientId });
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
  const { it } = ctx.state;
  return services.audit.recordRepeatable({ ...event, ip: it.ip, userAgent: it.userAgent, clientId: it.clientId }, rules.auditRepeatWindowSeconds);
}

/** Why an attempt was refused, in the user's language: the account's lock or the address's limit. */
export function refusalMessage(t: Translate, refusal: Refusal): string {
  return t(refusal.scope === 'account' ? 'limit.locked' : 'limit.network', { wait: formatWait(t, refusal.retryAfterSeconds) });
}

/** What an attempt checks: the label of its sso_secret_checks_total. */
export type SecretKind = 'password' | 'totp' | 'email_code' | 'email';

export type Attempted<V> =
  /** Over a limit: nothing was checked. */
  | { readonly kind: 'refused'; readonly message: string }
  /** Checked; when wrong, `lock` is the lock message if this very attempt locked the account. */
  | { readonly kind: 'checked'; readonly verdict: V; readonly right: boolean; readonly lock: string | undefined };

/**
 * One attempt at a secret, counted against the account (when known) and the client's address
 * before `check` runs, so a burst of guesses gets no more checks than the limits allow. A right
 * answer gives the attempt back; a wrong one stays counted, and the lock it brought is audited.
 */
export async function attempt<V>(
  services: InteractionServices,
  ctx: StepContext,
  what: { readonly kind: SecretKind; readonly account: Pick<Account, 'id' | 'email'> | undefined },
  check: () => Promise<V>,
  isRight: (verdict: V) => boolean,
): Promise<Attempted<V>> {
  const { it } = ctx.state;
  const { account } = what;
  const reserved = await services.guard.reserve({ accountId: account?.id, ip: it.ip });
  if (!reserved.allowed) return { kind: 'refused', message: refusalMessage(it.t, reserved) };
  services.metrics.secretChecks.inc({ kind: what.kind });
  const verdict = await check();
  if (isRight(verdict)) {
    await reserved.giveBack();
    return { kind: 'checked', verdict, right: true, lock: undefined };
  }
  if (reserved.lockSeconds === 0 || account === undefined) return { kind: 'checked', verdict, right: false, lock: undefined };
  services.metrics.lockouts.inc();
  await audit(services, ctx, {
    event: 'account.locked',
    outcome: 'failure',
    accountId: account.id,
    email: account.email,
    details: { seconds: reserved.lockSeconds },
  });
  return { kind: 'checked', verdict, right: false, lock: refusalMessage(it.t, { allowed: false, scope: 'account', retryAfterSeconds: reserved.lockSeconds }) };
}
