import { verifyPassword } from '../src/security/password-hash.ts';
import { openSecret } from '../src/security/secret-box.ts';
import type { InteractionServices, StepContext, StepRoute } from './context.ts';
import { withProof } from './flow.ts';
import { attempt, audit, enterFlowStep, goTo, render, saveFlow } from './step-kit.ts';

function signInPage(services: InteractionServices, ctx: StepContext, email: string, status = 200, error?: string) {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'signin',
    title: t('signIn.heading'),
    status,
    email,
    errors: error === undefined ? [] : [{ field: 'password', message: error }],
  });
}

async function showSignIn(services: InteractionServices, ctx: StepContext): Promise<void> {
  const flow = enterFlowStep(ctx, 'password');
  signInPage(services, ctx, flow.email);
}

/**
 * The password step. A wrong password and an account without one get the same answer after the
 * same bcrypt work, and the password is never echoed back into the form. The hash is the one the
 * email step read, carried sealed in the flow: the authenticator step, which reads the account
 * again before anything is issued, refuses the proof if the password changed in between.
 */
async function submitPassword(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { it } = ctx.state;
  const flow = enterFlowStep(ctx, 'password');
  const account = { id: flow.accountId, email: flow.email };
  const password = it.form.password ?? '';
  if (password === '') return signInPage(services, ctx, flow.email, 400, it.t('signIn.error.passwordRequired'));

  const hash = flow.sealedPasswordHash === null ? null : openSecret(services.secretKey, flow.sealedPasswordHash);
  const tried = await attempt(
    services,
    ctx,
    { kind: 'password', account: account },
    () => verifyPassword(password, hash, services.config.bcryptCost),
    (right) => right,
  );
  if (tried.kind === 'refused') return signInPage(services, ctx, flow.email, 429, tried.message);
  if (!tried.right) {
    services.metrics.signins.inc({ outcome: 'bad_password' });
    await audit(services, ctx, { event: 'signin.password', outcome: 'failure', accountId: account.id, email: account.email });
    return signInPage(services, ctx, flow.email, tried.lock === undefined ? 401 : 429, tried.lock ?? it.t('signIn.error.invalid'));
  }
  await saveFlow(services, ctx, withProof(flow, 'password', services.now()));
  goTo(ctx, flow.hasTotp ? '/totp' : '/enroll');
}

export const signInRoutes: StepRoute[] = [
  { method: 'get', path: '/password', handler: showSignIn },
  { method: 'post', path: '/password', handler: submitPassword },
];
