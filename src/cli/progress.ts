import { Presets, SingleBar } from 'cli-progress';
import type { CliOutput } from './context.ts';

export interface Tally {
  rows: number;
  added: number;
  skipped: number;
  invalid: number;
}

export interface Progress {
  /** `done` counts toward the total the progress was created with. */
  update(done: number, tally: Tally): void;
  stop(): void;
}

/** Plain progress lines are for logs and pipes: one every few seconds is plenty. */
const plainIntervalMs = 5_000;

const counts = (t: Tally) => `${t.rows} rows read: added ${t.added}, skipped ${t.skipped}, invalid ${t.invalid}`;

/** A bar up to `total` on a terminal; otherwise a plain line now and then, never a redraw. */
export function createProgress(stream: CliOutput, total: number): Progress {
  if (stream.isTTY === true) {
    const bar = new SingleBar(
      { stream, format: '{bar} {percentage}% | {counts}', hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { counts: '' });
    return {
      update: (done, tally) => bar.update(done, { counts: counts(tally) }),
      stop: () => bar.stop(),
    };
  }
  let last = performance.now();
  return {
    update(_done, tally) {
      const now = performance.now();
      if (now - last < plainIntervalMs) return;
      last = now;
      stream.write(`${counts(tally)}\n`);
    },
    stop() {},
  };
}
