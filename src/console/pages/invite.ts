import type { Context } from 'koa';
import { activationDeadline } from '../../accounts/account.ts';
import { parseEmail, parseName } from '../../accounts/account-input.ts';
import { formatDays, formatMoment, isLocale, localeNames, locales, type Locale } from '../../i18n/index.ts';
import type { ConsoleKit, Operator } from '../kit.ts';
import type { ConsolePage } from '../registry.ts';
import type { ConsoleServices } from '../services.ts';

interface InviteForm {
  /** Named `address`, not `email`: it is another person's, which the browser must not fill in with the operator's own. */
  readonly address: string;
  readonly name: string;
  readonly language: Locale;
}

function showForm(kit: ConsoleKit, ctx: Context, operator: Operator, services: ConsoleServices, form: InviteForm, errors: Array<{ field: string; message: string }> = [], status = 200, existing?: string) {
  const { t } = operator;
  kit.render(
    ctx,
    operator,
    'console-invite',
    {
      title: t('console.invite.title'),
      errors,
      intro: t('console.invite.intro', { period: formatDays(t, services.activationDays) }),
      form,
      languages: locales.map((locale) => ({ value: locale, name: localeNames[locale] })),
      formAction: kit.href('/admin/invite'),
      existing,
    },
    status,
  );
}

/**
 * Invite a user (admin): the account is created in the invited state and the invitation emailed in
 * the language chosen (the page's by default), the same email as the CLI's `users add --send-invite`.
 * The form is shown after a fresh sign-in, so what is typed is never lost to one.
 */
export const invitePage: ConsolePage<ConsoleServices> = {
  menu: { label: 'console.menu.invite', path: '/admin/invite', action: 'invite' },
  routes(router, kit, services) {
    router.get('/admin/invite', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'invite', fresh: true });
      if (operator === undefined) return;
      showForm(kit, ctx, operator, services, { address: '', name: '', language: operator.locale });
    });

    router.post('/admin/invite', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'invite', fresh: true, returnTo: kit.href('/admin/invite') });
      if (operator === undefined) return;
      const fields = await kit.readForm(ctx, operator);
      const { t } = operator;
      const form: InviteForm = {
        address: (fields.address ?? '').slice(0, 1000),
        name: (fields.name ?? '').slice(0, 1000),
        language: isLocale(fields.language) ? fields.language : operator.locale,
      };
      const email = parseEmail(form.address);
      const name = parseName(form.name);
      const errors = [
        ...(email.ok ? [] : [{ field: 'address', message: t('console.invite.error.email') }]),
        ...(name.ok ? [] : [{ field: 'name', message: t('console.invite.error.name') }]),
      ];
      if (!email.ok || !name.ok) return showForm(kit, ctx, operator, services, form, errors, 400);

      const result = await services.lifecycle.invite(kit.actor(ctx, operator), { email: email.value, name: name.value ?? null, invitation: { locale: form.language } });
      if (!result.created) {
        const found = await services.lifecycle.details({ email: email.value });
        const existing = found.found ? kit.href(`/admin/users/${found.account.id}`) : undefined;
        return showForm(kit, ctx, operator, services, form, [{ field: 'address', message: t('console.invite.error.exists', { email: email.value }) }], 409, existing);
      }
      const { account, tasks } = result;
      kit.render(ctx, operator, 'console-invited', {
        title: t('console.invite.title'),
        message: t('console.invite.done', { email: account.email, date: formatMoment(t, activationDeadline(account, services.activationDays)) }),
        owed: tasks.owed.length > 0,
        email: account.email,
        account: kit.href(`/admin/users/${account.id}`),
        another: kit.href('/admin/invite'),
      });
    });
  },
};
