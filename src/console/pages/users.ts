import { z } from 'zod';
import { maxTermLength, searchStates } from '../../accounts/directory.ts';
import { PageError } from '../../web/errors.ts';
import type { ConsolePage } from '../registry.ts';
import type { ConsoleServices } from '../services.ts';

/** Accounts a page of the list shows. */
export const usersPageSize = 25;

/** The list's address: one text per field, a known state; anything else is a request to refuse. */
const listQuery = z.object({
  q: z.string().max(maxTermLength * 4).optional(),
  state: z.union([z.enum(searchStates), z.literal('')]).optional(),
  after: z.string().max(320).optional(),
  lang: z.string().optional(),
});

/** Users: search by email or name, filter by state, a page at a time in email order. */
export const usersPage: ConsolePage<ConsoleServices> = {
  menu: { label: 'console.menu.users', path: '/admin/users', action: 'view' },
  routes(router, kit, services) {
    router.get('/admin', (ctx) => {
      ctx.status = 303;
      ctx.redirect(kit.href('/admin/users'));
    });
    router.get('/admin/users', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'view' });
      if (operator === undefined) return;
      const parsed = listQuery.safeParse(ctx.query);
      if (!parsed.success) throw new PageError(400, 'badRequest', operator.t('console.users.badQuery'), kit.href('/admin/users'));
      const term = parsed.data.q?.trim() ?? '';
      const state = parsed.data.state === '' ? undefined : parsed.data.state;
      const found = await services.directory.search({ term, state, after: parsed.data.after, limit: usersPageSize });
      const base = kit.href('/admin/users');
      const filters = new URLSearchParams({ ...(term === '' ? {} : { q: term }), ...(state === undefined ? {} : { state }) });
      const withFilters = (extra: Record<string, string>) => {
        const query = new URLSearchParams(filters);
        for (const [key, value] of Object.entries(extra)) query.set(key, value);
        const text = query.toString();
        return text === '' ? base : `${base}?${text}`;
      };
      kit.render(ctx, operator, 'console-users', {
        title: operator.t('console.users.title'),
        term,
        state: state ?? '',
        states: searchStates,
        accounts: found.accounts.map((account) => ({ ...account, href: kit.href(`/admin/users/${account.id}`) })),
        nextHref: found.next === undefined ? undefined : withFilters({ after: found.next }),
        firstHref: parsed.data.after === undefined ? undefined : withFilters({}),
      });
    });
  },
};
