import { rules } from '../../src/config.ts';
import { AccountPool, credentials, emailOf, seedAccounts } from '../accounts.ts';
import { bareCompares } from '../bcrypt-baseline.ts';
import { benchAlgorithms, type BenchAlgorithm } from '../client.ts';
import { signInNext, type BenchContext, type SignInTarget } from '../context.ts';
import { peerCodeFlow, refresh, type Step, type StepRecorder, type Tokens } from '../flows.ts';
import { connect, type Connection } from '../http.ts';
import { difference, totals } from '../../harness/round-trips.ts';
import { closedLoop, openLoop } from '../load.ts';
import { fixed, pass, whole, type Section } from '../report.ts';
import { startServer, type ServerHandle } from '../server-handle.ts';
import { signatureCosts } from '../signature-baseline.ts';
import { summarise } from '../stats.ts';

/** The hash is not what this section compares: at cost 4 it is about a millisecond, subtracted below. */
const bcryptCost = 4;
const chains = 16;
const flowConcurrency = 8;
const refreshTarget = 0.9;
const requestTarget = 1.1;
const accounts = 8_000;
/** The one-at-a-time table's label of a refresh grant with ID tokens of `alg`. */
const refreshLabel = (alg: BenchAlgorithm) => (alg === 'RS256' ? 'POST /token (refresh grant)' : `POST /token (refresh grant, ${alg})`);
/** The paced windows send refresh grants at this share of the rate our server reached at full speed. */
const pacedShare = 0.5;

/**
 * Refresh grants as fast as the chains go, with ID tokens of one algorithm (the window is named by
 * it); RS256 grants at a fixed arrival rate; or complete flows.
 */
type Work = BenchAlgorithm | 'paced' | 'flow';
const isAlgorithm = (work: Work): work is BenchAlgorithm => (benchAlgorithms as readonly string[]).includes(work);

/** One of the two servers compared, and how a flow is walked through it. */
interface Side {
  readonly name: 'ours' | 'peer';
  readonly server: ServerHandle;
  readonly connection: Connection;
  /** The complete code flow, from the authorization request to the tokens, for the client of `alg` (RS256 unless told). */
  readonly flow: (record?: StepRecorder, alg?: BenchAlgorithm) => Promise<Tokens>;
  readonly requestsPerFlow: number;
  /** The refresh token each chain sends next (rotation), by the ID token algorithm of its client. */
  readonly refreshTokens: Record<BenchAlgorithm, string[]>;
  readonly sums: Record<Work, { completed: number; cpuMs: number; elapsedMs: number; latencies: number[] }>;
}

function windows(ctx: BenchContext) {
  return { rounds: ctx.quick ? 1 : 3, durationMs: ctx.quick ? 4_000 : 8_000, hashMs: 3_000, sequentialFlows: ctx.quick ? 5 : 60, sequentialGrants: ctx.quick ? 20 : 100, floorRequests: ctx.quick ? 50 : 200 };
}

/**
 * One window on one side; adds what it measured to the side's sums. `paced` sends RS256 refresh
 * grants at `ratePerSecond`, each on a chain not in use, whatever the server's speed.
 */
async function measureWindow(side: Side, work: Work, durationMs: number, ratePerSecond = 0): Promise<void> {
  const before = await side.server.stats();
  const latencies: number[] = [];
  const alg = isAlgorithm(work) ? work : 'RS256';
  const tokens = side.refreshTokens[alg];
  const grant = async (chain: number) => {
    const answer = await refresh(side.connection, tokens[chain]!, alg);
    tokens[chain] = answer.tokens.refresh_token;
    latencies.push(answer.ms);
  };
  const idleChains = Array.from({ length: chains }, (_, chain) => chain);
  const run =
    work === 'paced'
      ? await openLoop({
          ratePerSecond,
          durationMs,
          maxInFlight: chains,
          iteration: async () => {
            const chain = idleChains.pop()!;
            try {
              await grant(chain);
            } finally {
              idleChains.push(chain);
            }
          },
        })
      : await closedLoop({
          concurrency: work === 'flow' ? flowConcurrency : chains,
          durationMs,
          maxIterations: 500_000,
          iteration: (worker) => (work === 'flow' ? side.flow().then(() => undefined) : grant(worker)),
        });
  const after = await side.server.stats();
  const sum = side.sums[work];
  sum.completed += run.completed;
  sum.cpuMs += after.cpuMs - before.cpuMs;
  sum.elapsedMs += run.elapsedMs;
  sum.latencies.push(...(work === 'flow' ? run.latencies : latencies));
}

