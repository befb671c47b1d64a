import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AccountNotFoundError,
  AccountRepository,
  AccountStateError,
  DuplicateEmailError,
  type NewAccount,
} from '../../src/accounts/repository.ts';
import { AuditLog } from '../../src/audit.ts';
import { FactorRepository } from '../../src/factors/repository.ts';
import { DatabaseUnavailableError, openDatabase, type Database } from '../../src/db/knex.ts';
import { migrate } from '../../src/db/migrate.ts';
import { databaseVariants } from '../helpers/databases.ts';

const dayMs = 24 * 60 * 60 * 1000;
const t0 = new Date('2025-01-15T09:00:00.000Z');
const days = (n: number) => new Date(t0.getTime() + n * dayMs);
const unknownId = '00000000-0000-4000-8000-000000000000';
const allMigrations = ['001_accounts', '002_audit_events', '003_factors', '004_account_roles', '005_account_tasks', '006_account_locale', '007_account_search', '008_account_search_words', '009_account_search_starts'];

/** A clock the test moves by hand. */
class Clock {
  constructor(private current: Date = t0) {}
  readonly now = (): Date => this.current;
  set(date: Date): void {
    this.current = date;
  }
}

for (const variant of databaseVariants()) {
  describe(`database contract (${variant.name})`, { skip: variant.skip }, () => {
    let db: Database;
    let applied: string[];
    let clock: Clock;
    let accounts: AccountRepository;
    let factors: FactorRepository;

    /** Enrolls an authenticator app (its sealed secret stands in as a string). */
    const enrollApp = (accountId: string, secret = 'encrypted-secret') =>
      factors.add({ accountId, kind: 'authenticator-app', name: 'Authenticator app', secret }, 5);

    before(async () => {
      db = await variant.open();
      applied = await migrate(db);
    });

    after(async () => {
      await db?.close();
      await variant.cleanup();
    });

    beforeEach(async () => {
      await db.knex.raw('truncate accounts, audit_events, factors, account_roles, account_tasks');
      clock = new Clock();
      accounts = new AccountRepository(db.knex, { activationDays: 30, now: clock.now });
      factors = new FactorRepository(db.knex, clock.now);
    });

    /** An account that completed first-time login at t0 + 1 day. */
    async function activeAccount(email: string) {
      const created = await accounts.create({ email });
      clock.set(days(1));
      await accounts.setPassword(created.id, '$2b$12$hash');
      await enrollApp(created.id);
      return accounts.activate(created.id);
    }

    test('migrations apply once, then report nothing to do', async () => {
      assert.deepEqual(applied, allMigrations);
      assert.deepEqual(await migrate(db), []);
    });

    test('create normalises the email and starts an invitation now', async () => {
      const account = await accounts.create({ email: '  Alice.Smith@Example.COM ', name: '  Alice Smith ' });
      assert.match(account.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(account.email, 'alice.smith@example.com');
      assert.equal(account.name, 'Alice Smith');
      assert.equal(account.status, 'invited');
      assert.ok(account.invitedAt instanceof Date);
      assert.equal(account.invitedAt.getTime(), t0.getTime());
      assert.ok(account.createdAt instanceof Date && account.updatedAt instanceof Date);
      for (const empty of [account.activatedAt, account.deactivatedAt, account.deactivationReason, account.passwordHash]) {
        assert.equal(empty, null);
      }
      assert.equal((await accounts.create({ email: 'bob@example.com', name: '   ' })).name, null);
    });

    test('find by email in any case and spacing, and by id', async () => {
      const created = await accounts.create({ email: 'carol@example.com', invitedAt: days(-3) });
      assert.deepEqual(await accounts.findByEmail(' CAROL@example.com  '), { ...created, factors: [] });
      assert.deepEqual(await accounts.findById(created.id), { ...created, factors: [] });
      assert.equal((await accounts.findById(created.id))?.invitedAt.getTime(), days(-3).getTime());
      assert.equal(await accounts.findByEmail('nobody@example.com'), undefined);
      assert.equal(await accounts.findById(unknownId), undefined);
      assert.equal(await accounts.findById('not-a-uuid'), undefined);
    });

    test('keeps the language of the last sign-in, and reads one it does not know as none', async () => {
      const created = await accounts.create({ email: 'lang@example.com' });
      assert.equal(created.locale, null);
      assert.equal(await accounts.localeOf(created.id), null);
      await accounts.rememberLocale(created.id, 'fr');
      assert.equal((await accounts.findById(created.id))?.locale, 'fr');
      assert.equal(await accounts.localeOf(created.id), 'fr');
      await db.knex('accounts').where('id', created.id).update({ locale: 'tlh' });
      assert.equal((await accounts.findById(created.id))?.locale, null);
      assert.equal(await accounts.localeOf(created.id), null);
      assert.equal(await accounts.localeOf(unknownId), null);
    });

    test('an email is unique whatever its case', async () => {
      await accounts.create({ email: 'dave@example.com' });
      await assert.rejects(accounts.create({ email: ' DAVE@Example.com' }), (err) => {
        assert.ok(err instanceof DuplicateEmailError);
        assert.equal(err.email, 'dave@example.com');
        return true;
      });
      // The database holds the rule too, not only the repository.
      await assert.rejects(
        db.knex('accounts').insert({ id: crypto.randomUUID(), email: 'DAVE@example.com', status: 'invited', invited_at: t0 }),
      );
    });

    test('the database refuses an unknown status', async () => {
      await assert.rejects(
        db.knex('accounts').insert({ id: crypto.randomUUID(), email: 'eve@example.com', status: 'suspended', invited_at: t0 }),
      );
    });

    test('createMany inserts in batches, skips duplicates and is idempotent', async () => {
      await accounts.create({ email: 'existing@example.com' });
      const rows: NewAccount[] = Array.from({ length: 2500 }, (_, i) => ({ email: `User${i}@Example.com`, name: `User ${i}` }));
      rows.push(
        { email: 'EXISTING@example.com', name: 'Existing' },
        { email: 'user7@example.com', name: 'Again' },
        { email: 'dated@example.com', name: 'Dated', invitedAt: days(-2) },
      );
      const progress: number[] = [];

      assert.deepEqual(await accounts.createMany(rows, { onProgress: (n) => progress.push(n) }), { added: 2501, skipped: 2 });
      assert.deepEqual(progress, [1000, 2000, 2503]);
      assert.deepEqual(await accounts.createMany(rows), { added: 0, skipped: 2503 });

      assert.equal((await accounts.findByEmail('user7@example.com'))?.name, 'User 7');
      assert.equal((await accounts.findByEmail('dated@example.com'))?.invitedAt.getTime(), days(-2).getTime());
      assert.equal((await accounts.list({ status: 'invited' })).length, 2502);
      assert.deepEqual(await accounts.createMany([]), { added: 0, skipped: 0 });
    });

    test('list is ordered by email and filters by status', async () => {
      await activeAccount('b@example.com');
      await accounts.create({ email: 'c@example.com' });
      await accounts.create({ email: 'a@example.com' });
      const d = await accounts.create({ email: 'd@example.com' });
      await accounts.deactivate(d.id);
      assert.deepEqual((await accounts.list()).map((a) => a.email), ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']);
      assert.deepEqual((await accounts.list({ status: 'invited' })).map((a) => a.email), ['a@example.com', 'c@example.com']);
      assert.deepEqual((await accounts.list({ status: 'active' })).map((a) => a.email), ['b@example.com']);
      assert.deepEqual((await accounts.list({ status: 'deactivated' })).map((a) => a.email), ['d@example.com']);
    });

    test('first-time login: password, authenticator, then activation', async () => {
      const { id } = await accounts.create({ email: 'frank@example.com' });
      clock.set(days(1));
      await assert.rejects(accounts.activate(id), AccountStateError);

      const withPassword = await accounts.setPassword(id, '$2b$12$hash');
      assert.equal(withPassword.passwordHash, '$2b$12$hash');
      assert.equal(withPassword.passwordChangedAt?.getTime(), days(1).getTime());
      assert.equal(withPassword.updatedAt.getTime(), days(1).getTime());
      await assert.rejects(accounts.activate(id), AccountStateError);

      const app = await enrollApp(id);
      assert.equal(app?.secret, 'encrypted-secret');
      assert.equal(app?.createdAt.getTime(), days(1).getTime());
      assert.deepEqual((await accounts.findById(id))?.factors.map((f) => f.id), [app?.id], 'the account is read with its factors');

      const active = await accounts.activate(id);
      assert.equal(active.status, 'active');
      assert.equal(active.activatedAt?.getTime(), days(1).getTime());

      clock.set(days(2));
      assert.deepEqual(await accounts.activate(id), active, 'activating an active account changes nothing');
    });

    test('factors: at most the given number of a kind, even when added at once', async () => {
      const { id } = await accounts.create({ email: 'grace@example.com' });
      const added = await Promise.all(Array.from({ length: 8 }, (_, i) => enrollApp(id, `secret-${i}`)));
      assert.equal(added.filter((f) => f !== undefined).length, 5);
      assert.equal((await factors.listFor(id, 'authenticator-app')).length, 5);
      assert.equal(await enrollApp(unknownId), undefined, 'nothing is added to an unknown account');
    });

    test('factors: rename, remove, but never the last authenticator app or passkey', async () => {
      const { id } = await accounts.create({ email: 'grace.two@example.com' });
      const first = (await enrollApp(id))!;
      const second = (await enrollApp(id))!;
      const codes = (await factors.add({ accountId: id, kind: 'recovery-codes', name: null, data: { codes: [] } }, 1))!;
      assert.equal(await factors.rename(id, second.id, 'Work phone'), true);
      assert.equal(await factors.rename(unknownId, second.id, 'Stolen'), false, 'only the owner renames');
      assert.equal(await factors.remove(id, first.id), 'removed');
      assert.equal(await factors.remove(id, second.id), 'last', 'the last app stays');
      assert.equal(await factors.remove(id, codes.id), 'removed', 'recovery codes are not a factor of their own');
      assert.equal(await factors.remove(id, first.id), 'missing');
      const [left] = await factors.listFor(id);
      assert.equal(left?.name, 'Work phone');
      assert.deepEqual(left?.data, null);
      assert.equal(await factors.removeAll(id), 1);
    });

    test('factors: of the last two, each removed many times at once, exactly one stays', async () => {
      for (let round = 0; round < 5; round++) {
        const { id } = await accounts.create({ email: `last.two.${round}@example.com` });
        const [app, other] = [(await enrollApp(id))!, (await enrollApp(id))!];
        const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => factors.remove(id, i % 2 === 0 ? app.id : other.id)));
        assert.equal((await factors.listFor(id)).length, 1, `round ${round}: ${outcomes.join(' ')}`);
        assert.equal(outcomes.filter((outcome) => outcome === 'removed').length, 1, `round ${round}: ${outcomes.join(' ')}`);
      }
    });

    test('factors: a member taken from a list once, of ten takers at once and one after another', async () => {
      const { id } = await accounts.create({ email: 'ivan@example.com' });
      await factors.replace({ accountId: id, kind: 'recovery-codes', name: null, data: { unused: ['a1', 'b2', 'c3'] } });
      const taken = await Promise.all(Array.from({ length: 10 }, () => factors.takeFromList(id, 'recovery-codes', 'unused', 'b2')));
      assert.deepEqual(taken.filter((left) => left !== undefined), [2], 'one taker gets it, and learns how many are left');
      assert.equal(await factors.takeFromList(id, 'recovery-codes', 'unused', 'b2'), undefined, 'and it is gone afterwards');
      assert.equal(await factors.takeFromList(id, 'authenticator-app', 'unused', 'a1'), undefined, 'only from the kind asked');
      assert.equal(await factors.takeFromList(unknownId, 'recovery-codes', 'unused', 'a1'), undefined, "never another account's");
      assert.equal(await factors.takeFromList(id, 'recovery-codes', 'unused', 'a1'), 1);
      const [set] = await factors.listFor(id, 'recovery-codes');
      assert.deepEqual(set?.data, { unused: ['c3'] });
      assert.deepEqual(set?.lastUsedAt, t0, 'marked used');
    });

    test('factors: a replacement leaves one of the kind, even when two are made at once', async () => {
      const { id } = await accounts.create({ email: 'ivan.two@example.com' });
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => factors.replace({ accountId: id, kind: 'recovery-codes', name: null, data: { unused: [`set-${i}`] } })),
      );
      const sets = await factors.listFor(id, 'recovery-codes');
      assert.equal(sets.length, 1);
      assert.equal(await factors.replace({ accountId: unknownId, kind: 'recovery-codes', name: null, data: { unused: [] } }), undefined);
    });

    test('factors: a counter only moves forward, once per value even when raised at once, and 0 stays allowed at 0', async () => {
      const { id } = await accounts.create({ email: 'judy@example.com' });
      const still = (await factors.add({ accountId: id, kind: 'passkey', name: 'Phone', credentialId: 'cred-still', data: { counter: 0 } }, 10))!;
      assert.equal(await factors.advanceCounter(still.id, 0), true, 'an authenticator without a counter');
      assert.equal(await factors.advanceCounter(still.id, 0), true);
      const key = (await factors.add({ accountId: id, kind: 'passkey', name: 'Key', credentialId: 'cred-key', data: { counter: 4 } }, 10))!;
      const raised = await Promise.all(Array.from({ length: 10 }, () => factors.advanceCounter(key.id, 5)));
      assert.equal(raised.filter(Boolean).length, 1, 'one of ten answers with the same counter');
      assert.equal(await factors.advanceCounter(key.id, 5), false, 'the same counter again');
      assert.equal(await factors.advanceCounter(key.id, 3), false, 'a lower one');
      assert.equal(await factors.advanceCounter(key.id, 0), false, 'back to zero');
      assert.equal(await factors.advanceCounter(key.id, 9), true);
      const stored = (await factors.listFor(id, 'passkey')).find((factor) => factor.id === key.id);
      assert.deepEqual(stored?.data, { counter: 9 });
      await assert.rejects(factors.add({ accountId: id, kind: 'passkey', name: 'Copy', credentialId: 'cred-key', data: { counter: 0 } }, 10), 'a credential id is stored once');
    });

    test('resetCredentials sends an active account back through first-time login', async () => {
      const active = await activeAccount('heidi@example.com');
      clock.set(days(5));
      const reset = await accounts.resetCredentials(active.id);
      assert.equal(reset.status, 'invited');
      assert.equal(reset.invitedAt.getTime(), days(5).getTime());
      for (const cleared of [reset.passwordHash, reset.passwordChangedAt, reset.activatedAt]) {
        assert.equal(cleared, null);
      }
      // The fresh window is the one that counts now.
      clock.set(days(34));
      assert.equal((await accounts.findById(active.id))?.status, 'invited');
    });

    test('deactivate and reactivate an account that had been activated', async () => {
      const active = await activeAccount('ivan@example.com');
      clock.set(days(3));
      const deactivated = await accounts.deactivate(active.id);
      assert.equal(deactivated.status, 'deactivated');
      assert.equal(deactivated.deactivationReason, 'operator');
      assert.equal(deactivated.deactivatedAt?.getTime(), days(3).getTime());

      clock.set(days(4));
      assert.deepEqual(await accounts.deactivate(active.id), deactivated, 'a second deactivation keeps the first');

      const reactivated = await accounts.reactivate(active.id);
      assert.equal(reactivated.status, 'active');
      assert.equal(reactivated.deactivatedAt, null);
      assert.equal(reactivated.deactivationReason, null);
      assert.equal(reactivated.activatedAt?.getTime(), days(1).getTime());
      assert.equal(reactivated.passwordHash, active.passwordHash);
      assert.deepEqual(await accounts.reactivate(active.id), reactivated, 'reactivating an active account changes nothing');
    });

    test('findActiveClaims: reads asked for together share one statement, and each gets its own account or none', async () => {
      const alice = await activeAccount('alice@example.com');
      const bob = await activeAccount('bob@example.com');
      const carol = await activeAccount('carol@example.com');
      await accounts.deactivate(bob.id);
      const invited = await accounts.create({ email: 'invited@example.com' });
      const statements: string[] = [];
      const count = (query: { sql: string }) => void (query.sql.startsWith('select "id", "email", "name", "status"') && statements.push(query.sql));
      db.knex.on('query', count);
      try {
        const asked = [alice.id, bob.id, carol.id, invited.id, unknownId, alice.id, 'not-an-id'];
        const answers = await Promise.all(asked.map((id) => accounts.findActiveClaims(id)));
        assert.deepEqual(
          answers.map((answer) => answer?.email),
          ['alice@example.com', undefined, 'carol@example.com', undefined, undefined, 'alice@example.com', undefined],
        );
        assert.deepEqual(answers[0], { id: alice.id, email: 'alice@example.com', name: null, status: 'active' });
        assert.equal(statements.length, 1, `one statement for the seven reads: ${statements.join(' | ')}`);
        // Asked for one after another, each reads anew: nothing is remembered between turns.
        await accounts.deactivate(carol.id);
        assert.equal(await accounts.findActiveClaims(carol.id), undefined);
        assert.equal(statements.length, 2);
      } finally {
        db.knex.off('query', count);
      }
    });

    test('a deactivated account cannot be activated', async () => {
      const { id } = await accounts.create({ email: 'judy@example.com' });
      await accounts.setPassword(id, '$2b$12$hash');
      await enrollApp(id);
      await accounts.deactivate(id);
      await assert.rejects(accounts.activate(id), AccountStateError);
    });

    test('the activation window holds between sweeps', async () => {
      const invited = await accounts.create({ email: 'ken@example.com' });
      clock.set(days(30));
      assert.equal((await accounts.findByEmail('ken@example.com'))?.status, 'invited', 'exactly 30 days is still inside');

      clock.set(new Date(days(30).getTime() + 1));
      for (const read of [() => accounts.findByEmail('KEN@example.com'), () => accounts.findById(invited.id)]) {
        const account = await read();
        assert.equal(account?.status, 'deactivated');
        assert.equal(account?.deactivationReason, 'activation-expired');
        assert.equal(account?.deactivatedAt?.getTime(), days(30).getTime(), 'deactivated when the window closed');
      }
      await assert.rejects(accounts.activate(invited.id), AccountStateError);
      assert.equal(await accounts.expireStaleInvitations(), 0, 'the read already recorded the expiry');
    });

    test('list reports overdue invitations as deactivated without a sweep', async () => {
      await accounts.create({ email: 'old@example.com', invitedAt: days(-31) });
      await accounts.create({ email: 'new@example.com' });
      assert.deepEqual((await accounts.list({ status: 'invited' })).map((a) => a.email), ['new@example.com']);
      const [expired] = await accounts.list({ status: 'deactivated' });
      assert.equal(expired?.email, 'old@example.com');
      assert.equal(expired?.deactivationReason, 'activation-expired');
    });

    test('an account created with an invitation past its window is deactivated at once', async () => {
      const account = await accounts.create({ email: 'late@example.com', invitedAt: days(-40) });
      assert.equal(account.status, 'deactivated');
      assert.equal(account.deactivationReason, 'activation-expired');
    });

    test('expireStaleInvitations deactivates only invitations past the window', async () => {
      const stale = await accounts.create({ email: 'stale1@example.com', invitedAt: days(-20) });
      await accounts.create({ email: 'stale2@example.com', invitedAt: days(-5) });
      const fresh = await accounts.create({ email: 'fresh@example.com' });
      const active = await activeAccount('active@example.com');
      await db.knex('accounts').where('id', active.id).update({ invited_at: days(-100) });

      clock.set(days(26));
      assert.equal(await accounts.expireStaleInvitations(), 2);
      assert.equal(await accounts.expireStaleInvitations(), 0);
      const swept = await db.knex('accounts').where('id', stale.id).first();
      assert.equal(swept.status, 'deactivated');
      assert.equal(swept.deactivation_reason, 'activation-expired');
      assert.equal(swept.deactivated_at.getTime(), days(10).getTime());
      assert.equal((await accounts.findById(fresh.id))?.status, 'invited');
      assert.equal((await accounts.findById(active.id))?.status, 'active', 'activated accounts never expire');
    });

    test('expireStaleInvitations expires many overdue invitations a batch per statement, every one of them, also when two sweeps run at once', async () => {
      const batched = new AccountRepository(db.knex, { activationDays: 30, now: clock.now, sweepBatch: 3 });
      await accounts.createMany(Array.from({ length: 10 }, (_, i) => ({ email: `batch${i}@example.com` })));
      const fresh = await accounts.create({ email: 'later@example.com', invitedAt: days(5) });
      const updates: string[] = [];
      const listen = (query: { sql: string }) => {
        if (/update "accounts"/i.test(query.sql)) updates.push(query.sql);
      };
      clock.set(days(31));
      db.knex.on('query', listen);
      try {
        const [first, second] = await Promise.all([batched.expireStaleInvitations(), batched.expireStaleInvitations()]);
        assert.equal(first + second, 10, 'each invitation expired once');
      } finally {
        db.knex.off('query', listen);
      }
      assert.ok(updates.length >= 4, `at most 3 a statement: ${updates.length} statements for 10`);
      assert.equal(await db.knex('accounts').where('status', 'invited').count({ n: '*' }).first().then((row) => Number(row?.n)), 1);
      assert.equal((await accounts.findById(fresh.id))?.status, 'invited', 'a window still open is left alone');
      assert.equal(await batched.expireStaleInvitations(), 0);
    });

    test('reactivating an expired invitation restarts the activation window', async () => {
      const { id } = await accounts.create({ email: 'leo@example.com' });
      clock.set(days(40));
      assert.equal((await accounts.findById(id))?.status, 'deactivated');

      const reactivated = await accounts.reactivate(id);
      assert.equal(reactivated.status, 'invited');
      assert.equal(reactivated.invitedAt.getTime(), days(40).getTime());
      assert.equal(reactivated.deactivationReason, null);

      clock.set(days(69));
      assert.equal((await accounts.findById(id))?.status, 'invited');
      clock.set(days(71));
      assert.equal((await accounts.findById(id))?.status, 'deactivated');
    });

    test('reactivating an invited account extends its window', async () => {
      const { id } = await accounts.create({ email: 'mia@example.com' });
      clock.set(days(20));
      assert.equal((await accounts.reactivate(id)).invitedAt.getTime(), days(20).getTime());
    });

    test('a reset while deactivated leaves the account deactivated, and reactivation then invites it', async () => {
      const active = await activeAccount('nina@example.com');
      await accounts.deactivate(active.id);
      const reset = await accounts.resetCredentials(active.id);
      assert.equal(reset.status, 'deactivated');
      assert.equal(reset.passwordHash, null);
      clock.set(days(2));
      const reactivated = await accounts.reactivate(active.id);
      assert.equal(reactivated.status, 'invited');
      assert.equal(reactivated.invitedAt.getTime(), days(2).getTime());
    });

    test('a reset cannot revive an invitation past its window', async () => {
      const { id } = await accounts.create({ email: 'oscar@example.com' });
      clock.set(days(31));
      const reset = await accounts.resetCredentials(id);
      assert.equal(reset.status, 'deactivated');
      assert.equal(reset.deactivationReason, 'activation-expired');
    });

    test('changes to an unknown account throw AccountNotFoundError', async () => {
      for (const id of [unknownId, 'not-a-uuid']) {
        await assert.rejects(accounts.setPassword(id, 'h'), AccountNotFoundError);
        await assert.rejects(accounts.activate(id), AccountNotFoundError);
        await assert.rejects(accounts.resetCredentials(id), AccountNotFoundError);
        await assert.rejects(accounts.deactivate(id), AccountNotFoundError);
        await assert.rejects(accounts.reactivate(id), AccountNotFoundError);
      }
    });

    test('audit: record and read back, newest first, by email in any case', async () => {
      const audit = new AuditLog(db.knex, { now: clock.now });
      const account = await accounts.create({ email: 'pat@example.com' });
      await audit.record({
        event: 'signin.failure',
        outcome: 'failure',
        accountId: account.id,
        email: ' Pat@Example.com',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        clientId: 'extranet',
        details: { reason: 'bad-password', attempt: 3, locked: false, note: null },
      });
      clock.set(days(1));
      await audit.record({ event: 'signin.success', outcome: 'success', accountId: account.id, email: 'pat@example.com' });
      await audit.record({ event: 'cli.migrate', outcome: 'info' });

      const all = await audit.recent({ limit: 10 });
      assert.deepEqual(all.map((e) => e.event), ['cli.migrate', 'signin.success', 'signin.failure']);
      const [success, failure] = await audit.recent({ email: 'PAT@example.com ', limit: 10 });
      assert.equal(success?.event, 'signin.success');
      assert.ok(success?.at instanceof Date);
      assert.equal(success?.at.getTime(), days(1).getTime());
      assert.equal(typeof success?.id, 'number');
      assert.deepEqual({ ...failure, id: 0 }, {
        id: 0,
        at: t0,
        event: 'signin.failure',
        outcome: 'failure',
        accountId: account.id,
        email: 'pat@example.com',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        clientId: 'extranet',
        details: { reason: 'bad-password', attempt: 3, locked: false, note: null },
      });
      assert.equal((await audit.recent({ limit: 1 })).length, 1);
    });

    test('audit: details that look secret are never stored', async () => {
      const audit = new AuditLog(db.knex, { now: clock.now });
      await audit.record({
        event: 'code.failure',
        outcome: 'failure',
        email: 'quinn@example.com',
        details: {
          password: 'hunter2',
          newPassword: 'x',
          code: '123456',
          totpCode: '654321',
          secret: 'JBSWY3DP',
          accessToken: 't',
          cookie: 'c',
          passwordHash: 'h',
          reason: 'expired',
        },
      });
      await audit.record({ event: 'password.set', outcome: 'success', details: { password: 'hunter2' } });
      const [onlySecrets, mixed] = await audit.recent({ limit: 2 });
      assert.deepEqual(mixed?.details, { reason: 'expired' });
      assert.equal(onlySecrets?.details, null);
      const stored = JSON.stringify(await db.knex('audit_events').select('*'));
      for (const secret of ['hunter2', '123456', '654321', 'JBSWY3DP']) assert.ok(!stored.includes(secret), secret);
    });

    test('audit: oversized client text is clipped', async () => {
      const audit = new AuditLog(db.knex, { now: clock.now });
      await audit.record({ event: 'signin.email', outcome: 'info', userAgent: 'x'.repeat(10_000), details: { reason: 'y'.repeat(10_000) } });
      const [row] = await audit.recent({ limit: 1 });
      assert.equal(row?.userAgent?.length, 512);
      assert.equal(String(row?.details?.reason).length, 512);
    });

    test('audit: purgeOlderThan removes only older events', async () => {
      const audit = new AuditLog(db.knex, { now: clock.now });
      for (const at of [days(-400), days(-366), days(-364), days(0)]) {
        clock.set(at);
        await audit.record({ event: 'logout', outcome: 'info' });
      }
      clock.set(t0);
      assert.equal(await audit.purgeOlderThan(365), 2);
      assert.equal(await audit.purgeOlderThan(365), 0);
      assert.deepEqual((await audit.recent({ limit: 10 })).map((e) => e.at.getTime()), [days(0).getTime(), days(-364).getTime()]);
    });

    test('an audit event outlives its account', async () => {
      const audit = new AuditLog(db.knex, { now: clock.now });
      const account = await accounts.create({ email: 'rita@example.com' });
      await audit.record({ event: 'account.created', outcome: 'success', accountId: account.id, email: account.email });
      await db.knex('accounts').where('id', account.id).del();
      assert.equal((await audit.recent({ email: 'rita@example.com', limit: 5 }))[0]?.accountId, account.id);
    });

    test('PostgreSQL: a dropped connection is replaced on the next query', { skip: variant.name !== 'postgres' && 'PostgreSQL only' }, async () => {
      const backendPid = async (target: Database) =>
        ((await target.knex.raw('select pg_backend_pid() as pid')) as { rows: Array<{ pid: number }> }).rows[0]!.pid;
      // A pool of its own holds exactly one connection here, so the one terminated is the one it would reuse.
      const victim = await variant.open();
      try {
        const dropped = await backendPid(victim);
        await db.knex.raw('select pg_terminate_backend(?)', [dropped]);
        // Give the client a moment to receive the server's goodbye, as an idle connection would.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await victim.ping();
        assert.notEqual(await backendPid(victim), dropped);
      } finally {
        await victim.close();
      }
    });

    test('PostgreSQL: instances starting together migrate once', { skip: variant.name !== 'postgres' && 'PostgreSQL only' }, async () => {
      const fresh = databaseVariants().find((v) => v.name === 'postgres')!;
      const [a, b] = await Promise.all([fresh.open(), fresh.open()]);
      try {
        const results = await Promise.all([migrate(a), migrate(b)]);
        assert.deepEqual(results.flat().sort(), allMigrations);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await fresh.cleanup();
      }
    });

    // How fast it goes is measured by the benchmark (npm run bench), not here.
    test('PostgreSQL: createMany provisions 100,000 accounts in batches', { skip: variant.name !== 'postgres' && 'PostgreSQL only' }, async () => {
      const rows = Array.from({ length: 100_000 }, (_, i) => ({ email: `bulk${i}@example.com`, name: `Bulk ${i}` }));
      assert.deepEqual(await accounts.createMany(rows), { added: 100_000, skipped: 0 });
      const counted = await db.knex('accounts').where('email', 'like', 'bulk%').count<{ count: number }[]>({ count: '*' });
      assert.equal(Number(counted[0]?.count), 100_000);
    });

    test('embedded: a second process cannot open the same directory', { skip: variant.name !== 'embedded' && 'embedded only' }, async () => {
      await assert.rejects(variant.open(), (err) => {
        assert.ok(err instanceof DatabaseUnavailableError);
        assert.match(err.message, /^Cannot open the embedded database in SSO_DATA_DIR .* in use by process \d+/);
        return true;
      });
    });

    // Last: it closes and reopens the database the other tests share.
    test('data survives closing and reopening the database', async () => {
      const created = await accounts.create({ email: 'tom@example.com' });
      await new AuditLog(db.knex).record({ event: 'account.created', outcome: 'success', accountId: created.id });
      await db.close();
      await db.close();

      db = await variant.open();
      assert.deepEqual(await migrate(db), []);
      const reopened = new AccountRepository(db.knex, { activationDays: 30, now: clock.now });
      assert.deepEqual(await reopened.findByEmail('tom@example.com'), { ...created, factors: [] });
      assert.equal((await new AuditLog(db.knex).recent({ limit: 1 }))[0]?.accountId, created.id);
    });
  });
}

describe('opening an unreachable database', () => {
  test('rejects within seconds with one line naming DATABASE_URL', async () => {
    const started = performance.now();
    await assert.rejects(
      openDatabase({ databaseUrl: 'postgres://postgres:secret@127.0.0.1:1/test', databaseSchema: undefined, dataDir: '.' }),
      (err) => {
        assert.ok(err instanceof DatabaseUnavailableError);
        assert.match(err.message, /^Cannot connect to the database at DATABASE_URL=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: /);
        assert.ok(!err.message.includes('\n'));
        assert.ok(!err.message.includes('secret'));
        return true;
      },
    );
    assert.ok(performance.now() - started < 6000);
  });
});
