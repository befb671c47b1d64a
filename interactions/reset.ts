import { normaliseEmail } from '../src/accounts/account.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { audit, goTo, render, saveFlow } from './step-kit.ts';

function forgotPage(services: InteractionServices, ctx: StepContext, email: string, status = 200, error?: string) {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'forgot',
    title: t('forgot.heading'),
    status,
    email,
    errors: error === undefined ? [] : [{ field: 'email', message: error }],
  });
}

/** Prefilled with the email the sign-in page showed: confirming it must not mean typing it again (WCAG 3.3.7). */
export async function showForgot(services: InteractionServices, ctx: StepContext, { flow }: Entered): Promise<void> {
  forgotPage(services, ctx, flow.email);
}

/** The user confirms the account's email before a second factor opens the password change. */
export async function confirmForgot(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const { it } = ctx.state;
  const typed = (it.form.email ?? '').slice(0, 1000);
  if (typed.trim() === '') return forgotPage(services, ctx, typed, 400, it.t('forgot.error.required'));
  if (normaliseEmail(typed) !== flow.email) return forgotPage(services, ctx, typed, 400, it.t('forgot.error.mismatch'));
  await audit(services, ctx, { event: 'password.forgot', outcome: 'info', accountId: account.id, email: account.email });
  await saveFlow(services, ctx, { ...flow, purpose: 'reset', resetConfirmed: true, proofs: {} });
  goTo(ctx, '/totp');
}
