import type { AccountDetails, Actor, Found } from '../accounts/lifecycle.ts';
import type { Locale } from '../i18n/index.ts';
import type { ConsoleAction } from './actions.ts';
import type { ConsoleServices } from './services.ts';

/** The buttons of a user's page, in the order they are shown; each is an action of the role table. */
export const accountActionNames = [
  'resend-invitation',
  'reactivate',
  'unlock',
  'reset-authenticator',
  'sign-out-everywhere',
  'deactivate',
  'reset-account',
] as const satisfies readonly ConsoleAction[];

export type AccountActionName = (typeof accountActionNames)[number];

/** What an action did: whether it changed anything, and whether part of its work is still owed. */
export interface ActionOutcome {
  readonly changed: boolean;
  readonly owed: boolean;
}

export interface AccountAction {
  /** Offered on the user's page where it can change something (it may still be asked for by address). */
  offered(details: AccountDetails): boolean;
  perform(services: ConsoleServices, actor: Actor, accountId: string, locale: Locale): Promise<Found<ActionOutcome>>;
}

/** A use case's change as an action's outcome. */
function outcome(result: Found<{ changed: boolean; tasks: { owed: readonly unknown[] } }>): Found<ActionOutcome> {
  return result.found ? { found: true, changed: result.changed, owed: result.tasks.owed.length > 0 } : result;
}

/**
 * Each button of a user's page as a call of its use case (src/accounts/lifecycle.ts). The emails a
 * change brings are in the user's language (their last sign-in's); a resent invitation, to someone
 * who has usually never signed in, is in the language of the console page the point of contact used.
 */
export const accountActions: Readonly<Record<AccountActionName, AccountAction>> = {
  'resend-invitation': {
    offered: ({ account }) => account.status === 'invited',
    perform: async (services, actor, id, locale) => outcome(await services.lifecycle.resendInvitation(actor, { id }, { locale })),
  },
  reactivate: {
    offered: ({ account }) => account.status === 'deactivated',
    perform: async (services, actor, id) => outcome(await services.lifecycle.reactivate(actor, { id })),
  },
  unlock: {
    offered: ({ lock }) => lock === undefined || lock.failures > 0,
    async perform(services, actor, id) {
      const result = await services.lifecycle.unlock(actor, { id });
      return result.found ? { found: true, changed: result.before.failures > 0, owed: false } : result;
    },
  },
  'reset-authenticator': {
    offered: ({ factors }) => factors.length > 0,
    perform: async (services, actor, id) => outcome(await services.lifecycle.resetFactors(actor, { id })),
  },
  'sign-out-everywhere': {
    offered: ({ account }) => account.status === 'active',
    perform: async (services, actor, id) => outcome(await services.lifecycle.signOutEverywhere(actor, { id })),
  },
  deactivate: {
    offered: ({ account }) => account.status !== 'deactivated',
    perform: async (services, actor, id) => outcome(await services.lifecycle.deactivate(actor, { id })),
  },
  'reset-account': {
    offered: ({ account, factors }) => account.passwordHash !== null || factors.length > 0,
    perform: async (services, actor, id) => outcome(await services.lifecycle.reset(actor, { id })),
  },
};

export function isAccountAction(name: string): name is AccountActionName {
  return (accountActionNames as readonly string[]).includes(name);
}
