import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/db/knex.ts';
import { verifyPassword } from '../../src/security/password-hash.ts';
import { isBackendUnavailable } from '../../src/unavailable.ts';
import { errorsOn, formOf, type Browser, type Page } from '../../harness/browser.ts';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { createDeployment, deploymentSkip, type Deployment } from '../helpers/deployment.ts';
import { relyingParty, saveRecoveryCodes, seedActiveAccount, strongPassword, tokenRequest, toNewPassword, totpNow, type RelyingParty, signedInWithTokens } from '../helpers/flows.ts';
import { codeFrom, MailServer } from '../../harness/mail.ts';
import { sampleValue, scrape } from '../helpers/prometheus.ts';
import { backends, freePort, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { probe, statusOf, waitUntil, within } from '../helpers/wait.ts';

/**
 * Each backend taken away in the middle of a user's journey, through a TCP relay the test cuts
 * (the shared services stay up for everyone else), then brought back: the user is told to retry,
 * readiness says so, and the same journey continues once the backend answers, without a restart.
 */

/** PostgreSQL and Redis in a fresh schema and prefix of their own (one per suite, as each cleanup drops them). */
const onServices = () => backends()[1]!;
const skipServices = onServices().skip;

/** The same URL with its host and port replaced by the relay's. */
function through(url: string, proxy: TcpProxy): string {
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(proxy.port);
  return relayed.toString();
}

function target(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

function assertUnavailablePage(page: Page): void {
  assert.equal(page.status, 503);
  assert.equal(page.$('h1').text().trim(), 'Sorry, the service is temporarily unavailable');
  assert.match(page.html, /Please try again in a few minutes\./);
  assert.doesNotMatch(page.html, /at .*\.ts:\d+/, 'never a stack trace');
}

async function waitReady(t: TestServer): Promise<void> {
  await waitUntil(async () => (await statusOf(`${t.issuer}/readyz`)) === 200, 'readiness after the outage', 20_000);
}

/** Signs in through the hosted pages and returns the relying party and its tokens. */
async function signedIn(t: TestServer, email: string): Promise<{ rp: RelyingParty; refreshToken: string; accessToken: string }> {
  const { rp, tokens } = await signedInWithTokens(t, email);
  return { rp, refreshToken: tokens.refresh_token!, accessToken: tokens.access_token };
}

/** A refresh grant sent by hand, so a test sees the status and headers the client would get. */
function refresh(t: TestServer, refreshToken: string): Promise<Response> {
  return tokenRequest(t, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

async function assertOutageAnswer(response: Response, what: string): Promise<void> {
  assert.equal(response.status, 503, what);
  assert.equal(response.headers.get('retry-after'), '5', `${what}: Retry-After`);
  assert.equal(((await response.json()) as { error: string }).error, 'temporarily_unavailable', what);
}

/**
 * For the enclosing describe: a test server on PostgreSQL and Redis in a fresh schema and prefix,
 * one of which (`variable`) it reaches through a relay the tests can cut or pause; all stopped
 * after its tests.
 */
function serveThroughRelay(variable: 'DATABASE_URL' | 'REDIS_URL', env: Record<string, string> = {}): { readonly relay: TcpProxy; readonly t: TestServer } {
  const shared = onServices();
  const url = variable === 'DATABASE_URL' ? process.env.TEST_DATABASE_URL! : process.env.TEST_REDIS_URL!;
  const running = {} as { relay: TcpProxy; t: TestServer };
  before(async () => {
    running.relay = await startTcpProxy(target(url, variable === 'DATABASE_URL' ? 5432 : 6379));
    running.t = await startTestServer(shared, { [variable]: through(url, running.relay), ...env });
  });
  after(async () => {
    running.relay?.resume();
    await running.t?.close();
    await running.relay?.close();
    await shared.cleanup();
  });
  return running;
}
describe('Redis goes away mid-flow', { skip: skipServices }, () => {
  const running = serveThroughRelay('REDIS_URL');

  it('answers 503 with a clear page and readiness 503, then continues the same flow when Redis is back', async () => {
    const { relay: redis, t } = running;
    const email = 'redis.outage@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const rp = await relyingParty(t);
    const start = await rp.start();
    const signInPage = await rp.browser.submit(start.page, '/email', { email });

    await redis.cut();
    assertUnavailablePage(await rp.browser.submit(signInPage, '/password', { password: strongPassword }));
    assert.equal(await statusOf(`${t.issuer}/readyz`), 503);
    assertUnavailablePage((await rp.start()).page);
    assert.equal(await statusOf(`${t.issuer}/healthz`), 200, 'liveness does not depend on the backends');

    await redis.restore();
    await waitReady(t);
    const totpPage = await rp.browser.submit(signInPage, '/password', { password: strongPassword });
    assert.match(totpPage.html, /Enter the verification code from your authenticator app\./);
    const callback = await rp.browser.submit(totpPage, '/totp', { code: totpNow(t, secret) });
    assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `the same flow ends at the client: ${callback.url}`);
    assert.ok((await rp.finish(callback.url, start)).id_token);
  });
  it('answers the JSON endpoints 503 with Retry-After while Redis is away, then refreshes again', async () => {
    const { relay: redis, t } = running;
    const { refreshToken, accessToken } = await signedIn(t, 'redis.token@example.com');
    await redis.cut();
    await assertOutageAnswer(await refresh(t, refreshToken), 'refresh');
    await assertOutageAnswer(await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } }), 'userinfo');
    await redis.restore();
    await waitReady(t);
    assert.equal((await refresh(t, refreshToken)).status, 200, 'the same refresh token works once Redis is back');
  });
});

