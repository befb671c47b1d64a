/**
 * The peer: bare oidc-provider, the version the server is built on, in Koa with the smallest
 * interaction that completes itself (login and consent at once) and a Redis adapter of the
 * documentation's example shape. What our server adds on top of the engine is what the benchmark
 * compares against it. Started by server-handle.ts like the server, with the same runtime settings.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import Koa, { type Context, type Next } from 'koa';
import mount from 'koa-mount';
import Provider, { type Configuration } from 'oidc-provider';
import { listenForParent } from '../child.ts';
import { generateSigningKey } from '../../src/secrets.ts';
import { benchAlgorithms, benchClients } from '../client.ts';
import type { RoundTrips } from '../../harness/round-trips.ts';
import { peerAdapter } from './adapter.ts';
import { peerEnvironment } from './settings.ts';

const settings = peerEnvironment.parse(process.env);
const redis = new Redis(settings.REDIS_URL);
const counts: RoundTrips = {};
const count = (command: string) => {
  counts[`store.${command}`] = (counts[`store.${command}`] ?? 0) + 1;
  counts['trips.store'] = (counts['trips.store'] ?? 0) + 1;
};

/** The key types the server generates when it has no key set: RSA 2048 (RS256), P-256 (ES256), Ed25519 (EdDSA). */
const signingKeys = benchAlgorithms.map((alg) => generateSigningKey(alg));

const provider = new Provider(settings.PEER_ISSUER, {
  adapter: peerAdapter(redis, settings.PEER_REDIS_PREFIX, count),
  // One client per ID token algorithm, as registered at the server.
  clients: benchClients,
  jwks: { keys: signingKeys } as Configuration['jwks'],
  cookies: {
    keys: [settings.PEER_COOKIE_KEY],
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },
  // Claims of the same size as the server's, from memory: the bare engine reads no database.
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, email: `${sub}@bench.example.com`, email_verified: true, name: 'Bench User' }),
  }),
  // The server's token contents and lifetimes, so both sign and store the same amount.
  claims: { openid: ['sub', 'auth_time', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  responseTypes: ['code'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 12 * 3600, Grant: 30 * 24 * 3600, RefreshToken: 30 * 24 * 3600 },
});
provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`peer: ${error.stack ?? error.message}\n`));

/** Signs in the account the authorization request names in login_hint and grants what it asked for. */
async function completeInteraction(ctx: Context, next: Next): Promise<void> {
  if (!/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = String(details.params.login_hint ?? 'peer-user');
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId, amr: ['pwd', 'otp'] }, consent: { grantId } });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

const app = new Koa();
app.keys = [settings.PEER_COOKIE_KEY];
app.use(completeInteraction);
app.use(mount(provider));

await listenForParent({ http: createServer(app.callback()), roundTrips: () => ({ ...counts }), close: async () => void redis.disconnect() }, settings.PORT);
