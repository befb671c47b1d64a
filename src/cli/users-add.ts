import { Option, type Command } from 'commander';
import { DuplicateEmailError } from '../accounts/repository.ts';
import { defaultLocale, locales, type Locale } from '../i18n/index.ts';
import type { Mailer } from '../mail/mailer.ts';
import { emailBasics, invitationEmail } from '../mail/messages.ts';
import { parseEmail, parseInvitedAt, parseName } from './account-input.ts';
import type { CliContext } from './context.ts';
import { CliError, errorLine } from './errors.ts';
import { activationDeadline, describeState, isoTime } from './format.ts';
import { defaultSignInUrl, parseSignInUrl } from './invitation.ts';

interface AddOptions {
  readonly name?: string;
  readonly invitedAt?: string;
  readonly sendInvite?: boolean;
  readonly signInUrl?: string;
  readonly locale: Locale;
}

export const localeOption = () =>
  new Option('--locale <locale>', 'language of the email').choices(locales).default(defaultLocale);

export function addCommand(users: Command, ctx: CliContext): void {
  users
    .command('add')
    .description('provision an account in the invited state')
    .argument('<email>')
    .option('--name <name>', 'display name')
    .option('--invited-at <date>', 'start of the activation window, ISO 8601 (default: now)')
    .option('--send-invite', 'email the invitation, naming the activation deadline')
    .option('--sign-in-url <url>', 'link in the invitation (default: the first client application of clients.json)')
    .addOption(localeOption())
    .action((email: string, options: AddOptions) => addUser(ctx, email, options));
}

interface Invitation {
  readonly mailer: Mailer;
  readonly signInUrl: string;
  readonly deadline: Date;
}

async function addUser(ctx: CliContext, rawEmail: string, options: AddOptions): Promise<void> {
  const now = new Date();
  const email = parseEmail(rawEmail);
  const name = parseName(options.name);
  const invitedAt = parseInvitedAt(options.invitedAt, now);
  const invitation = options.sendInvite === true ? await prepareInvitation(ctx, email, invitedAt ?? now, options, now) : undefined;

  const { accounts } = await ctx.services();
  const account = await accounts.create({ email, name: name ?? null, invitedAt }).catch(async (error: unknown) => {
    if (error instanceof DuplicateEmailError) {
      await ctx.record({ command: 'cli.users.add', outcome: 'failure', email, details: { reason: 'already exists' } });
    }
    throw error;
  });

  let failure: string | undefined;
  if (invitation !== undefined) {
    const { mailer, signInUrl, deadline } = invitation;
    const message = invitationEmail({ ...emailBasics(ctx.config, options.locale), signInUrl, deadline });
    failure = await mailer.send({ to: account.email, ...message }).then(() => undefined, errorLine);
  }
  const sent = invitation === undefined ? 'none' : failure === undefined ? 'sent' : 'failed';
  await ctx.record({ command: 'cli.users.add', outcome: 'success', account, accountEvent: 'account.created', details: { invitation: sent } });

  ctx.print(`Added ${account.email}: ${describeState(account, ctx.config.activationDays)}`);
  if (failure !== undefined) throw new CliError(`${account.email} was added, but the invitation was not sent: ${failure}`);
  if (invitation !== undefined) {
    ctx.print(`Invitation emailed to ${account.email}, linking to ${invitation.signInUrl} (${invitation.mailer.describe()})`);
  }
}

/**
 * Checks everything the invitation needs before the account exists, so a typo in the options or
 * an unreachable mail server does not leave an account behind uninvited.
 */
async function prepareInvitation(ctx: CliContext, email: string, invitedAt: Date, options: AddOptions, now: Date): Promise<Invitation> {
  const deadline = activationDeadline({ invitedAt }, ctx.config.activationDays);
  if (deadline <= now) throw new CliError(`No invitation sent: the activation window of ${email} closed on ${isoTime(deadline)}`);
  const signInUrl = options.signInUrl === undefined ? await defaultSignInUrl(ctx.config.clientsFile) : parseSignInUrl(options.signInUrl);
  const mailer = await ctx.mailer();
  await mailer.verify();
  return { mailer, signInUrl, deadline };
}