describe('PostgreSQL connections cut and restored', { skip: skipServices }, () => {
  const running = serveThroughRelay('DATABASE_URL');

  it('reconnects by itself, and keeps every password change and enrollment it acknowledged', async () => {
    const { relay: postgres, t } = running;
    const email = 'pg.outage@example.com';
    const { id } = await t.server.services.accounts.create({ email });
    const rp = await relyingParty(t);
    const choose = await toNewPassword(t.mail, rp, email);
    const account = () => t.server.services.accounts.findById(id);

    await postgres.cut();
    assertUnavailablePage(await rp.browser.submit(choose, '/new-password', { password: strongPassword, confirmation: strongPassword }));
    assert.equal(await statusOf(`${t.issuer}/readyz`), 503);
    await postgres.restore();
    await waitReady(t);
    assert.equal((await account())!.passwordHash, null, 'a change answered with 503 was not made');

    const enroll = await rp.browser.submit(choose, '/new-password', { password: strongPassword, confirmation: strongPassword });
    assert.equal(enroll.$('img[alt="QR code"]').length, 1, 'the retried password change is acknowledged');
    assert.ok(await verifyPassword(strongPassword, (await account())!.passwordHash, 4), 'and stored');

    const secret = enroll.$('code.secret').text().replace(/\s+/g, '');
    const codePage = await rp.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
    await postgres.cut();
    assertUnavailablePage(await rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) }));
    await postgres.restore();
    await waitReady(t);
    assert.deepEqual((await account())!.factors, []);

    const codes = await rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) });
    const { next: callback } = await saveRecoveryCodes(rp.browser, codes);
    assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `the enrollment is acknowledged: ${callback.url}`);
    const stored = await account();
    assert.deepEqual(stored!.factors.map((factor) => factor.kind), ['authenticator-app', 'recovery-codes'], 'and stored, with the recovery codes');
    assert.equal(stored!.status, 'active');
  });
  it('answers the token endpoint 503 with Retry-After while PostgreSQL is away', async () => {
    const { relay: postgres, t } = running;
    const { refreshToken } = await signedIn(t, 'pg.token@example.com');
    await postgres.cut();
    // Past the few seconds the sign-in's account read serves the provider, so the refresh reads PostgreSQL.
    t.clock.offsetMs += 60_000;
    await assertOutageAnswer(await refresh(t, refreshToken), 'refresh');
    await postgres.restore();
    await waitReady(t);
    assert.equal((await refresh(t, refreshToken)).status, 200, 'the same refresh token works once PostgreSQL is back');
  });
});

