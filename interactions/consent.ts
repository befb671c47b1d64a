import { z } from 'zod';
import type { InteractionServices, StepContext } from './context.ts';
import { handBack } from './finish.ts';

/** What the provider says is missing from the grant; parsed, since it comes back from the store. */
const missingSchema = z.object({
  missingOIDCScope: z.array(z.string()).optional(),
  missingOIDCClaims: z.array(z.string()).optional(),
});

/**
 * The provider asks for consent only when no grant covers the request. Clients are first-party, so
 * the grant is recorded without asking anyone (it is also made by loadExistingGrant on the way back).
 */
export async function consent(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { provider } = services;
  const details = ctx.state.it.interaction;
  const { accountId } = details.session ?? {};
  const clientId = details.params.client_id;
  if (accountId === undefined || typeof clientId !== 'string') return handBack(ctx, { error: 'login_required' });
  const existing = details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId);
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const parsed = missingSchema.safeParse(details.prompt.details);
  const missing = parsed.success ? parsed.data : {};
  if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await handBack(ctx, { consent: { grantId } }, true);
}
