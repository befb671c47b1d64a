import { normaliseCode } from '../src/security/totp.ts';
import type { FactorCheck, FactorKind } from '../src/factors/index.ts';
import type { MessageKey } from '../src/i18n/index.ts';
import type { AccountWithFactors, Entered, InteractionServices, StepContext } from './context.ts';
import { withSecondFactor, type FlowState } from './flow.ts';
import { finishLogin } from './finish.ts';
import type { FieldError } from '../src/web/render.ts';
import { goTo, lockMessage, refusalMessage, render, saveFlow } from './step-kit.ts';

/**
 * The authenticator code page, shared by sign-in, reset and enrollment (only the form target
 * differs). At sign-in and reset it offers the other ways: a recovery code, and a passkey when the
 * account has one.
 */
export function totpPage(services: InteractionServices, ctx: StepContext, action: string, status = 200, errors: readonly FieldError[] = []): void {
  const { t, flow } = ctx.state.it;
  const otherWays = action === '/totp';
  render(services, ctx, {
    view: 'totp',
    title: t('totp.heading'),
    status,
    action,
    otherWays,
    passkey: otherWays && flow?.hasPasskey === true,
    errors,
  });
}

/** The one error of a code page, beside its code field. */
export function codeError(message: string): FieldError[] {
  return [{ field: 'code', message }];
}

/** A typed code, or the page's answer when it is empty or malformed (nothing counted then). */
export function typedCode(ctx: StepContext): { code: string } | { status: number; message: string } {
  const { it } = ctx.state;
  const raw = it.form.code ?? '';
  if (raw.trim() === '') return { status: 400, message: it.t('totp.error.required') };
  const code = normaliseCode(raw.slice(0, 100));
  return code === undefined ? { status: 400, message: it.t('totp.error.format') } : { code };
}

/** The page's answer to a second factor that was not accepted: the limit, the lock, or `wrong`. */
export function codeRefusal(
  ctx: StepContext,
  checked: Exclude<FactorCheck<unknown>, { status: 'right' }>,
  wrong: MessageKey = 'totp.error.invalid',
): { status: number; message: string } {
  const { t } = ctx.state.it;
  if (checked.status === 'refused') return { status: 429, message: refusalMessage(t, checked.refusal) };
  const lock = lockMessage(t, checked.lockSeconds);
  return { status: lock === undefined ? 401 : 429, message: lock ?? t(wrong) };
}

/**
 * A second factor of `kind` was proven: a reset goes on to choosing a password, a sign-in is
 * finished. The proof of a sign-in is not saved: finishing discards the flow state at once.
 */
export async function secondFactorProven(services: InteractionServices, ctx: StepContext, flow: FlowState, account: AccountWithFactors, kind: FactorKind): Promise<void> {
  const proven = withSecondFactor(flow, kind, services.now());
  if (flow.purpose === 'reset') {
    await saveFlow(services, ctx, proven);
    return goTo(ctx, '/new-password');
  }
  ctx.state.it.flow = proven;
  await finishLogin(services, ctx, account, proven);
}

export async function showSecondFactor(services: InteractionServices, ctx: StepContext, _flow: FlowState): Promise<void> {
  totpPage(services, ctx, '/totp');
}

/** A code from any of the account's authenticator apps: the second factor of a sign-in or a reset. */
export async function submitSecondFactor(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const typed = typedCode(ctx);
  if (!('code' in typed)) return totpPage(services, ctx, '/totp', typed.status, codeError(typed.message));
  const checked = await services.factors.authenticatorApps.verify(account, typed.code, ctx.state.it.requester);
  if (checked.status !== 'right') {
    const refusal = codeRefusal(ctx, checked);
    return totpPage(services, ctx, '/totp', refusal.status, codeError(refusal.message));
  }
  await secondFactorProven(services, ctx, flow, account, 'authenticator-app');
}
