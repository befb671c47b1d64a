import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { runCli } from '../helpers/cli-process.ts';
import { createDeployment, deploymentSkip, type Deployment } from '../helpers/deployment.ts';
import { totpCodeAt } from '../../src/security/totp.ts';
import { BrowserDriver, signIn } from '../../harness/journeys.ts';
import { relyingParty, strongPassword } from '../helpers/flows.ts';
import { verifyJwt } from '../helpers/jwt.ts';
import { MailServer } from '../../harness/mail.ts';
import { freePort } from '../helpers/server.ts';

type PublishedKeys = Parameters<typeof verifyJwt>[1] & { keys: Array<{ kid?: string; alg?: string; key_ops?: string[] }> };

/**
 * The operator's key rotation, end to end: `keys rotate --stage`, restart, `keys rotate --promote`,
 * restart, on one server process whose tokens live in PostgreSQL and Redis across the restarts.
 */
describe('signing key rotation across restarts', { skip: deploymentSkip }, () => {
  let mail: MailServer;
  let deployment: Deployment;
  let env: Record<string, string>;
  let instance: ChildServer;

  before(async () => {
    mail = await MailServer.start();
    deployment = await createDeployment(mail.url);
    const port = await freePort();
    env = { ...deployment.env, PORT: String(port), SSO_ISSUER: `http://127.0.0.1:${port}` };
    instance = await startChildServer(env);
  });
  after(async () => {
    await instance?.stop();
    await mail?.close();
    await deployment?.cleanup();
  });

  async function published(): Promise<PublishedKeys> {
    return (await (await fetch(`${instance.url}/jwks`)).json()) as PublishedKeys;
  }

  async function signedIn(email: string) {
    const { secret } = await deployment.seedActiveAccount(email);
    const rp = await relyingParty({ issuer: instance.url });
    const start = await rp.start();
    const driver = new BrowserDriver(rp.browser, start.page);
    await signIn(driver, { email, password: strongPassword, code: () => totpCodeAt(secret, Date.now()) });
    return { rp, tokens: await rp.finish(driver.url(), start) };
  }

  async function operator(...args: string[]): Promise<void> {
    const run = await runCli(['keys', 'rotate', ...args], env);
    assert.equal(run.code, 0, run.stderr);
  }

  async function restart(): Promise<void> {
    assert.equal(await instance.stop(), 0);
    instance = await startChildServer(env);
  }

  it('publishes a staged key before it signs; after promotion it signs, and the old key still verifies', async () => {
    const before = await signedIn('before.rotation@example.com');
    const oldKid = verifyJwt(before.tokens.id_token!, await published()).kid;

    await operator('--stage');
    await restart();
    const staged = await published();
    const oldKids = staged.keys.slice(0, 3).map((key) => key.kid);
    assert.equal(staged.keys.length, 6, 'a staged key for each algorithm, after the three signing ones');
    assert.equal(staged.keys[0]!.kid, oldKid, 'the old key still comes first');
    for (const key of staged.keys.slice(3)) assert.deepEqual(key.key_ops, ['verify'], 'a staged key is published for verification only');
    const stagedKids = staged.keys.slice(3).map((key) => key.kid);
    const newKid = staged.keys.slice(3).find((key) => key.alg === 'RS256')!.kid!;
    const meanwhile = await signedIn('while.staged@example.com');
    assert.equal(verifyJwt(meanwhile.tokens.id_token!, staged).kid, oldKid, 'a staged key never signs');

    await operator('--promote');
    await restart();
    const promoted = await published();
    assert.deepEqual(promoted.keys.map((key) => key.kid), [...stagedKids, ...oldKids]);
    assert.equal(verifyJwt(before.tokens.id_token!, promoted).kid, oldKid, 'an ID token from before the rotation verifies against /jwks');
    const refreshed = await oidc.refreshTokenGrant(before.rp.config, before.tokens.refresh_token!);
    assert.equal(verifyJwt(refreshed.id_token!, promoted).kid, newKid, 'a refresh token from before the rotation refreshes, signed by the new key');
  });
});
