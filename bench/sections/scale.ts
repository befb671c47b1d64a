import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AccountPool, credentials, emailOf, seedAccounts } from '../accounts.ts';
import { signInNext, type BenchContext, type SignInTarget } from '../context.ts';
import { steps, type Step } from '../flows.ts';
import { connect } from '../http.ts';
import { closedLoop } from '../load.ts';
import { fixed, pass, whole, type Section } from '../report.ts';
import { compiledDir, startServer } from '../server-handle.ts';
import { Samples, summarise, type Summary } from '../stats.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ratioTarget = 1.2;
/** Low on purpose: at cost 12 the hash would be nine tenths of the latency and hide a slower database. */
const bcryptCost = 4;
const importTimeoutMs = 300_000;

interface Latency {
  readonly accounts: number;
  readonly signIn: Summary;
  readonly emailSubmit: Summary;
}

async function measureAt(ctx: BenchContext, target: SignInTarget, accounts: number): Promise<Latency> {
  const signIns = ctx.quick ? 100 : 300;
  ctx.log(`scale: ${signIns} sign-ins one at a time with ${whole(accounts)} accounts`);
  const samples = new Samples();
  const record = (step: Step, exchange: { ms: number }) => samples.add(step.label, exchange.ms);
  // Warm-up: the JIT and the connection pools, not the cache of the rows measured next. Long enough that
  // the first measurement (1,000 accounts, right after the server started) is not the colder one.
  await closedLoop({ concurrency: 1, durationMs: 20_000, maxIterations: 100, iteration: () => signInNext(target).then(() => undefined) });
  const result = await closedLoop({
    concurrency: 1,
    durationMs: 60_000,
    maxIterations: signIns,
    iteration: () => signInNext(target, record).then(() => undefined),
  });
  return { accounts, signIn: summarise(result.latencies), emailSubmit: summarise(samples.get(steps.emailSubmit.label)) };
}

/** `users import` as an operator runs it in the image: the compiled CLI in a child process on a generated CSV file. */
async function measureImport(ctx: BenchContext, rows: number): Promise<{ seconds: number; summary: string }> {
  const file = path.join(ctx.env.dataDir, 'import.csv');
  const invitedAt = new Date().toISOString().slice(0, 10);
  const lines = ['email,name,invited_at'];
  for (let n = 1; n <= rows; n++) lines.push(`${emailOf('import', n)},Imported User ${n},${invitedAt}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  ctx.log(`scale: users import of ${whole(rows)} rows`);
  const started = performance.now();
  const { stdout } = await run(process.execPath, [path.join(compiledDir, 'src', 'cli', 'main.js'), 'users', 'import', file], {
    cwd: repoRoot,
    env: { ...process.env, ...ctx.env.serverEnv('scale', 0, bcryptCost) },
    timeout: importTimeoutMs,
  });
  const seconds = (performance.now() - started) / 1000;
  const summary = stdout.split('\n').find((line) => line.startsWith('added')) ?? stdout.trim();
  if (!summary.startsWith(`added ${rows},`)) throw new Error(`users import did not add every row: ${summary}`);
  return { seconds, summary };
}

/** Sign-in latency with 1,000 and with 1,000,000 accounts in PostgreSQL, and the CSV import rate. */
export async function measureScale(ctx: BenchContext): Promise<Section> {
  const large = ctx.quick ? 100_000 : 1_000_000;
  const importRows = ctx.quick ? 20_000 : 100_000;
  const db = await ctx.env.database('scale');
  const creds = await credentials(ctx.env.secretKey, bcryptCost);
  await seedAccounts(db.knex, 'signin', { from: 1, to: 1_000 }, { active: creds });
  const server = await startServer((port) => ctx.env.serverEnv('scale', port, bcryptCost), { profileDir: ctx.profileDir });
  const connection = connect(server.origin, 4);
  try {
    // Each phase draws from its own rows: an account signed in during the first must not be signed in
    // again within the same TOTP step during the second.
    const make = (range: { from: number; to: number }): SignInTarget => ({
      server,
      knex: db.knex,
      connection,
      credentials: creds,
      accounts: new AccountPool('signin', range, true),
      bcryptCost,
      environment: ctx.env.serverEnv('scale', 0, bcryptCost),
    });
    const small = await measureAt(ctx, make({ from: 1, to: 1_000 }), 1_000);
    ctx.log(`scale: inserting ${whole(large - 1_000)} more accounts`);
    const insertStarted = performance.now();
    // A million rows in one statement outlast the server's statement timeout, more so with the console search's indexes.
    await db.withoutTimeouts((knex) => seedAccounts(knex, 'signin', { from: 1_001, to: large }, { active: creds }));
    const insertSeconds = (performance.now() - insertStarted) / 1000;
    const big = await measureAt(ctx, make({ from: 1_001, to: large }), large);
    const imported = await measureImport(ctx, importRows);

    const ratio = big.signIn.p50 / small.signIn.p50;
    return {
      title: '4. Scale',
      method:
        `Sign-ins one at a time (concurrency 1) with ${whole(small.accounts)} and then ${whole(big.accounts)} active accounts ` +
        `in PostgreSQL, each sign-in on an account drawn at random (from the rows added for the second measurement); bcrypt cost ${bcryptCost}, so that ` +
        `the hash does not hide a slower database. The extra rows went in with one \`insert … select generate_series\` ` +
        `(${fixed(insertSeconds)} s, indexes included, then \`analyze\`).`,
      tables: [
        {
          headers: ['accounts', 'sign-ins', 'sign-in p50 (ms)', 'sign-in p99 (ms)', 'email submit p50 / p99 (ms)'],
          rows: [small, big].map((l) => [whole(l.accounts), String(l.signIn.count), fixed(l.signIn.p50), fixed(l.signIn.p99), `${fixed(l.emailSubmit.p50)} / ${fixed(l.emailSubmit.p99)}`]),
        },
        {
          headers: ['measure', 'value', 'target', 'result'],
          rows: [
            [`sign-in p50 with ${whole(big.accounts)} ÷ with ${whole(small.accounts)} accounts`, fixed(ratio, 2), `≤ ${ratioTarget}`, pass(ratio <= ratioTarget)],
            [`sign-in p99 ratio (for information)`, fixed(big.signIn.p99 / small.signIn.p99, 2), '—', ''],
            [
              `\`users import\` of ${whole(importRows)} new rows into a table of ${whole(big.accounts)}`,
              `${whole(importRows / imported.seconds)} rows/s (${fixed(imported.seconds)} s, process start included; "${imported.summary}")`,
              '—',
              '',
            ],
          ],
        },
      ],
    };
  } finally {
    await connection.pool.close();
    await server.stop();
  }
}
