import { z } from 'zod';
import { normaliseEmail } from '../src/accounts/account.ts';
import { sealSecret } from '../src/security/secret-box.ts';
import type { InteractionServices, StepContext } from './context.ts';
import { consent } from './consent.ts';
import { keepInteraction } from './lifetime.ts';
import { offeredAccount } from './select-account.ts';
import { attempt, auditRefusal, deactivationReason, goTo, refusalMessage, render, saveFlow } from './step-kit.ts';

const emailSchema = z.email().max(254);

async function emailPage(services: InteractionServices, ctx: StepContext, email: string, status = 200, error?: string, detail?: string) {
  const { t } = ctx.state.it;
  render(services, ctx, {
    signedIn: await offeredAccount(services, ctx),
    view: 'email',
    title: t('identify.heading'),
    status,
    email,
    detail,
    errors: error === undefined ? [] : [{ field: 'email', message: error }],
  });
}

/**
 * Where the provider sends the browser: the email page, prefilled from login_hint. A consent prompt
 * never reaches a person: it has its own step.
 */
export async function showStart(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { it } = ctx.state;
  if (it.prompt === 'consent') return consent(services, ctx);
  const hint = typeof it.params.login_hint === 'string' ? it.params.login_hint : '';
  await emailPage(services, ctx, it.flow?.email ?? hint.slice(0, 254));
}

export async function submitEmail(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { it } = ctx.state;
  const typed = (it.form.email ?? '').slice(0, 1000);
  const email = normaliseEmail(typed);
  if (email === '') return emailPage(services, ctx, typed, 400, it.t('identify.error.required'));
  if (!emailSchema.safeParse(email).success) return emailPage(services, ctx, typed, 400, it.t('identify.error.format'));

  // Email-first sign-in tells whether an account exists: every answer but "go on" counts against the
  // address's limit, and is counted before the lookup, so a burst learns no more than the limit allows.
  const tried = await attempt(
    services,
    ctx,
    { kind: 'email', account: undefined },
    () => services.accounts.findByEmail(email),
    (found) => found !== undefined && found.status !== 'deactivated',
  );
  if (tried.kind === 'refused') return emailPage(services, ctx, typed, 429, refusalMessage(it.t, tried.refusal));
  const account = tried.verdict;
  if (account === undefined) {
    await auditRefusal(services, ctx, { event: 'signin.email', outcome: 'failure', email, details: { reason: 'unknown' } });
    return emailPage(services, ctx, typed, 400, it.t('identify.error.unknown'));
  }
  if (account.status === 'deactivated') {
    await auditRefusal(services, ctx, { event: 'signin.email', outcome: 'failure', accountId: account.id, email, details: { reason: 'deactivated' } });
    const detail = `${deactivationReason(services, it.t, account)} ${it.t('identify.error.askReactivation')}`;
    return emailPage(services, ctx, typed, 403, it.t('identify.error.deactivated'), detail);
  }
  const sealedHash = account.passwordHash === null ? null : sealSecret(services.secretKey, account.passwordHash);
  await Promise.all([saveFlow(services, ctx, services.flows.begin(it.uid, account, sealedHash)), keepInteraction(services, ctx)]);
  goTo(ctx, '/password');
}
