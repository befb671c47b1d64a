import { normaliseCode } from '../src/security/totp.ts';
import type { FactorCheck } from '../src/factors/index.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { withProof, type FlowState } from './flow.ts';
import { finishLogin } from './finish.ts';
import { goTo, lockMessage, refusalMessage, render, saveFlow } from './step-kit.ts';

/** The authenticator code page, shared by sign-in, reset and enrollment (only the form target differs). */
export function totpPage(services: InteractionServices, ctx: StepContext, action: string, status = 200, error?: string): void {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'totp',
    title: t('totp.heading'),
    status,
    action,
    errors: error === undefined ? [] : [{ field: 'code', message: error }],
  });
}

/** A typed code, or the page's answer when it is empty or malformed (nothing counted then). */
export function typedCode(ctx: StepContext): { code: string } | { status: number; message: string } {
  const { it } = ctx.state;
  const raw = it.form.code ?? '';
  if (raw.trim() === '') return { status: 400, message: it.t('totp.error.required') };
  const code = normaliseCode(raw.slice(0, 100));
  return code === undefined ? { status: 400, message: it.t('totp.error.format') } : { code };
}

/** The page's answer to a code that was not accepted: the limit, the lock, or "incorrect". */
export function codeRefusal(ctx: StepContext, checked: Exclude<FactorCheck<unknown>, { status: 'right' }>): { status: number; message: string } {
  const { t } = ctx.state.it;
  if (checked.status === 'refused') return { status: 429, message: refusalMessage(t, checked.refusal) };
  const lock = lockMessage(t, checked.lockSeconds);
  return { status: lock === undefined ? 401 : 429, message: lock ?? t('totp.error.invalid') };
}

export async function showSecondFactor(services: InteractionServices, ctx: StepContext, _flow: FlowState): Promise<void> {
  totpPage(services, ctx, '/totp');
}

/** A code from any of the account's authenticator apps: the second factor of a sign-in or a reset. */
export async function submitSecondFactor(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const typed = typedCode(ctx);
  if (!('code' in typed)) return totpPage(services, ctx, '/totp', typed.status, typed.message);
  const checked = await services.factors.authenticatorApps.verify(account, typed.code, ctx.state.it.requester);
  if (checked.status !== 'right') {
    const refusal = codeRefusal(ctx, checked);
    return totpPage(services, ctx, '/totp', refusal.status, refusal.message);
  }
  const proven = withProof(flow, 'otp', services.now());
  if (flow.purpose === 'reset') {
    await saveFlow(services, ctx, proven);
    return goTo(ctx, '/new-password');
  }
  // Not saved: finishing discards the flow state at once, so the proof serves this request only.
  ctx.state.it.flow = proven;
  await finishLogin(services, ctx, account, proven);
}
