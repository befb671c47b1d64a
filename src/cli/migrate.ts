import type { Command } from 'commander';
import { migrate } from '../db/migrate.ts';
import type { CliContext } from './context.ts';

export function migrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations (the server also applies them at start)')
    .action(() => run(ctx));
}

async function run(ctx: CliContext): Promise<void> {
  const applied = await migrate(await ctx.db());
  await ctx.record({ command: 'cli.migrate', outcome: 'success', details: { applied: applied.join(' ') || null } });
  ctx.print(applied.length === 0 ? 'The database is up to date' : `Applied ${applied.length} migrations: ${applied.join(', ')}`);
}
