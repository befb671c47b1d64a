/**
 * The floor: what the contract makes the email and authenticator forms ask of Redis and PostgreSQL,
 * asked by the same client libraries (ioredis, rate-limiter-flexible, knex on pg) from a bare Koa
 * handler, with none of the server's own layers: no oidc-provider, templates, logging, metrics,
 * validation or error handling. Each form sends what the server's sends, in the same order and
 * with the same concurrency (the round-trip table of section 1), with the server's own SQL statements
 * and Redis scripts (imported from src/) against its own tables and key layout, and answers with the
 * same redirect. What a form costs here is what it would cost however thin
 * the server around it were. Started by server-handle.ts like the server, with the same runtime
 * settings.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import Koa, { type Context } from 'koa';
import knexFactory from 'knex';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { z } from 'zod';
import { byEmailQuery, byIdQuery } from '../../src/accounts/repository.ts';
import { insertOneQuery } from '../../src/audit.ts';
import { touchQuery } from '../../src/factors/repository.ts';
import { accountPolicy } from '../../src/security/brute-force.ts';
import { RedisClock } from '../../src/store/redis-clock.ts';
import { storeScripts, type ScriptedRedis } from '../../src/store/redis.ts';
import { listenForParent } from '../child.ts';

const settings = z
  .object({
    PORT: z.coerce.number().int().positive(),
    REDIS_URL: z.string().min(1),
    FLOOR_REDIS_PREFIX: z.string().min(1),
    DATABASE_URL: z.string().min(1),
    FLOOR_DATABASE_SCHEMA: z.string().min(1),
    FLOOR_EMAIL: z.email(),
  })
  .parse(process.env);

const prefix = settings.FLOOR_REDIS_PREFIX;
// The store's own scripts, sent as the store sends them.
const redis = new Redis(settings.REDIS_URL, { scripts: storeScripts }) as ScriptedRedis;
const knex = knexFactory({
  client: 'pg',
  connection: { connectionString: settings.DATABASE_URL, statement_timeout: 5_000, query_timeout: 6_000, keepAlive: true },
  searchPath: [settings.FLOOR_DATABASE_SCHEMA],
  pool: { min: 0, max: 10 },
});
// Each write carries a deadline on Redis's clock, as the store's do.
const clock = new RedisClock(redis);
const deadline = () => clock.deadline(1_750);
const addressFailures = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}ip`, points: 1_000_000, duration: 3_600 });

const account = (await knex.raw('select "id", "email" from "accounts" where lower("email") = ?', [settings.FLOOR_EMAIL])).rows[0] as { id: string; email: string };
const factor = (await knex.raw('select "id" from "factors" where "account_id" = ? limit 1', [account.id])).rows[0] as { id: string };

const key = (name: string) => prefix + name;
const csrfKey = randomBytes(32);
const mac = (value: string) => createHmac('sha256', csrfKey).update(value).digest('base64url');
const interactionRecord = JSON.stringify({
  jti: 'i'.repeat(43),
  kind: 'Interaction',
  exp: Math.floor(Date.now() / 1000) + 3_600,
  returnTo: `http://127.0.0.1:${settings.PORT}/auth/${'i'.repeat(43)}`,
  prompt: { name: 'login', reasons: ['no_session'], details: {} },
  params: { client_id: 'bench-public', redirect_uri: 'http://127.0.0.1:9/callback', response_type: 'code', scope: 'openid email profile offline_access', state: 's'.repeat(11), nonce: 'n'.repeat(11), code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' },
  cid: 'c'.repeat(21),
});
const flowRecord = JSON.stringify({ uid: 'i'.repeat(43), purpose: 'signin', accountId: account.id, email: account.email, proofs: [], started: Date.now() });
await redis.set(key('interaction'), interactionRecord);
await redis.set(key('flow'), flowRecord);

/** The form's fields, once its CSRF token checks out (the token is a MAC of the interaction, as the server's). */
async function readForm(ctx: Context): Promise<Record<string, string>> {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  const form = Object.fromEntries(new URLSearchParams(body));
  // The same work whatever the token: the parent sends one of the right length.
  const expected = Buffer.from(mac('i'.repeat(43)));
  const given = Buffer.from(form._csrf ?? '');
  if (given.length === expected.length) timingSafeEqual(given, expected);
  return form;
}

/** What every step reads first: the interaction and the flow, in one round trip. */
async function loadInteraction(): Promise<{ flow: Record<string, unknown> }> {
  const [interaction, flow] = await Promise.all([redis.get(key('interaction')), redis.get(key('flow'))]);
  JSON.parse(interaction!);
  return { flow: JSON.parse(flow!) as Record<string, unknown> };
}

async function emailForm(ctx: Context): Promise<void> {
  const { flow } = await loadInteraction();
  const form = await readForm(ctx);
  await addressFailures.consume(ctx.ip, 1);
  const found = (await knex.raw(byEmailQuery, [String(form.email ?? '').toLowerCase()])).rows[0] as { id: string } | undefined;
  await addressFailures.reward(ctx.ip, 1);
  await Promise.all([
    redis.storeCommand(1, key('flow'), deadline(), 'SET', JSON.stringify({ ...flow, accountId: found?.id }), 'EX', 900),
    redis.storeWrite(1, key('interaction'), deadline(), 'e', 3_600),
  ]);
  ctx.status = 303;
  ctx.redirect('/password');
}

async function authenticatorForm(ctx: Context): Promise<void> {
  await loadInteraction();
  const form = await readForm(ctx);
  const row = (await knex.raw(byIdQuery, [account.id])).rows[0] as { factors: Array<{ secret: string }> };
  const counter = key(`bf-account:${account.id}`);
  const policy = accountPolicy;
  const [, reserved] = await Promise.all([
    addressFailures.consume(ctx.ip, 1),
    redis.storeReserveAttempt(counter, deadline(), Date.now(), policy.threshold, policy.lockBaseSeconds, policy.lockMaxSeconds, policy.memorySeconds),
  ]);
  // The code checked against the app's secret (three time steps), then its step claimed once.
  for (const step of [-1, 0, 1]) createHmac('sha1', row.factors[0]?.secret ?? '').update(`${step}${form.code}`).digest();
  await redis.storeRaise(key('totp-step'), deadline(), Date.now(), 90);
  await Promise.all([addressFailures.reward(ctx.ip, 1), redis.storeReturnAttempt(counter, deadline(), String(reserved[2] ?? 0))]);
  await knex.raw(touchQuery, [new Date(), factor.id]);
  await knex.raw(insertOneQuery, [new Date(), 'signin.success', 'success', account.id, account.email, ctx.ip, 'sso-bench', 'bench-public', { purpose: 'signin', amr: 'pwd otp', factor: 'authenticator-app' }]);
  await Promise.all([
    redis.storeCommand(1, counter, deadline(), 'DEL'),
    redis.storeCommand(1, key('other-flow'), deadline(), 'DEL'),
    redis.storeWrite(1, key('interaction'), deadline(), 's', interactionRecord, 3_600),
  ]);
  ctx.status = 303;
  ctx.redirect(`/auth/${'i'.repeat(43)}`);
}

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/email') return emailForm(ctx);
  if (ctx.method === 'POST' && ctx.path === '/totp') return authenticatorForm(ctx);
  ctx.status = 404;
});

await listenForParent(
  {
    http: createServer(app.callback()),
    roundTrips: () => ({}),
    close: async () => {
      redis.disconnect();
      await knex.destroy();
    },
  },
  settings.PORT,
);
