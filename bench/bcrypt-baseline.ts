import type { LoadResult } from './load.ts';
import { measureInChild } from './measure-in-child.ts';

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
export function bareCompares(
  serverEnv: Record<string, string>,
  hash: { passwordHash: string; password: string },
  concurrency: number,
  durationMs: number,
): Promise<HashRun> {
  return measureInChild(new URL('./hash-process.ts', import.meta.url), {
    ...serverEnv,
    BENCH_HASH: hash.passwordHash,
    BENCH_PASSWORD: hash.password,
    BENCH_CONCURRENCY: String(concurrency),
    BENCH_DURATION_MS: String(durationMs),
  });
}
