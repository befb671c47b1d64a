import { rules } from '../src/config.ts';
import { shortCookieOptions } from '../src/provider.ts';
import type { InteractionServices, StepContext } from './context.ts';

/**
 * An interaction starts with a short life (rules.anonymousInteractionSeconds), so anonymous
 * authorization requests cannot fill the store for an hour. Once the email step has found the
 * account, it gets the full life: the record in the store and both of the provider's cookies for it
 * (the interaction's, and the one the resume checks), which otherwise expire with the short life.
 */
export async function keepInteraction(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { interaction } = ctx.state.it;
  const ttl = rules.interactionTtlSeconds;
  await interaction.save(ttl);
  const { provider } = services;
  const options = { ...shortCookieOptions, maxAge: ttl * 1000 };
  ctx.cookies.set(provider.cookieName('interaction'), interaction.uid, { ...options, path: ctx.state.it.base });
  ctx.cookies.set(provider.cookieName('resume'), interaction.uid, { ...options, path: new URL(interaction.returnTo).pathname });
}
