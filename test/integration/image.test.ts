import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, setGlobalDispatcher } from 'undici';
import { buildImage, containerFlags, imageSkip, nodeBaseImage, run } from '../helpers/container-image.ts';
import { createDeployment, deploymentSkip, type Deployment } from '../helpers/deployment.ts';
import { relyingParty, signInNow } from '../helpers/flows.ts';
import { MailServer } from '../../harness/mail.ts';
import { freePort, publicClient } from '../helpers/server.ts';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.ts';
import { statusOf, waitUntil } from '../helpers/wait.ts';

/**
 * The Dockerfile built for real, by podman, on a Node.js base image made here (NODE_IMAGE), and its
 * container run as production runs it: NODE_ENV=production, PostgreSQL, Redis, SMTP and the three
 * secrets, behind a TLS-terminating proxy; a user signs in through it, and SIGTERM stops it.
 * test/unit/deployment-files.test.ts checks the files themselves where podman is missing.
 */

const tag = 'localhost/fluxys-sso:test';

describe('the container image', { skip: imageSkip || deploymentSkip }, () => {
  const container = `fluxys-sso-test-${randomBytes(4).toString('hex')}`;
  let mail: MailServer;
  let deployment: Deployment;
  let proxy: TlsProxy;
  let started = false;
  before(async () => {
    mail = await MailServer.start();
    deployment = await createDeployment(mail.url);
  });
  after(async () => {
    if (started) await run('podman', ['rm', '--force', '--time', '0', container]).catch(() => undefined);
    await proxy?.close();
    await mail?.close();
    await deployment?.cleanup();
  });

  it('builds with podman, serves a sign-in in production mode as uid 1000, and stops on SIGTERM', async (t) => {
    const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
      const start = Date.now();
      const result = await step();
      t.diagnostic(`${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
      return result;
    };
    const base = await timed('base image', nodeBaseImage);
    t.diagnostic(`base image ${base.image} ${base.reused ? 'reused' : 'made by debootstrap'}`);
    await timed('podman build', () => buildImage(base.image, tag));

    // The key set and clients.json are the operator's files, mounted for the container's user
    // (uid 1000) to read.
    const jwks = path.join(deployment.dir, 'jwks-for-container.json');
    await copyFile(deployment.jwksFile, jwks);
    await chmod(jwks, 0o644);
    await chmod(deployment.dir, 0o711);
    const port = await freePort();
    proxy = await startTlsProxy(port);
    const envFile = path.join(deployment.dir, 'container.env');
    const env = {
      ...deployment.env,
      PORT: String(port),
      SSO_ISSUER: proxy.url,
      SSO_TRUST_PROXY: 'true',
      SSO_JWKS_FILE: jwks,
      SSO_DATA_DIR: '/app/data',
      SSO_SHUTDOWN_DELAY: '1',
    };
    await writeFile(envFile, Object.entries(env).map(([key, value]) => `${key}=${value}`).join('\n'), { mode: 0o600 });
    await timed('container start', async () => {
      await run('podman', ['run', '--detach', '--name', container, ...containerFlags, '--network', 'host', '--env-file', envFile, '--volume', `${deployment.dir}:${deployment.dir}:ro`, tag]);
      started = true;
      await waitUntil(async () => (await statusOf(`http://127.0.0.1:${port}/readyz`)) === 200, 'the container to be ready', 90_000).catch(async (error: Error) => {
        const logs = await run('podman', ['logs', container]).catch((failure: Error) => ({ stdout: failure.message, stderr: '' }));
        throw new Error(`${error.message}\n${`${logs.stdout}\n${logs.stderr}`.trim().slice(-2000)}`);
      });
    });

    const inspect = JSON.parse((await run('podman', ['inspect', container])).stdout)[0] as { Config: { Env: string[]; User: string } };
    assert.ok(inspect.Config.Env.includes('NODE_ENV=production'), 'the image runs in production mode');
    assert.equal((await run('podman', ['exec', container, 'id', '-u'])).stdout.trim(), '1000', 'the server runs as the unprivileged node user');
    assert.equal((await run('podman', ['exec', container, 'cat', '/proc/1/cmdline'])).stdout.split('\0')[0], 'node', 'node itself is PID 1, so SIGTERM reaches it');
    await run('podman', ['healthcheck', 'run', container]);

    // The relying party trusts the proxy's certificate, as clients trust a real one.
    setGlobalDispatcher(new Agent({ connect: { ca: proxy.certificate } }));
    const { secret } = await deployment.seedActiveAccount('container@example.com');
    const rp = await relyingParty({ issuer: proxy.url });
    const { page, ...checks } = await rp.start();
    const callback = await timed('sign-in', () => signInNow(rp.browser, page, 'container@example.com', secret));
    assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `the sign-in ends at the client: ${callback.url}`);
    const tokens = await rp.finish(callback.url, checks);
    assert.ok(tokens.id_token);
    assert.equal(tokens.claims()?.iss, proxy.url);

    await timed('podman stop', () => run('podman', ['stop', '--time', '40', container], { timeoutMs: 60_000 }));
    const state = JSON.parse((await run('podman', ['inspect', container])).stdout)[0] as { State: { ExitCode: number } };
    assert.equal(state.State.ExitCode, 0, 'the server drained and exited 0 on SIGTERM');
    assert.match((await run('podman', ['logs', container])).stdout, /"msg":"stopped"/);
  });
});
