/**
 * The child side of server-handle.ts: a process under test (our server or the peer) answers the
 * parent's questions over the IPC channel and stops when told, or when the parent goes away.
 */
import type { Server as HttpServer } from 'node:http';
import type { RoundTrips } from '../harness/round-trips.ts';
import type { ParentMessage, ServerStats } from './server-protocol.ts';

/** V8 hands the pages a full collection emptied back to the system from a background thread, soon after. */
const releaseAfterGcMs = 500;

export interface ChildUnderTest {
  readonly http: HttpServer;
  /** The process's commands to its backends so far. */
  readonly roundTrips: () => RoundTrips;
  /** Closes the backends once the HTTP server stopped. */
  readonly close: () => Promise<void>;
}

/** Listens on loopback with production's keep-alive, then tells the parent it is ready. */
export async function listenForParent(child: ChildUnderTest, port: number): Promise<void> {
  child.http.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => child.http.once('listening', resolve));
  // As main.ts: load balancers and clients keep connections open longer than Node's 5 s default.
  child.http.keepAliveTimeout = 65_000;

  // Each request's CPU, from its 'request' event to the end of its answer: exact for requests sent one
  // at a time, which is how the parent reads it. Off unless asked for, so that nothing accumulates.
  let tracing = false;
  let requestCpuMs: number[] = [];
  child.http.prependListener('request', (_request, response) => {
    if (!tracing) return;
    const started = process.cpuUsage();
    const index = requestCpuMs.push(Number.NaN) - 1;
    const list = requestCpuMs;
    response.once('finish', () => {
      const used = process.cpuUsage(started);
      list[index] = (used.user + used.system) / 1000;
    });
  });

  async function stats(collectGarbage: boolean): Promise<ServerStats> {
    // Only with --expose-gc: memory is compared after a full collection, not by the collector's schedule.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (collectGarbage && gc !== undefined) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, releaseAfterGcMs));
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const traced = requestCpuMs;
    requestCpuMs = [];
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      roundTrips: child.roundTrips(),
      requestCpuMs: traced,
    };
  }

  async function stop(): Promise<void> {
    child.http.closeAllConnections();
    await new Promise((resolve) => child.http.close(resolve));
    await child.close();
    // A normal exit, so that --cpu-prof writes its profile.
    process.exit(0);
  }

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') void stats(message.collectGarbage).then((result) => process.send!({ type: 'stats', id: message.id, stats: result }));
    else if (message.type === 'trace') {
      tracing = message.on;
      requestCpuMs = [];
    } else if (message.type === 'stop') void stop();
  });
  // The benchmark was interrupted: a server nobody drives must not outlive it.
  process.on('disconnect', () => void stop());
  process.send!({ type: 'ready' });
}
