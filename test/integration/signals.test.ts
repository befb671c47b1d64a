import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanEnvironment } from '../helpers/cli-process.ts';
import { createDeployment, deploymentSkip, type Deployment } from '../helpers/deployment.ts';
import { relyingParty, signInNow } from '../helpers/flows.ts';
import { MailServer } from '../../harness/mail.ts';
import { freePort, publicClient } from '../helpers/server.ts';
import { probe, statusOf, waitUntil, within } from '../helpers/wait.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The server as an operator starts it, through npm: `npm start` (the sources through tsx) and
 * `npm run build && npm run serve` (compiled). Each npm runs in a process group of its own, so the
 * test can tell whether anything it started outlives it.
 */
interface NpmRun {
  readonly pid: number;
  readonly output: string[];
  readonly exited: Promise<number | null>;
  /** True while any process of its group (npm, the server, a shell between) still runs. */
  groupAlive(): boolean;
  /** SIGKILL to the whole group: the cleanup after a failed test. */
  killGroup(): void;
}

function npm(args: readonly string[], env: Record<string, string>): NpmRun {
  const child = spawn('npm', args, { cwd: root, env: cleanEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const pid = child.pid!;
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    pid,
    output,
    exited: once(child, 'exit').then(([code]) => code as number | null),
    groupAlive,
    killGroup() {
      if (groupAlive()) process.kill(-pid, 'SIGKILL');
    },
  };
}

async function ready(run: NpmRun, url: string): Promise<void> {
  await waitUntil(async () => (await statusOf(`${url}/readyz`)) === 200, `the server to be ready (npm output: ${run.output.join('').slice(-500)})`, 120_000);
}

/** The signal goes to npm, as a supervisor or a terminal sends it; npm, the server and everything between end, and the port is free. */
async function assertStopsWholly(run: NpmRun, url: string): Promise<void> {
  const code = await within(run.exited, 60_000, 'npm to exit after the signal');
  assert.equal(code, 0, `npm exits with the server's code 0: ${run.output.join('').slice(-500)}`);
  await waitUntil(async () => !run.groupAlive(), 'every process npm started to have ended', 5_000);
  assert.equal(await statusOf(`${url}/healthz`), 0, 'nothing holds the port any more');
}

describe('npm start on the embedded defaults', () => {
  let dataDir: string;
  const runs: NpmRun[] = [];
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-signals-'));
  });
  after(async () => {
    for (const run of runs) run.killGroup();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** `npm start` with nothing configured but the port and where its data goes, SSO_SHUTDOWN_DELAY included. */
  async function start(): Promise<{ run: NpmRun; url: string }> {
    const port = await freePort();
    const run = npm(['start'], { PORT: String(port), SSO_DATA_DIR: dataDir });
    runs.push(run);
    const url = `http://127.0.0.1:${port}`;
    await ready(run, url);
    return { run, url };
  }

  it('passes SIGTERM to the server, answers every request that arrives with it, and exits with it', async () => {
    const { run, url } = await start();
    process.kill(run.pid, 'SIGTERM');
    // New connections at the instant of the signal, as a balancer that has not yet noticed sends them.
    const answers = await Promise.all(Array.from({ length: 16 }, () => probe(`${url}/healthz`)));
    assert.deepEqual(
      answers.map(({ status }) => status),
      Array<number>(16).fill(200),
      'no request arriving with the signal is reset (status 0)',
    );
    await assertStopsWholly(run, url);
    assert.match(run.output.join(''), /"msg":"stopped"/, 'the server drained and stopped');
  });

  it('passes SIGINT (Ctrl-C) to the server and exits with it', async () => {
    const { run, url } = await start();
    process.kill(run.pid, 'SIGINT');
    await assertStopsWholly(run, url);
  });
});

describe('npm run build && npm run serve: the compiled server', { skip: deploymentSkip }, () => {
  let mail: MailServer;
  let deployment: Deployment;
  const runs: NpmRun[] = [];
  before(async () => {
    mail = await MailServer.start();
    deployment = await createDeployment(mail.url);
  });
  after(async () => {
    for (const run of runs) run.killGroup();
    await mail?.close();
    await deployment?.cleanup();
  });

  it('serves a whole sign-in from dist/, and stops on SIGTERM with nothing left behind', async () => {
    const build = npm(['run', 'build'], {});
    runs.push(build);
    assert.equal(await within(build.exited, 300_000, 'npm run build'), 0, build.output.join('').slice(-2000));

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serve = npm(['run', 'serve'], { ...deployment.env, PORT: String(port), SSO_ISSUER: url, SSO_SHUTDOWN_DELAY: '1' });
    runs.push(serve);
    await ready(serve, url);
    const { secret } = await deployment.seedActiveAccount('compiled@example.com');
    const rp = await relyingParty({ issuer: url });
    const { page, ...checks } = await rp.start();
    const callback = await signInNow(rp.browser, page, 'compiled@example.com', secret);
    assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `the sign-in ends at the client: ${callback.url}`);
    assert.ok((await rp.finish(callback.url, checks)).id_token);

    process.kill(serve.pid, 'SIGTERM');
    await assertStopsWholly(serve, url);
  });
});
