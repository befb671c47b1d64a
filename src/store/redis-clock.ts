import type { Redis } from 'ioredis';

/** How old a sample of Redis's clock may grow before the next write asks for a new one. */
const resampleMs = 60_000;
/**
 * A sample is off by at most half its round trip, so a slower one is dropped: TIME waits behind
 * whatever the connection sent before it (writes held up by a pause, a WAIT for replicas), and a
 * sample read late would put every deadline late until the next one.
 */
const maxSampleRoundTripMs = 100;

/**
 * Redis's clock as this server sees it, so that a write can name the moment, on Redis's clock,
 * after which its sender no longer waits for it. A command that times out here may still reach
 * Redis later (held up by CLIENT PAUSE during a failover, or by a slow network) and must not then
 * change what the caller was told did not change: every write script refuses itself past that
 * moment (lateGuard in redis.ts). Sampled with TIME when the connection gets ready, when the sample
 * is a minute old, and when Redis refused a write as late (its clock may have been stepped);
 * measured against this process's monotonic clock, so a step of the local wall clock changes
 * nothing. A write that ioredis sends again after a reconnect keeps its deadline: after a failover
 * it is read on the new master's clock, which NTP keeps within the margin of the old one's.
 */
export class RedisClock {
  /** Redis's time in ms minus performance.now() at the same moment; undefined until sampled. */
  private offsetMs: number | undefined;
  private sampledAt = Number.NEGATIVE_INFINITY;
  private sampling: Promise<void> | undefined;

  constructor(private readonly client: Redis) {
    client.on('ready', () => void this.sample());
    if (client.status === 'ready') void this.sample();
  }

  /**
   * The moment, in ms on Redis's clock, `waitMs` from now; 0 while Redis's clock is not known yet
   * (the script then applies the write whenever it arrives, which is no worse than without a deadline).
   */
  deadline(waitMs: number): number {
    const now = performance.now();
    if (now - this.sampledAt > resampleMs) void this.sample();
    return this.offsetMs === undefined ? 0 : Math.floor(now + this.offsetMs + waitMs);
  }

  /** Takes a new sample now, unless one is under way. Never rejects: the next write asks again. */
  sample(): Promise<void> {
    this.sampling ??= (async () => {
      try {
        const before = performance.now();
        const [seconds, micros] = await this.client.time();
        const after = performance.now();
        // Redis read its clock somewhere in the round trip: its middle is off by half of it at most.
        // A slow sample is dropped; the last good one stays, and the next write asks again.
        if (after - before > maxSampleRoundTripMs) return;
        this.offsetMs = Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2;
        this.sampledAt = after;
      } catch {
        // No answer now: the writes meanwhile keep the last sample, or go without a deadline.
      } finally {
        this.sampling = undefined;
      }
    })();
    return this.sampling;
  }
}
