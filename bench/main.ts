/**
 * `npm run bench [-- --quick] [-- --profile[=DIR]] [-- --only=capacity,token,pages,scale,memory,peer,search] [-- --out=FILE] [-- --update]`
 *
 * Measures the server against the targets of issue #8 and writes BENCHMARKS.md (a full run) with
 * the machine it ran on. Everything runs on loopback against PostgreSQL and Redis in this run's
 * own schemas and prefix, removed at the end. The server runs compiled, as the image runs it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { AccountPool, credentials, seedAccounts } from './accounts.ts';
import type { BenchContext, SignInTarget } from './context.ts';
import { signInNext } from './context.ts';
import { BenchEnvironment } from './environment.ts';
import { connect } from './http.ts';
import { closedLoop } from './load.ts';
import { describeMachine } from './machine.ts';
import { renderReport, updateSections, writeReport, type Section } from './report.ts';
import { measureCapacity } from './sections/capacity.ts';
import { measureMemory } from './sections/memory.ts';
import { measurePeer } from './sections/peer.ts';
import { measurePages } from './sections/pages.ts';
import { measureScale } from './sections/scale.ts';
import { measureSearch } from './sections/search.ts';
import { measureTokenEndpoint } from './sections/token.ts';
import { compiledDir, startServer } from './server-handle.ts';

const sectionNames = ['capacity', 'token', 'pages', 'scale', 'memory', 'peer', 'search'] as const;
type SectionName = (typeof sectionNames)[number];
/** The contract's default: what production pays for each sign-in. */
const productionBcryptCost = 12;
/** More than sections 1–3 sign in, so no account is reused while its TOTP step is still marked. */
const signInAccounts = 5_000;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    /** With --only: replaces those sections of BENCHMARKS.md in place and keeps the others. */
    update: { type: 'boolean', default: false },
  },
});

function chosenSections(): Set<SectionName> {
  if (values.only === undefined) return new Set(sectionNames);
  const chosen = values.only.split(',').map((s) => s.trim());
  const unknown = chosen.filter((s) => !(sectionNames as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}: choose from ${sectionNames.join(', ')}`);
  if (chosen.includes('pages') && !chosen.includes('capacity')) throw new Error('pages runs at 70% of the capacity: add capacity');
  return new Set(chosen as SectionName[]);
}

/** Sections 1–3 share one server at the production cost, with accounts seeded for them. */
async function withProductionServer(ctx: BenchContext, use: (target: SignInTarget) => Promise<void>): Promise<void> {
  const db = await ctx.env.database('signin');
  const creds = await credentials(ctx.env.secretKey, productionBcryptCost);
  await seedAccounts(db.knex, 'signin', { from: 1, to: signInAccounts }, { active: creds });
  const server = await startServer((port) => ctx.env.serverEnv('signin', port, productionBcryptCost), { profileDir: ctx.profileDir });
  const connection = connect(server.origin, 32);
  const target: SignInTarget = {
    server,
    knex: db.knex,
    connection,
    credentials: creds,
    accounts: new AccountPool('signin', { from: 1, to: signInAccounts }, true),
    bcryptCost: productionBcryptCost,
    environment: ctx.env.serverEnv('signin', 0, productionBcryptCost),
  };
  try {
    ctx.log('warming up the server');
    await closedLoop({ concurrency: 4, durationMs: 20_000, maxIterations: 8, iteration: () => signInNext(target).then(() => undefined) });
    await use(target);
  } finally {
    await connection.pool.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const only = chosenSections();
  const started = performance.now();
  const machine = describeMachine();
  const log = (line: string) => process.stderr.write(`[bench ${Math.round((performance.now() - started) / 1000)}s] ${line}\n`);
  const profileDir =
    values.profile === undefined ? undefined : values.profile === '' ? await mkdtemp(path.join(os.tmpdir(), 'sso-bench-profile-')) : path.resolve(values.profile);
  if (machine.loadAtStart > 0.5) log(`warning: load average ${machine.loadAtStart} at start: other work will skew the numbers`);

  const env = await BenchEnvironment.create();
  const ctx: BenchContext = { env, quick: values.quick, profileDir, log };
  const removeCompiled = () => rm(compiledDir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    log('interrupted: removing this run\'s schemas, keys and compiled server');
    void Promise.all([env.cleanup(), removeCompiled()]).finally(() => process.exit(130));
  });
  const sections: Section[] = [];
  /** Runs one section and stamps it with the load average around it. */
  const measure = async (run: () => Promise<Section>) => {
    const before = os.loadavg()[0]!.toFixed(1);
    const section = await run();
    sections.push({ ...section, load: `${before} → ${os.loadavg()[0]!.toFixed(1)}` });
    return section;
  };
  try {
    log(`compiling the server into ${path.relative(process.cwd(), compiledDir)}`);
    await build({ project: 'tsconfig.bench.json', outDir: compiledDir });
    if (only.has('capacity') || only.has('token') || only.has('pages')) {
      await withProductionServer(ctx, async (target) => {
        let capacity: number | undefined;
        if (only.has('capacity')) {
          await measure(async () => {
            const result = await measureCapacity(ctx, target);
            capacity = result.capacity;
            return result.section;
          });
        }
        if (only.has('token')) await measure(() => measureTokenEndpoint(ctx, target));
        if (only.has('pages')) await measure(() => measurePages(ctx, target, capacity!));
      });
    }
    if (only.has('scale')) await measure(() => measureScale(ctx));
    if (only.has('memory')) await measure(() => measureMemory(ctx));
    if (only.has('peer')) await measure(() => measurePeer(ctx));
    if (only.has('search')) await measure(() => measureSearch(ctx));
  } finally {
    await Promise.all([env.cleanup(), removeCompiled()]);
  }

  const seconds = (performance.now() - started) / 1000;
  const mode = values.quick ? 'quick' : 'full';
  const report = renderReport(machine, only.size === sectionNames.length ? mode : `${mode}, sections ${[...only].join(', ')}`, seconds, sections);
  const benchmarks = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  if (values.update && values.only !== undefined && !values.quick) {
    await updateSections(benchmarks, sections, { date: machine.date, only: [...only].join(',') });
    log(`sections ${[...only].join(', ')} replaced in ${benchmarks}`);
  }
  const out = values.out ?? (values.quick || values.only !== undefined ? undefined : benchmarks);
  if (out !== undefined) {
    await writeReport(out, report);
    log(`written to ${out}`);
  }
  if (profileDir !== undefined) log(`CPU profiles of the servers in ${profileDir}`);
  process.stdout.write(report);
}

await main();
