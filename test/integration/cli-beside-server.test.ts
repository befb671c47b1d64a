import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { rules } from '../../src/config.ts';
import { errorsOn } from '../../harness/browser.ts';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { runCli, type CliRun } from '../helpers/cli-process.ts';
import { firstTimeLoginNow, relyingParty, strongPassword } from '../helpers/flows.ts';
import { MailServer } from '../../harness/mail.ts';
import { confidentialClient, freePort, publicClient } from '../helpers/server.ts';

/**
 * `npm start` on the embedded default in one terminal, the operator CLI in another: every command
 * works while the server runs, runs inside it, and the server sees each change at once, under a
 * sign-in load.
 */
describe('the CLI beside the running server on the embedded default', { timeout: 600_000 }, () => {
  let dataDir: string;
  let mail: MailServer | undefined;
  let server: ChildServer | undefined;
  let env: Record<string, string>;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-cli-beside-'));
    mail = await MailServer.start();
    const clientsFile = path.join(dataDir, 'clients.json');
    await writeFile(clientsFile, JSON.stringify([publicClient, confidentialClient]));
    env = { SSO_DATA_DIR: path.join(dataDir, 'data'), SSO_CLIENTS_FILE: clientsFile, SMTP_URL: mail.url, SSO_BCRYPT_COST: '4' };
    const port = await freePort();
    server = await startChildServer({ ...env, PORT: String(port), SSO_ISSUER: `http://127.0.0.1:${port}` });
  });
  after(async () => {
    await server?.stop();
    await mail?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cli = (args: string[]): Promise<CliRun> => runCli(args, env);
  const succeeded = (run: CliRun): string[] => {
    assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
    return run.stdout.split('\n').filter((line) => line !== '');
  };
  const issuer = () => ({ issuer: `http://127.0.0.1:${server!.port}` });

  /** Whether the server's email step knows the account (it shows the sign-in page), right now. */
  async function serverKnows(email: string): Promise<boolean> {
    const rp = await relyingParty(issuer());
    const page = await rp.browser.submit((await rp.start()).page, '/email', { email });
    return /Sign in with your email address/.test(page.html);
  }

  it('opens its control socket to its owner only', async () => {
    const socket = await stat(path.join(env.SSO_DATA_DIR!, 'control.sock'));
    assert.ok(socket.isSocket());
    assert.equal(socket.mode & 0o777, 0o600);
  });

  it('adds, imports, shows, unlocks and deactivates accounts while the server signs users in, which it sees at once', async () => {
    const loaded = 'under.load@example.com';
    succeeded(await cli(['users', 'add', loaded]));
    const first = await relyingParty(issuer(), confidentialClient);
    const start = await first.start();
    const { callback } = await firstTimeLoginNow(first.browser, start.page, loaded, mail!);
    const held = await first.finish(callback.url, start);

    // The load: sign-ins of the user through the email and password steps, one after another (an
    // authenticator code serves one sign-in per 30 s step), until the account is deactivated. All
    // come from one address, so the load stops short of its authorization requests' limit, leaving
    // room for the test's own, however slowly a busy machine runs the commands.
    let signIns = 0;
    let started = 0;
    let stopLoad = false;
    const load = (async () => {
      while (!stopLoad && started < rules.authorizationRequestsPerWindow - 30) {
        started += 1;
        const rp = await relyingParty(issuer());
        const signInPage = await rp.browser.submit((await rp.start()).page, '/email', { email: loaded });
        if (!/Sign in with your email address/.test(signInPage.html)) continue;
        const codePage = await rp.browser.submit(signInPage, '/password', { password: strongPassword });
        if (/Enter the verification code/.test(codePage.html)) signIns += 1;
      }
    })();

    try {
      assert.match(succeeded(await cli(['users', 'add', 'new.person@example.com', '--name', 'New Person']))[0]!, /^Added new\.person@example\.com: invited/);
      assert.ok(await serverKnows('new.person@example.com'), 'the server sees the account added');

      const csv = ['email,name', ...Array.from({ length: 1000 }, (_, i) => `imported.${i}@example.com,Imported ${i}`)].join('\n');
      const file = path.join(dataDir, 'import.csv');
      await writeFile(file, csv);
      const imported = succeeded(await runCli(['users', 'import', path.relative(process.cwd(), file)], env));
      assert.equal(imported.at(-1), 'added 1000, skipped 0, invalid 0');
      assert.ok(await serverKnows('imported.999@example.com'), 'the server sees the imported accounts');

      // Failures counted by the server, in its own memory store, are seen and cleared by the CLI.
      const attacker = await relyingParty(issuer());
      let page = await attacker.browser.submit((await attacker.start()).page, '/email', { email: 'new.person@example.com' });
      for (let i = 0; i < 10; i += 1) page = await attacker.browser.submit(page, '/password', { password: 'Wrong#Pass99' });
      assert.equal(page.status, 429);
      const shown = succeeded(await cli(['users', 'show', 'new.person@example.com']));
      assert.ok(shown.some((line) => /^lock: +locked for \d+ s more \(10 failed attempts\)$/.test(line)), shown.join('\n'));
      assert.match(succeeded(await cli(['users', 'unlock', 'new.person@example.com']))[0]!, /^Unlocked new\.person@example\.com/);

      assert.equal(succeeded(await cli(['users', 'deactivate', loaded]))[0], `Deactivated ${loaded}`);
      const refused = await relyingParty(issuer());
      const deactivated = await refused.browser.submit((await refused.start()).page, '/email', { email: loaded });
      assert.deepEqual(errorsOn(deactivated), ['Your account has been deactivated.'], 'the server refuses the account at once');
      await assert.rejects(oidc.refreshTokenGrant(first.config, held.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant', 'and its session ended');
      const status = succeeded(await cli(['users', 'show', loaded])).find((line) => line.startsWith('status:'));
      assert.equal(status, 'status:        deactivated');
    } finally {
      stopLoad = true;
      await load;
    }
    assert.ok(signIns >= 5, `the server checked passwords meanwhile (${signIns})`);
    assert.ok(server!.stdout.some((line) => line.includes('"operator command"')), 'the commands ran inside the server');
  });
});
