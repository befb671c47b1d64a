import type { Knex } from 'knex';
import type { Server } from '../src/server.ts';

/** Commands by kind, e.g. `store.get`, `limiter.penalty`, `sql.select`, and round trips under `trips.store`, `trips.sql`. */
export type RoundTrips = Record<string, number>;

/** Store methods that only manage the connection or build limiters: not round trips of a request. */
const notRoundTrips = new Set(['rateLimiter', 'ping', 'close']);
/** rate-limiter-flexible methods, each one Redis round trip (a script or a MULTI). */
const limiterMethods = ['get', 'consume', 'penalty', 'reward', 'block', 'delete', 'set'];

/** The keys of a counts record that hold round trips rather than commands. */
const tripKeys = { store: 'trips.store', sql: 'trips.sql' } as const;

/**
 * Counts the server's commands to its backends, and its round trips, from the outside without
 * touching production code (the benchmark's server process and the round-trip budget test use it): the Store's methods are wrapped in place (every caller holds this same
 * object), the brute-force guard's rate limiters (which talk to Redis directly, not through the
 * Store) likewise, and SQL through knex's `query` event.
 *
 * A round trip is a wait on Redis: a command sent while none is outstanding starts one, and commands
 * sent while one is outstanding travel alongside it (Promise.all, a MULTI counts as one command).
 * That is exact only while one request at a time runs, which is how the per-step counts are taken.
 * Every SQL statement counts as a round trip of its own: node-postgres sends one at a time per connection.
 */
export function countRoundTrips(server: Server): () => RoundTrips {
  const counts: RoundTrips = {};
  const bump = (name: string) => {
    counts[name] = (counts[name] ?? 0) + 1;
  };
  let outstanding = 0;
  const track = (name: string, call: () => unknown): unknown => {
    bump(name);
    if (outstanding === 0) bump(tripKeys.store);
    outstanding++;
    let result: unknown;
    try {
      result = call();
    } catch (error) {
      outstanding--;
      throw error;
    }
    if (!(result instanceof Promise)) {
      outstanding--;
      return result;
    }
    return result.finally(() => {
      outstanding--;
    });
  };

  const store = server.store as unknown as Record<string, unknown>;
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== 'function' || notRoundTrips.has(name)) continue;
    store[name] = (...args: unknown[]) => track(`store.${name}`, () => (method as (...a: unknown[]) => unknown).apply(store, args));
  }

  for (const limiter of Object.values(server.services.guard as unknown as Record<string, unknown>)) {
    if (typeof limiter !== 'object' || limiter === null || typeof (limiter as { consume?: unknown }).consume !== 'function') continue;
    const target = limiter as Record<string, unknown>;
    for (const name of limiterMethods) {
      const method = target[name] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof method !== 'function') continue;
      target[name] = (...args: unknown[]) => track(`limiter.${name}`, () => method.apply(limiter, args));
    }
  }

  const knex: Knex = server.database.knex;
  knex.on('query', (query: { sql?: string }) => {
    bump(`sql.${(query.sql ?? '').trimStart().split(/\s/, 1)[0]!.toLowerCase() || 'other'}`);
    bump(tripKeys.sql);
  });

  return () => ({ ...counts });
}

export interface Totals {
  /** Round trips to Redis (or the in-process store) and to PostgreSQL. */
  readonly store: number;
  readonly sql: number;
  /** Commands sent to the store (Store methods and rate-limiter calls). */
  readonly storeCommands: number;
}

export function totals(counts: RoundTrips): Totals {
  let storeCommands = 0;
  for (const [name, n] of Object.entries(counts)) {
    if (name.startsWith('store.') || name.startsWith('limiter.')) storeCommands += n;
  }
  return { store: counts[tripKeys.store] ?? 0, sql: counts[tripKeys.sql] ?? 0, storeCommands };
}

/** The command counts only, without the round-trip totals. */
export function commandsOnly(counts: RoundTrips): RoundTrips {
  return Object.fromEntries(Object.entries(counts).filter(([name]) => !name.startsWith('trips.')));
}

export function difference(after: RoundTrips, before: RoundTrips): RoundTrips {
  const out: RoundTrips = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}
