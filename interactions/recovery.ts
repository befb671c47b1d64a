import { normaliseRecoveryCode } from '../src/factors/index.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import type { FlowState } from './flow.ts';
import { render } from './step-kit.ts';
import { codeRefusal, secondFactorProven } from './totp.ts';

/** The field's id on the page; the form posts it as `recoveryCode`. */
const field = 'recovery-code';

function recoveryPage(services: InteractionServices, ctx: StepContext, status = 200, error?: string): void {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'recovery',
    title: t('recovery.heading'),
    status,
    errors: error === undefined ? [] : [{ field, message: error }],
  });
}

export async function showRecovery(services: InteractionServices, ctx: StepContext, _flow: FlowState): Promise<void> {
  recoveryPage(services, ctx);
}

/**
 * A recovery code in place of an authenticator code, at sign-in and in a reset: counted by the
 * brute-force limits like any code, used up when right, and the user emailed with how many are left.
 */
export async function submitRecovery(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const { it } = ctx.state;
  const raw = (it.form.recoveryCode ?? '').slice(0, 100);
  if (raw.trim() === '') return recoveryPage(services, ctx, 400, it.t('recovery.error.required'));
  const code = normaliseRecoveryCode(raw);
  if (code === undefined) return recoveryPage(services, ctx, 400, it.t('recovery.error.format'));
  const checked = await services.factors.recoveryCodes.verify(account, code, { requester: it.requester, locale: it.locale });
  if (checked.status !== 'right') {
    const refusal = codeRefusal(ctx, checked, 'recovery.error.invalid');
    return recoveryPage(services, ctx, refusal.status, refusal.message);
  }
  await secondFactorProven(services, ctx, flow, account, 'recovery-codes');
}