/**
 * CPU of each request, one request at a time: the server times each request it answers (from its
 * 'request' event to the end of the answer; bench/child.ts) while the flows run one after another, so
 * the n-th timing is the n-th step. Also the store round trips of a flow and of a grant, exact when
 * nothing else runs.
 */
async function sequentialCosts(side: Side, flows: number, grants: number) {
  const byStep = new Map<string, { kind: Step['kind'] | 'refresh'; cpuMs: number }>();
  const add = (label: string, kind: Step['kind'] | 'refresh', cpuMs: number, count: number) => {
    const entry = byStep.get(label) ?? { kind, cpuMs: 0 };
    entry.cpuMs += cpuMs / count;
    byStep.set(label, entry);
  };
  side.server.trace(true);
  try {
    const flowTripsBefore = await side.server.stats();
    for (let i = 0; i < flows; i++) {
      const walked: Step[] = [];
      await side.flow((step) => void walked.push(step));
      const timings = (await side.server.stats()).requestCpuMs;
      if (timings.length !== walked.length) throw new Error(`${side.name}: ${timings.length} requests timed for a flow of ${walked.length}`);
      walked.forEach((step, n) => add(step.label, step.kind, timings[n]!, flows));
    }
    const flowTrips = totals(difference((await side.server.stats()).roundTrips, flowTripsBefore.roundTrips));
    const perGrant = {} as Record<BenchAlgorithm, { store: number; commands: number; sql: number }>;
    for (const alg of benchAlgorithms) {
      // A chain older than the recent-account cache, so each grant reads its account.
      let refreshToken = side.refreshTokens[alg][0]!;
      const grantTripsBefore = await side.server.stats();
      for (let i = 0; i < grants; i++) {
        refreshToken = (await refresh(side.connection, refreshToken, alg)).tokens.refresh_token;
        add(refreshLabel(alg), 'refresh', (await side.server.stats()).requestCpuMs[0]!, grants);
      }
      side.refreshTokens[alg][0] = refreshToken;
      const grantTrips = totals(difference((await side.server.stats()).roundTrips, grantTripsBefore.roundTrips));
      perGrant[alg] = { store: grantTrips.store / grants, commands: grantTrips.storeCommands / grants, sql: grantTrips.sql / grants };
    }
    return { byStep, perFlow: { store: flowTrips.store / flows, sql: flowTrips.sql / flows }, perGrant };
  } finally {
    side.server.trace(false);
  }
}

/** The forms whose backend work the floor sends alone, by the label of the server's request. */
const floorForms = { 'POST …/email': '/email', 'POST …/totp': '/totp' } as const;
type FloorForm = keyof typeof floorForms;

/**
 * CPU of each form's Redis and SQL work alone (bench/peer/floor.ts), one request at a time, timed
 * as the servers' requests are; after `requests` of each untimed, for the compiler.
 */
