import { InvalidArgumentError, type Command } from 'commander';
import { normaliseEmail } from '../accounts/account.ts';
import type { AuditRow } from '../audit.ts';
import type { CliContext } from './context.ts';
import { column, isoTime } from './format.ts';

const defaultLimit = 50;
const maxLimit = 10_000;

export function auditCommand(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description(
      'the most recent audit events, one a line, oldest first, tab-separated: ' +
        'time, event, outcome, email, account id, IP address, client, details',
    )
    .option('--email <email>', 'only the events of this email')
    .option('--limit <n>', `how many events, 1 to ${maxLimit}`, parseLimit, defaultLimit)
    .action((options: { email?: string; limit: number }) => showEvents(ctx, options));
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > maxLimit) {
    throw new InvalidArgumentError(`Use a whole number from 1 to ${maxLimit}.`);
  }
  return limit;
}

async function showEvents(ctx: CliContext, options: { email?: string; limit: number }): Promise<void> {
  const { audit } = await ctx.services();
  const email = options.email === undefined ? undefined : normaliseEmail(options.email);
  const rows = await audit.recent({ email, limit: options.limit });
  // Read like a log: the newest event last, right above the prompt.
  for (const row of rows.reverse()) ctx.print(eventLine(row));
}

function eventLine(row: AuditRow): string {
  return [
    isoTime(row.at),
    row.event,
    row.outcome,
    column(row.email),
    column(row.accountId),
    column(row.ip),
    column(row.clientId),
    row.details === null ? '-' : JSON.stringify(row.details),
  ].join('\t');
}
