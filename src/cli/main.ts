import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit.ts';
import { auditPurgeCommand } from './audit-purge.ts';
import { clientsCommand } from './clients.ts';
import { CliContext } from './context.ts';
import { errorLine } from './errors.ts';
import { keysCommand } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { usersCommand } from './users.ts';

/** commander's usage errors as one line like every other error: "error: " dropped, a suggestion kept. */
function usageLine(message: string): string {
  const line = message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim();
  return line.charAt(0).toUpperCase() + line.slice(1);
}

function buildProgram(ctx: CliContext): Command {
  const program = new Command('sso')
    .description('Operator commands of the single sign-on server (configured by the same environment variables)')
    // Set before the subcommands are added: commander copies these settings into each of them.
    .exitOverride()
    .configureOutput({
      outputError: (message) => process.stderr.write(`${usageLine(message)}\n`),
      // Only reached by the help commander prints when a command is missing; one line replaces it.
      writeErr: () => {},
    });
  usersCommand(program, ctx);
  auditCommand(program, ctx);
  auditPurgeCommand(program, ctx);
  clientsCommand(program, ctx);
  keysCommand(program, ctx);
  migrateCommand(program, ctx);
  return program;
}

async function run(argv: readonly string[]): Promise<number> {
  const ctx = new CliContext(process.env, process.stdout);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      process.stderr.write(`${errorLine(error)}\n`);
      return 1;
    }
    if (error.exitCode === 0) return 0;
    // commander.help with a failure code: a command group was given no command.
    if (error.code === 'commander.help') process.stderr.write('Missing command: add --help to list the commands\n');
    return 1;
  } finally {
    await ctx.close();
  }
}

process.exitCode = await run(process.argv.slice(2));
