import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { HeaderBrowser, authorize, csrfOf, interactionCookies, reachedClient, uidOf } from '../helpers/attack.ts';
import type { Page } from '../../harness/browser.ts';
import { nextTotpStep, relyingParty, seedActiveAccount, strongPassword, totpNow, walkSignIn, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { malformedRequests, type InteractionHandle, type MalformedRequest } from '../helpers/malformed.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

const REQUESTS = 10_000;
const CONCURRENCY = 16;
/** Replay a failure with FUZZ_SEED=<seed>. */
const seed = process.env.FUZZ_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED);

/** What a stack trace or an internal path looks like in a response body. */
const leaks = [/\n\s+at \S+ \(/, /\bat (async )?\/\S+:\d+:\d+/, /node_modules/, /\/work\/|\/src\/\S+\.ts/, /\.ts:\d+:\d+/, /Error: .*\n\s+at /];
/** A value the fuzzer sends that must never come back unescaped in a page. */
const reflected = /<script>alert\(1\)<\/script>|<img src=x onerror=/;

const [embedded] = backends();

describe('security: malformed input never breaks the server', () => {
  let t: TestServer;
  let rp: RelyingParty;
  const live: InteractionHandle[] = [];
  let finished: InteractionHandle;

  async function handle(journey: { rp: RelyingParty; page: Page }): Promise<InteractionHandle> {
    const uid = uidOf(journey.page);
    return { uid, csrf: csrfOf(journey.page), cookie: await interactionCookies(journey.rp.browser, t, uid) };
  }

  /** A new interaction walked through `steps`, as the attacker's foothold for the fuzzer. */
  async function interactionAt(steps: (page: Page, rp: RelyingParty) => Promise<Page>): Promise<InteractionHandle> {
    const own = await relyingParty(t);
    const { page } = await own.start();
    return handle({ rp: own, page: await steps(page, own) });
  }

  before(async () => {
    // Behind a trusted proxy, so that the check afterwards can sign in from an address the fuzzer did not exhaust.
    t = await startTestServer(embedded!, { SSO_TRUST_PROXY: 'true' });
    rp = await relyingParty(t);
    const email = 'fuzz.target@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const invited = 'fuzz.invited@example.com';
    await t.server.services.accounts.create({ email: invited });

    live.push(await interactionAt(async (page) => page));
    live.push(await interactionAt((page, own) => own.browser.submit(page, '/email', { email })));
    live.push(await interactionAt(async (page, own) => own.browser.submit(await own.browser.submit(page, '/email', { email }), '/password', { password: strongPassword })));
    live.push(
      await interactionAt(async (page, own) => {
        const signIn = await own.browser.submit(page, '/email', { email });
        const forgot = await own.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
        return own.browser.submit(forgot, '/forgot', { email });
      }),
    );
    live.push(
      await interactionAt(async (page, own) => {
        const signIn = await own.browser.submit(page, '/email', { email: invited });
        const help = await own.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
        const before = t.mail.messages.length;
        const sent = await own.browser.submit(help, '/activation/send');
        const verified = await own.browser.submit(sent, '/activation/verify', { code: codeFrom(await t.mail.next(invited, before)) });
        const choose = await own.browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
        const enroll = await own.browser.submit(choose, '/new-password', { password: strongPassword, confirmation: strongPassword });
        return own.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
      }),
    );
    const done = await relyingParty(t);
    const start = await done.start();
    finished = await handle({ rp: done, page: start.page });
    assert.ok(reachedClient(await walkSignIn(done, t, start.page, email, secret)));
  });

  after(async () => {
    await t?.close();
  });

  it(`answers ${REQUESTS} malformed requests with 4xx pages, never a 5xx or a stack trace (seed ${seed})`, { timeout: 180_000 }, async () => {
    const origin = new URL(t.issuer).origin;
    const pool = new Pool(origin, { connections: CONCURRENCY, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const requests = malformedRequests(seed, REQUESTS, { live, finished });

    async function send(request: MalformedRequest): Promise<void> {
      const describe = `${request.kind}: ${request.method} ${request.path.slice(0, 120)}`;
      try {
        const response = await pool.request({ method: request.method, path: request.path, headers: request.headers, body: request.body });
        const text = await response.body.text();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode >= 500) failures.push(`${response.statusCode} for ${describe}`);
        const leak = leaks.find((pattern) => pattern.test(text));
        if (leak !== undefined) failures.push(`${leak} in the answer to ${describe}: ${text.slice(0, 300)}`);
        if (reflected.test(text)) failures.push(`unescaped input in the answer to ${describe}`);
      } catch (error) {
        failures.push(`no answer to ${describe}: ${(error as Error).message}`);
      }
    }

    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let next = requests.next(); !next.done; next = requests.next()) await send(next.value);
        }),
      );
    } finally {
      await pool.close();
    }
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0) + failures.filter((f) => f.startsWith('no answer')).length;
    assert.equal(sent, REQUESTS, 'every request was sent');
    assert.deepEqual(failures.slice(0, 20), [], `seed ${seed}, statuses ${JSON.stringify([...statuses])}`);

    const ready = await fetch(`${t.issuer}/readyz`);
    assert.equal(ready.status, 200, 'still ready');
    const email = 'after.fuzz@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const browser = new HeaderBrowser({ 'x-forwarded-for': '198.51.100.250' });
    const { page } = await authorize(rp, browser);
    let current = await browser.submit(page, '/email', { email });
    current = await browser.submit(current, '/password', { password: strongPassword });
    nextTotpStep(t);
    current = await browser.submit(current, '/totp', { code: totpNow(t, secret) });
    assert.ok(reachedClient(current), `a sign-in still works: ${current.url}`);
  });
});