describe('PostgreSQL stops answering', { skip: skipServices }, () => {
  const running = serveThroughRelay('DATABASE_URL', { SSO_DATABASE_TIMEOUT: '2' });

  // A hung database (a stopped process) accepts connections and never answers: without timeouts a
  // page would wait as long as it is stopped, here until the end of this test.
  it('answers 503 within seconds rather than hanging, then continues the same flow once it answers again', async () => {
    const { relay: postgres, t } = running;
    const email = 'pg.hang@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const rp = await relyingParty(t);
    const start = await rp.start();
    const others = await Promise.all(
      Array.from({ length: 15 }, async () => {
        const other = await relyingParty(t);
        return { browser: other.browser, page: (await other.start()).page };
      }),
    );

    postgres.pause();
    const hung = 'a page while PostgreSQL does not answer (SSO_DATABASE_TIMEOUT=2)';
    assertUnavailablePage(await within(rp.browser.submit(start.page, '/email', { email }), 30_000, hung));
    assert.equal((await within(probe(`${t.issuer}/readyz`), 30_000, 'readiness')).status, 503);
    // More pages at once than the pool has connections: those waiting for one give up in time too.
    const burst = await within(
      Promise.all(others.map(({ browser, page }) => browser.submit(page, '/email', { email }))),
      30_000,
      'a burst of pages while PostgreSQL does not answer',
    );
    for (const page of burst) assertUnavailablePage(page);

    postgres.resume();
    await waitReady(t);
    const signInPage = await rp.browser.submit(start.page, '/email', { email });
    assert.equal(signInPage.$('h1').text().trim(), 'Sign in', 'the same flow continues');
    const totpPage = await rp.browser.submit(signInPage, '/password', { password: strongPassword });
    const callback = await rp.browser.submit(totpPage, '/totp', { code: totpNow(t, secret) });
    assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `the flow ends at the client: ${callback.url}`);
  });

  it('cancels a statement that runs past SSO_DATABASE_TIMEOUT as an outage, and keeps the connection usable', async () => {
    const { t } = running;
    const db = await openDatabase({ ...t.config, databaseUrl: process.env.TEST_DATABASE_URL, databaseTimeoutSeconds: 1 });
    try {
      await assert.rejects(db.knex.raw('select pg_sleep(30)'), (error: unknown) => {
        assert.equal((error as { code?: string }).code, '57014', 'cancelled by the server');
        assert.ok(isBackendUnavailable(error), 'a 503, not a 500');
        return true;
      });
      assert.equal((await db.knex.raw('select 1 as one')).rows[0].one, 1);
      // Migrations may take longer: they run free of the timeout.
      await db.withoutTimeouts((knex) => knex.raw('select pg_sleep(1.5)'));
    } finally {
      await db.close();
    }
  });
});

describe('SMTP server down', () => {
  const embedded = backends()[0]!;
  let mail: MailServer;
  let smtp: TcpProxy;
  let t: TestServer;
  before(async () => {
    mail = await MailServer.start();
    smtp = await startTcpProxy({ host: '127.0.0.1', port: mail.port });
    t = await startTestServer(embedded, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
    await mail?.close();
    await embedded.cleanup();
  });

  it('says the email could not be sent, consumes nothing, and sends the next code once SMTP is back', async () => {
    const email = 'smtp.outage@example.com';
    await t.server.services.accounts.create({ email });
    const rp = await relyingParty(t);
    const { page } = await rp.start();
    const signIn = await rp.browser.submit(page, '/email', { email });
    const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());

    await smtp.cut();
    const failed = await rp.browser.submit(help, '/activation/send');
    assert.equal(failed.status, 503);
    assert.deepEqual(errorsOn(failed), ['The email could not be sent. Please try again.']);
    assert.equal(mail.messages.length, 0);

    await smtp.restore();
    const sent = await rp.browser.submit(failed, '/activation/send');
    assert.equal(sent.status, 200, 'the failed send did not start the 30-second pause');
    assert.match(sent.html, /Verification code has been sent/);
    const verified = await rp.browser.submit(sent, '/activation/verify', { code: codeFrom(await mail.next(email, 0)) });
    assert.match(verified.html, /The code has been verified/);
  });
});

