import type { Command } from 'commander';
import type { Account } from '../accounts/account.ts';
import type { Locale } from '../i18n/index.ts';
import { emailBasics, mfaResetEmail } from '../mail/messages.ts';
import { BruteForceGuard } from '../security/brute-force.ts';
import { parseEmail } from './account-input.ts';
import type { CliContext } from './context.ts';
import { CliError, errorLine } from './errors.ts';
import { describeState, isoTime } from './format.ts';
import { localeOption } from './users-add.ts';

/** The commands that change an existing account; each ends the sessions the change invalidates. */
export function stateCommands(users: Command, ctx: CliContext): void {
  users
    .command('deactivate')
    .description('deactivate an account, ending its sessions and revoking its refresh tokens')
    .argument('<email>')
    .action((email: string) => deactivate(ctx, parseEmail(email)));
  users
    .command('reactivate')
    .description('reactivate an account; one never activated gets a new activation window')
    .argument('<email>')
    .action((email: string) => reactivate(ctx, parseEmail(email)));
  users
    .command('reset')
    .description('clear password and authenticator and end the sessions: the user goes through first-time login again')
    .argument('<email>')
    .action((email: string) => reset(ctx, parseEmail(email)));
  users
    .command('reset-mfa')
    .description('remove the authenticator and end the sessions; the next sign-in enrolls a new one after the password')
    .argument('<email>')
    .addOption(localeOption())
    .action((email: string, options: { locale: Locale }) => resetMfa(ctx, parseEmail(email), options.locale));
  users
    .command('unlock')
    .description('clear the brute-force lock of an account')
    .argument('<email>')
    .action((email: string) => unlock(ctx, parseEmail(email)));
}

/** Ends the account's sessions and grants and tells their clients; what it did, for the audit trail. */
async function endSessions(ctx: CliContext, account: Account): Promise<{ sessions: number; grants: number; logoutTokensSent: number; logoutTokensFailed: number }> {
  const { endAccountSessions } = await import('../sessions.ts');
  const ended = await endAccountSessions(await ctx.sessionServices(), account.id);
  for (const failure of ended.failures) process.stderr.write(`warning: client ${failure.clientId} was not told of the logout: ${failure.reason}\n`);
  return { sessions: ended.sessions, grants: ended.grants, logoutTokensSent: ended.logoutTokensSent, logoutTokensFailed: ended.failures.length };
}

async function deactivate(ctx: CliContext, email: string): Promise<void> {
  const before = await ctx.requireAccount(email, 'cli.users.deactivate');
  const { accounts } = await ctx.services();
  // Deactivated first, so no new session can start while the old ones are being ended.
  const account = await accounts.deactivate(before.id);
  const revoked = await endSessions(ctx, account);
  const changed = before.status !== 'deactivated';
  await ctx.record({
    command: 'cli.users.deactivate',
    outcome: 'success',
    account,
    accountEvent: changed ? 'account.deactivated' : undefined,
    details: { previousStatus: before.status, ...revoked },
  });
  ctx.print(
    changed
      ? `Deactivated ${account.email}; sessions ended and refresh tokens revoked`
      : `${account.email} was already deactivated (since ${isoTime(account.deactivatedAt)}); sessions ended and refresh tokens revoked`,
  );
}

async function reactivate(ctx: CliContext, email: string): Promise<void> {
  const before = await ctx.requireAccount(email, 'cli.users.reactivate');
  const { accounts } = await ctx.services();
  const account = await accounts.reactivate(before.id);
  const changed = before.status !== 'active';
  await ctx.record({
    command: 'cli.users.reactivate',
    outcome: 'success',
    account,
    accountEvent: changed ? 'account.reactivated' : undefined,
    details: { previousStatus: before.status },
  });
  const state = describeState(account, ctx.config.activationDays);
  ctx.print(changed ? `Reactivated ${account.email}: ${state}` : `${account.email} is already active`);
}

async function reset(ctx: CliContext, email: string): Promise<void> {
  const before = await ctx.requireAccount(email, 'cli.users.reset');
  const { accounts } = await ctx.services();
  const account = await accounts.resetCredentials(before.id);
  const revoked = await endSessions(ctx, account);
  await ctx.record({ command: 'cli.users.reset', outcome: 'success', account, accountEvent: 'account.reset', details: { ...revoked } });
  const next =
    account.status === 'deactivated'
      ? 'it stays deactivated; reactivate it to start a new activation window'
      : describeState(account, ctx.config.activationDays);
  ctx.print(`Reset ${account.email}: password and authenticator cleared, sessions ended; ${next}`);
}

async function resetMfa(ctx: CliContext, email: string, locale: Locale): Promise<void> {
  const before = await ctx.requireAccount(email, 'cli.users.reset-mfa');
  if (before.totpSecretEncrypted === null) {
    ctx.print(`${before.email} has no authenticator: nothing to reset`);
    return;
  }
  const { accounts } = await ctx.services();
  const account = await accounts.clearMfa(before.id);
  const revoked = await endSessions(ctx, account);
  const mailer = await ctx.mailer();
  let failure: string | undefined;
  try {
    await mailer.send({ to: account.email, ...mfaResetEmail(emailBasics(ctx.config, locale)) });
  } catch (error) {
    failure = errorLine(error);
  }
  await ctx.record({
    command: 'cli.users.reset-mfa',
    outcome: 'success',
    account,
    accountEvent: 'mfa.reset',
    details: { ...revoked, notified: failure === undefined },
  });
  ctx.print(`Removed the authenticator of ${account.email} and ended their sessions`);
  if (failure !== undefined) throw new CliError(`The authenticator was removed, but ${account.email} was not notified: ${failure}`);
  ctx.print(`Notified ${account.email} by email (${mailer.describe()})`);
}

async function unlock(ctx: CliContext, email: string): Promise<void> {
  const account = await ctx.requireAccount(email, 'cli.users.unlock');
  const guard = new BruteForceGuard({ store: await ctx.store() });
  const before = await guard.status(account.id);
  await guard.unlock(account.id);
  const locked = before.lockedForSeconds > 0;
  await ctx.record({
    command: 'cli.users.unlock',
    outcome: 'success',
    account,
    accountEvent: locked ? 'account.unlocked' : undefined,
    details: { lockedForSeconds: before.lockedForSeconds, failures: before.failures },
  });
  ctx.print(
    locked
      ? `Unlocked ${account.email} (${before.lockedForSeconds} s of lock were left)`
      : `${account.email} was not locked; its count of failed attempts (${before.failures}) is cleared`,
  );
}
