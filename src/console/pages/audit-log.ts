import type { Context } from 'koa';
import { z } from 'zod';
import { actorDetails } from '../../accounts/lifecycle.ts';
import { auditCsv } from '../../audit-csv.ts';
import type { AuditFilter } from '../../audit-search.ts';
import { auditEventNames } from '../../audit.ts';
import type { Translate } from '../../i18n/index.ts';
import { PageError } from '../../web/errors.ts';
import type { ConsoleKit, Operator } from '../kit.ts';
import type { ConsolePage } from '../registry.ts';
import { eventRow } from './user.ts';
import type { ConsoleServices } from '../services.ts';

/** Events a page of the log shows. */
export const auditPageSize = 50;
const dayMs = 24 * 60 * 60 * 1000;
const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** The log's address: short texts, a known event, a numeric cursor; anything else is refused. */
const logQuery = z.object({
  address: z.string().max(1000).optional(),
  event: z.union([z.enum(auditEventNames), z.literal('')]).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  before: z.string().regex(/^\d{1,19}$/).optional(),
  lang: z.string().optional(),
});

/** `address` is the email filter: a field named `email` is the operator's own to a browser. */
interface Filters {
  readonly address: string;
  readonly event: string;
  readonly from: string;
  readonly to: string;
}

/** A day as typed (YYYY-MM-DD, UTC), or undefined when it is no real day. */
function day(text: string): Date | undefined {
  if (!isoDay.test(text)) return undefined;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? undefined : date;
}

/** The filter the fields ask for, or what is wrong with them, each error at its field. */
function readFilters(t: Translate, filters: Filters): { filter: AuditFilter; errors: Array<{ field: string; message: string }> } {
  const errors: Array<{ field: string; message: string }> = [];
  const from = filters.from === '' ? undefined : day(filters.from);
  const to = filters.to === '' ? undefined : day(filters.to);
  if (filters.address.length > 254) errors.push({ field: 'address', message: t('console.audit.error.email') });
  if (filters.from !== '' && from === undefined) errors.push({ field: 'from', message: t('console.audit.error.date') });
  if (filters.to !== '' && to === undefined) errors.push({ field: 'to', message: t('console.audit.error.date') });
  if (from !== undefined && to !== undefined && from > to) errors.push({ field: 'to', message: t('console.audit.error.order') });
  return {
    errors,
    filter: {
      email: filters.address === '' ? undefined : filters.address,
      event: filters.event === '' ? undefined : filters.event,
      from,
      // The end day is included: events before the next day's start.
      until: to === undefined ? undefined : new Date(to.getTime() + dayMs),
    },
  };
}

function parseQuery(ctx: Context, operator: Operator, kit: ConsoleKit) {
  const parsed = logQuery.safeParse(ctx.query);
  if (!parsed.success) throw new PageError(400, 'badRequest', operator.t('console.audit.badQuery'), kit.href('/admin/audit'));
  const { address = '', event = '', from = '', to = '', before } = parsed.data;
  return { filters: { address: address.trim(), event, from: from.trim(), to: to.trim() }, before: before === undefined ? undefined : Number(before) };
}

function withFilters(base: string, filters: Filters, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) if (value !== '') query.set(key, value);
  const text = query.toString();
  return text === '' ? base : `${base}?${text}`;
}

/**
 * Audit log (admin): the trail filtered by email, event and days (UTC, both ends included), newest
 * first, a page at a time by key; Download CSV streams every event the filters match
 * (src/audit-csv.ts), after a fresh sign-in, and is itself recorded with the acting account.
 */
export const auditLogPage: ConsolePage<ConsoleServices> = {
  menu: { label: 'console.menu.auditLog', path: '/admin/audit', action: 'audit-log' },
  routes(router, kit, services) {
    router.get('/admin/audit', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'audit-log' });
      if (operator === undefined) return;
      const { t } = operator;
      const { filters, before } = parseQuery(ctx, operator, kit);
      const { filter, errors } = readFilters(t, filters);
      const page = errors.length > 0 ? { rows: [], next: undefined } : await services.auditSearch.page(filter, { before, limit: auditPageSize });
      const base = kit.href('/admin/audit');
      kit.render(
        ctx,
        operator,
        'console-audit',
        {
          title: t('console.audit.title'),
          errors,
          filters,
          events: auditEventNames,
          rows: page.rows.map((row) => ({ ...eventRow(t, row), email: row.email ?? '' })),
          searched: errors.length === 0,
          formAction: base,
          nextHref: page.next === undefined ? undefined : withFilters(base, filters, { before: String(page.next) }),
          firstHref: before === undefined ? undefined : withFilters(base, filters),
          download: errors.length === 0 ? withFilters(kit.href('/admin/audit.csv'), filters) : undefined,
        },
        errors.length > 0 ? 400 : 200,
      );
    });

    router.get('/admin/audit.csv', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'audit-log', fresh: true });
      if (operator === undefined) return;
      const { filters } = parseQuery(ctx, operator, kit);
      const { filter, errors } = readFilters(operator.t, filters);
      if (errors.length > 0) throw new PageError(400, 'badRequest', errors[0]!.message, withFilters(kit.href('/admin/audit'), filters));
      const actor = kit.actor(ctx, operator);
      await services.audit.record({
        event: 'audit.exported',
        outcome: 'success',
        ip: actor.ip,
        userAgent: actor.userAgent,
        details: { ...actorDetails(actor), ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== '').map(([key, value]) => [`filter_${key}`, value])) },
      });
      ctx.status = 200;
      ctx.type = 'text/csv; charset=utf-8';
      ctx.attachment(`audit-${new Date().toISOString().slice(0, 10)}.csv`);
      ctx.body = auditCsv(services.auditSearch.all(filter));
    });
  },
};
