import type { Context } from 'koa';
import { PageError } from '../../web/errors.ts';
import { accountActions, isAccountAction, type AccountActionName } from '../account-actions.ts';
import type { ConsoleKit, Operator } from '../kit.ts';
import type { ConsolePage } from '../registry.ts';
import type { ConsoleServices } from '../services.ts';
import { detailsOf, ownAccount } from './user.ts';

/** The action an address names, or a 404 page. */
function actionOf(ctx: Context): AccountActionName {
  const name = ctx.params.action;
  if (typeof name !== 'string' || !isAccountAction(name)) throw new PageError(404, 'notFound');
  return name;
}

/** The console never changes the operator's own account: a 403 page says so. */
function refuseOwn(kit: ConsoleKit, ctx: Context, operator: Operator): void {
  kit.render(ctx, operator, 'console-refused', { title: operator.t('console.refused.title'), reason: 'console.refused.ownAccount' }, 403);
}

/**
 * The buttons of a user's page. Each leads to a confirmation page that says what will happen and
 * whose button repeats the action's name; its form posts to the same address. Both need a sign-in
 * within the last 15 minutes: a stale one goes through the sign-in and comes back to the
 * confirmation page, where the action is confirmed again.
 */
export const userActionsPage: ConsolePage<ConsoleServices> = {
  routes(router, kit, services) {
    router.get('/admin/users/:id/:action', async (ctx) => {
      const action = actionOf(ctx);
      const operator = await kit.enter(ctx, { action, fresh: true });
      if (operator === undefined) return;
      const { account } = await detailsOf(ctx, services);
      if (ownAccount(operator, account.id)) return refuseOwn(kit, ctx, operator);
      const { t } = operator;
      kit.render(ctx, operator, 'console-confirm', {
        title: t(`console.action.${action}.button`),
        action,
        email: account.email,
        formAction: kit.href(`/admin/users/${account.id}/${action}`),
        cancel: kit.href(`/admin/users/${account.id}`),
      });
    });

    router.post('/admin/users/:id/:action', async (ctx) => {
      const action = actionOf(ctx);
      const confirmation = kit.href(ctx.path);
      const operator = await kit.enter(ctx, { action, fresh: true, returnTo: confirmation });
      if (operator === undefined) return;
      await kit.readForm(ctx, operator);
      const id = String(ctx.params.id);
      if (ownAccount(operator, id)) return refuseOwn(kit, ctx, operator);
      const result = await accountActions[action].perform(services, kit.actor(ctx, operator), id, operator.locale);
      if (!result.found) throw new PageError(404, 'notFound');
      const { account } = await detailsOf(ctx, services);
      const { t } = operator;
      kit.render(ctx, operator, 'console-done', {
        title: t(`console.action.${action}.button`),
        message: t(result.changed ? `console.action.${action}.done` : `console.action.${action}.unchanged`, { email: account.email }),
        changed: result.changed,
        owed: result.owed,
        email: account.email,
        back: kit.href(`/admin/users/${account.id}`),
      });
    });
  },
};
