import { verifyPassword } from '../src/security/password-hash.ts';
import { openSecret } from '../src/security/secret-box.ts';
import type { InteractionServices, StepContext } from './context.ts';
import { withProof, type FlowState } from './flow.ts';
import type { FieldError } from '../src/web/render.ts';
import { attempt, audit, goTo, lockMessage, refusalMessage, render, saveFlow } from './step-kit.ts';

/** The sign-in page; an account with a passkey is offered it as well (with JavaScript). */
export function signInPage(services: InteractionServices, ctx: StepContext, flow: FlowState, status = 200, errors: readonly FieldError[] = []): void {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'signin',
    title: t('signIn.heading'),
    status,
    email: flow.email,
    passkey: flow.hasPasskey,
    errors,
  });
}

function passwordError(message: string): FieldError[] {
  return [{ field: 'password', message }];
}

export async function showSignIn(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<void> {
  signInPage(services, ctx, flow);
}

/**
 * The password step. A wrong password and an account without one get the same answer after the
 * same bcrypt work, and the password is never echoed back into the form. The hash is the one the
 * email step read, carried sealed in the flow: the second-factor step, which reads the account
 * again before anything is issued, refuses the proof if the password changed in between.
 */
export async function submitPassword(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<void> {
  const { it } = ctx.state;
  const account = { id: flow.accountId, email: flow.email };
  const password = it.form.password ?? '';
  if (password === '') return signInPage(services, ctx, flow, 400, passwordError(it.t('signIn.error.passwordRequired')));

  const hash = flow.sealedPasswordHash === null ? null : openSecret(services.secretKey, flow.sealedPasswordHash);
  const tried = await attempt(
    services,
    ctx,
    { kind: 'password', account },
    () => verifyPassword(password, hash, services.config.bcryptCost),
    (right) => right,
  );
  if (tried.kind === 'refused') return signInPage(services, ctx, flow, 429, passwordError(refusalMessage(it.t, tried.refusal)));
  if (!tried.right) {
    services.metrics.signins.inc({ outcome: 'bad_password', factor: 'password' });
    await audit(services, ctx, { event: 'signin.password', outcome: 'failure', accountId: account.id, email: account.email });
    const lock = lockMessage(it.t, tried.lockSeconds);
    return signInPage(services, ctx, flow, lock === undefined ? 401 : 429, passwordError(lock ?? it.t('signIn.error.invalid')));
  }
  await saveFlow(services, ctx, withProof(flow, 'password', services.now()));
  goTo(ctx, flow.hasSecondFactor ? '/totp' : '/enroll');
}
