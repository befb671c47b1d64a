import os from 'node:os';
import { rules } from '../../src/config.ts';
import { signInNext, type BenchContext, type SignInTarget } from '../context.ts';
import { refresh } from '../flows.ts';
import { connect } from '../http.ts';
import { difference, totals } from '../../harness/round-trips.ts';
import { closedLoop } from '../load.ts';
import { fixed, pass, whole, type Section } from '../report.ts';
import { summarise } from '../stats.ts';

const chains = 16;
const warmUpMs = 2_000;
const perCoreTarget = 1500;

/**
 * Refresh-token grants at concurrency 16 on kept-alive connections. Refresh tokens rotate, so each
 * of the 16 chains starts from its own sign-in and sends, each time, the token the previous answer
 * returned.
 */
export async function measureTokenEndpoint(ctx: BenchContext, target: SignInTarget): Promise<Section> {
  const durationMs = ctx.quick ? 6_000 : 20_000;
  ctx.log('token endpoint: signing in the 16 chains');
  const tokens = await Promise.all(Array.from({ length: chains }, () => signInNext(target)));
  const signedIn = Date.now();
  const refreshTokens = tokens.map((t) => t.refresh_token);
  const connection = connect(target.server.origin, chains);
  try {
    // Warm the connections and the JIT before measuring, and wait until the accounts the chains
    // signed in with have left the server's recent-account cache: a refresh grant normally comes
    // minutes after the sign-in, and then reads its account.
    await closedLoop({
      concurrency: chains,
      durationMs: Math.max(warmUpMs, rules.recentAccountSeconds * 1000 - (Date.now() - signedIn) + 500),
      maxIterations: 100_000,
      iteration: async (chain) => {
        refreshTokens[chain] = (await refresh(connection, refreshTokens[chain]!)).tokens.refresh_token;
      },
    });
    ctx.log('token endpoint: refresh grants at concurrency 16');
    const before = await target.server.stats();
    const latencies: number[] = [];
    const run = await closedLoop({
      concurrency: chains,
      durationMs,
      maxIterations: 500_000,
      iteration: async (chain) => {
        const answer = await refresh(connection, refreshTokens[chain]!);
        refreshTokens[chain] = answer.tokens.refresh_token;
        latencies.push(answer.ms);
      },
    });
    const after = await target.server.stats();
    // Round trips are counted one grant at a time, where a wait on Redis is unambiguous
    // (harness/round-trips.ts), and long after the sign-ins, as a refresh usually comes.
    const sequentialGrants = 20;
    const beforeSequential = await target.server.stats();
    for (let i = 0; i < sequentialGrants; i++) refreshTokens[0] = (await refresh(connection, refreshTokens[0]!)).tokens.refresh_token;
    const trips = totals(difference((await target.server.stats()).roundTrips, beforeSequential.roundTrips));
    const perSecond = (run.completed / run.elapsedMs) * 1000;
    const serverCores = (after.cpuMs - before.cpuMs) / run.elapsedMs;
    const perServerCore = perSecond / serverCores;
    const latency = summarise(latencies);
    return {
      title: '2. Token endpoint: refresh-token grants',
      method:
        `${chains} independent refresh-token chains (each request sends the token the previous answer rotated in) on ` +
        `${chains} kept-alive undici connections for ${durationMs / 1000} s, after a warm-up of at least ${warmUpMs / 1000} s that lasts ` +
        `until the chains' accounts have left the server's ${rules.recentAccountSeconds} s recent-account cache, so that each grant ` +
        'reads its account as one made minutes after the sign-in does. Each grant returns a new ' +
        'access token, refresh token and RS256-signed ID token. "Per core" divides by the CPU the server process used ' +
        '(its CPU time over the wall time), since the load generator, PostgreSQL and Redis share the machine.',
      tables: [
        {
          headers: ['grants', 'grants/s', 'p50 (ms)', 'p99 (ms)', 'store round trips (commands) / SQL per grant', 'server CPU per grant (ms)', 'server cores busy', 'grants/s per server core', 'grants/s per machine core', 'target', 'result'],
          rows: [
            [
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
            ],
          ],
        },
      ],
    };
  } finally {
    await connection.pool.close();
  }
}
