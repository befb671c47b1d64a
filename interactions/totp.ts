import { openSecret } from '../src/security/secret-box.ts';
import { normaliseCode, verifyTotp } from '../src/security/totp.ts';
import type { Account, InteractionServices, StepContext, StepRoute } from './context.ts';
import { withProof } from './flow.ts';
import { finishLogin } from './finish.ts';
import { attempt, audit, enterFlowStep, enterStep, goTo, render, saveFlow } from './step-kit.ts';

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

export type TotpOutcome = { ok: true } | { ok: false; status: number; message: string };

/** Checks a typed code against a secret, counting failures and refusing replays and locked accounts. */
export async function checkTotp(
  services: InteractionServices,
  ctx: StepContext,
  account: Account,
  secret: string,
): Promise<TotpOutcome> {
  const { it } = ctx.state;
  const raw = it.form.code ?? '';
  if (raw.trim() === '') return { ok: false, status: 400, message: it.t('totp.error.required') };
  const code = normaliseCode(raw.slice(0, 100));
  if (code === undefined) return { ok: false, status: 400, message: it.t('totp.error.format') };

  // A locked account gets the lock message without the code being checked, so a guess teaches nothing
  // and a right code typed during the lock is not spent.
  const tried = await attempt(
    services,
    ctx,
    { kind: 'totp', account: account },
    () => verifyTotp({ store: services.store, accountKey: account.id, secret, code, now: services.now }),
    (verdict) => verdict === 'ok',
  );
  if (tried.kind === 'refused') return { ok: false, status: 429, message: tried.message };
  if (tried.right) return { ok: true };
  await audit(services, ctx, {
    event: 'totp.failure',
    outcome: 'failure',
    accountId: account.id,
    email: account.email,
    details: { reason: tried.verdict },
  });
  return { ok: false, status: tried.lock === undefined ? 401 : 429, message: tried.lock ?? it.t('totp.error.invalid') };
}

async function showTotp(services: InteractionServices, ctx: StepContext): Promise<void> {
  enterFlowStep(ctx, 'totp');
  totpPage(services, ctx, '/totp');
}

async function submitTotp(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { flow, account } = await enterStep(services, ctx, 'totp');
  const secret = openSecret(services.secretKey, account.totpSecretEncrypted!);
  const outcome = await checkTotp(services, ctx, account, secret);
  if (!outcome.ok) return totpPage(services, ctx, '/totp', outcome.status, outcome.message);
  const proven = withProof(flow, 'totp', services.now());
  if (flow.purpose === 'reset') {
    await saveFlow(services, ctx, proven);
    return goTo(ctx, '/new-password');
  }
  // Not saved: finishing discards the flow state at once, so the proof serves this request only.
  ctx.state.it.flow = proven;
  await finishLogin(services, ctx, account);
}

export const totpRoutes: StepRoute[] = [
  { method: 'get', path: '/totp', handler: showTotp },
  { method: 'post', path: '/totp', handler: submitTotp },
];
