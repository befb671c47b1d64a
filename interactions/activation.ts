import { formatWait } from '../src/i18n/index.ts';
import { MailDeliveryError } from '../src/mail/mailer.ts';
import { emailBasics, verificationCodeEmail } from '../src/mail/messages.ts';
import { normaliseCode } from '../src/security/code-input.ts';
import { hasSecondFactor } from '../src/factors/index.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { withProof } from './flow.ts';
import { audit, attempt, goTo, lockMessage, refusalMessage, render, saveFlow } from './step-kit.ts';

function sendPage(services: InteractionServices, ctx: StepContext, email: string, status = 200, error?: string) {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'activation-send',
    title: t('activation.heading'),
    status,
    email,
    errors: error === undefined ? [] : [{ message: error }],
  });
}

/** A refused resend belongs to the resend button, not to the code the user is typing. */
function codePage(services: InteractionServices, ctx: StepContext, status = 200, error?: string, field: 'code' | 'resend' = 'code') {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'activation-code',
    title: t('activation.heading'),
    status,
    validity: formatWait(t, services.config.emailCodeTtlSeconds),
    errors: error === undefined ? [] : [{ field, message: error }],
  });
}

/** The sign-in page's link: forgot password for an account with a second factor, else first-time login. */
export async function showHelp(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  if (hasSecondFactor(account.factors)) return goTo(ctx, '/forgot');
  sendPage(services, ctx, flow.email);
}

/**
 * Sends (or re-sends) the emailed code. Each send counts against the client address's limit, like a
 * failed attempt, so one address cannot mail codes to account after account. The send limits are
 * checked before the old code is replaced, and a failed delivery gives every reservation back:
 * nothing is consumed by a mail error.
 */
export async function sendCode(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const { it } = ctx.state;
  const fail = (status: number, message: string) =>
    flow.codeSent ? codePage(services, ctx, status, message, 'resend') : sendPage(services, ctx, flow.email, status, message);

  const reserved = await services.guard.reserve({ ip: it.ip });
  if (!reserved.allowed) return fail(429, refusalMessage(it.t, reserved));
  const issued = await services.emailCodes.issue(account.id);
  if (!issued.ok) {
    await reserved.giveBack();
    const message =
      issued.reason === 'too-soon'
        ? it.t('activation.error.resendTooSoon', { wait: formatWait(it.t, issued.retryAfterSeconds) })
        : it.t('activation.error.sendLimit', { wait: formatWait(it.t, issued.retryAfterSeconds) });
    return fail(429, message);
  }
  const mail = verificationCodeEmail({
    ...emailBasics(services.config, it.locale),
    code: issued.code,
    minutes: services.config.emailCodeTtlSeconds / 60,
  });
  try {
    await services.mailer.send({ to: account.email, ...mail });
  } catch (error) {
    await Promise.all([issued.release(), reserved.giveBack()]);
    if (!(error instanceof MailDeliveryError)) throw error;
    services.logger.warn({ err: error.message, accountId: account.id }, 'verification email not delivered');
    await audit(services, ctx, { event: 'code.sent', outcome: 'failure', accountId: account.id, email: account.email });
    return fail(503, it.t('activation.error.sendFailed'));
  }
  services.metrics.codesSent.inc();
  await audit(services, ctx, { event: 'code.sent', outcome: 'success', accountId: account.id, email: account.email });
  await saveFlow(services, ctx, { ...flow, purpose: 'activation', codeSent: true });
  goTo(ctx, '/activation/code');
}

export async function showCode(services: InteractionServices, ctx: StepContext, _entered: Entered): Promise<void> {
  codePage(services, ctx);
}

export async function verifyCode(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const { it } = ctx.state;
  const raw = it.form.code ?? '';
  if (raw.trim() === '') return codePage(services, ctx, 400, it.t('activation.error.codeRequired'));
  const code = normaliseCode(raw.slice(0, 100));
  if (code === undefined) return codePage(services, ctx, 400, it.t('activation.error.codeFormat'));

  const tried = await attempt(
    services,
    ctx,
    { kind: 'email_code', account },
    () => services.emailCodes.verify(account.id, code),
    (verdict) => verdict === 'ok',
  );
  if (tried.kind === 'refused') return codePage(services, ctx, 429, refusalMessage(it.t, tried.refusal));
  if (!tried.right) {
    const { verdict } = tried;
    const lock = lockMessage(it.t, tried.lockSeconds);
    await audit(services, ctx, { event: 'code.failure', outcome: 'failure', accountId: account.id, email: account.email, details: { reason: verdict } });
    const message = lock ?? (verdict === 'wrong' ? it.t('activation.error.codeWrong') : it.t('activation.error.codeExpired'));
    return codePage(services, ctx, lock === undefined ? 400 : 429, message);
  }
  await services.guard.recordSuccess(account.id);
  await audit(services, ctx, { event: 'code.verified', outcome: 'success', accountId: account.id, email: account.email });
  await saveFlow(services, ctx, withProof(flow, 'emailCode', services.now()));
  goTo(ctx, '/activation/verified');
}

export async function showVerified(services: InteractionServices, ctx: StepContext, _entered: Entered): Promise<void> {
  const { t } = ctx.state.it;
  render(services, ctx, { view: 'activation-verified', title: t('activation.heading') });
}
