import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { distDir } from '../scripts/build.ts';
import { imageRuntime } from './image-runtime.ts';
import type { ChildMessage, ServerStats } from './server-protocol.ts';

/**
 * Where main.ts compiles the server before anything starts, so that it runs as production runs it,
 * without tsx. A directory of this run's own, removed at its end: another run or `npm run build` in
 * the same tree rebuilding while this one starts servers would otherwise pull the files from under it.
 */
export const compiledDir = path.join(distDir, `bench-${process.pid}`);
/** The compiled entry of each process under test: our server, the bare engine it is compared with, or the forms' backend work alone. */
const entries = {
  server: path.join(compiledDir, 'bench', 'server-process.js'),
  peer: path.join(compiledDir, 'bench', 'peer', 'process.js'),
  floor: path.join(compiledDir, 'bench', 'peer', 'floor.js'),
} as const;
const startTimeoutMs = 60_000;
const stopTimeoutMs = 30_000;

export interface ServerOptions {
  /** Which process to start; our server unless told. */
  readonly kind?: keyof typeof entries;
  /** Writes a V8 CPU profile of the server into this directory when it stops. */
  readonly profileDir?: string;
  /** Lets stats() run a full garbage collection before reading memory. */
  readonly exposeGc?: boolean;
}

export interface ServerHandle {
  readonly origin: string;
  stats(options?: { collectGarbage?: boolean }): Promise<ServerStats>;
  /** Starts or stops recording each request's CPU (ServerStats.requestCpuMs). */
  trace(on: boolean): void;
  stop(): Promise<void>;
}

/** A port free right now on loopback; the server's issuer URL must name it before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export type EnvironmentFor = (port: number) => Record<string, string>;

/** Starts the compiled bench/server-process.ts (or the peer) in a child process and waits until it listens. */
export async function startServer(environmentFor: EnvironmentFor, options: ServerOptions = {}): Promise<ServerHandle> {
  const port = await freePort();
  const { environment, nodeFlags } = imageRuntime();
  const execArgv = [...nodeFlags];
  if (options.exposeGc === true) execArgv.push('--expose-gc');
  if (options.profileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
  const child: ChildProcess = fork(entries[options.kind ?? 'server'], [], {
    execArgv,
    // As the image runs it: the thread pool, the allocator's arenas and V8's heap sizing are part of
    // the CPU and RSS measured.
    env: { ...process.env, ...environmentFor(port), ...environment },
    // The request log goes nowhere: writing it is measured, reading it is not the point.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pending = new Map<number, (stats: ServerStats) => void>();
  let nextId = 0;
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'stats') return;
    pending.get(message.id)?.(message.stats);
    pending.delete(message.id);
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${startTimeoutMs / 1000} s\n${stderr}`)), startTimeoutMs);
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before it was ready\n${stderr}`));
    });
  });

  return {
    origin: `http://127.0.0.1:${port}`,
    stats({ collectGarbage = false } = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error(`server exited\n${stderr}`));
        pending.set(id, resolve);
        child.send({ type: 'stats', id, collectGarbage });
      });
    },
    trace(on) {
      child.send({ type: 'trace', on });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
