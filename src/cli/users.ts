import { Option, type Command } from 'commander';
import { accountStatuses, type Account, type AccountStatus } from '../accounts/account.ts';
import type { FactorSummary } from '../factors/index.ts';
import { CliError } from './errors.ts';
import { parseEmail } from './account-input.ts';
import type { CliContext } from './context.ts';
import { activationDeadline, languageOf } from '../accounts/account.ts';
import { accountLine, column, isoTime } from './format.ts';
import { importCommand } from './import.ts';
import { addCommand } from './users-add.ts';
import { stateCommands } from './users-state.ts';

export function usersCommand(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('manage accounts');
  addCommand(users, ctx);
  importCommand(users, ctx);
  users
    .command('list')
    .description('one account a line, by email, tab-separated: email, status, name, invited, activated, deactivated')
    .addOption(new Option('--status <status>', 'only the accounts in this state').choices(accountStatuses))
    .action((options: { status?: AccountStatus }) => list(ctx, options.status));
  users
    .command('show')
    .description('state, dates, password, second factors (authenticator apps, passkeys, recovery codes), roles, lock state')
    .argument('<email>')
    .action((email: string) => show(ctx, parseEmail(email)));
  stateCommands(users, ctx);
}

async function list(ctx: CliContext, status: AccountStatus | undefined): Promise<void> {
  const { accounts } = await ctx.services();
  for (const account of await accounts.list({ status })) ctx.print(accountLine(account));
}

async function show(ctx: CliContext, email: string): Promise<void> {
  const details = await (await ctx.services()).lifecycle.details({ email });
  if (!details.found) throw new CliError(`No account with email ${email}`);
  const { account, factors, roles, lock, owed } = details;
  const fields: Array<[string, string]> = [
    ['email', account.email],
    ['name', column(account.name)],
    ['status', account.status],
    ['invited', isoTime(account.invitedAt)],
    ['activate by', account.status === 'invited' ? isoTime(activationDeadline(account, ctx.config.activationDays)) : '-'],
    ['activated', isoTime(account.activatedAt)],
    ['deactivated', deactivation(account)],
    ['password', account.passwordHash === null ? 'not set' : `set ${isoTime(account.passwordChangedAt)}`],
    ['authenticator', factors.some((f) => f.kind === 'authenticator-app') ? 'enrolled' : 'not set'],
    ...factors.map((factor): [string, string] => ['factor', factorLine(factor)]),
    ['roles', roles.length === 0 ? '-' : roles.join(', ')],
    // The language of the emails no page of the user's causes (a lock, an operator's change).
    ['language', account.locale === null ? `${languageOf(account)} (not signed in yet)` : account.locale],
    [
      'lock',
      lock === undefined
        ? 'unknown (the store does not answer)'
        : lock.lockedForSeconds > 0
          ? `locked for ${lock.lockedForSeconds} s more (${lock.failures} failed attempts)`
          : `not locked (${lock.failures} failed attempts)`,
    ],
    ...owed.map((task): [string, string] => ['owed', task.kind === 'end-sessions' ? 'ending its sessions' : `the ${task.notice} email`]),
    ['created', isoTime(account.createdAt)],
    ['updated', isoTime(account.updatedAt)],
  ];
  for (const [key, value] of fields) ctx.print(`${`${key}:`.padEnd(15)}${value}`);
}

/** One second factor: kind, name (recovery codes: how many are left) and dates; never a secret. */
function factorLine(factor: FactorSummary): string {
  const used = factor.lastUsedAt === null ? 'never used' : `last used ${isoTime(factor.lastUsedAt)}`;
  const name = factor.left === undefined ? column(factor.name) : `${factor.left} left`;
  return `${factor.kind}\t${name}\tadded ${isoTime(factor.createdAt)}\t${used}`;
}

function deactivation(account: Account): string {
  if (account.deactivatedAt === null) return '-';
  const reason = account.deactivationReason === 'activation-expired' ? 'not activated in time' : 'by an operator';
  return `${isoTime(account.deactivatedAt)} (${reason})`;
}
