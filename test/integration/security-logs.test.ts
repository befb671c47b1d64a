import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { csrfOf, reachedClient } from '../helpers/attack.ts';
import type { Browser, Page } from '../../harness/browser.ts';
import { nextTotpStep, recoveryCodesOn, relyingParty, strongPassword, totpNow, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

/** Every secret a journey handled, by kind, to look for afterwards wherever it must not be. */
class Secrets {
  readonly found: Array<{ kind: string; value: string }> = [];

  add(kind: string, value: string | undefined): void {
    assert.ok(value, `a ${kind} to look for`);
    this.found.push({ kind, value });
  }

  /** Which secrets occur in `text`; six-digit codes only as whole numbers, not inside longer ones. */
  occurringIn(text: string, kinds?: readonly string[]): string[] {
    return this.found
      .filter(({ kind }) => kinds === undefined || kinds.includes(kind))
      .filter(({ value }) => (/^\d{6}$/.test(value) ? new RegExp(`(?<!\\d)${value}(?!\\d)`).test(text) : text.includes(value)))
      .map(({ kind, value }) => `${kind} ${value}`);
  }
}

/** Every key under the prefix and its value, whatever its type, as text. */
async function redisDump(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url);
  try {
    const dump: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, '0', '-1')
                  : type;
        dump.push(key, JSON.stringify(value));
      }
      cursor = next;
    } while (cursor !== '0');
    return dump;
  } finally {
    await redis.quit();
  }
}

const link = (page: Page, selector: string) => new URL(page.$(selector).attr('href')!, page.url).toString();

