import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { rules } from '../../src/config.ts';
import { HeaderBrowser, authorize, uidOf } from '../helpers/attack.ts';
import { relyingParty, seedActiveAccount } from '../helpers/flows.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * No anonymous way to fill the store: what 1,000 authorization requests from one address leave in
 * Redis is measured, key by key, and held to the bound SECURITY.md states.
 */
const backend = backends().find((b) => b.name === 'postgres+redis')!;

/** SECURITY.md: per address, at most rules.authorizationRequestsPerWindow interactions of at most this size live at once. */
const interactionBytesBound = rules.authorizationRequestMaxBytes + 4096;

function authorizationUrl(issuer: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: publicClient.client_id,
    response_type: 'code',
    scope: 'openid email',
    redirect_uri: publicClient.redirect_uris[0],
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...extra,
  });
  return `${issuer}/auth?${params}`;
}

async function keysUnder(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (const key of found) sizes.set(key, (await redis.memory('USAGE', key)) ?? 0);
    cursor = next;
  } while (cursor !== '0');
  return sizes;
}

/** Runs `tasks` with at most `width` in flight. */
async function inWaves<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => task(start + i)))));
  }
  return results;
}

describe('security: anonymous requests cannot fill the store (postgres+redis)', { skip: backend.skip, timeout: 300_000 }, () => {
  let t: TestServer;
  let redis: Redis;
  const prefix = backend.env.SSO_REDIS_PREFIX ?? '';

  before(async () => {
    t = await startTestServer(backend, { SSO_TRUST_PROXY: 'true' });
    redis = new Redis(process.env.TEST_REDIS_URL!);
  });
  after(async () => {
    redis?.disconnect();
    await t?.close();
    await backend.cleanup();
  });

  it('keeps what 1,000 anonymous authorization requests from one address add within the stated bound', async () => {
    const before = await keysUnder(redis, prefix);
    // The largest state the cap lets through, so every interaction is as big as it can be.
    const base = authorizationUrl(t.issuer, { state: '' });
    const state = 'x'.repeat(rules.authorizationRequestMaxBytes - (base.length - base.indexOf('?') - 1));
    const statuses = await inWaves(1000, 50, async () => {
      const response = await fetch(authorizationUrl(t.issuer, { state }), { redirect: 'manual', headers: { 'x-forwarded-for': '198.51.100.77' } });
      await response.arrayBuffer();
      return { status: response.status, retryAfter: response.headers.get('retry-after') };
    });
    const accepted = statuses.filter((s) => s.status === 303).length;
    assert.equal(accepted, rules.authorizationRequestsPerWindow, 'the address gets its window of requests');
    const limited = statuses.filter((s) => s.status === 429);
    assert.equal(limited.length, 1000 - accepted, 'the rest are refused');
    assert.ok(limited.every((s) => Number(s.retryAfter) > 0 && Number(s.retryAfter) <= rules.authorizationWindowSeconds), 'with Retry-After');

    const added = [...(await keysUnder(redis, prefix))].filter(([key]) => !before.has(key));
    const bytes = added.reduce((sum, [, size]) => sum + size, 0);
    const keyBound = rules.authorizationRequestsPerWindow + 1;
    assert.ok(added.length <= keyBound, `${added.length} keys added, bound ${keyBound}`);
    const byteBound = rules.authorizationRequestsPerWindow * interactionBytesBound;
    assert.ok(bytes <= byteBound, `${bytes} bytes added, bound ${byteBound}`);
    for (const [key] of added.filter(([key]) => key.includes('Interaction'))) {
      const ttl = await redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= rules.anonymousInteractionSeconds, `${key} lives ${ttl} s`);
    }
  });

  it('refuses authorization and pushed authorization requests past the size cap', async () => {
    const big = 'y'.repeat(rules.authorizationRequestMaxBytes + 1);
    const page = await fetch(authorizationUrl(t.issuer, { state: big }), { headers: { 'x-forwarded-for': '198.51.100.78' } });
    assert.equal(page.status, 413);
    assert.match(await page.text(), /This request is too large/);
    const body = new URLSearchParams({ client_id: 'test-confidential', response_type: 'code', redirect_uri: 'http://127.0.0.1:9/confidential/callback', state: 'z'.repeat(50_000) });
    const pushed = await fetch(`${t.issuer}/request`, {
      method: 'POST',
      body,
      headers: { authorization: `Basic ${Buffer.from('test-confidential:test-confidential-secret-0123456789abcdef').toString('base64')}`, 'x-forwarded-for': '198.51.100.78' },
    });
    assert.equal(pushed.status, 413);
    assert.equal(((await pushed.json()) as { error: string }).error, 'invalid_request');
  });

  it('gives an interaction its full life only once the email step has found the account', async () => {
    const email = `kept.${randomBytes(3).toString('hex')}@example.com`;
    await seedActiveAccount(t, email);
    const browser = new HeaderBrowser({ 'x-forwarded-for': '198.51.100.79' });
    const { page } = await authorize(await relyingParty(t), browser);
    const key = `${prefix}oidc:Interaction:${uidOf(page)}`;
    const anonymous = await redis.ttl(key);
    assert.ok(anonymous > 0 && anonymous <= rules.anonymousInteractionSeconds, `anonymous: ${anonymous} s`);
    const response = await browser.send(new URL(page.$('form').attr('action')!, page.url).toString(), {
      method: 'POST',
      body: new URLSearchParams({ _csrf: page.$('input[name=_csrf]').attr('value')!, email }),
    });
    assert.equal(response.status, 303);
    const kept = await redis.ttl(key);
    assert.ok(kept > rules.anonymousInteractionSeconds && kept <= rules.interactionTtlSeconds, `identified: ${kept} s`);
    const cookies = response.headers.getSetCookie().filter((c) => c.startsWith('_interaction'));
    assert.equal(cookies.filter((c) => !c.includes('.sig=')).length, 2, 'the interaction and resume cookies are set again');
    for (const cookie of cookies) assert.match(cookie, new RegExp(`max-age=${rules.interactionTtlSeconds}|expires=`, 'i'));
  });
});
