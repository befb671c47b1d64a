import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { serveControlSocket, type ControlSocket } from './cli/control-socket.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { drainable } from './drain.ts';
import { createLogger } from './logger.ts';
import { buildServer, type Server } from './server.ts';

const HOUSEKEEPING_MS = 60 * 60 * 1000;
const OWED_TASKS_MS = 15 * 1000;
const DRAIN_TIMEOUT_MS = 25_000;

function fail(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : `Cannot start: ${(error as Error).message ?? String(error)}`;
  process.stderr.write(`${message.split('\n', 1)[0]}\n`);
  process.exit(1);
}

/**
 * On the embedded default the server holds the database and the store: operator commands run
 * inside it, sent through a socket in SSO_DATA_DIR (src/cli/control-socket.ts). Without the socket
 * (a path too long for one, say) the server still serves; the CLI then says the database is in use.
 */
async function openControlSocket(config: Config, server: Server, logger: Logger): Promise<ControlSocket | undefined> {
  const backends = { config, provider: server.provider, database: server.database, store: server.store, mailer: server.mailer };
  try {
    return await serveControlSocket(config.dataDir, async (request, stdout, stderr) => {
      const { runCli } = await import('./cli/program.ts');
      logger.info({ command: request.argv.slice(0, 2).join(' '), operator: request.operator }, 'operator command');
      return runCli(request.argv, { env: process.env, stdout, stderr, cwd: request.cwd, host: { backends, operator: request.operator } });
    });
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'operator commands cannot reach this server: no control socket');
    return undefined;
  }
}

async function start(): Promise<void> {
  const config = (() => {
    try {
      return loadConfig();
    } catch (error) {
      return fail(error);
    }
  })();
  const logger = createLogger(config.logLevel);
  const server = await buildServer(config, { logger }).catch(fail);

  await server.housekeeping().catch((error: Error) => logger.error({ err: error.message }, 'housekeeping failed'));
  const timer = setInterval(() => {
    server.housekeeping().catch((error: Error) => logger.error({ err: error.message }, 'housekeeping failed'));
  }, HOUSEKEEPING_MS);
  timer.unref();
  // Account changes made while the store or the mail server was down are finished soon after.
  const owedTasks = setInterval(() => {
    server.finishOwedTasks().catch((error: Error) => logger.error({ err: error.message }, 'owed account tasks failed'));
  }, OWED_TASKS_MS);
  owedTasks.unref();

  const http: HttpServer = server.app.listen(config.port);
  const drainer = drainable(http);
  let control: Awaited<ReturnType<typeof openControlSocket>> | undefined;

  /**
   * Readiness turns 503 first so a load balancer stops sending traffic; on SIGTERM the listener
   * stays open for SSO_SHUTDOWN_DELAY seconds so the balancer has time to notice; requests already
   * in flight finish; then the backends close and the process exits 0. SIGINT (Ctrl-C) skips the delay.
   * The handlers are in place before the port answers: a signal right after the first ready answer
   * still drains, rather than killing the process.
   */
  let stopping = false;
  const drain = async (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) return;
    stopping = true;
    const delaySeconds = signal === 'SIGTERM' ? config.shutdownDelaySeconds : 0;
    logger.info({ signal, delaySeconds }, 'shutting down');
    server.readiness.accepting = false;
    clearInterval(timer);
    clearInterval(owedTasks);
    const outcome = await drainer.drain({ delayMs: delaySeconds * 1000, timeoutMs: DRAIN_TIMEOUT_MS });
    if (outcome === 'forced') logger.warn('drain timed out; closed the remaining connections');
    await control?.close();
    await server.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void drain('SIGTERM'));
  process.on('SIGINT', () => void drain('SIGINT'));

  await new Promise<void>((resolve, reject) => {
    http.once('listening', resolve);
    http.once('error', reject);
  }).catch((error: NodeJS.ErrnoException) => fail(new ConfigError(`Cannot listen on PORT=${config.port}: ${error.code ?? error.message}`)));
  http.keepAliveTimeout = 65_000;

  if (config.databaseUrl === undefined && !stopping) control = await openControlSocket(config, server, logger);

  logger.info({ issuer: config.issuer, mail: server.mailer.describe() }, 'server started');
  process.stdout.write(`SSO server listening: issuer ${config.issuer}\n${server.mailer.describe()}\n`);
}

await start();