/**
 * A form post whose body trickles in: the request is in flight from its headers until `finish()`
 * sends the rest, however long the test waits in between. Its connection is kept alive, as a load
 * balancer's would be, so only the server can close it.
 */
async function slowPost(browser: Browser, page: Page, action: string, fields: Record<string, string>, agent: http.Agent) {
  const { url, body } = formOf(page, action, fields);
  const bytes = Buffer.from(body.toString());
  const request = http.request(url, {
    method: 'POST',
    agent,
    headers: {
      cookie: await browser.jar.getCookieString(url),
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(bytes.length),
    },
  });
  const answer = new Promise<{ status: number; location: string | undefined; connection: string | undefined }>((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, location: response.headers.location, connection: response.headers.connection }),
      );
    });
    request.on('error', reject);
  });
  request.write(bytes.subarray(0, 10));
  return { answer, finish: () => request.end(bytes.subarray(10)) };
}

describe('SIGTERM under load', { skip: deploymentSkip }, () => {
  let mail: MailServer;
  let deployment: Deployment;
  let instance: ChildServer;
  const keepAlive = new http.Agent({ keepAlive: true });
  before(async () => {
    mail = await MailServer.start();
    deployment = await createDeployment(mail.url);
    const port = await freePort();
    instance = await startChildServer({
      ...deployment.env,
      PORT: String(port),
      SSO_ISSUER: `http://127.0.0.1:${port}`,
      // Slow requests on purpose: production's bcrypt cost on two worker threads.
      SSO_BCRYPT_COST: '12',
      UV_THREADPOOL_SIZE: '2',
      SSO_SHUTDOWN_DELAY: '3',
    });
  });
  after(async () => {
    keepAlive.destroy();
    await instance?.stop();
    await mail?.close();
    await deployment?.cleanup();
  });

  it('turns readiness 503, finishes every request in flight, then exits 0', async () => {
    const email = 'drain@example.com';
    await deployment.seedActiveAccount(email, 12);
    const burst = 8;
    const signInPages = await Promise.all(
      Array.from({ length: burst + 1 }, async () => {
        const rp = await relyingParty({ issuer: instance.url });
        const { page } = await rp.start();
        return { browser: rp.browser, page: await rp.browser.submit(page, '/email', { email }) };
      }),
    );
    const [slowOne, ...others] = signInPages;
    // Still in flight when the listener closes, whatever the speed of the machine.
    const slow = await slowPost(slowOne!.browser, slowOne!.page, '/password', { password: strongPassword }, keepAlive);
    const submits = others.map(async ({ browser, page }) => {
      const { url, body } = formOf(page, '/password', { password: strongPassword });
      const response = await browser.send(url, { method: 'POST', body });
      return { status: response.status, location: response.headers.get('location') ?? undefined };
    });
    await waitUntil(
      async () => sampleValue(await scrape(instance.url), 'sso_http_requests_in_flight') >= burst + 2,
      'the burst to be in flight',
      15_000,
      20,
    );

    instance.kill('SIGTERM');
    await instance.waitForLine((line) => line.includes('"msg":"shutting down"'));
    const readiness = await probe(`${instance.url}/readyz`);
    assert.equal(readiness.status, 503, 'readiness fails at once, so the balancer stops sending traffic');
    assert.deepEqual(JSON.parse(readiness.body), { status: 'shutting-down' });
    await waitUntil(async () => (await statusOf(`${instance.url}/healthz`)) === 0, 'the listener to close', 15_000);

    slow.finish();
    const answers = await within(Promise.all([slow.answer, ...submits]), 30_000, 'the requests in flight to finish');
    assert.equal((await slow.answer).connection, 'close', 'a kept-alive connection is closed with its last answer');
    for (const answer of answers) {
      assert.equal(answer.status, 303, 'each password check in flight got its whole answer');
      assert.match(answer.location ?? '', /\/totp$/);
    }
    assert.equal(await within(instance.exited, 15_000, 'the process to exit'), 0);
    assert.ok(instance.stdout.some((line) => line.includes('"msg":"stopped"')));
    assert.ok(!instance.stdout.some((line) => line.includes('drain timed out')), 'no connection had to be cut');
  });
});
