import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { relyingParty, saveRecoveryCodes, seedActiveAccount, strongPassword, totpNow, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { startSentinelSet, sentinelSkip, type SentinelSet } from '../helpers/redis-sentinel.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { probe, waitUntil } from '../helpers/wait.ts';

/**
 * The store behind Redis Sentinel (REDIS_SENTINELS): a master, a replica and three Sentinels, each
 * a redis-server process started here. The master is killed in the middle of user journeys and of
 * a sign-in load; the Sentinels promote the replica, the server follows it, and every security
 * write it acknowledged before (a code used, a TOTP step used, a lock) still holds after.
 */

const skip = sentinelSkip || backends()[1]!.skip;
const UNAVAILABLE = 'Sorry, the service is temporarily unavailable';
const CODE_EXPIRED = 'This code has expired or can no longer be used. Send a new code.';
const TOTP_REFUSED = 'The code is incorrect or has already been used. Wait for a new code and try again.';
const LOCKED = /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/;

function assertUnavailable(page: Page, what: string): void {
  assert.equal(page.status, 503, `${what}: got ${page.status} "${page.$('h1').text().trim()}"`);
  assert.equal(page.$('h1').text().trim(), UNAVAILABLE, what);
}

function reachedClient(page: Page): boolean {
  return page.url.startsWith(publicClient.redirect_uris[0]);
}

/**
 * For the enclosing describe: a Sentinel set of its own, and a server on it (PostgreSQL as in the
 * other suites, the store on the Sentinels instead of REDIS_URL), all stopped after its tests.
 */
function serveOnSentinels(): { readonly redis: SentinelSet; readonly t: TestServer } {
  const backend = backends()[1]!;
  const running = {} as { redis: SentinelSet; t: TestServer };
  before(async () => {
    running.redis = await startSentinelSet();
    running.t = await startTestServer(backend, { ...running.redis.env, REDIS_URL: '' });
  });
  after(async () => {
    await running.t?.close();
    await running.redis?.stop();
    await backend.cleanup();
  });
  return running;
}

/** Email and password of a sign-in, up to the authenticator code page. */
async function toTotpPage(t: TestServer, email: string): Promise<{ rp: RelyingParty; checks: Awaited<ReturnType<RelyingParty['start']>>; page: Page }> {
  const rp = await relyingParty(t);
  const checks = await rp.start();
  const signIn = await rp.browser.submit(checks.page, '/email', { email });
  const page = await rp.browser.submit(signIn, '/password', { password: strongPassword });
  assert.match(page.html, /Enter the verification code from your authenticator app\./, `${email}: the authenticator step`);
  return { rp, checks, page };
}

/** A first-time login up to the "code sent" page; the code emailed comes with it. */
async function toCodeSent(t: TestServer, email: string): Promise<{ rp: RelyingParty; checks: Awaited<ReturnType<RelyingParty['start']>>; sent: Page; code: string }> {
  const rp = await relyingParty(t);
  const checks = await rp.start();
  const signIn = await rp.browser.submit(checks.page, '/email', { email });
  const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
  const before = t.mail.messages.length;
  const sent = await rp.browser.submit(help, '/activation/send');
  assert.match(sent.html, /Verification code has been sent/, `${email}: the code is sent`);
  return { rp, checks, sent, code: codeFrom(await t.mail.next(email, before)) };
}

interface Load {
  /** Sign-ins that reached the client and exchanged their code, by when they started. */
  readonly completed: { before: number; after: number };
  /** Sign-ins given up on a 503 page: the user is told to try again. */
  readonly unavailable: number;
  /** Anything else: a 500, a wrong page, a refused code exchange. */
  readonly failures: string[];
  /** From now on, sign-ins count as started after the failover. */
  markFailover(): void;
  stop(): Promise<void>;
}

/**
 * `workers` users signing in one after another, each with accounts of its own (an account signs
 * in once, so no authenticator code is ever a replay), until stopped or out of accounts. At most
 * `beforeFailover` sign-ins start before markFailover(), so accounts remain for after it however
 * fast the machine. Like a load balancer, a worker sends nothing more to the instance after a 503
 * until its readiness is back.
 */
function signInLoad(t: TestServer, accounts: ReadonlyArray<{ email: string; secret: string }>, workers: number, beforeFailover: number): Load {
  const completed = { before: 0, after: 0 };
  const failures: string[] = [];
  let unavailable = 0;
  let stopping = false;
  let next = 0;
  let failover!: () => void;
  const failedOver = new Promise<void>((resolve) => (failover = resolve));
  let afterFailover = false;
  void failedOver.then(() => (afterFailover = true));
  const worker = async () => {
    while (!stopping && next < accounts.length) {
      if (!afterFailover && next >= beforeFailover) await failedOver;
      if (unavailable > 0) await waitUntil(async () => (await probe(`${t.issuer}/readyz`)).status === 200, 'readiness', 60_000);
      if (stopping) return;
      const { email, secret } = accounts[next++]!;
      const started = afterFailover ? 'after' : 'before';
      try {
        const rp = await relyingParty(t);
        const checks = await rp.start();
        let page = checks.page;
        for (const [action, fields] of [
          ['/email', { email }],
          ['/password', { password: strongPassword }],
          ['/totp', { code: totpNow(t, secret) }],
        ] as const) {
          if (page.status === 503) break;
          page = await rp.browser.submit(page, action, fields);
        }
        if (page.status === 503 && page.$('h1').text().trim() === UNAVAILABLE) {
          unavailable += 1;
        } else if (reachedClient(page)) {
          assert.ok((await rp.finish(page.url, checks)).id_token);
          completed[started] += 1;
        } else {
          failures.push(`${email}: ${page.status} "${page.$('h1').text().trim()}" ${errorsOn(page).join(' ')} at ${page.url}`);
        }
      } catch (error) {
        failures.push(`${email}: ${(error as Error).message}`);
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    completed,
    get unavailable() {
      return unavailable;
    },
    failures,
    markFailover: () => failover(),
    async stop() {
      stopping = true;
      failover();
      await running;
    },
  };
}

describe('Redis Sentinel: the master killed mid-journey and under a sign-in load', { skip }, () => {
  let load: Load | undefined;
  after(() => load?.stop());
  const running = serveOnSentinels();

  it('follows the promoted replica, continues every journey, and loses no code used, step used or lock', async () => {
    const { redis, t } = running;
    const done = await seedActiveAccount(t, 'sentinel.done@example.com');
    const locked = await seedActiveAccount(t, 'sentinel.locked@example.com');
    await t.server.services.accounts.create({ email: 'sentinel.first@example.com' });
    const loadAccounts = [];
    for (let i = 0; i < 100; i++) loadAccounts.push({ email: `sentinel.load.${i}@example.com`, ...(await seedActiveAccount(t, `sentinel.load.${i}@example.com`)) });

    // Before the failover: a sign-in uses an authenticator code, a first-time login uses its emailed
    // code, and an account is locked.
    const usedTotp = totpNow(t, done.secret);
    const signedIn = await toTotpPage(t, 'sentinel.done@example.com');
    assert.ok(reachedClient(await signedIn.rp.browser.submit(signedIn.page, '/totp', { code: usedTotp })), 'the sign-in before the failover');

    const first = await toCodeSent(t, 'sentinel.first@example.com');
    const verified = await first.rp.browser.submit(first.sent, '/activation/verify', { code: first.code });
    assert.match(verified.html, /The code has been verified/);
    const choose = await first.rp.browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
    assert.equal(choose.status, 200);

    const lockRp = await relyingParty(t);
    let lockPage = await lockRp.browser.submit((await lockRp.start()).page, '/email', { email: 'sentinel.locked@example.com' });
    for (let i = 0; i < 10; i++) lockPage = await lockRp.browser.submit(lockPage, '/password', { password: 'Wrong#Guess99' });
    const lockedBefore = await lockRp.browser.submit(lockPage, '/password', { password: strongPassword });
    assert.equal(lockedBefore.status, 429);
    assert.match(errorsOn(lockedBefore)[0] ?? '', LOCKED);

    load = signInLoad(t, loadAccounts, 4, 40);
    await waitUntil(async () => load!.completed.before >= 4, 'the sign-in load to be under way', 60_000, 10);

    await redis.killMaster();
    await waitUntil(async () => (await probe(`${t.issuer}/readyz`)).status === 503, 'readiness to report the lost master', 15_000, 50);
    const outage = JSON.parse((await probe(`${t.issuer}/readyz`)).body) as { status: string; reason?: string };
    assert.equal(outage.status, 'unavailable');
    assert.match(outage.reason ?? '', /Redis master "sso-master" of REDIS_SENTINELS=/, 'the reason names the master and its Sentinels');
    assert.doesNotMatch(outage.reason ?? '', new RegExp(redis.env.REDIS_PASSWORD!), 'no password in the reason');

    await redis.failedOver();
    assert.equal(await redis.masterPort(), redis.replicaPort);
    // The old master comes back as a replica, so writes are confirmed by a replica again.
    await redis.restartOldMasterAsReplica();
    load.markFailover();
    await waitUntil(async () => (await probe(`${t.issuer}/readyz`)).status === 200, 'readiness on the new master', 30_000);
    // The lock (60 s) is checked first, well before it would run out by itself.
    const stillLocked = await lockRp.browser.submit(lockedBefore, '/password', { password: strongPassword });
    assert.equal(stillLocked.status, 429, 'the lock survived the failover');
    assert.match(errorsOn(stillLocked)[0] ?? '', LOCKED);
    await waitUntil(async () => load!.completed.after >= 8, 'sign-ins to complete on the new master', 90_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify({ ...load!.completed, unavailable: load!.unavailable, failures: load!.failures })}`);
    });
    await load.stop();
    assert.deepEqual(load.failures, [], 'every sign-in either completed or was told to try again');

    // After it: the code used is refused, and the step used is refused.

    const reused = await first.rp.browser.submit(first.sent, '/activation/verify', { code: first.code });
    assert.equal(reused.status, 400, 'the emailed code used before the failover is refused after it');
    assert.deepEqual(errorsOn(reused), [CODE_EXPIRED]);

    const replay = await toTotpPage(t, 'sentinel.done@example.com');
    const replayed = await replay.rp.browser.submit(replay.page, '/totp', { code: usedTotp });
    assert.ok(!reachedClient(replayed), 'the authenticator code used before the failover is refused after it');
    assert.deepEqual(errorsOn(replayed), [TOTP_REFUSED]);

    // The first-time login interrupted by the failover finishes in the same interaction.
    const enroll = await first.rp.browser.submit(choose, '/new-password', { password: strongPassword, confirmation: strongPassword });
    assert.equal(enroll.$('img[alt="QR code"]').length, 1, `the password step after the failover: ${enroll.status}`);
    const secret = enroll.$('code.secret').text().replace(/\s+/g, '');
    const codePage = await first.rp.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
    const { next: callback } = await saveRecoveryCodes(first.rp.browser, await first.rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) }));
    assert.ok(reachedClient(callback), `the first-time login ends at the client: ${callback.url}`);
    assert.ok((await first.rp.finish(callback.url, first.checks)).id_token);
  });
});

describe('Redis Sentinel: a security write no replica confirmed is never acknowledged', { skip }, () => {
  const running = serveOnSentinels();

  it('answers 503 while replication lags, so the failover that loses the write undoes nothing a user was told', async () => {
    const { redis, t } = running;
    const { secret } = await seedActiveAccount(t, 'lag.signin@example.com');
    await t.server.services.accounts.create({ email: 'lag.first@example.com' });
    const signIn = await toTotpPage(t, 'lag.signin@example.com');
    const first = await toCodeSent(t, 'lag.first@example.com');
    const code = totpNow(t, secret);

    // The replica stops receiving: whatever the master takes now, a failover loses.
    redis.replication.pause();
    assertUnavailable(await signIn.rp.browser.submit(signIn.page, '/totp', { code }), 'the authenticator code while no replica confirms');
    assertUnavailable(await first.rp.browser.submit(first.sent, '/activation/verify', { code: first.code }), 'the emailed code while no replica confirms');

    await redis.killMaster();
    await redis.failedOver();
    await redis.restartOldMasterAsReplica();
    await waitUntil(async () => (await probe(`${t.issuer}/readyz`)).status === 200, 'readiness on the new master', 30_000);

    // Neither use was acknowledged, so each code works once now, and only once.
    const callback = await signIn.rp.browser.submit(signIn.page, '/totp', { code });
    assert.ok(reachedClient(callback), `the authenticator code is accepted once: ${callback.status} ${errorsOn(callback).join(' ')}`);
    assert.ok((await signIn.rp.finish(callback.url, signIn.checks)).id_token);
    const replay = await toTotpPage(t, 'lag.signin@example.com');
    assert.deepEqual(errorsOn(await replay.rp.browser.submit(replay.page, '/totp', { code })), [TOTP_REFUSED]);

    const verified = await first.rp.browser.submit(first.sent, '/activation/verify', { code: first.code });
    assert.match(verified.html, /The code has been verified/);
    assert.deepEqual(errorsOn(await first.rp.browser.submit(first.sent, '/activation/verify', { code: first.code })), [CODE_EXPIRED]);
  });
});
