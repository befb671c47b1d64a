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

/** V8 hands the pages a full collection emptied back to the system from a background thread, soon after. */
const releaseAfterGcMs = 500;

async function stats(collectGarbage: boolean): Promise<ServerStats> {
  // Only with --expose-gc: memory is compared after a full collection, not by the collector's schedule.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collectGarbage && gc !== undefined) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, releaseAfterGcMs));
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
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
  if (message.type === 'stats') void stats(message.collectGarbage).then((result) => process.send!({ type: 'stats', id: message.id, stats: result }));
  else if (message.type === 'stop') void stop();
});
// The benchmark was interrupted: a server nobody drives must not outlive it.
process.on('disconnect', () => void stop());
process.send!({ type: 'ready' });
