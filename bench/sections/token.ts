import os from 'node:os';
import { rules } from '../../src/config.ts';
import { benchAlgorithms, type BenchAlgorithm } from '../client.ts';
import { signInNext, type BenchContext, type SignInTarget } from '../context.ts';
import { refresh } from '../flows.ts';
import { connect, type Connection } from '../http.ts';
import { difference, totals } from '../../harness/round-trips.ts';
import { closedLoop } from '../load.ts';
import { fixed, pass, whole, type Section } from '../report.ts';
import { summarise } from '../stats.ts';
import type { ServerHandle } from '../server-handle.ts';

const chains = 16;
const warmUpMs = 2_000;
const perCoreTarget = 1500;
/** Grants sent one at a time to count each grant's round trips. */
const sequentialGrants = 20;

/** The refresh tokens the chains of one ID token algorithm send next (rotation). */
type Chains = Record<BenchAlgorithm, string[]>;

/** 16 chains' refresh grants for the client of `alg`, as fast as they go; then the round trips of one grant. */
async function measureAlgorithm(server: ServerHandle, connection: Connection, alg: BenchAlgorithm, refreshTokens: string[], durationMs: number) {
  const before = await server.stats();
  const latencies: number[] = [];
  const run = await closedLoop({
    concurrency: chains,
    durationMs,
    maxIterations: 500_000,
    iteration: async (chain) => {
      const answer = await refresh(connection, refreshTokens[chain]!, alg);
      refreshTokens[chain] = answer.tokens.refresh_token;
      latencies.push(answer.ms);
    },
  });
  const after = await server.stats();
  // Round trips are counted one grant at a time, where a wait on Redis is unambiguous
  // (harness/round-trips.ts), and long after the sign-ins, as a refresh usually comes.
  const beforeSequential = await server.stats();
  for (let i = 0; i < sequentialGrants; i++) refreshTokens[0] = (await refresh(connection, refreshTokens[0]!, alg)).tokens.refresh_token;
  const trips = totals(difference((await server.stats()).roundTrips, beforeSequential.roundTrips));
  const perSecond = (run.completed / run.elapsedMs) * 1000;
  const serverCores = (after.cpuMs - before.cpuMs) / run.elapsedMs;
  const perServerCore = perSecond / serverCores;
  const latency = summarise(latencies);
  return [
    alg,
    whole(run.completed),
    whole(perSecond),
    fixed(latency.p50),
    fixed(latency.p99),
    `${fixed(trips.store / sequentialGrants)} (${fixed(trips.storeCommands / sequentialGrants)}) / ${fixed(trips.sql / sequentialGrants)}`,
    fixed((after.cpuMs - before.cpuMs) / run.completed, 2),
    fixed(serverCores, 2),
    whole(perServerCore),
    whole(perSecond / os.availableParallelism()),
    `≥ ${whole(perCoreTarget)} per core`,
    pass(perServerCore >= perCoreTarget),
  ];
}

/**
 * Refresh-token grants at concurrency 16 on kept-alive connections, for a client of each ID token
 * algorithm in turn. Refresh tokens rotate, so each of the 16 chains of an algorithm starts from its
 * own sign-in and sends, each time, the token the previous answer returned.
 */
export async function measureTokenEndpoint(ctx: BenchContext, target: SignInTarget): Promise<Section> {
  const durationMs = ctx.quick ? 6_000 : 20_000;
  ctx.log(`token endpoint: signing in ${chains} chains for each of ${benchAlgorithms.join(', ')}`);
  const refreshTokens = {} as Chains;
  for (const alg of benchAlgorithms) {
    refreshTokens[alg] = (await Promise.all(Array.from({ length: chains }, () => signInNext(target, undefined, alg)))).map((t) => t.refresh_token);
  }
  const signedIn = Date.now();
  const connection = connect(target.server.origin, chains);
  try {
    // Warm the connections and the JIT before measuring, and wait until the accounts the chains
    // signed in with have left the server's recent-account cache: a refresh grant normally comes
    // minutes after the sign-in, and then reads its account. Each worker takes its chain of every
    // algorithm in turn.
    let turn = 0;
    await closedLoop({
      concurrency: chains,
      durationMs: Math.max(warmUpMs, rules.recentAccountSeconds * 1000 - (Date.now() - signedIn) + 500),
      maxIterations: 100_000,
      iteration: async (chain) => {
        const alg = benchAlgorithms[turn++ % benchAlgorithms.length]!;
        refreshTokens[alg][chain] = (await refresh(connection, refreshTokens[alg][chain]!, alg)).tokens.refresh_token;
      },
    });
    const rows: string[][] = [];
    for (const alg of benchAlgorithms) {
      ctx.log(`token endpoint: refresh grants at concurrency ${chains}, ${alg} ID tokens`);
      rows.push(await measureAlgorithm(target.server, connection, alg, refreshTokens[alg], durationMs));
    }
    return {
      title: '2. Token endpoint: refresh-token grants',
      method:
        `${chains} independent refresh-token chains (each request sends the token the previous answer rotated in) on ` +
        `${chains} kept-alive undici connections for ${durationMs / 1000} s, after a warm-up of at least ${warmUpMs / 1000} s that lasts ` +
        `until the chains' accounts have left the server's ${rules.recentAccountSeconds} s recent-account cache, so that each grant ` +
        'reads its account as one made minutes after the sign-in does. Each grant returns a new ' +
        'access token, refresh token and signed ID token. One row per ID token algorithm a client may choose ' +
        '(`id_token_signed_response_alg`): RS256 (RSA 2048, the default), ES256 (P-256) and EdDSA (Ed25519), each measured ' +
        `with ${chains} chains of its own signed in to a client registered with it, one algorithm after the other. "Per core" ` +
        'divides by the CPU the server process used (its CPU time over the wall time), since the load generator, ' +
        'PostgreSQL and Redis share the machine.',
      tables: [
        {
          headers: ['ID token', 'grants', 'grants/s', 'p50 (ms)', 'p99 (ms)', 'store round trips (commands) / SQL per grant', 'server CPU per grant (ms)', 'server cores busy', 'grants/s per server core', 'grants/s per machine core', 'target', 'result'],
          rows,
        },
      ],
    };
  } finally {
    await connection.pool.close();
  }
}
