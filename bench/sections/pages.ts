import { AccountPool, seedAccounts } from '../accounts.ts';
import type { BenchContext, SignInTarget } from '../context.ts';
import { signInNext } from '../context.ts';
import { firstTimeLogin, passwordReset, steps, type Step } from '../flows.ts';
import { openLoop } from '../load.ts';
import { fixed, pass, type Section } from '../report.ts';
import { Samples, summarise } from '../stats.ts';

const load = 0.7;
const p99TargetMs = 50;
/** Of every ten users arriving: eight sign in, one logs in for the first time, one resets a password. */
const mix = ['signIn', 'signIn', 'signIn', 'signIn', 'signIn', 'signIn', 'signIn', 'signIn', 'firstTime', 'reset'] as const;

/**
 * Page and submit latencies at 70% of the sign-in capacity measured in section 1, with users
 * arriving at a steady rate (open loop) through all three flows, so every hosted page is hit.
 * Each flow spends one bcrypt operation, like a sign-in, so the mix keeps the load at 70%.
 */
export async function measurePages(ctx: BenchContext, target: SignInTarget, capacity: number): Promise<Section> {
  const durationMs = ctx.quick ? 15_000 : 60_000;
  const rate = capacity * load;
  const flows = Math.ceil((durationMs / 1000) * rate);
  /** The server was warmed up with sign-ins only: the first first-time logins and resets would time V8 compiling their code. */
  const warmUpFlows = 3;
  const perKind = Math.ceil(flows / mix.length) + 10 + warmUpFlows;
  await seedAccounts(target.knex, 'invited', { from: 1, to: perKind }, 'invited');
  await seedAccounts(target.knex, 'reset', { from: 1, to: perKind }, { active: target.credentials });
  const invited = new AccountPool('invited', { from: 1, to: perKind }, false);
  const resets = new AccountPool('reset', { from: 1, to: perKind }, false);

  // Ten seconds' worth of arrivals: at 70% of capacity only a stall of the server gets there.
  const maxInFlight = Math.max(32, Math.ceil(rate * 10));
  const samples = new Samples();
  const record = (step: Step, exchange: { ms: number }) => samples.add(step.label, exchange.ms);
  const options = { connection: target.connection, record };
  ctx.log('pages: warming up the first-time login and reset flows');
  const unrecorded = { connection: target.connection, record: () => undefined };
  for (let i = 0; i < warmUpFlows; i++) {
    await firstTimeLogin({ ...unrecorded, mail: ctx.env.mail }, await invited.next());
    await passwordReset(unrecorded, { email: await resets.next(), totpSecret: target.credentials.totpSecret });
  }
  ctx.log(`pages: ${fixed(rate, 2)} flows/s for ${durationMs / 1000} s`);
  const run = await openLoop({
    ratePerSecond: rate,
    durationMs,
    maxInFlight,
    iteration: async (index) => {
      const kind = mix[index % mix.length]!;
      if (kind === 'signIn') await signInNext(target, record);
      else if (kind === 'firstTime') await firstTimeLogin({ ...options, mail: ctx.env.mail }, await invited.next());
      else await passwordReset(options, { email: await resets.next(), totpSecret: target.credentials.totpSecret });
    },
  });

  const rows = Object.values(steps)
    .filter((step) => samples.get(step.label).length > 0)
    .map((step) => {
      const s = summarise(samples.get(step.label));
      const targeted = step.kind === 'page' || step.kind === 'check';
      return [
        step.label,
        String(s.count),
        fixed(s.p50),
        fixed(s.p99),
        targeted ? `p99 ≤ ${p99TargetMs}` : step.kind === 'hash' ? 'exempt (bcrypt)' : '—',
        targeted ? pass(s.p99 <= p99TargetMs) : '',
      ];
    });
  return {
    title: '3. Pages at 70% of capacity',
    method:
      `Users arrive at ${fixed(rate, 2)} flows/s (70% of the ${fixed(capacity, 2)} sign-ins/s measured at concurrency 16) for ` +
      `${durationMs / 1000} s: 8 in 10 sign in, 1 in 10 logs in for the first time (emailed code through a loopback SMTP ` +
      'server, new password, authenticator enrollment), 1 in 10 resets a forgotten password, after 3 of each of the last two ' +
      'untimed (the server was warmed up with sign-ins). Latency is from sending the ' +
      'request to the last byte of the answer, as the user sees it; p99 is nearest-rank, so with few samples it is the worst one.' +
      (run.turnedAway === 0
        ? ''
        : ` The server fell behind: ${run.turnedAway} arrivals were turned away with ${maxInFlight} flows already in flight.`),
    tables: [{ headers: ['request', 'samples', 'p50 (ms)', 'p99 (ms)', 'target', 'result'], rows }],
  };
}
