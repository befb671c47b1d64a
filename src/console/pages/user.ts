import type { Context } from 'koa';
import { activationDeadline } from '../../accounts/account.ts';
import type { AccountDetails } from '../../accounts/lifecycle.ts';
import type { AuditRow } from '../../audit.ts';
import { formatDate, formatDateTime, formatWait, type Translate } from '../../i18n/index.ts';
import { PageError } from '../../web/errors.ts';
import { accountActionNames, accountActions } from '../account-actions.ts';
import type { ConsoleKit, Operator } from '../kit.ts';
import type { ConsolePage } from '../registry.ts';
import type { ConsoleServices } from '../services.ts';

/** Events a user's page shows, newest first. */
const recentEvents = 15;

/** The account of the address, or a 404 page: an id that is no account's (or no UUID at all) is not found. */
export async function detailsOf(ctx: Context, services: ConsoleServices): Promise<AccountDetails> {
  const id = ctx.params.id;
  const details = typeof id === 'string' ? await services.lifecycle.details({ id }) : { found: false as const };
  if (!details.found) throw new PageError(404, 'notFound');
  return details;
}

/** Whether the operator is looking at their own account, which the console never changes. */
export function ownAccount(operator: Operator, accountId: string): boolean {
  return operator.signedIn.account.id === accountId;
}

function lockText(t: Translate, lock: AccountDetails['lock']): string {
  if (lock === undefined) return t('console.user.lockUnknown');
  if (lock.lockedForSeconds > 0) return t('console.user.locked', { wait: formatWait(t, lock.lockedForSeconds), n: lock.failures });
  return lock.failures > 0 ? t('console.user.lockFailures', { n: lock.failures }) : t('console.user.lockNone');
}

/** An audit event as the console's tables show it. */
export function eventRow(t: Translate, event: AuditRow) {
  const by = event.details?.actor;
  return {
    at: formatDateTime(t, event.at),
    event: event.event,
    outcome: t(`console.outcome.${event.outcome}`),
    ip: event.ip ?? '',
    by: typeof by === 'string' ? by : '',
  };
}

/** A user's page: state, dates, lock, second factors, recent events, and the buttons the role may use. */
export const userPage: ConsolePage<ConsoleServices> = {
  routes(router, kit: ConsoleKit, services) {
    router.get('/admin/users/:id', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'view' });
      if (operator === undefined) return;
      const details = await detailsOf(ctx, services);
      const { account } = details;
      const { t } = operator;
      const date = (value: Date | null) => (value === null ? undefined : formatDate(t, value));
      const [lastSignIn, events] = await Promise.all([services.audit.lastAt(account.email, 'signin.success'), services.audit.recent({ email: account.email, limit: recentEvents })]);
      const own = ownAccount(operator, account.id);
      kit.render(ctx, operator, 'console-user', {
        title: t('console.user.title', { email: account.email }),
        account: {
          email: account.email,
          name: account.name,
          state: t(`console.state.${account.status}`),
          deactivation:
            account.deactivatedAt === null || account.deactivationReason === null
              ? undefined
              : t(`console.user.deactivatedBy.${account.deactivationReason}`, { date: formatDate(t, account.deactivatedAt) }),
          invitedAt: date(account.invitedAt),
          deadline: account.status === 'invited' ? formatDate(t, activationDeadline(account, services.activationDays)) : undefined,
          activatedAt: date(account.activatedAt),
          lastSignIn: lastSignIn === undefined ? t('console.user.never') : formatDateTime(t, lastSignIn),
          password: account.passwordChangedAt === null ? t('console.user.passwordNone') : t('console.user.passwordSet', { date: formatDate(t, account.passwordChangedAt) }),
          lock: lockText(t, details.lock),
          roles: details.roles,
        },
        factors: details.factors.map((factor) => ({
          kind: t(`console.factor.${factor.kind}`),
          name: factor.kind === 'recovery-codes' ? t('console.user.codesLeft', { n: factor.left ?? 0 }) : (factor.name ?? ''),
          added: formatDate(t, factor.createdAt),
          lastUsed: factor.lastUsedAt === null ? t('console.user.never') : formatDateTime(t, factor.lastUsedAt),
        })),
        events: events.map((event) => eventRow(t, event)),
        owed: details.owed.length > 0,
        own,
        actions: own
          ? []
          : accountActionNames
              .filter((name) => kit.may(operator, name) && accountActions[name].offered(details))
              .map((name) => ({ name, href: kit.href(`/admin/users/${account.id}/${name}`) })),
        back: kit.href('/admin/users'),
      });
    });
  },
};
