import type { Context } from 'koa';
import { formatDate, type Translate } from '../src/i18n/index.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { finishLogin } from './finish.ts';
import { render } from './step-kit.ts';

/** The name the downloaded file gets. */
export const recoveryCodesFileName = 'recovery-codes.txt';

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
    codes: recoveryCodesShown(codesOf(services, entered)),
    fileName: recoveryCodesFileName,
    errors: error === undefined ? [] : [{ field: 'saved', message: error }],
  });
}

/** The recovery codes made with the first authenticator app, shown once, until the user says they saved them. */
export async function showRecoveryCodes(services: InteractionServices, ctx: StepContext, entered: Entered): Promise<void> {
  codesPage(services, ctx, entered);
}

/** The same codes as a text file, in the page's language. */
export async function downloadRecoveryCodes(services: InteractionServices, ctx: StepContext, entered: Entered): Promise<void> {
  sendRecoveryCodesFile(ctx, ctx.state.it.t, { brand: services.config.brand.name, email: entered.account.email, now: services.now(), codes: codesOf(services, entered) });
}

export interface RecoveryCodesFile {
  readonly brand: string;
  readonly email: string;
  readonly now: number;
  readonly codes: readonly string[];
}

/** The text of the file the page's Download link gives, in the page's language. */
function recoveryCodesText(t: Translate, file: RecoveryCodesFile): string {
  return [
    t('recoveryCodes.file.title', { brand: file.brand, email: file.email }),
    t('recoveryCodes.file.created', { date: formatDate(t, new Date(file.now)) }),
    '',
    t('recoveryCodes.intro'),
    '',
    ...file.codes,
    '',
  ].join('\r\n');
}

/** Recovery codes as the text file the page's Download link fetches. */
export function sendRecoveryCodesFile(ctx: Context, t: Translate, file: RecoveryCodesFile): void {
  ctx.type = 'text/plain; charset=utf-8';
  ctx.attachment(recoveryCodesFileName);
  ctx.body = recoveryCodesText(t, file);
}

/**
 * The same file inside the Download link itself (a data: address), for a page nothing could show
 * again: the browser saves it without asking the server, and the codes never leave the page they
 * are already on.
 */
export function recoveryCodesFileLink(t: Translate, file: RecoveryCodesFile): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(recoveryCodesText(t, file))}`;
}

/** Each code as shown, and spelled out for screen readers, which would read a group as one word. */
export function recoveryCodesShown(codes: readonly string[]): Array<{ shown: string; spoken: string }> {
  return codes.map((code) => ({ shown: code, spoken: code.split('-').map((group) => group.split('').join(' ')).join(', ') }));
}

/** Only once the user confirms they saved the codes does the sign-in finish; the codes leave the flow with it. */
export async function confirmRecoveryCodes(services: InteractionServices, ctx: StepContext, entered: Entered): Promise<void> {
  const { it } = ctx.state;
  if (it.form.saved !== 'yes') return codesPage(services, ctx, entered, 400, it.t('recoveryCodes.error.notSaved'));
  const { pendingRecoveryCodes: _shown, ...flow } = entered.flow;
  it.flow = flow;
  await finishLogin(services, ctx, entered.account, flow);
}
