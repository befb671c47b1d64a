import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadResult {
  readonly completed: number;
  readonly elapsedMs: number;
  /** Wall time of each iteration, ms. */
  readonly latencies: number[];
  /** When each iteration ended (performance.now()), in the order they ended. */
  readonly ends: number[];
  readonly startedAt: number;
}

/**
 * Iterations per second in a steady state: those that ended between `from` and `to` (ms after the
 * start), leaving out the ramp-up while the first iterations are still running and the drain after
 * the last ones began.
 */
export function steadyRate(result: LoadResult, fromMs: number, toMs: number): number {
  const ended = result.ends.filter((t) => t - result.startedAt >= fromMs && t - result.startedAt <= toMs).length;
  return (ended / (toMs - fromMs)) * 1000;
}

export interface ClosedLoop {
  readonly concurrency: number;
  /** Stops starting iterations after this long… */
  readonly durationMs: number;
  /** …or after this many, whichever comes first. */
  readonly maxIterations: number;
  readonly iteration: (worker: number) => Promise<void>;
}

/**
 * `concurrency` workers each run one iteration after another: the throughput of a saturated
 * server at that concurrency. Any failed iteration fails the run: a benchmark with errors measures
 * something else.
 */
export async function closedLoop(load: ClosedLoop): Promise<LoadResult> {
  const started = performance.now();
  const deadline = started + load.durationMs;
  const latencies: number[] = [];
  const ends: number[] = [];
  let begun = 0;
  const worker = async (id: number) => {
    while (performance.now() < deadline && begun < load.maxIterations) {
      begun += 1;
      const t0 = performance.now();
      await load.iteration(id);
      const t1 = performance.now();
      latencies.push(t1 - t0);
      ends.push(t1);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, (_, id) => worker(id)));
  return { completed: latencies.length, elapsedMs: performance.now() - started, latencies, ends, startedAt: started };
}

export interface OpenLoop {
  /** Iterations started per second, evenly spaced, whether or not earlier ones finished. */
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** A server that cannot keep up would let iterations pile up without end: past this, arrivals are turned away. */
  readonly maxInFlight: number;
  readonly iteration: (index: number) => Promise<void>;
}

/**
 * Arrivals at a fixed rate, the way users come: latency under a given load, not the load a
 * saturated loop can push. Waits for the iterations it started; `turnedAway` counts the arrivals
 * not started because too many were still in flight.
 */
export async function openLoop(load: OpenLoop): Promise<LoadResult & { turnedAway: number }> {
  const started = performance.now();
  const intervalMs = 1000 / load.ratePerSecond;
  const total = Math.floor((load.durationMs / 1000) * load.ratePerSecond);
  const latencies: number[] = [];
  const ends: number[] = [];
  const running = new Set<Promise<void>>();
  let failure: unknown;
  let turnedAway = 0;
  for (let i = 0; i < total && failure === undefined; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (running.size >= load.maxInFlight) {
      turnedAway += 1;
      continue;
    }
    const t0 = performance.now();
    const run: Promise<void> = load.iteration(i).then(
      () => {
        const t1 = performance.now();
        latencies.push(t1 - t0);
        ends.push(t1);
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
    running.add(run);
    void run.finally(() => running.delete(run));
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
  return { completed: latencies.length, elapsedMs: performance.now() - started, latencies, ends, startedAt: started, turnedAway };
}
