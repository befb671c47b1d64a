import type { RoundTrips } from '../harness/round-trips.ts';

/** What the server process reports: its whole CPU time (every thread), memory and round trips so far. */
export interface ServerStats {
  readonly cpuMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** The JS heap V8 holds from the system, used or not. */
  readonly heapTotalBytes: number;
  /** Memory outside the JS heap that JS objects hold (Buffers and the like). */
  readonly externalBytes: number;
  readonly roundTrips: RoundTrips;
  /** While tracing: the CPU of each request answered since the last reading, in the order they began. */
  readonly requestCpuMs: number[];
}

export type ParentMessage = { type: 'stats'; id: number; collectGarbage: boolean } | { type: 'trace'; on: boolean } | { type: 'stop' };

export type ChildMessage = { type: 'ready' } | { type: 'stats'; id: number; stats: ServerStats };
