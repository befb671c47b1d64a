import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { rules } from '../../src/config.ts';
import { runCliInProcess, type CliRun } from '../helpers/cli-process.ts';
import { relyingParty, seedActiveAccount, signedInWithTokens } from '../helpers/flows.ts';
import { backends, confidentialClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

/**
 * An operator's change while Redis does not answer: the database change and its audit event stand,
 * what the change owes the store (ending sessions, revoking refresh tokens) is kept as owed, the
 * command says so and fails; running it again, or the server's own housekeeping, finishes it, and
 * then no token of the account works any more.
 */
const backend = backends()[1]!;

interface Signed {
  readonly rp: Awaited<ReturnType<typeof relyingParty>>;
  readonly accessToken: string;
  readonly refreshToken: string;
}

describe('account changes while Redis is away', { skip: backend.skip, timeout: 300_000 }, () => {
  let t: TestServer;
  let relay: TcpProxy;
  let cliEnv: Record<string, string>;

  before(async () => {
    t = await startTestServer(backend);
    const redis = new URL(process.env.TEST_REDIS_URL!);
    relay = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const relayed = new URL(process.env.TEST_REDIS_URL!);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(relay.port);
    cliEnv = {
      ...backend.env,
      REDIS_URL: relayed.toString(),
      SSO_DATA_DIR: t.dataDir,
      SSO_CLIENTS_FILE: t.config.clientsFile,
      SMTP_URL: t.config.smtpUrl!,
    };
  });
  after(async () => {
    await t?.close();
    await relay?.close();
    await backend.cleanup();
  });

  const cli = (args: string[]): Promise<CliRun> => runCliInProcess(args, cliEnv);

  async function signedIn(email: string): Promise<Signed> {
    const { rp, tokens } = await signedInWithTokens(t, email, confidentialClient);
    return { rp, accessToken: tokens.access_token, refreshToken: tokens.refresh_token! };
  }

  async function assertNoTokenWorks({ rp, accessToken, refreshToken }: Signed, what: string): Promise<void> {
    const introspected = await oidc.tokenIntrospection(rp.config, accessToken);
    assert.equal(introspected.active, false, `${what}: the access token is refused`);
    await assert.rejects(oidc.refreshTokenGrant(rp.config, refreshToken), (error: { error?: string }) => error.error === 'invalid_grant', `${what}: the refresh token is refused`);
  }

  async function events(email: string): Promise<string[]> {
    return (await t.server.services.audit.recent({ email, limit: 50 })).filter((e) => e.outcome === 'success').map((e) => e.event);
  }

  /**
   * `accountRead`: the change leaves the account not active, which every refresh grant reads from the
   * database (once the sign-in's own read has aged out), so the refresh tokens are refused at once,
   * while revoking them in the store is still owed. The other changes leave the account active and
   * reach its tokens through the store alone.
   */
  const cases: Array<{ command: string; event: string; finish: 'rerun' | 'server'; accountRead?: true; check: (email: string) => Promise<void> }> = [
    {
      command: 'deactivate',
      event: 'account.deactivated',
      finish: 'rerun',
      accountRead: true,
      check: async (email) => assert.equal((await t.server.services.accounts.findByEmail(email))!.status, 'deactivated'),
    },
    {
      command: 'reset',
      event: 'account.reset',
      finish: 'server',
      accountRead: true,
      check: async (email) => assert.equal((await t.server.services.accounts.findByEmail(email))!.passwordHash, null),
    },
    {
      command: 'reset-mfa',
      event: 'mfa.reset',
      finish: 'server',
      check: async (email) => assert.deepEqual((await t.server.services.accounts.findByEmail(email))!.factors, []),
    },
    { command: 'signout', event: 'account.signed-out', finish: 'rerun', check: async () => {} },
  ];

  for (const { command, event, finish, accountRead, check } of cases) {
    it(`users ${command}: the change and its event stand, ending the sessions is owed, then finished by ${finish === 'rerun' ? 'the command run again' : 'the server'}`, async () => {
      const email = `cut.${command}@example.com`;
      const signed = await signedIn(email);
      await relay.cut();
      try {
        const failed = await cli(['users', command, email]);
        assert.equal(failed.code, 1, failed.stdout + failed.stderr);
        assert.match(failed.stderr, /ending its sessions is still owed \(.*Redis.*\); run the command again, or a running server finishes it\n$/);
        await check(email);
        assert.ok((await events(email)).includes(event), `the ${event} event is recorded`);
        const shown = await cli(['users', 'show', email]);
        assert.equal(shown.code, 0, `users show reads without Redis: ${shown.stderr}`);
        assert.match(shown.stdout, /^lock: +unknown \(the store does not answer\)$/m);
        assert.match(shown.stdout, /^owed: +ending its sessions$/m);
        if (accountRead) {
          t.clock.offsetMs += (rules.recentAccountSeconds + 1) * 1000;
          await assert.rejects(oidc.refreshTokenGrant(signed.rp.config, signed.refreshToken), (error: { error?: string }) => error.error === 'invalid_grant', 'the server, which reaches Redis, refuses the refresh while its revocation is owed');
        }
      } finally {
        await relay.restore();
      }
      if (finish === 'rerun') {
        const again = await cli(['users', command, email]);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /^Ended [1-9]\d* sessions and revoked [1-9]\d* grants with their refresh tokens$/m);
      } else {
        await t.server.finishOwedTasks();
      }
      await assertNoTokenWorks(signed, command);
      assert.ok((await events(email)).includes('account.sessions-ended'));
      assert.doesNotMatch((await cli(['users', 'show', email])).stdout, /^owed:/m, 'nothing is owed any more');
    });
  }

  it('users unlock changes nothing when Redis is away, and says so', async () => {
    const email = 'cut.unlock@example.com';
    const { id } = await seedActiveAccount(t, email);
    for (let i = 0; i < 10; i += 1) await t.server.services.guard.reserve({ accountId: id, ip: '192.0.2.77' });
    await relay.cut();
    try {
      const failed = await cli(['users', 'unlock', email]);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /Redis/);
    } finally {
      await relay.restore();
    }
    assert.ok((await t.server.services.guard.status(id)).lockedForSeconds > 0, 'the lock still holds');
    assert.ok(!(await events(email)).includes('account.unlocked'), 'and no unlock is recorded');
  });
});
