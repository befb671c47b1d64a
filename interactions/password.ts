import { emailBasics, passwordChangedEmail } from '../src/mail/messages.ts';
import { hashPassword } from '../src/security/password-hash.ts';
import { endAccountSessions } from '../src/sessions.ts';
import { PASSWORD_SYMBOLS, checkPassword } from '../src/security/password-policy.ts';
import { rules } from '../src/config.ts';
import type { InteractionServices, StepContext, StepRoute } from './context.ts';
import { withProof } from './flow.ts';
import { finishLogin } from './finish.ts';
import { audit, enterStep, goTo, render, saveFlow } from './step-kit.ts';
import type { FieldError } from './render.ts';

function passwordPage(services: InteractionServices, ctx: StepContext, status = 200, errors: FieldError[] = []) {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'new-password',
    title: t('password.heading'),
    status,
    errors,
    email: ctx.state.it.flow?.email,
    minLength: rules.passwordMinLength,
    maxLength: rules.passwordMaxLength,
    symbols: PASSWORD_SYMBOLS.split('').join(' '),
  });
}

async function showNewPassword(services: InteractionServices, ctx: StepContext): Promise<void> {
  await enterStep(services, ctx, 'newPassword');
  passwordPage(services, ctx);
}

/** Every broken rule is listed at once, each beside the field it concerns. */
async function submitNewPassword(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { it } = ctx.state;
  const { flow, account } = await enterStep(services, ctx, 'newPassword');
  const password = it.form.password ?? '';
  const confirmation = it.form.confirmation ?? '';
  const problems = checkPassword(password, confirmation, account.email);
  if (problems.length > 0) {
    return passwordPage(
      services,
      ctx,
      400,
      problems.map((problem) => ({
        field: problem === 'mismatch' ? 'confirmation' : 'password',
        message: it.t(`password.error.${problem}`, { min: rules.passwordMinLength, max: rules.passwordMaxLength }),
      })),
    );
  }
  await services.accounts.setPassword(account.id, await hashPassword(password, services.config.bcryptCost));
  await audit(services, ctx, {
    event: flow.purpose === 'reset' ? 'password.reset' : 'password.set',
    outcome: 'success',
    accountId: account.id,
    email: account.email,
  });
  const next = withProof(flow, 'password', services.now());
  await saveFlow(services, ctx, next);
  if (flow.purpose !== 'reset') return goTo(ctx, '/enroll');

  // Whoever knew the old password may hold a session or a refresh token elsewhere: a reset by the
  // user ends them all, as an operator's reset does. This browser signs in afresh just after.
  const ended = await endAccountSessions(services, account.id);
  for (const failure of ended.failures) services.logger.warn({ ...failure, accountId: account.id }, 'logout token not delivered');
  const mail = passwordChangedEmail(emailBasics(services.config, it.locale));
  await services.mailer.send({ to: account.email, ...mail }).catch((error: Error) => {
    // The password is already changed; a lost notice must not undo or block the sign-in.
    services.logger.warn({ err: error.message, accountId: account.id }, 'password-changed notice not delivered');
  });
  await finishLogin(services, ctx);
}

export const newPasswordRoutes: StepRoute[] = [
  { method: 'get', path: '/new-password', handler: showNewPassword },
  { method: 'post', path: '/new-password', handler: submitNewPassword },
];