for (const backend of backends()) {
  describe(`security: nothing secret in logs, audit records or at rest (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    const lines: string[] = [];
    const secrets = new Secrets();
    /** The store's content while codes and a pending enrollment are live, and at the end. */
    const storeSnapshots: string[] = [];
    async function snapshotStore(): Promise<void> {
      if (backend.env.REDIS_URL !== undefined) storeSnapshots.push((await redisDump(backend.env.REDIS_URL, backend.env.SSO_REDIS_PREFIX!)).join('\n'));
    }

    /**
     * Cookie values that authenticate: the session id and every signature. The interaction cookies'
     * values are the interaction's uid, which is in every page address anyway and useless without
     * its signature.
     */
    async function collectCookies(browser: Browser): Promise<void> {
      for (const url of [t.issuer, `${t.issuer}/auth`, `${t.issuer}/interaction`]) {
        for (const cookie of await browser.jar.getCookies(url, { allPaths: true })) {
          if (cookie.key === '_session' || cookie.key.endsWith('.sig')) secrets.add(`cookie ${cookie.key}`, cookie.value);
        }
      }
    }

    async function tokens(rp: RelyingParty, callback: Page, checks: { verifier: string; state: string; nonce: string }) {
      assert.ok(reachedClient(callback), `back at the client: ${callback.url}`);
      secrets.add('authorization code', new URL(callback.url).searchParams.get('code') ?? undefined);
      const set = await rp.finish(callback.url, checks);
      secrets.add('access token', set.access_token);
      secrets.add('id token', set.id_token);
      secrets.add('refresh token', set.refresh_token);
      await oidc.fetchUserInfo(rp.config, set.access_token, set.claims()!.sub);
      const refreshed = await oidc.refreshTokenGrant(rp.config, set.refresh_token!);
      secrets.add('access token', refreshed.access_token);
      secrets.add('refresh token', refreshed.refresh_token);
      await collectCookies(rp.browser);
    }

    /** Submits a code, remembering it first. */
    function code(kind: string, value: string): { code: string } {
      secrets.add(kind, value);
      return { code: value };
    }

    before(async () => {
      t = await startTestServer(backend, { SSO_LOG_LEVEL: 'trace' }, { logDestination: { write: (line: string) => void lines.push(line) } });
      const email = 'careful.user@example.com';
      await t.server.services.accounts.create({ email, name: 'Careful User' });

      // First-time login, with a wrong code and a refused password on the way.
      const first = await relyingParty(t);
      const start = await first.start();
      secrets.add('CSRF token', csrfOf(start.page));
      let page = await first.browser.submit(start.page, '/email', { email });
      page = await first.browser.get(link(page, 'a[href$="/help"]'));
      const before = t.mail.messages.length;
      page = await first.browser.submit(page, '/activation/send');
      const emailed = codeFrom(await t.mail.next(email, before));
      await snapshotStore();
      page = await first.browser.submit(page, '/activation/verify', code('wrong emailed code', emailed === '000000' ? '111111' : '000000'));
      page = await first.browser.submit(page, '/activation/verify', code('emailed code', emailed));
      page = await first.browser.get(link(page, 'a.button'));
      secrets.add('refused password', 'Careful.user#1');
      page = await first.browser.submit(page, '/new-password', { password: 'Careful.user#1', confirmation: 'Careful.user#1' });
      secrets.add('password', strongPassword);
      page = await first.browser.submit(page, '/new-password', { password: strongPassword, confirmation: strongPassword });
      const secret = page.$('code.secret').text().replace(/\s+/g, '');
      secrets.add('authenticator secret', secret);
      await snapshotStore();
      page = await first.browser.get(link(page, 'a.button'));
      nextTotpStep(t);
      page = await first.browser.submit(page, '/enroll/verify', code('authenticator code', totpNow(t, secret)));
      const recoveryCodes = recoveryCodesOn(page);
      assert.equal(recoveryCodes.length, 10, 'the recovery codes are shown');
      for (const recoveryCode of recoveryCodes) {
        secrets.add('recovery code', recoveryCode);
        secrets.add('recovery code', recoveryCode.replace('-', ''));
      }
      // While the codes wait in the flow state to be saved.
      await snapshotStore();
      await tokens(first, await first.browser.submit(page, '/recovery-codes', { saved: 'yes' }), start);

      // Sign-in, with a wrong password and a wrong code on the way.
      const signIn = await relyingParty(t);
      const again = await signIn.start();
      page = await signIn.browser.submit(again.page, '/email', { email });
      secrets.add('wrong password', 'Nearly#Right42');
      page = await signIn.browser.submit(page, '/password', { password: 'Nearly#Right42' });
      page = await signIn.browser.submit(page, '/password', { password: strongPassword });
      page = await signIn.browser.submit(page, '/totp', code('wrong authenticator code', totpNow(t, secret, 5)));
      nextTotpStep(t);
      await tokens(signIn, await signIn.browser.submit(page, '/totp', code('authenticator code', totpNow(t, secret))), again);

      // Sign-in with a recovery code, a wrong one first.
      const recovery = await relyingParty(t);
      const fourth = await recovery.start();
      page = await recovery.browser.submit(fourth.page, '/email', { email });
      page = await recovery.browser.submit(page, '/password', { password: strongPassword });
      page = await recovery.browser.get(link(page, 'a[href$="/recovery"]'));
      secrets.add('wrong recovery code', 'zzzzz-zzzzz');
      page = await recovery.browser.submit(page, '/recovery', { recoveryCode: 'zzzzz-zzzzz' });
      await tokens(recovery, await recovery.browser.submit(page, '/recovery', { recoveryCode: recoveryCodes[0]! }), fourth);

      // Reset with the authenticator.
      const reset = await relyingParty(t);
      const third = await reset.start();
      page = await reset.browser.submit(third.page, '/email', { email });
      page = await reset.browser.get(link(page, 'a[href$="/help"]'));
      page = await reset.browser.submit(page, '/forgot', { email });
      nextTotpStep(t);
      page = await reset.browser.submit(page, '/totp', code('authenticator code', totpNow(t, secret)));
      secrets.add('new password', 'Other#Secret55');
      await tokens(reset, await reset.browser.submit(page, '/new-password', { password: 'Other#Secret55', confirmation: 'Other#Secret55' }), third);
      await snapshotStore();
    });

    after(async () => {
      await t?.close();
      await backend.cleanup();
    });

    it('writes no password, code, authenticator secret, token or cookie value to any log line', () => {
      assert.ok(lines.length > 50, `the log was captured (${lines.length} lines)`);
      const log = lines.join('');
      assert.match(log, /"path":"\/interaction\//, 'requests are logged');
      assert.deepEqual(secrets.occurringIn(log), []);
    });

    it('redacts secret fields that a log call might include by mistake', () => {
      const form = { email: 'careful.user@example.com', password: 'Leak#Pass1', confirmation: 'Leak#Pass2', code: '424242', _csrf: 'csrf-leak' };
      const account = { id: 'acct', passwordHash: '$2b$10$leakedhash', totpSecretEncrypted: 'v1.sealed-leak' };
      const flow = { uid: 'u', pendingTotpSecret: 'v1.pending-leak' };
      const from = lines.length;
      t.server.services.logger.info({ form, account, flow, password: 'Leak#Pass3', secret: 'JBSWY3DPEHPK3PXP', cookie: '_session=leak' }, 'careless');
      const line = lines.slice(from).join('');
      assert.match(line, /careless/);
      assert.match(line, /careful\.user@example\.com/, 'what is not secret stays');
      for (const leak of ['Leak#Pass', '424242', 'csrf-leak', 'leakedhash', 'sealed-leak', 'pending-leak', 'JBSWY3DPEHPK3PXP', '_session=leak']) {
        assert.ok(!line.includes(leak), `${leak} is redacted: ${line}`);
      }
    });

    it('writes none to an audit record', async () => {
      const records = await t.server.services.audit.recent({ limit: 10_000 });
      const events = new Set(records.map((r) => r.event));
      for (const event of ['code.sent', 'code.failure', 'code.verified', 'password.set', 'totp.enrolled', 'recovery-codes.created', 'recovery-code.used', 'recovery-code.failure', 'signin.password', 'totp.failure', 'signin.success', 'password.reset']) {
        assert.ok(events.has(event), `${event} was audited`);
      }
      assert.deepEqual(secrets.occurringIn(JSON.stringify(records)), []);
    });

    it('keeps no password, emailed code or authenticator secret in clear in the database or the store', async () => {
      const atRest = ['password', 'refused password', 'wrong password', 'new password', 'emailed code', 'authenticator secret', 'recovery code'];
      const { knex } = t.server.database;
      const tables = (await knex('information_schema.tables')
        .whereRaw('table_schema = current_schema()')
        .andWhere('table_type', 'BASE TABLE')
        .pluck('table_name')) as string[];
      assert.ok(tables.includes('accounts'), `the tables are found: ${tables.join(', ')}`);
      for (const table of tables) {
        assert.deepEqual(secrets.occurringIn(JSON.stringify(await knex(table).select()), atRest), [], `table ${table}`);
      }
      // The in-process store cannot be listed; Redis is what production runs on.
      if (backend.env.REDIS_URL === undefined) return;
      assert.equal(storeSnapshots.length, 4);
      for (const [i, snapshot] of storeSnapshots.entries()) {
        assert.match(snapshot, /email-code/, `snapshot ${i} holds the store's keys`);
        assert.deepEqual(secrets.occurringIn(snapshot, atRest), [], `snapshot ${i}`);
      }
    });
  });
}
