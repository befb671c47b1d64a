import type { AttemptPolicy, AttemptReservation, AttemptState } from './store.ts';

/**
 * The attempt counter of Store.reserveAttempt, as plain functions: the in-process store runs them
 * as they are, and the Redis store runs a Lua transcription of them (src/store/redis.ts), so both
 * keep the same value, `<count>.<locked until, ms>`, and the contract tests hold them to each other.
 */

export const noAttempts: AttemptState = { count: 0, lockedUntil: 0 };

export function encodeAttempts(state: AttemptState): string {
  return `${state.count}.${state.lockedUntil}`;
}

export function decodeAttempts(value: string | undefined): AttemptState {
  const match = value === undefined ? null : /^(\d+)\.(\d+)$/.exec(value);
  return match === null ? noAttempts : { count: Number(match[1]), lockedUntil: Number(match[2]) };
}

/** The lock the `count`-th attempt brings, in seconds: none below the threshold, then doubling. */
export function lockSecondsAt(policy: AttemptPolicy, count: number): number {
  if (count < policy.threshold) return 0;
  return Math.min(policy.lockBaseSeconds * 2 ** (count - policy.threshold), policy.lockMaxSeconds);
}

export function reserveIn(state: AttemptState, policy: AttemptPolicy, nowMs: number): { next: AttemptState; reservation: AttemptReservation } {
  if (state.lockedUntil > nowMs) return { next: state, reservation: { reserved: false, lockedUntil: state.lockedUntil } };
  const count = state.count + 1;
  const seconds = lockSecondsAt(policy, count);
  const lockedUntil = seconds === 0 ? 0 : nowMs + seconds * 1000;
  return { next: { count, lockedUntil }, reservation: { reserved: true, count, lockedUntil } };
}

export function returnIn(state: AttemptState, reservation: Extract<AttemptReservation, { reserved: true }>): AttemptState {
  const ownLock = reservation.lockedUntil !== 0 && state.lockedUntil === reservation.lockedUntil;
  return { count: Math.max(state.count - 1, 0), lockedUntil: ownLock ? 0 : state.lockedUntil };
}
