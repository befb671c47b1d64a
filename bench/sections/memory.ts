import { AccountPool, credentials, seedAccounts } from '../accounts.ts';
import { bareCompares } from '../bcrypt-baseline.ts';
import { signInNext, type BenchContext, type SignInTarget } from '../context.ts';
import { connect } from '../http.ts';
import { closedLoop } from '../load.ts';
import { fixed, pass, whole, type Section } from '../report.ts';
import { startServer } from '../server-handle.ts';
import type { ServerStats } from '../server-protocol.ts';

/** Low on purpose: ten thousand sign-ins at cost 12 would take twenty minutes on two cores. */
const bcryptCost = 4;
const concurrency = 16;
const rssTargetMiB = 150;
const cpuTargetMs = 5;
/** "No growth", allowing for the allocator's noise: under 2% between the two readings. */
const growthTolerance = 0.02;
const mib = (bytes: number) => bytes / 1024 ** 2;

interface Reading {
  readonly signIns: number;
  readonly asIs: ServerStats;
  readonly afterGc: ServerStats;
}

/** RSS of the server process alone after 5,000 and after 10,000 sign-ins, and CPU per sign-in at cost 4. */
export async function measureMemory(ctx: BenchContext): Promise<Section> {
  const batch = ctx.quick ? 1_000 : 5_000;
  const warmUp = 200;
  const db = await ctx.env.database('memory');
  const creds = await credentials(ctx.env.secretKey, bcryptCost);
  const accounts = warmUp + 2 * batch + 100;
  await seedAccounts(db.knex, 'signin', { from: 1, to: accounts }, { active: creds });
  const environment = ctx.env.serverEnv('memory', 0, bcryptCost);
  const server = await startServer((port) => ctx.env.serverEnv('memory', port, bcryptCost), { exposeGc: true, profileDir: ctx.profileDir });
  const connection = connect(server.origin, concurrency);
  const accountPool = new AccountPool('signin', { from: 1, to: accounts }, true);
  const target: SignInTarget = { server, knex: db.knex, connection, credentials: creds, accounts: accountPool, bcryptCost, environment };
  const signIns = (count: number) =>
    closedLoop({ concurrency, durationMs: 600_000, maxIterations: count, iteration: () => signInNext(target).then(() => undefined) });
  try {
    ctx.log(`memory: ${warmUp} warm-up sign-ins`);
    await signIns(warmUp);
    const readings: Reading[] = [];
    const start = await server.stats();
    let elapsedMs = 0;
    for (const total of [batch, 2 * batch]) {
      ctx.log(`memory: sign-ins up to ${whole(total)}`);
      elapsedMs += (await signIns(batch)).elapsedMs;
      const asIs = await server.stats();
      readings.push({ signIns: total, asIs, afterGc: await server.stats({ collectGarbage: true }) });
    }
    const [first, second] = readings as [Reading, Reading];
    const hash = await bareCompares(environment, creds, concurrency, 3_000);
    const cpuPerCompare = hash.cpuMs / hash.run.completed;
    const serverCpuEach = (second.asIs.cpuMs - start.cpuMs) / (2 * batch);
    const beyond = serverCpuEach - cpuPerCompare;
    const change = (from: number, to: number) => (to - from) / from;
    const signed = (ratio: number) => `${ratio >= 0 ? '+' : ''}${fixed(ratio * 100)}%`;
    const rssGrowth = change(first.asIs.rssBytes, second.asIs.rssBytes);
    const heapGrowth = change(first.afterGc.heapUsedBytes, second.afterGc.heapUsedBytes);
    const rssAfterGcChange = change(first.afterGc.rssBytes, second.afterGc.rssBytes);

    return {
      title: '5. Memory, and CPU per sign-in at cost 4',
      method:
        `The server process alone (a child process), ${whole(2 * batch)} sign-ins at concurrency ${concurrency} after ` +
        `${warmUp} to warm up, bcrypt cost ${bcryptCost} to keep the run short (the hash's cost does not change what the ` +
        'process keeps in memory). RSS is read as it is right after each batch, and again half a second after a full garbage ' +
        'collection (`--expose-gc`; V8 returns emptied pages from a background thread), which is the reading that shows ' +
        'whether anything accumulates.',
      tables: [
        {
          headers: ['after sign-ins', 'RSS (MiB)', 'RSS after GC (MiB)', 'heap used / held after GC (MiB)', 'external after GC (MiB)', 'target', 'result'],
          rows: readings.map((r) => [
            whole(r.signIns),
            fixed(mib(r.asIs.rssBytes)),
            fixed(mib(r.afterGc.rssBytes)),
            `${fixed(mib(r.afterGc.heapUsedBytes))} / ${fixed(mib(r.afterGc.heapTotalBytes))}`,
            fixed(mib(r.afterGc.externalBytes)),
            `RSS ≤ ${rssTargetMiB} MiB`,
            pass(mib(r.asIs.rssBytes) <= rssTargetMiB),
          ]),
        },
        {
          headers: ['measure', 'value', 'target', 'result'],
          rows: [
            [
              `RSS, ${whole(batch)} → ${whole(2 * batch)} sign-ins`,
              signed(rssGrowth),
              `no growth (< ${growthTolerance * 100}%)`,
              pass(rssGrowth < growthTolerance),
            ],
            [
              `heap used after GC, ${whole(batch)} → ${whole(2 * batch)} sign-ins (what accumulates, if anything does)`,
              `${signed(heapGrowth)} (${fixed(mib(second.afterGc.heapUsedBytes - first.afterGc.heapUsedBytes))} MiB)`,
              `no growth (< ${growthTolerance * 100}%)`,
              pass(heapGrowth < growthTolerance),
            ],
            [
              'RSS after GC (for information: it moves with the heap V8 chooses to hold, not with what is live)',
              signed(rssAfterGcChange),
              '—',
              '',
            ],
            [
              `server CPU per sign-in beyond the hash (${fixed(serverCpuEach, 2)} ms per sign-in − ${fixed(cpuPerCompare, 2)} ms per bare compare)`,
              `${fixed(beyond, 2)} ms`,
              `≤ ${cpuTargetMs} ms`,
              pass(beyond <= cpuTargetMs),
            ],
            ['sign-ins/s at cost 4, concurrency 16 (for information)', fixed((2 * batch * 1000) / elapsedMs), '—', ''],
          ],
        },
      ],
    };
  } finally {
    await connection.pool.close();
    await server.stop();
  }
}
