import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load.ts';
import { imageRuntime } from './image-runtime.ts';

const entry = fileURLToPath(new URL('./hash-process.ts', import.meta.url));

export interface HashRun {
  readonly run: LoadResult;
  /** CPU time of the hashing process over the run, every thread counted. */
  readonly cpuMs: number;
}

/**
 * Bare bcrypt.compare at a given concurrency, in a child process with the server's environment
 * (so the same libuv thread pool size): the ceiling a sign-in can reach, since each sign-in spends
 * exactly one comparison.
 */
export async function bareCompares(
  serverEnv: Record<string, string>,
  hash: { passwordHash: string; password: string },
  concurrency: number,
  durationMs: number,
): Promise<HashRun> {
  const { environment, nodeFlags } = imageRuntime();
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    env: {
      ...process.env,
      ...serverEnv,
      ...environment,
      BENCH_HASH: hash.passwordHash,
      BENCH_PASSWORD: hash.password,
      BENCH_CONCURRENCY: String(concurrency),
      BENCH_DURATION_MS: String(durationMs),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let answered = false;
    child.once('message', (message: HashRun) => {
      answered = true;
      resolve(message);
    });
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`the bcrypt baseline process exited with code ${code}`));
    });
  });
}
