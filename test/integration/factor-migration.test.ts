import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { rules } from '../../src/config.ts';
import { openDatabase } from '../../src/db/knex.ts';
import { migrate } from '../../src/db/migrate.ts';
import { hashPassword } from '../../src/security/password-hash.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret } from '../../src/security/totp.ts';
import { errorsOn } from '../../harness/browser.ts';
import { relyingParty, strongPassword, walkSignIn } from '../helpers/flows.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * An installation of the previous version (authenticator secrets on the account rows) upgraded by
 * the server's start: every account keeps its state, and the users sign in with the authenticator
 * apps they already have.
 */
for (const backend of backends()) {
  describe(`upgrading to second factors as a list (${backend.name})`, { skip: backend.skip, timeout: 300_000 }, () => {
    const secretKey = randomBytes(32);
    const secrets = new Map<string, string>();
    let dataDir: string;
    let t: TestServer;

    /** A row as version 002 of the schema kept it. */
    async function oldAccount(
      knex: Knex,
      email: string,
      status: 'invited' | 'active' | 'deactivated',
      withAuthenticator: boolean,
    ): Promise<void> {
      const now = new Date();
      const secret = generateTotpSecret();
      if (withAuthenticator) secrets.set(email, secret);
      await knex('accounts').insert({
        id: randomUUID(),
        email,
        name: email.split('@')[0],
        status,
        invited_at: new Date(now.getTime() - 86_400_000),
        activated_at: status === 'invited' ? null : now,
        deactivated_at: status === 'deactivated' ? now : null,
        deactivation_reason: status === 'deactivated' ? 'operator' : null,
        password_hash: status === 'invited' ? null : await hashPassword(strongPassword, 4),
        password_changed_at: status === 'invited' ? null : now,
        totp_secret_encrypted: withAuthenticator ? sealSecret(secretKey, secret) : null,
        totp_enrolled_at: withAuthenticator ? new Date(now.getTime() - 3_600_000) : null,
        created_at: now,
        updated_at: now,
      });
    }

    before(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-upgrade-'));
      const db = await openDatabase({ databaseUrl: backend.env.DATABASE_URL, databaseSchema: backend.env.SSO_DATABASE_SCHEMA, dataDir });
      try {
        assert.deepEqual(await migrate(db, { until: '002_audit_events' }), ['001_accounts', '002_audit_events']);
        await oldAccount(db.knex, 'invited@example.com', 'invited', false);
        await oldAccount(db.knex, 'active@example.com', 'active', true);
        await oldAccount(db.knex, 'deactivated@example.com', 'deactivated', true);
        await oldAccount(db.knex, 'locked@example.com', 'active', true);
      } finally {
        await db.close();
      }
      t = await startTestServer(backend, { SSO_DATA_DIR: dataDir, SSO_SECRET_KEY: secretKey.toString('base64') });
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('moves every authenticator secret into the factors, sealed as it was', async () => {
      const { accounts } = t.server.services;
      for (const email of ['active@example.com', 'deactivated@example.com', 'locked@example.com']) {
        const account = (await accounts.findByEmail(email))!;
        assert.equal(account.factors.length, 1, email);
        const [app] = account.factors;
        assert.equal(app!.kind, 'authenticator-app');
        assert.equal(app!.name, 'Authenticator app');
        assert.ok(app!.secret !== null && !app!.secret.includes(secrets.get(email)!), 'still sealed');
      }
      assert.deepEqual((await accounts.findByEmail('invited@example.com'))!.factors, []);
      const columns = await t.server.database.knex('information_schema.columns').where({ table_name: 'accounts' }).whereRaw('table_schema = current_schema()').pluck('column_name');
      assert.ok(!columns.includes('totp_secret_encrypted'), 'the old column is gone');
    });

    it('signs each account in as its state allows, with the authenticator it already had', async () => {
      const active = await relyingParty(t);
      const start = await active.start();
      const callback = await walkSignIn(active, t, start.page, 'active@example.com', secrets.get('active@example.com')!);
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `signed in: ${callback.url}`);
      assert.deepEqual((await active.finish(callback.url, start)).claims()!.amr, ['pwd', 'otp', 'mfa']);

      const deactivated = await relyingParty(t);
      const refused = await deactivated.browser.submit((await deactivated.start()).page, '/email', { email: 'deactivated@example.com' });
      assert.equal(refused.status, 403);
      assert.deepEqual(errorsOn(refused), ['Your account has been deactivated.']);

      const invited = await relyingParty(t);
      const signIn = await invited.browser.submit((await invited.start()).page, '/email', { email: 'invited@example.com' });
      const help = await invited.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      assert.equal(help.$('button[type=submit]').first().text().trim(), 'Send verification code', 'first-time login, as before');

      const locked = (await t.server.services.accounts.findByEmail('locked@example.com'))!;
      for (let i = 0; i < rules.lockThreshold; i += 1) await t.server.services.guard.reserve({ accountId: locked.id, ip: '192.0.2.9' });
      const attacker = await relyingParty(t);
      const lockedPage = await attacker.browser.submit(await attacker.browser.submit((await attacker.start()).page, '/email', { email: 'locked@example.com' }), '/password', {
        password: strongPassword,
      });
      assert.equal(lockedPage.status, 429, 'a lock holds through the upgrade');
      t.clock.offsetMs += rules.lockBaseSeconds * 1000;
      const owner = await relyingParty(t);
      const ownerStart = await owner.start();
      const ownerCallback = await walkSignIn(owner, t, ownerStart.page, 'locked@example.com', secrets.get('locked@example.com')!);
      assert.ok(ownerCallback.url.startsWith(publicClient.redirect_uris[0]), 'and once it ends, the old authenticator signs in');
    });
  });
}
