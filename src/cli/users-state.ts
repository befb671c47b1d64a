import { Option, type Command } from 'commander';
import type { Change, Found } from '../accounts/lifecycle.ts';
import { roles, type Role } from '../accounts/roles.ts';
import { locales, type Locale } from '../i18n/index.ts';
import { parseEmail } from './account-input.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { describeState, isoTime } from './format.ts';

/** The language of a change's email: by default the user's own (their last sign-in's), else English. */
const userLocaleOption = () =>
  new Option('--locale <locale>', "language of the email (default: the user's last sign-in's, else en)").choices(locales);

/** The commands that change an existing account: each parses, calls its use case, and prints what came of it. */
export function stateCommands(users: Command, ctx: CliContext): void {
  users
    .command('deactivate')
    .description('deactivate an account, ending its sessions and revoking its refresh tokens')
    .argument('<email>')
    .addOption(userLocaleOption())
    .action((email: string, options: { locale?: Locale }) => deactivate(ctx, parseEmail(email), options.locale));
  users
    .command('reactivate')
    .description('reactivate an account; one never activated gets a new activation window')
    .argument('<email>')
    .action((email: string) => reactivate(ctx, parseEmail(email)));
  users
    .command('reset')
    .description('clear password and second factors and end the sessions: the user goes through first-time login again')
    .argument('<email>')
    .addOption(userLocaleOption())
    .action((email: string, options: { locale?: Locale }) => reset(ctx, parseEmail(email), options.locale));
  users
    .command('reset-mfa')
    .description('remove every second factor and end the sessions; the next sign-in enrolls a new authenticator after the password')
    .argument('<email>')
    .addOption(userLocaleOption())
    .action((email: string, options: { locale?: Locale }) => resetMfa(ctx, parseEmail(email), options.locale));
  users
    .command('unlock')
    .description('clear the brute-force lock of an account')
    .argument('<email>')
    .action((email: string) => unlock(ctx, parseEmail(email)));
  users
    .command('signout')
    .description('end every session of the account and revoke every refresh token')
    .argument('<email>')
    .action((email: string) => signOut(ctx, parseEmail(email)));
  for (const [name, verb] of [
    ['grant', 'give'],
    ['revoke', 'take'],
  ] as const) {
    users
      .command(name)
      .description(`${verb} a console role (admin or helpdesk)`)
      .argument('<email>')
      .addOption(new Option('--role <role>', 'the role').choices(roles).makeOptionMandatory())
      .action((email: string, options: { role: Role }) => changeRole(ctx, name, parseEmail(email), options.role));
  }
}

/** The account a command names, or the one line that says there is none. */
function found<T>(result: Found<T>, email: string): T {
  if (!result.found) throw new CliError(`No account with email ${email}`);
  return result;
}

/**
 * Prints the change, then what it still owes: the change stands, and the command run again (or a
 * running server) finishes the rest, so the operator is told so and the command fails.
 */
function report(ctx: CliContext, change: Change, line: string): void {
  ctx.print(line);
  const { endedSessions, owed } = change.tasks;
  if (endedSessions !== undefined) ctx.print(`Ended ${endedSessions.sessions} sessions and revoked ${endedSessions.grants} grants with their refresh tokens`);
  if (owed.length === 0) return;
  const what = owed.map(({ task }) => (task.kind === 'end-sessions' ? 'ending its sessions' : `the ${task.notice} email`)).join(' and ');
  throw new CliError(`${what} is still owed (${owed[0]!.error}); run the command again, or a running server finishes it`);
}

async function notified(ctx: CliContext, change: Change): Promise<void> {
  if (change.tasks.noticesSent > 0) ctx.print(`Notified ${change.account.email} by email (${(await ctx.mailer()).describe()})`);
}

async function deactivate(ctx: CliContext, email: string, locale: Locale | undefined): Promise<void> {
  const change = found(await (await ctx.services()).lifecycle.deactivate(ctx.actor, { email }, locale), email);
  const { account } = change;
  report(ctx, change, change.changed ? `Deactivated ${account.email}` : `${account.email} was already deactivated (since ${isoTime(account.deactivatedAt)})`);
  await notified(ctx, change);
}

async function reactivate(ctx: CliContext, email: string): Promise<void> {
  const change = found(await (await ctx.services()).lifecycle.reactivate(ctx.actor, { email }), email);
  const { account } = change;
  report(ctx, change, change.changed ? `Reactivated ${account.email}: ${describeState(account, ctx.config.activationDays)}` : `${account.email} is already active`);
}

async function reset(ctx: CliContext, email: string, locale: Locale | undefined): Promise<void> {
  const change = found(await (await ctx.services()).lifecycle.reset(ctx.actor, { email }, locale), email);
  const { account } = change;
  const next =
    account.status === 'deactivated'
      ? 'it stays deactivated; reactivate it to start a new activation window'
      : describeState(account, ctx.config.activationDays);
  report(ctx, change, `Reset ${account.email}: password and second factors cleared; ${next}`);
  await notified(ctx, change);
}

async function resetMfa(ctx: CliContext, email: string, locale: Locale | undefined): Promise<void> {
  const change = found(await (await ctx.services()).lifecycle.resetFactors(ctx.actor, { email }, locale), email);
  const { account } = change;
  if (!change.changed) return ctx.print(`${account.email} has no second factor: nothing to reset`);
  report(ctx, change, `Removed the second factors of ${account.email}`);
  await notified(ctx, change);
}

async function unlock(ctx: CliContext, email: string): Promise<void> {
  const { account, before } = found(await (await ctx.services()).lifecycle.unlock(ctx.actor, { email }), email);
  ctx.print(
    before.lockedForSeconds > 0
      ? `Unlocked ${account.email} (${before.lockedForSeconds} s of lock were left)`
      : `${account.email} was not locked; its count of failed attempts (${before.failures}) is cleared`,
  );
}

async function signOut(ctx: CliContext, email: string): Promise<void> {
  const change = found(await (await ctx.services()).lifecycle.signOutEverywhere(ctx.actor, { email }), email);
  report(ctx, change, `Signed ${change.account.email} out everywhere`);
}

async function changeRole(ctx: CliContext, command: 'grant' | 'revoke', email: string, role: Role): Promise<void> {
  const { lifecycle } = await ctx.services();
  const change = found(await (command === 'grant' ? lifecycle.grantRole(ctx.actor, { email }, role) : lifecycle.revokeRole(ctx.actor, { email }, role)), email);
  const { account } = change;
  if (command === 'grant') report(ctx, change, change.changed ? `Gave ${account.email} the ${role} role` : `${account.email} already has the ${role} role`);
  else report(ctx, change, change.changed ? `Took the ${role} role from ${account.email}` : `${account.email} does not have the ${role} role`);
}
