/** Latency samples in milliseconds, summarised the way the report shows them. */
export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}

/** Nearest-rank percentile: with few samples p99 is the worst one, never an interpolated guess. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Samples grouped by label (one label per page or step). */
export class Samples {
  private readonly byLabel = new Map<string, number[]>();

  add(label: string, ms: number): void {
    let list = this.byLabel.get(label);
    if (list === undefined) this.byLabel.set(label, (list = []));
    list.push(ms);
  }

  get(label: string): number[] {
    return this.byLabel.get(label) ?? [];
  }
}
