import type { InteractionResults } from 'oidc-provider';
import { amr } from '../src/provider.ts';
import type { Account, InteractionServices, StepContext } from './context.ts';
import { requireStep } from './flow.ts';
import { audit, currentAccount, facts } from './step-kit.ts';

/**
 * Hands the signed-in user back to the provider. Reached only with both a password and an
 * authenticator proof in this interaction: no authorization code is ever issued without TOTP.
 *
 * @param checked the account as this request already read it, when nothing changed it since;
 *   otherwise it is read again (one SQL round trip fewer per sign-in when given)
 */
export async function finishLogin(services: InteractionServices, ctx: StepContext, checked?: Account): Promise<void> {
  const account = checked ?? (await currentAccount(services, ctx));
  const flow = requireStep('finish', ctx.state.it.flow, facts(account));
  const signedIn = account.status === 'active' ? account : await services.accounts.activate(account.id);
  services.metrics.signins.inc({ outcome: 'success' });
  // Recorded before the interaction is finished: no sign-in completes without its audit row.
  await audit(services, ctx, {
    event: 'signin.success',
    outcome: 'success',
    accountId: account.id,
    email: account.email,
    details: { purpose: flow.purpose },
  });
  services.recentAccounts.remember(signedIn);
  await Promise.all([
    services.guard.recordSuccess(account.id),
    services.flows.discard(flow.uid),
    handBack(ctx, { login: { accountId: account.id, amr: [...amr], remember: true } }),
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

/**
 * The provider asks for consent only when no grant covers the request; clients are first-party, so
 * the grant is recorded without asking (it is also created by loadExistingGrant on the way back).
 */
export async function finishConsent(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { provider } = services;
  const details = ctx.state.it.interaction;
  const { accountId } = details.session ?? {};
  const clientId = details.params.client_id;
  if (accountId === undefined || typeof clientId !== 'string') return handBack(ctx, { error: 'login_required' });
  const grant = details.grantId === undefined ? new provider.Grant({ accountId, clientId }) : await provider.Grant.find(details.grantId);
  const target = grant ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope !== undefined) target.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims !== undefined) target.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await target.save();
  await handBack(ctx, { consent: { grantId } }, true);
}
