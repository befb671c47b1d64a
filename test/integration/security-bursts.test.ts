import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rules } from '../../src/config.ts';
import { HeaderBrowser, authorize, burst, type BurstAnswer } from '../helpers/attack.ts';
import type { Page } from '../../harness/browser.ts';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { createDeployment, deploymentSkip, type Deployment } from '../helpers/deployment.ts';
import { relyingParty, seedActiveAccount, strongPassword } from '../helpers/flows.ts';
import { MailServer } from '../../harness/mail.ts';
import { sampleValue, scrape } from '../helpers/prometheus.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { backends, freePort, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The limits of CONTRACT.md section 7 against guesses sent all at once rather than one after
 * another: each limit is decided before the secret is checked, so a burst gets no more checks than a
 * patient attacker. Checks are counted by the server itself (sso_secret_checks_total), not inferred
 * from the answers.
 */

const WRONG = 'Wrong#Pass99';
const LOCKED = /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/;
const NETWORK = /^Too many failed attempts from your network\. Try again in \d+ (minutes?|seconds?)\.$/;
const UNKNOWN = 'An account could not be found for the provided user ID.';

/** What the scenarios need of a deployment: where it answers, and how to read and seed it. */
interface Target {
  readonly issuer: string;
  /** The Prometheus exposition of every instance. */
  metrics(): Promise<string[]>;
  seed(email: string): Promise<{ id: string; secret: string }>;
}

async function checks(target: Target, kind: string): Promise<number> {
  return (await target.metrics()).reduce((sum, text) => sum + sampleValue(text, 'sso_secret_checks_total', { kind }), 0);
}

let addresses = 0;
/** Each scenario comes from an address of its own (through the trusted proxy), so budgets never mix. */
function attacker(): HeaderBrowser {
  addresses += 1;
  return new HeaderBrowser({ 'x-forwarded-for': `203.0.113.${addresses}` });
}

function count(answers: BurstAnswer[], match: (answer: BurstAnswer) => boolean): number {
  return answers.filter(match).length;
}

async function signInPage(target: Target, browser: HeaderBrowser, email: string): Promise<Page> {
  const { page } = await authorize(await relyingParty(target), browser);
  const signIn = await browser.submit(page, '/email', { email });
  assert.match(signIn.html, /Sign in with your email address/, `the sign-in page for ${email}`);
  return signIn;
}

function scenarios(target: () => Target): void {
  it('checks at most 10 of 200 wrong passwords sent at once, and refuses the right one sent among them', async () => {
    const email = `burst.password.${addresses}@example.com`;
    await target().seed(email);
    const browser = attacker();
    const page = await signInPage(target(), browser, email);
    const before = await checks(target(), 'password');
    const answers = await burst(browser, page, '/password', [...Array.from({ length: 200 }, () => ({ password: WRONG })), { password: strongPassword }]);
    const checked = (await checks(target(), 'password')) - before;
    assert.ok(checked <= rules.lockThreshold, `${checked} passwords were compared`);
    assert.ok(checked >= 1, 'the burst was checked at all');
    assert.equal(count(answers, (a) => a.location !== null), 0, 'no post of the burst was let through');
    const last = answers.at(-1)!;
    assert.equal(last.status, 429, 'the right password sent in the burst is refused');
    assert.match(last.errors[0] ?? '', LOCKED);
    assert.equal(count(answers, (a) => a.status === 429 && LOCKED.test(a.errors[0] ?? '')), answers.length - checked + 1, 'every other post gets the lock message');
  });

  it('answers at most 100 of 300 unknown emails sent at once from one address', async () => {
    const browser = attacker();
    const { page } = await authorize(await relyingParty(target()), browser);
    const before = await checks(target(), 'email');
    const answers = await burst(browser, page, '/email', Array.from({ length: 300 }, (_, i) => ({ email: `nobody.${i}@example.com` })));
    const looked = (await checks(target(), 'email')) - before;
    const notFound = count(answers, (a) => a.errors[0] === UNKNOWN);
    assert.ok(notFound <= rules.ipFailuresPerHour, `${notFound} "not found" answers`);
    assert.ok(looked <= rules.ipFailuresPerHour, `${looked} emails looked up`);
    assert.equal(count(answers, (a) => a.status === 429 && NETWORK.test(a.errors[0] ?? '')), answers.length - notFound, 'the rest are refused for the network');
  });

  it('checks at most 10 of 200 authenticator codes sent at once on the forgotten-password path', async () => {
    const email = `burst.reset.${addresses}@example.com`;
    await target().seed(email);
    const browser = attacker();
    const signIn = await signInPage(target(), browser, email);
    const forgot = await browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
    const codePage = await browser.submit(forgot, '/forgot', { email });
    assert.match(codePage.html, /Enter the verification code from your authenticator app\./);
    const before = await checks(target(), 'totp');
    const answers = await burst(browser, codePage, '/totp', Array.from({ length: 200 }, (_, i) => ({ code: String(100_000 + i) })));
    const checked = (await checks(target(), 'totp')) - before;
    assert.ok(checked <= rules.lockThreshold, `${checked} codes were checked`);
    assert.equal(count(answers, (a) => a.location !== null), 0, 'no code was accepted');
    assert.ok(count(answers, (a) => a.status === 429 && LOCKED.test(a.errors[0] ?? '')) >= 200 - rules.lockThreshold);
  });
}

for (const backend of backends()) {
  describe(`security: limits under bursts (${backend.name})`, { skip: backend.skip, timeout: 300_000 }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend, { SSO_TRUST_PROXY: 'true' });
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
    });
    scenarios(() => ({
      issuer: t.issuer,
      metrics: async () => [await t.server.services.metrics.registry.metrics()],
      seed: (email) => seedActiveAccount(t, email),
    }));
  });
}

describe('security: limits under bursts across two instances', { skip: deploymentSkip, timeout: 300_000 }, () => {
  let mail: MailServer | undefined;
  let deployment: Deployment | undefined;
  let front: RoundRobinProxy | undefined;
  const instances: ChildServer[] = [];

  before(async () => {
    mail = await MailServer.start();
    deployment = await createDeployment(mail.url);
    const ports = [await freePort(), await freePort()];
    front = await startRoundRobinProxy(ports);
    for (const port of ports) {
      instances.push(await startChildServer({ ...deployment.env, PORT: String(port), SSO_ISSUER: front.url, SSO_TRUST_PROXY: 'true', SSO_LOG_LEVEL: 'warn' }));
    }
  });
  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await front?.close();
    await mail?.close();
    await deployment?.cleanup();
  });

  scenarios(() => ({
    issuer: front!.url,
    metrics: () => Promise.all(instances.map((instance) => scrape(instance.url))),
    seed: (email) => deployment!.seedActiveAccount(email),
  }));
});