async function floorCosts(server: ServerHandle, connection: Connection, email: string, requests: number): Promise<Record<FloorForm, number>> {
  const post = async (path: string, fields: Record<string, string>) => {
    const body = new URLSearchParams({ _csrf: 'x'.repeat(43), ...fields }).toString();
    const answer = await connection.pool.request({ method: 'POST', path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    await answer.body.dump();
    if (answer.statusCode !== 303) throw new Error(`floor: POST ${path} answered ${answer.statusCode}`);
  };
  const walk = async () => {
    for (const path of Object.values(floorForms)) await post(path, path === '/email' ? { email } : { code: '123456' });
  };
  for (let i = 0; i < requests; i++) await walk();
  const sums = Object.fromEntries(Object.keys(floorForms).map((label) => [label, 0])) as Record<FloorForm, number>;
  server.trace(true);
  try {
    for (let i = 0; i < requests; i++) {
      await walk();
      const timings = (await server.stats()).requestCpuMs;
      Object.keys(floorForms).forEach((label, n) => (sums[label as FloorForm] += timings[n]! / requests));
    }
  } finally {
    server.trace(false);
  }
  return sums;
}

const works: readonly Work[] = [...benchAlgorithms, 'paced', 'flow'];
const emptySums = (): Side['sums'] => Object.fromEntries(works.map((work) => [work, { completed: 0, cpuMs: 0, elapsedMs: 0, latencies: [] as number[] }])) as Side['sums'];
const noChains = (): Side['refreshTokens'] => Object.fromEntries(benchAlgorithms.map((alg) => [alg, [] as string[]])) as Side['refreshTokens'];

/**
 * Our server beside the engine it is built on: bare oidc-provider of the same version in Koa, with
 * a minimal Redis adapter (bench/peer/), the same key type and the same runtime flags. Both serve
 * refresh grants and complete code flows in alternating windows, so other work on the machine
 * weighs on both alike.
 */
export async function measurePeer(ctx: BenchContext): Promise<Section> {
  const w = windows(ctx);
  const db = await ctx.env.database('peer');
  const creds = await credentials(ctx.env.secretKey, bcryptCost);
  await seedAccounts(db.knex, 'peer', { from: 1, to: accounts }, { active: creds });
  await seedAccounts(db.knex, 'floor', { from: 1, to: 1 }, { active: creds });
  const environment = ctx.env.serverEnv('peer', 0, bcryptCost);
  const started: ServerHandle[] = [];
  const connections: Connection[] = [];
  try {
    const ourServer = await startServer((port) => ctx.env.serverEnv('peer', port, bcryptCost), { profileDir: ctx.profileDir });
    started.push(ourServer);
    const peerServer = await startServer((port) => ctx.env.peerEnv('peer', port), { kind: 'peer', profileDir: ctx.profileDir });
    started.push(peerServer);
    const floorServer = await startServer((port) => ctx.env.floorEnv('peer', port, emailOf('floor', 1)), { kind: 'floor', profileDir: ctx.profileDir });
    started.push(floorServer);
    const floorConnection = connect(floorServer.origin, 1);
    connections.push(floorConnection);
    const ourConnection = connect(ourServer.origin, chains);
    const peerConnection = connect(peerServer.origin, chains);
    connections.push(ourConnection, peerConnection);
    const target: SignInTarget = {
      server: ourServer,
      knex: db.knex,
      connection: ourConnection,
      credentials: creds,
      accounts: new AccountPool('peer', { from: 1, to: accounts }, true),
      bcryptCost,
      environment,
    };
    let peerAccount = 0;
    const ours: Side = {
      name: 'ours',
      server: ourServer,
      connection: ourConnection,
      flow: (record, alg) => signInNext(target, record, alg),
      requestsPerFlow: 9,
      refreshTokens: noChains(),
      sums: emptySums(),
    };
    const peer: Side = {
      name: 'peer',
      server: peerServer,
      connection: peerConnection,
      flow: (record, alg) => peerCodeFlow({ connection: peerConnection, record, alg }, `peer-${++peerAccount}`),
      requestsPerFlow: 4,
      refreshTokens: noChains(),
      sums: emptySums(),
    };
    const sides = [ours, peer];

    ctx.log(`peer: signing in the refresh chains on both servers, ${chains} for each of ${benchAlgorithms.join(', ')}`);
    for (const side of sides) {
      for (const alg of benchAlgorithms) {
        side.refreshTokens[alg].push(...(await Promise.all(Array.from({ length: chains }, () => side.flow(undefined, alg)))).map((t) => t.refresh_token));
      }
    }
    const chainsSignedIn = Date.now();
    ctx.log('peer: warming up both servers');
    // Until the accounts the chains signed in with have left the server's recent-account cache: a
    // refresh grant normally comes minutes after the sign-in, and then reads the account.
    const recentAccountMs = rules.recentAccountSeconds * 1000;
    do {
      for (const side of sides) {
        await closedLoop({ concurrency: flowConcurrency, durationMs: 1_000, maxIterations: 100, iteration: () => side.flow().then(() => undefined) });
        const scratch = emptySums();
        for (const alg of benchAlgorithms) await measureWindow({ ...side, sums: scratch }, alg, 1_000);
      }
    } while (Date.now() - chainsSignedIn <= recentAccountMs);

    ctx.log('peer: CPU per request, one request at a time');
    const sequential = { ours: await sequentialCosts(ours, w.sequentialFlows, w.sequentialGrants), peer: await sequentialCosts(peer, w.sequentialFlows, w.sequentialGrants) };
    const floor = await floorCosts(floorServer, floorConnection, emailOf('floor', 1), w.floorRequests);

    let compareCpuMs = 0;
    let compares = 0;
    let pacedRate = 0;
    for (let round = 0; round < w.rounds; round++) {
      ctx.log(`peer: round ${round + 1} of ${w.rounds}`);
      // Each round changes who goes first, so neither always follows the other's load.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) await measureWindow(side, 'RS256', w.durationMs);
      // The same load for both: half the rate our server reached in its RS256 windows so far.
      const ourRate = (ours.sums.RS256.completed / ours.sums.RS256.elapsedMs) * 1000;
      pacedRate = Math.round(ourRate * pacedShare);
      for (const side of order) await measureWindow(side, 'paced', w.durationMs, pacedRate);
      for (const side of order) await measureWindow(side, 'flow', w.durationMs);
      for (const alg of benchAlgorithms.filter((a) => a !== 'RS256')) for (const side of order) await measureWindow(side, alg, w.durationMs);
      const hash = await bareCompares(environment, creds, flowConcurrency, w.hashMs);
      compareCpuMs += hash.cpuMs;
      compares += hash.run.completed;
    }
    const signatures = await signatureCosts(ctx.quick ? 500 : 2_000);
    return report(ctx, { ours, peer, sequential, floor, cpuPerCompare: compareCpuMs / compares, signatures, pacedRate });
  } finally {
    await Promise.all(connections.map((c) => c.pool.close()));
    await Promise.all(started.map((s) => s.stop()));
  }
}

interface Measured {
  readonly ours: Side;
  readonly peer: Side;
  readonly sequential: Record<Side['name'], Awaited<ReturnType<typeof sequentialCosts>>>;
  /** Each form's Redis and SQL work alone, one request at a time. */
  readonly floor: Record<FloorForm, number>;
  readonly cpuPerCompare: number;
  readonly signatures: Awaited<ReturnType<typeof signatureCosts>>;
  /** The arrival rate of the last round's paced windows. */
  readonly pacedRate: number;
}

function report(ctx: BenchContext, m: Measured): Section {
  const w = windows(ctx);
  const grants = (side: Side, work: BenchAlgorithm | 'paced' = 'RS256') => {
    const sum = side.sums[work];
    const perSecond = (sum.completed / sum.elapsedMs) * 1000;
    const cores = sum.cpuMs / sum.elapsedMs;
    return { sum, perSecond, cores, perCore: perSecond / cores, cpuEach: sum.cpuMs / sum.completed, latency: summarise(sum.latencies) };
  };
  const flows = (side: Side) => {
    const sum = side.sums.flow;
    const cpuEach = sum.cpuMs / sum.completed;
    // Our sign-in spends one bcrypt comparison; the peer's flow none.
    const beyond = side.name === 'ours' ? cpuEach - m.cpuPerCompare : cpuEach;
    return { sum, cpuEach, beyond, perRequest: beyond / side.requestsPerFlow, latency: summarise(sum.latencies) };
  };
  const byAlgorithm = (alg: BenchAlgorithm) => ({ ours: grants(m.ours, alg), peer: grants(m.peer, alg) });
  const f = { ours: flows(m.ours), peer: flows(m.peer) };
  const paced = { ours: grants(m.ours, 'paced'), peer: grants(m.peer, 'paced') };
  const requestRatio = f.ours.perRequest / f.peer.perRequest;
  const grantRow = (name: Side['name'], label: string, measured: ReturnType<typeof byAlgorithm>, alg: BenchAlgorithm) => {
    const { sum, latency, cpuEach, cores, perSecond, perCore } = measured[name];
    const trips = m.sequential[name].perGrant[alg];
    return [label, whole(sum.completed), whole(perSecond), `${fixed(latency.p50)} / ${fixed(latency.p99)}`, `${fixed(trips.store)} (${fixed(trips.commands)}) / ${fixed(trips.sql)}`, fixed(cpuEach, 2), fixed(cores, 2), whole(perCore), '', ''];
  };
  /** Ours, the peer and the ratio, at full speed with ID tokens of `alg`; the RS256 rows keep their plain labels. */
  const algorithmRows = (alg: BenchAlgorithm) => {
    const g = byAlgorithm(alg);
    const ratio = g.ours.perCore / g.peer.perCore;
    const suffix = alg === 'RS256' ? '' : `, ${alg} ID tokens`;
    return [
      grantRow('ours', `ours${suffix}`, g, alg),
      grantRow('peer', `peer${suffix}`, g, alg),
      [`**ours ÷ peer${alg === 'RS256' ? '' : `, ${alg}`}**`, '', fixed(g.ours.perSecond / g.peer.perSecond, 2), '', '', fixed(g.ours.cpuEach / g.peer.cpuEach, 2), '', `**${fixed(ratio, 2)}**`, `≥ ${refreshTarget}`, pass(ratio >= refreshTarget)],
    ];
  };
  const flowRow = (name: Side['name'], label: string) => {
    const { sum, latency, cpuEach, beyond, perRequest } = f[name];
    const trips = m.sequential[name].perFlow;
    const hash = name === 'ours' ? ` (− ${fixed(m.cpuPerCompare, 2)} per compare)` : '';
    return [label, whole(sum.completed), String(m[name].requestsPerFlow), `${fixed(trips.store)} / ${fixed(trips.sql)}`, `${fixed(latency.p50)} / ${fixed(latency.p99)}`, fixed(cpuEach, 2), `${fixed(beyond, 2)}${hash}`, fixed(perRequest, 2), '', ''];
  };

  // The peer's mean request, one at a time: what each of our requests, timed the same way, is judged against.
  const peerFlowSteps = [...m.sequential.peer.byStep.values()].filter((step) => step.kind !== 'refresh');
  const peerMeanRequest = peerFlowSteps.reduce((sum, step) => sum + step.cpuMs, 0) / m.peer.requestsPerFlow;
  const labels = [...new Set([...m.sequential.ours.byStep.keys(), ...m.sequential.peer.byStep.keys()])];
  const stepRows = labels.map((label) => {
    const ours = m.sequential.ours.byStep.get(label);
    const peer = m.sequential.peer.byStep.get(label);
    const judged = ours !== undefined && (ours.kind === 'page' || ours.kind === 'check' || ours.kind === 'submit');
    const ratio = ours === undefined ? Number.NaN : ours.cpuMs / peerMeanRequest;
    return [
      label,
      ours === undefined ? '—' : fixed(ours.cpuMs, 2),
      peer === undefined ? '—' : fixed(peer.cpuMs, 2),
      ours === undefined ? '—' : fixed(ratio, 2),
      judged ? `≤ ${requestTarget}` : ours?.kind === 'hash' ? `exempt (bcrypt cost ${bcryptCost})` : '—',
      judged ? pass(ratio <= requestTarget) : '',
    ];
  });

  return {
    title: '6. Beside the engine: bare oidc-provider',
    method:
      'The peer is bare oidc-provider of the version the server is built on, mounted in Koa, with a Redis adapter of the ' +
      "shape of its documentation's example (one command per lookup, one `MULTI` per save; `bench/peer/`), the server's key " +
      'types (RSA 2048 signing RS256 ID tokens, P-256 ES256, Ed25519 EdDSA) and one client per algorithm on both sides, ' +
      'the same token lifetimes and claims, and an interaction that completes itself (login and ' +
      'consent at once), so its code flow is 4 requests; its accounts come from memory. It runs compiled, with the same ' +
      `runtime settings as the server, against the same Redis. Our server runs at bcrypt cost ${bcryptCost}, and one bare ` +
      "comparison's CPU (measured in the same rounds) is taken off each sign-in. " +
      `In each of ${w.rounds} round(s), the two take turns, who goes first changing each round, in ${w.durationMs / 1000} s ` +
      `windows of: refresh grants as fast as ${chains} chains go (as in section 2); refresh grants paced at the same rate for ` +
      `both, ${pacedShare * 100}% of the rate our server reached (on this virtual machine a process kept busy pays less for each ` +
      'wake-up, its own and its peers\', than one that waits, so CPU per grant at full speed favours the faster server); and ' +
      `complete flows (concurrency ${flowConcurrency}); then refresh grants as fast as the chains go again, with ES256 and ` +
      'with EdDSA ID tokens, each algorithm with chains of its own signed in to the client that chose it. All rows but those ' +
      `two sets are RS256, the default. The chains' grants are timed only once the accounts they signed in ` +
      `with have left the server's ${rules.recentAccountSeconds} s recent-account cache, so each grant reads its account as a refresh does ` +
      'minutes after a sign-in. "Per server core" divides by the CPU the server process used.',
    tables: [
      {
        headers: ['refresh grants', 'grants', 'grants/s', 'p50 / p99 (ms)', 'store round trips (commands) / SQL per grant', 'CPU per grant (ms)', 'server cores busy', 'grants/s per server core', 'target', 'result'],
        rows: [
          ...algorithmRows('RS256'),
          ...(['ours', 'peer'] as const).map((name) => grantRow(name, `${name}, paced at ${whole(m.pacedRate)}/s`, paced, 'RS256')),
          ['**ours ÷ peer, paced**', '', '', '', '', fixed(paced.ours.cpuEach / paced.peer.cpuEach, 2), '', fixed(paced.ours.perCore / paced.peer.perCore, 2), '', ''],
          ...benchAlgorithms.filter((alg) => alg !== 'RS256').flatMap(algorithmRows),
        ],
      },
      {
        headers: ['complete flows', 'flows', 'requests per flow', 'store / SQL round trips per flow', 'p50 / p99 (ms)', 'CPU per flow (ms)', 'CPU beyond the hash (ms)', 'CPU per request (ms)', 'target', 'result'],
        rows: [
          flowRow('ours', 'ours: sign-in'),
          flowRow('peer', 'peer: code flow'),
          ['**ours ÷ peer**', '', '', '', '', '', fixed(f.ours.beyond / f.peer.beyond, 2), `**${fixed(requestRatio, 2)}**`, `≤ ${requestTarget}`, pass(requestRatio <= requestTarget)],
        ],
      },
      {
        headers: ['request (one at a time)', 'ours: CPU (ms)', 'peer: CPU (ms)', "ours ÷ peer's mean request", 'target', 'result'],
        rows: [...stepRows, ["peer's mean request in its code flow", '', fixed(peerMeanRequest, 2), '', '', '']],
      },
      {
        headers: ['form (one at a time)', 'ours: CPU (ms)', 'its Redis and SQL work alone: CPU (ms)', "alone ÷ peer's mean request", 'ours ÷ alone'],
        rows: (Object.keys(floorForms) as FloorForm[]).map((label) => {
          const ours = m.sequential.ours.byStep.get(label)!.cpuMs;
          return [label, fixed(ours, 2), fixed(m.floor[label], 2), fixed(m.floor[label] / peerMeanRequest, 2), fixed(ours / m.floor[label], 2)];
        }),
      },
      {
        headers: ['ID-token signature alone', 'CPU (ms)', 'wall (ms)'],
        rows: benchAlgorithms.map((alg) => [`${alg} (jose, as oidc-provider signs)`, fixed(m.signatures[alg].cpuMs, 3), fixed(m.signatures[alg].wallMs, 3)]),
      },
    ],
    notes: [
      "CPU per request is the flow's CPU beyond the hash over its requests: our sign-in is 9 requests (authorization " +
        'request, email page and form, password page and form, authenticator page and form, resume, code exchange), the ' +
        "peer's code flow 4 (authorization request, its interaction, resume, code exchange).",
      `The table of requests one at a time (${w.sequentialFlows} flows and ${w.sequentialGrants} grants of each ID token algorithm on each server, ` +
        "sent one after another) shows where each side's CPU goes: each server times every request it answers, from its " +
        "`request` event to the end of the answer (`bench/child.ts`). It judges each hosted page against the peer's mean " +
        `request timed the same way; the password form includes one comparison at cost ${bcryptCost}. One request at a ` +
        'time costs more than under load, where requests share wake-ups and socket writes.',
      `The forms' table puts beside our two forms under target what their Redis and SQL work costs alone (\`bench/peer/floor.ts\`, ${w.floorRequests} of each, ` +
        'one at a time, after as many untimed): the same commands in the same order and concurrency as section 1 counts for ' +
        "each form, sent by the same libraries (ioredis, rate-limiter-flexible, knex on pg) to the server's own tables from a bare Koa " +
        'handler with none of the server around them (no oidc-provider, templates, logging, metrics or validation), timed as the servers are. ' +
        "What the contract makes a form ask of its backends costs at least that much, however thin the server around it.",
      'Each signature row is one ID-token signature alone, with a key of the type the server generates for that algorithm ' +
        '(RSA 2048, P-256, Ed25519), in a process of its own with the same runtime settings, signed ' +
        "as oidc-provider signs (jose's `CompactSign` with the private JWK, the work done on libuv's thread pool), every " +
        "thread counted. Each refresh grant and each code flow signs one ID token, on both sides, with its client's algorithm; " +
        'the rest of a grant is the same whatever the algorithm, so the rows of the first table differ by their signatures and by noise.',
    ],
  };
}
