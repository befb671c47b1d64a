import { Option, type Command } from 'commander';
import type { Invitation } from '../accounts/lifecycle.ts';
import { defaultLocale, locales, type Locale } from '../i18n/index.ts';
import { parseEmail, parseInvitedAt, parseName } from './account-input.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { activationDeadline } from '../accounts/account.ts';
import { describeState, isoTime } from './format.ts';
import { invitationLink } from '../accounts/invitation.ts';

interface AddOptions {
  readonly name?: string;
  readonly invitedAt?: string;
  readonly sendInvite?: boolean;
  readonly locale: Locale;
}

const localeOption = () =>
  new Option('--locale <locale>', 'language of the email').choices(locales).default(defaultLocale);

export function addCommand(users: Command, ctx: CliContext): void {
  users
    .command('add')
    .description('provision an account in the invited state')
    .argument('<email>')
    .option('--name <name>', 'display name')
    .option('--invited-at <date>', 'start of the activation window, ISO 8601 (default: now)')
    .option('--send-invite', 'email the invitation (the same as the console sends): a link to first-time login and the activation deadline')
    .addOption(localeOption())
    .action((email: string, options: AddOptions) => addUser(ctx, email, options));
}

async function addUser(ctx: CliContext, rawEmail: string, options: AddOptions): Promise<void> {
  const now = new Date();
  const email = parseEmail(rawEmail);
  const name = parseName(options.name);
  const invitedAt = parseInvitedAt(options.invitedAt, now);
  const invitation = options.sendInvite === true ? await prepareInvitation(ctx, email, invitedAt ?? now, options, now) : undefined;

  const { lifecycle } = await ctx.services();
  const result = await lifecycle.invite(ctx.actor, { email, name: name ?? null, invitedAt, invitation });
  if (!result.created) throw new CliError(`An account with the email ${email} already exists`);
  const { account, tasks } = result;
  ctx.print(`Added ${account.email}: ${describeState(account, ctx.config.activationDays)}`);
  if (tasks.owed.length > 0) throw new CliError(`${account.email} was added, but the invitation was not sent: ${tasks.owed[0]!.error}; it stays owed, and a running server sends it once the mail server answers`);
  if (invitation !== undefined) {
    ctx.print(`Invitation emailed to ${account.email}, linking to ${invitationLink(ctx.config, account.email)} (${(await ctx.mailer()).describe()})`);
  }
}

/**
 * Checks everything the invitation needs before the account exists, so a typo in the options or
 * an unreachable mail server does not leave an account behind uninvited.
 */
async function prepareInvitation(ctx: CliContext, email: string, invitedAt: Date, options: AddOptions, now: Date): Promise<Invitation> {
  const deadline = activationDeadline({ invitedAt }, ctx.config.activationDays);
  if (deadline <= now) throw new CliError(`No invitation sent: the activation window of ${email} closed on ${isoTime(deadline)}`);
  await (await ctx.mailer()).verify();
  return { locale: options.locale };
}
