import { formatDate } from '../src/i18n/index.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { finishLogin } from './finish.ts';
import { render } from './step-kit.ts';

/** The name the downloaded file gets. */
const fileName = 'recovery-codes.txt';

function codesOf(services: InteractionServices, { flow }: Entered): string[] {
  // The route's requirement guarantees the codes are waiting in the flow.
  return services.factors.recoveryCodes.open(flow.pendingRecoveryCodes!);
}

function codesPage(services: InteractionServices, ctx: StepContext, entered: Entered, status = 200, error?: string): void {
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'recovery-codes',
    title: t('recoveryCodes.heading'),
    status,
    // Each code also spelled out for screen readers, which would read a group as one word.
    codes: codesOf(services, entered).map((code) => ({ shown: code, spoken: code.split('-').map((group) => group.split('').join(' ')).join(', ') })),
    fileName,
    errors: error === undefined ? [] : [{ field: 'saved', message: error }],
  });
}

/** The recovery codes made with the first authenticator app, shown once, until the user says they saved them. */
export async function showRecoveryCodes(services: InteractionServices, ctx: StepContext, entered: Entered): Promise<void> {
  codesPage(services, ctx, entered);
}

/** The same codes as a text file, in the page's language. */
export async function downloadRecoveryCodes(services: InteractionServices, ctx: StepContext, entered: Entered): Promise<void> {
  const { t } = ctx.state.it;
  const brand = services.config.brand.name;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.attachment(fileName);
  ctx.body = [
    t('recoveryCodes.file.title', { brand, email: entered.account.email }),
    t('recoveryCodes.file.created', { date: formatDate(t, new Date(services.now())) }),
    '',
    t('recoveryCodes.intro'),
    '',
    ...codesOf(services, entered),
    '',
  ].join('\r\n');
}

/** Only once the user confirms they saved the codes does the sign-in finish; the codes leave the flow with it. */
export async function confirmRecoveryCodes(services: InteractionServices, ctx: StepContext, entered: Entered): Promise<void> {
  const { it } = ctx.state;
  if (it.form.saved !== 'yes') return codesPage(services, ctx, entered, 400, it.t('recoveryCodes.error.notSaved'));
  const { pendingRecoveryCodes: _shown, ...flow } = entered.flow;
  it.flow = flow;
  await finishLogin(services, ctx, entered.account, flow);
}
