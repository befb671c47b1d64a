import type { Server as HttpServer } from 'node:http';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { buildServer } from './server.ts';

const HOUSEKEEPING_MS = 60 * 60 * 1000;
const DRAIN_TIMEOUT_MS = 25_000;

function fail(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : `Cannot start: ${(error as Error).message ?? String(error)}`;
  process.stderr.write(`${message.split('\n', 1)[0]}\n`);
  process.exit(1);
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

  const http: HttpServer = server.app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    http.once('listening', resolve);
    http.once('error', reject);
  }).catch((error: NodeJS.ErrnoException) => fail(new ConfigError(`Cannot listen on PORT=${config.port}: ${error.code ?? error.message}`)));
  http.keepAliveTimeout = 65_000;

  logger.info({ issuer: config.issuer, mail: server.mailer.describe() }, 'server started');
  process.stdout.write(`SSO server listening: issuer ${config.issuer}\n${server.mailer.describe()}\n`);

  /**
   * Readiness turns 503 first so a load balancer stops sending traffic; requests already in
   * flight finish; then the backends close and the process exits 0.
   */
  let stopping = false;
  const drain = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.readiness.accepting = false;
    clearInterval(timer);
    const force = setTimeout(() => {
      logger.warn('drain timed out; closing remaining connections');
      http.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    force.unref();
    http.close(() => {
      void server.close().then(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    http.closeIdleConnections();
  };
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));
}

await start();
