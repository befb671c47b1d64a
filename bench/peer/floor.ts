/**
 * The floor: what the contract makes the email and authenticator forms ask of Redis and PostgreSQL,
 * asked by the same client libraries (ioredis, rate-limiter-flexible, knex on pg) from a bare Koa
 * handler, with none of the server's own layers: no oidc-provider, templates, logging, metrics,
 * validation or error handling. Each form sends what the server's sends, in the same order and
 * with the same concurrency (the round-trip table of section 1), against the server's own tables,
 * and answers with the same redirect. What a form costs here is what it would cost however thin
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
const redis = new Redis(settings.REDIS_URL, {
  scripts: {
    // The account's attempt counter: taken before the check and given back after a right one.
    reserve: { numberOfKeys: 1, lua: "local n = redis.call('incr', KEYS[1]) redis.call('expire', KEYS[1], 86400) return n" },
    giveBack: { numberOfKeys: 1, lua: "return redis.call('decr', KEYS[1])" },
  },
}) as Redis & { reserve(key: string): Promise<number>; giveBack(key: string): Promise<number> };
const knex = knexFactory({
  client: 'pg',
  connection: { connectionString: settings.DATABASE_URL, statement_timeout: 5_000, query_timeout: 6_000, keepAlive: true },
  searchPath: [settings.FLOOR_DATABASE_SCHEMA],
  pool: { min: 0, max: 10 },
});
const addressFailures = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}ip`, points: 1_000_000, duration: 3_600 });

const account = (await knex.raw('select "id", "email" from "accounts" where lower("email") = ?', [settings.FLOOR_EMAIL])).rows[0] as { id: string; email: string };
const factor = (await knex.raw('select "id" from "factors" where "account_id" = ? limit 1', [account.id])).rows[0] as { id: string };
// The same statement shapes as the server's repositories: the account with its factors as one JSON column.
const factorsColumn = `coalesce((select json_agg(f order by f.created_at) from "factors" f where f.account_id = "accounts".id), '[]') as factors`;
const byEmail = `select "accounts".*, ${factorsColumn} from "accounts" where lower(email) = ? limit 1`;
const byId = `select "accounts".*, ${factorsColumn} from "accounts" where "id" = ? limit 1`;
const touch = 'update "factors" set "last_used_at" = ? where "id" = ?';
const audit = 'insert into "audit_events" ("at", "event", "outcome", "account_id", "email", "ip", "user_agent", "client_id", "details") values (?, ?, ?, ?, ?, ?, ?, ?, ?)';

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
  const found = (await knex.raw(byEmail, [String(form.email ?? '').toLowerCase()])).rows[0] as { id: string } | undefined;
  await addressFailures.reward(ctx.ip, 1);
  await Promise.all([
    redis.set(key('flow'), JSON.stringify({ ...flow, accountId: found?.id }), 'EX', 900),
    redis.expire(key('interaction'), 3_600),
  ]);
  ctx.status = 303;
  ctx.redirect('/password');
}

async function authenticatorForm(ctx: Context): Promise<void> {
  await loadInteraction();
  const form = await readForm(ctx);
  const row = (await knex.raw(byId, [account.id])).rows[0] as { factors: Array<{ secret: string }> };
  const counter = key(`bf-account:${account.id}`);
  await Promise.all([addressFailures.consume(ctx.ip, 1), redis.reserve(counter)]);
  // The code checked against the app's secret (three time steps), then its step claimed once.
  for (const step of [-1, 0, 1]) createHmac('sha1', row.factors[0]?.secret ?? '').update(`${step}${form.code}`).digest();
  await redis.set(key(`totp-step:${randomBytes(8).toString('hex')}`), '1', 'EX', 90, 'NX');
  await Promise.all([addressFailures.reward(ctx.ip, 1), redis.giveBack(counter)]);
  await knex.raw(touch, [new Date(), factor.id]);
  await knex.raw(audit, [new Date(), 'signin.success', 'success', account.id, account.email, ctx.ip, 'sso-bench', 'bench-public', { purpose: 'signin', amr: 'pwd otp', factor: 'authenticator-app' }]);
  await Promise.all([
    redis.del(counter),
    redis.del(key('other-flow')),
    redis.set(key('interaction'), interactionRecord, 'EX', 3_600),
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
