/**
 * Runs `step`, one statement over at most `batch` rows that says how many it changed, until a step
 * changes fewer: a change of any number of rows, each statement of which stays far inside the
 * database timeout. Returns how many rows changed in all.
 */
export async function inBatches(batch: number, step: () => Promise<number>): Promise<number> {
  let changed = 0;
  for (;;) {
    const count = await step();
    changed += count;
    if (count < batch) return changed;
  }
}
