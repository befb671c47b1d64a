import type { InteractionResults } from 'oidc-provider';
import type { AccountWithFactors, InteractionServices, StepContext } from './context.ts';
import { amrOf, factsOfAccount, requireStep, type FlowState } from './flow.ts';
import { audit } from './step-kit.ts';

/**
 * Hands the signed-in user back to the provider. Reached only with a password and a second factor
 * proven in this interaction, or a passkey: no authorization code is ever issued without a second
 * factor. `amr` says what was proven.
 *
 * @param account the account as this request read it, after the last change made to it
 */
export async function finishLogin(services: InteractionServices, ctx: StepContext, account: AccountWithFactors, flow: FlowState): Promise<void> {
  requireStep('finish', flow, factsOfAccount(account));
  const signedIn = account.status === 'active' ? account : await services.accounts.activate(account.id);
  const factor = flow.secondFactor ?? 'unknown';
  services.metrics.signins.inc({ outcome: 'success', factor });
  // Recorded before the interaction is finished: no sign-in completes without its audit row.
  await audit(services, ctx, {
    event: 'signin.success',
    outcome: 'success',
    accountId: account.id,
    email: account.email,
    details: { purpose: flow.purpose, amr: amrOf(flow.proofs).join(' '), factor },
  });
  services.recentAccounts.remember(signedIn);
  const { locale } = ctx.state.it;
  await Promise.all([
    // Written only when it changed, so a sign-in in the usual language costs no write.
    account.locale === locale ? undefined : services.accounts.rememberLocale(account.id, locale),
    services.guard.recordSuccess(account.id),
    services.flows.discard(flow.uid),
    handBack(ctx, { login: { accountId: account.id, amr: amrOf(flow.proofs), remember: true } }),
  ]);
}

/**
 * Gives the provider the interaction's result and sends the browser back to it: what
 * interactionFinished() does, on the interaction this request already loaded rather than loading it
 * a second time. With `merge`, the result adds to what an earlier step of the interaction submitted.
 */
export async function handBack(ctx: StepContext, result: InteractionResults, merge = false): Promise<void> {
  const { interaction } = ctx.state.it;
  interaction.result = merge ? { ...interaction.lastSubmission, ...result } : result;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  ctx.status = 303;
  ctx.redirect(interaction.returnTo);
}

/** The user gives up: the client gets `error=access_denied`, as OIDC Core 3.1.2.6 has it. */
export async function cancel(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { flow } = ctx.state.it;
  if (flow !== undefined) await services.flows.discard(flow.uid);
  await handBack(ctx, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' });
}
