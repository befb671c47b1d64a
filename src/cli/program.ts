import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit.ts';
import { auditPurgeCommand } from './audit-purge.ts';
import { clientsCommand } from './clients.ts';
import path from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { CliContext, operatorOf, type CliOutput, type HostBackends } from './context.ts';
import { errorLine } from './errors.ts';
import { keysCommand } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { usersCommand } from './users.ts';

/** commander's usage errors as one line like every other error: "error: " dropped, a suggestion kept. */
function usageLine(message: string): string {
  const line = message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim();
  return line.charAt(0).toUpperCase() + line.slice(1);
}

function buildProgram(ctx: CliContext, io: CliIo): Command {
  const program = new Command('sso')
    .description('Operator commands of the single sign-on server (configured by the same environment variables)')
    // Set before the subcommands are added: commander copies these settings into each of them.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      outputError: (message) => io.stderr.write(`${usageLine(message)}\n`),
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

/** The commands that open the database; the others (clients, keys) read files only. */
const databaseCommands = new Set(['users', 'audit', 'migrate']);

/**
 * On the embedded default, a running server holds the database and the in-process store: a command
 * that needs them runs inside that server, through its control socket, and prints what it prints.
 * Undefined when the command runs here: nothing holds the database, or it needs none, or the
 * configuration is wrong (which the command itself then reports).
 */
async function runInsideServer(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  if (io.host !== undefined || !databaseCommands.has(argv[0] ?? '') || argv.includes('--help') || argv.includes('-h')) return undefined;
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch {
    return undefined;
  }
  if (config.databaseUrl !== undefined) return undefined;
  const [{ lockHolder }, { sendToServer }] = await Promise.all([import('../db/embedded-lock.ts'), import('./control-socket.ts')]);
  if ((await lockHolder(path.join(config.dataDir, 'db.lock'))) === undefined) return undefined;
  return sendToServer(config.dataDir, { argv: [...argv], cwd: io.cwd ?? process.cwd(), operator: operatorOf(io.env) }, io.stdout, io.stderr);
}

/** Where a run of the CLI reads its configuration and writes its output. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: CliOutput;
  readonly stderr: NodeJS.WritableStream;
  /** The operator's folder, for relative paths in arguments; the process's by default. */
  readonly cwd?: string;
  /** Set when the command runs inside the server (src/cli/control-socket.ts). */
  readonly host?: { readonly backends: HostBackends; readonly operator: string };
}

/** Runs one command line and resolves with the exit code; the tests run it in process too. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const forwarded = await runInsideServer(argv, io);
  if (forwarded !== undefined) return forwarded;
  const ctx = new CliContext(io.env, io.stdout, io.stderr, io.cwd ?? process.cwd(), io.host?.backends, io.host?.operator);
  try {
    await buildProgram(ctx, io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      io.stderr.write(`${errorLine(error)}\n`);
      return 1;
    }
    if (error.exitCode === 0) return 0;
    // commander.help with a failure code: a command group was given no command.
    if (error.code === 'commander.help') io.stderr.write('Missing command: add --help to list the commands\n');
    return 1;
  } finally {
    await ctx.close();
  }
}

