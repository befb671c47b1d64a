import type { Knex } from 'knex';
import type { Server } from '../src/server.ts';

/** Round trips by kind, e.g. `store.get`, `limiter.penalty`, `sql.select`. */
export type RoundTrips = Record<string, number>;

/** Store methods that only manage the connection or build limiters: not round trips of a request. */
const notRoundTrips = new Set(['rateLimiter', 'ping', 'close']);
/** rate-limiter-flexible methods, each one Redis round trip (a script or a MULTI). */
const limiterMethods = ['get', 'consume', 'penalty', 'reward', 'block', 'delete', 'set'];

/**
 * Counts the server's round trips to its backends from the outside, without touching production
 * code: the Store's methods are wrapped in place (every caller holds this same object), the brute-
 * force guard's rate limiters (which talk to Redis directly, not through the Store) likewise, and
 * SQL through knex's `query` event.
 */
export function countRoundTrips(server: Server): () => RoundTrips {
  const counts: RoundTrips = {};
  const bump = (name: string) => {
    counts[name] = (counts[name] ?? 0) + 1;
  };

  const store = server.store as unknown as Record<string, unknown>;
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== 'function' || notRoundTrips.has(name)) continue;
    store[name] = (...args: unknown[]) => {
      bump(`store.${name}`);
      return (method as (...a: unknown[]) => unknown).apply(store, args);
    };
  }

  for (const limiter of Object.values(server.services.guard as unknown as Record<string, unknown>)) {
    if (typeof limiter !== 'object' || limiter === null || typeof (limiter as { consume?: unknown }).consume !== 'function') continue;
    const target = limiter as Record<string, unknown>;
    for (const name of limiterMethods) {
      const method = target[name] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof method !== 'function') continue;
      target[name] = (...args: unknown[]) => {
        bump(`limiter.${name}`);
        return method.apply(limiter, args);
      };
    }
  }

  const knex: Knex = server.database.knex;
  knex.on('query', (query: { sql?: string }) => {
    bump(`sql.${(query.sql ?? '').trimStart().split(/\s/, 1)[0]!.toLowerCase() || 'other'}`);
  });

  return () => ({ ...counts });
}

/** Totals of a counts record by prefix: store (Store methods plus rate limiters) and SQL. */
export function totals(counts: RoundTrips): { store: number; sql: number } {
  let store = 0;
  let sql = 0;
  for (const [name, n] of Object.entries(counts)) {
    if (name.startsWith('sql.')) sql += n;
    else store += n;
  }
  return { store, sql };
}

export function difference(after: RoundTrips, before: RoundTrips): RoundTrips {
  const out: RoundTrips = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}
