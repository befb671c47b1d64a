import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cleanEnvironment } from './cli-process.ts';
import { statusOf } from './wait.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The real server as operators run it: `node --import tsx src/main.ts` in its own process, so a test
 * sees exactly what a container would (its stdout, its signals, its exit code).
 */
export interface ChildServer {
  readonly port: number;
  /** http://127.0.0.1:PORT, the instance itself, whatever the issuer is. */
  readonly url: string;
  /** Every stdout line so far, in order. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line (already written or still to come) that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not ended within the deadline; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts the server with the given environment (PORT required) and resolves once `/readyz`
 * answers 200. A process that exits first, or is not ready by the deadline, rejects with its stderr.
 * It stops at once on SIGTERM unless `env` sets SSO_SHUTDOWN_DELAY: no balancer needs the time here.
 */
export async function startChildServer(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ChildServer> {
  const port = Number(env.PORT);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: cleanEnvironment({ SSO_SHUTDOWN_DELAY: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    for (const waiter of [...waiters]) {
      if (!waiter.match(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let ended = false;
  void exited.then(() => {
    ended = true;
  });

  const server: ChildServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    stdout,
    stderr,
    exited,
    waitForLine(match, timeoutMs = 10_000) {
      const seen = stdout.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no stdout line matched within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    kill(signal) {
      if (!ended) child.kill(signal);
    },
    async stop(timeoutMs = 30_000) {
      if (ended) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if ((await statusOf(`${server.url}/readyz`)) === 200) break;
    if (ended || Date.now() > deadline) {
      await server.stop(5_000);
      const reason = ended ? `exited with code ${await exited}` : `not ready within ${readyTimeoutMs} ms`;
      throw new Error(`server on port ${port} ${reason}: ${stderr.slice(-5).join(' | ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return server;
}
