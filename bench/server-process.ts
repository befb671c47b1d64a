/**
 * The server under test, alone in its own process so that its CPU time and RSS are its own and
 * not the load generator's. Started by server-handle.ts with the environment of the run; answers
 * the parent's questions over the IPC channel.
 */
import type { Server as HttpServer } from 'node:http';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { buildServer } from '../src/server.ts';
import { countRoundTrips } from './instrument.ts';
import type { ParentMessage, ServerStats } from './server-protocol.ts';

const config = loadConfig(process.env);
const server = await buildServer(config, { logger: createLogger(config.logLevel) });
const roundTrips = countRoundTrips(server);
const http: HttpServer = server.app.listen(config.port, '127.0.0.1');
await new Promise<void>((resolve) => http.once('listening', resolve));
// As main.ts: load balancers and clients keep connections open longer than Node's 5 s default.
http.keepAliveTimeout = 65_000;

function stats(collectGarbage: boolean): ServerStats {
  // Only with --expose-gc: memory is compared after a full collection, not by the collector's schedule.
  if (collectGarbage) (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    roundTrips: roundTrips(),
  };
}

async function stop(): Promise<void> {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await server.close();
  // A normal exit, so that --cpu-prof writes its profile.
  process.exit(0);
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stats') process.send!({ type: 'stats', id: message.id, stats: stats(message.collectGarbage) });
  else if (message.type === 'stop') void stop();
});
// The benchmark was interrupted: a server nobody drives must not outlive it.
process.on('disconnect', () => void stop());
process.send!({ type: 'ready' });
