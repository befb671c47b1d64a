import type { InteractionServices, StepContext } from './context.ts';
import { handBack } from './finish.ts';
import { PageError } from '../src/web/errors.ts';

/**
 * `prompt=select_account`: the email step offers the account this browser is signed in with, and
 * the email form to use another one. Keeping the account hands the choice back to the provider,
 * which then issues the code on the existing session (or asks for a sign-in when the request also
 * wants one, by `prompt=login` or `max_age`); another account goes through the ordinary steps.
 */

/** The signed-in account to offer, when the request asks to select an account and it may still be used. */
export async function offeredAccount(services: InteractionServices, ctx: StepContext): Promise<{ email: string } | undefined> {
  const { it } = ctx.state;
  const accountId = it.interaction.session?.accountId;
  if (it.prompt !== 'select_account' || accountId === undefined) return undefined;
  const account = await services.accounts.findById(accountId);
  return account?.status === 'active' ? { email: account.email } : undefined;
}

export async function keepAccount(services: InteractionServices, ctx: StepContext): Promise<void> {
  if ((await offeredAccount(services, ctx)) === undefined) throw new PageError(403, 'step');
  await handBack(ctx, { select_account: {} }, true);
}
