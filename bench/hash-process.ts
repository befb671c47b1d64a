/**
 * Bare bcrypt.compare in a process of its own, started by bcrypt-baseline.ts with the server's
 * environment: the same libuv thread pool, and CPU time that is the hash's alone.
 */
import bcrypt from 'bcrypt';
import { closedLoop } from './load.ts';

const { BENCH_HASH: passwordHash = '', BENCH_PASSWORD: password = '' } = process.env;
const concurrency = Number(process.env.BENCH_CONCURRENCY);
const durationMs = Number(process.env.BENCH_DURATION_MS);

const cpu = process.cpuUsage();
const result = await closedLoop({
  concurrency,
  durationMs,
  maxIterations: 100_000,
  iteration: async () => {
    if (!(await bcrypt.compare(password, passwordHash))) throw new Error('the benchmark password does not match its hash');
  },
});
const used = process.cpuUsage(cpu);
// Times relative to the start: performance.now() of another process means nothing here.
process.send!({
  run: { ...result, ends: result.ends.map((t) => t - result.startedAt), startedAt: 0 },
  cpuMs: (used.user + used.system) / 1000,
});
process.disconnect();
