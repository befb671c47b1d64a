import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from './context.ts';
import { isoTime } from './format.ts';

const dayMs = 24 * 60 * 60 * 1000;
/** The same bounds as SSO_AUDIT_RETENTION_DAYS. */
const maxDays = 3650 * 3;

/**
 * `audit purge [--older-than DAYS]`: the hourly housekeeping's purge, on demand, e.g. right after
 * SSO_AUDIT_RETENTION_DAYS was lowered or to run it from a scheduled job. A subcommand of `audit`,
 * which must already be registered.
 */
export function auditPurgeCommand(program: Command, ctx: CliContext): void {
  const audit = program.commands.find((command) => command.name() === 'audit');
  if (audit === undefined) throw new Error('register the audit command before audit purge');
  audit
    .command('purge')
    .description('delete the audit events older than the retention (SSO_AUDIT_RETENTION_DAYS, or --older-than)')
    .option('--older-than <days>', `days to keep, 1 to ${maxDays}`, parseDays)
    .action((options: { olderThan?: number }) => purge(ctx, options.olderThan));
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > maxDays) throw new InvalidArgumentError(`Use a whole number of days from 1 to ${maxDays}.`);
  return days;
}

async function purge(ctx: CliContext, olderThan: number | undefined): Promise<void> {
  const days = olderThan ?? ctx.config.auditRetentionDays;
  const { audit } = await ctx.services();
  const cutoff = new Date(Date.now() - days * dayMs);
  const purged = await audit.purgeOlderThan(days);
  // Recorded after the purge, so the trail keeps who removed what, whatever the cutoff.
  await ctx.record({ command: 'cli.audit.purge', outcome: 'success', details: { days, purged } });
  ctx.print(`Purged ${purged === 1 ? '1 audit event' : `${purged} audit events`} older than ${days} days (before ${isoTime(cutoff)})`);
}
