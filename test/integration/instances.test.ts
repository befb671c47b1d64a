import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { errorsOn } from '../../harness/browser.ts';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { createDeployment, deploymentSkip, type Deployment } from '../helpers/deployment.ts';
import { totpCodeAt } from '../../src/security/totp.ts';
import { BrowserDriver, firstTimeLogin, signIn } from '../../harness/journeys.ts';
import { relyingParty, signInNow, strongPassword } from '../helpers/flows.ts';
import { verifyJwt } from '../helpers/jwt.ts';
import { MailServer } from '../../harness/mail.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { freePort, publicClient } from '../helpers/server.ts';

/**
 * Two server processes on one PostgreSQL schema and one Redis prefix, behind a round-robin balancer
 * that is the issuer: every request of a journey may land on either instance, as in production.
 */
describe('two instances behind one issuer', { skip: deploymentSkip }, () => {
  let mail: MailServer;
  let deployment: Deployment;
  let front: RoundRobinProxy;
  let instances: ChildServer[] = [];

  before(async () => {
    mail = await MailServer.start();
    deployment = await createDeployment(mail.url);
    const ports = [await freePort(), await freePort()];
    front = await startRoundRobinProxy(ports);
    instances = await Promise.all(
      ports.map((port) => startChildServer({ ...deployment.env, PORT: String(port), SSO_ISSUER: front.url })),
    );
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await front?.close();
    await mail?.close();
    await deployment?.cleanup();
  });

  /** Both instances served requests of what just ran, never the same one twice in a row. */
  function assertAlternated(from: number): void {
    const served = front.served.slice(from);
    assert.ok(served.includes(0) && served.includes(1), `both instances served: ${served.join(',')}`);
    assert.ok(served.every((index, i) => i === 0 || index !== served[i - 1]), 'each request went to the other instance');
  }

  it('walks a whole first-time login with every request on the other instance', async () => {
    const email = 'first.time@example.com';
    await (await deployment.accounts()).create({ email, name: 'First Time' });
    const from = front.served.length;
    const rp = await relyingParty({ issuer: front.url });
    const start = await rp.start();
    const callback = new BrowserDriver(rp.browser, start.page);
    await firstTimeLogin(callback, { email, mail, newPassword: strongPassword, code: (secret) => totpCodeAt(secret, Date.now()) });
    assert.ok(callback.url().startsWith(publicClient.redirect_uris[0]), `back at the client: ${callback.url()}`);
    const tokens = await rp.finish(callback.url(), start);
    assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
    assertAlternated(from);
    assert.equal((await (await deployment.accounts()).findByEmail(email))!.status, 'active');
  });

  it('signs in across instances; tokens issued by one verify, serve userinfo and refresh on the other', async () => {
    const email = 'roaming@example.com';
    const { id, secret } = await deployment.seedActiveAccount(email);
    const from = front.served.length;
    const rp = await relyingParty({ issuer: front.url });
    const start = await rp.start();
    const callback = new BrowserDriver(rp.browser, start.page);
    await signIn(callback, { email, password: strongPassword, code: () => totpCodeAt(secret, Date.now()) });
    assertAlternated(from);

    front.pin(0);
    const tokens = await rp.finish(callback.url(), start);
    front.pin(1);
    const jwks = (await (await fetch(`${front.url}/jwks`)).json()) as Parameters<typeof verifyJwt>[1];
    const idToken = verifyJwt(tokens.id_token!, jwks);
    assert.equal(idToken.payload.sub, id);
    assert.equal(idToken.payload.iss, front.url);
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, id);
    assert.equal(userinfo.email, email);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    front.pin(0);
    const again = await oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!);
    assert.ok(again.access_token, 'the refresh token rotated on one instance refreshes on the other');
    // Reuse of a rotated token across instances, within and past the grace: refresh-grace.test.ts.
    front.unpin();
  });

  it('lets a burst of refreshes with one token succeed on both instances, and revokes the grant on either when it comes back after the grace', async () => {
    const email = 'two.app.instances@example.com';
    const { secret } = await deployment.seedActiveAccount(email);
    const rp = await relyingParty({ issuer: front.url });
    const start = await rp.start();
    const tokens = await rp.finish((await signInNow(rp.browser, start.page, email, secret)).url, start);
    const from = front.served.length;
    const firstUse = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, () => oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)));
    assert.equal(new Set(results.map((result) => result.refresh_token)).size, 10, 'every concurrent refresh succeeded with a token of its own');
    assert.ok(new Set(front.served.slice(from)).size === 2, 'both instances answered');

    // The grace is measured on the servers' own clocks, which a test cannot move in another process.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstUse + 10_500 - Date.now())));
    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
    const after = await Promise.allSettled(results.map((result) => oidc.refreshTokenGrant(rp.config, result.refresh_token!)));
    assert.ok(after.every((outcome) => outcome.status === 'rejected'), 'the grant is revoked, whichever instance is asked');
  });

  it('holds a lockout counted on one instance on the other', async () => {
    const email = 'locked@example.com';
    await deployment.seedActiveAccount(email);
    const rp = await relyingParty({ issuer: front.url });
    const { page } = await rp.start();
    let current = await rp.browser.submit(page, '/email', { email });
    front.pin(0);
    for (let attempt = 1; attempt <= 10; attempt++) {
      current = await rp.browser.submit(current, '/password', { password: 'Wrong#Pass99' });
      assert.equal(current.headers.get('x-upstream'), '0');
    }
    assert.equal(current.status, 429, 'the tenth failure locks the account');
    front.pin(1);
    const elsewhere = await rp.browser.submit(current, '/password', { password: strongPassword });
    front.unpin();
    assert.equal(elsewhere.headers.get('x-upstream'), '1');
    assert.equal(elsewhere.status, 429, 'the right password is refused on the other instance while locked');
    assert.match(errorsOn(elsewhere)[0] ?? '', /^Too many failed attempts\. Try again in /);
  });

  it('logs every request as one JSON line carrying the id sent back in X-Request-Id', async () => {
    const [instance] = instances;
    const chosen = await fetch(`${instance!.url}/healthz`, { headers: { 'x-request-id': 'ops-test-0001' } });
    assert.equal(chosen.headers.get('x-request-id'), 'ops-test-0001', 'a well-formed incoming id is kept');
    const generated = await fetch(`${instance!.url}/.well-known/openid-configuration`);
    const generatedId = generated.headers.get('x-request-id') ?? '';
    assert.match(generatedId, /^[0-9a-f-]{36}$/);
    const rejected = await fetch(`${instance!.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(rejected.headers.get('x-request-id'), 'bad id with spaces', 'a malformed incoming id is replaced');

    const lineOf = (reqId: string) => instance!.waitForLine((line) => line.includes(`"reqId":"${reqId}"`));
    const chosenLine = JSON.parse(await lineOf('ops-test-0001')) as Record<string, unknown>;
    assert.equal(chosenLine.path, '/healthz');
    assert.equal(chosenLine.status, 200);
    const generatedLine = JSON.parse(await lineOf(generatedId)) as Record<string, unknown>;
    assert.equal(generatedLine.path, '/.well-known/openid-configuration');
    assert.equal(typeof generatedLine.ms, 'number');

    // Only the start-up banner, meant for a terminal, is plain text; everything else is one JSON object a line.
    const plain = instance!.stdout.filter((line) => !line.startsWith('{'));
    assert.ok(plain.length <= 2 && plain[0]?.startsWith('SSO server listening: issuer'), `plain lines: ${plain.join(' | ')}`);
    const records = instance!.stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = records.filter((record) => record.msg === 'request');
    assert.ok(requests.length > 10, 'the journeys through the balancer were logged here too');
    for (const record of requests) assert.equal(typeof record.reqId, 'string', JSON.stringify(record));
    assert.ok(!instance!.stdout.join('\n').includes(strongPassword), 'no password in any log line');
  });
});
