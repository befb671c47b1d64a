import { rules } from '../src/config.ts';
import { hashPassword } from '../src/security/password-hash.ts';
import { PASSWORD_SYMBOLS, checkPassword } from '../src/security/password-policy.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { withProof } from './flow.ts';
import { finishLogin } from './finish.ts';
import type { FieldError } from '../src/web/render.ts';
import { goTo, render, saveFlow, thenOrDone } from './step-kit.ts';

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

export async function showNewPassword(services: InteractionServices, ctx: StepContext, _entered: Entered): Promise<void> {
  passwordPage(services, ctx);
}

/**
 * Every broken rule is listed at once, each beside the field it concerns. The password, its audit
 * event and, for a reset, what the reset owes (ending every other session, the password-changed
 * email) are stored in one transaction; once they are, the page says so whatever happens next.
 */
export async function submitNewPassword(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const { it } = ctx.state;
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
  const hash = await hashPassword(password, services.config.bcryptCost);
  const reset = flow.purpose === 'reset';
  const changed = await services.accounts.transaction(async (trx, accounts) => {
    const updated = await accounts.setPassword(account.id, hash);
    await services.audit.in(trx).record({
      event: reset ? 'password.reset' : 'password.set',
      outcome: 'success',
      accountId: account.id,
      email: account.email,
      ...it.requester,
    });
    // Whoever knew the old password may hold a session or a refresh token elsewhere: a reset by the
    // user ends them all, as an operator's reset does. This browser signs in afresh just after.
    if (reset) {
      await services.accountTasks.add(trx, account.id, { kind: 'end-sessions', email: account.email });
      await services.accountTasks.add(trx, account.id, { kind: 'email', notice: 'password-changed', to: account.email, locale: it.locale });
    }
    return updated;
  });
  const next = withProof(flow, 'password', services.now());
  await thenOrDone(services, ctx, reset ? 'passwordChanged' : 'passwordSet', async () => {
    if (!reset) {
      await saveFlow(services, ctx, next);
      return goTo(ctx, '/enroll');
    }
    const run = await services.accountTasks.runFor(account.id, { via: 'account', name: account.email });
    for (const owed of run.owed) services.logger.warn({ err: owed.error, accountId: account.id, task: owed.task.kind }, 'reset task left for later');
    ctx.state.it.flow = next;
    await finishLogin(services, ctx, { ...changed, factors: account.factors }, next);
  });
}
