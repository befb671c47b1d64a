/**
 * Both backends accept exactly the same TTLs, so the in-process store can never accept what Redis
 * would refuse (EX takes whole seconds above zero).
 */
export function assertTtl(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`TTL must be a whole number of seconds above zero, got ${ttlSeconds}`);
  }
}
