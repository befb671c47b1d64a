import { Presets, SingleBar } from 'cli-progress';
import type { CliOutput } from './context.ts';

export interface Tally {
  rows: number;
  added: number;
  skipped: number;
  invalid: number;
}

export interface Progress {
  update(bytesRead: number, tally: Tally): void;
  stop(): void;
}

/** Plain progress lines are for logs and pipes: one every few seconds is plenty. */
const plainIntervalMs = 5_000;

const counts = (t: Tally) => `${t.rows} rows read: added ${t.added}, skipped ${t.skipped}, invalid ${t.invalid}`;

/** A bar over the file's bytes on a terminal; otherwise a plain line now and then, never a redraw. */
export function createProgress(stream: CliOutput, totalBytes: number): Progress {
  if (stream.isTTY === true) {
    const bar = new SingleBar(
      { stream, format: '{bar} {percentage}% | {counts}', hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    bar.start(Math.max(totalBytes, 1), 0, { counts: '' });
    return {
      update: (bytesRead, tally) => bar.update(bytesRead, { counts: counts(tally) }),
      stop: () => bar.stop(),
    };
  }
  let last = performance.now();
  return {
    update(_bytesRead, tally) {
      const now = performance.now();
      if (now - last < plainIntervalMs) return;
      last = now;
      stream.write(`${counts(tally)}\n`);
    },
    stop() {},
  };
}
