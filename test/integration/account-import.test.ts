import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountImport, maxImportBytes, type CheckedImport, type ImportCheck, type RowFate } from '../../src/accounts/import.ts';
import type { Actor } from '../../src/accounts/lifecycle.ts';
import { AccountRepository } from '../../src/accounts/repository.ts';
import { AuditLog } from '../../src/audit.ts';
import type { Database } from '../../src/db/knex.ts';
import { migrate } from '../../src/db/migrate.ts';
import { databaseVariants } from '../helpers/databases.ts';

/**
 * The import service behind `users import` and the console's Import users page: a check that
 * changes nothing and tells each row's fate, an apply that does exactly that in one transaction.
 */
const actor: Actor = { via: 'console', name: 'poc@example.com', accountId: '6f1c1a2e-0000-4000-8000-000000000001', ip: '203.0.113.7', userAgent: 'test' };
const csv = (...lines: string[]) => Buffer.from(lines.join('\n'));

function checked(result: ImportCheck): CheckedImport {
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problem));
  return result.checked;
}

for (const variant of databaseVariants()) {
  describe(`account import (${variant.name})`, { skip: variant.skip, timeout: 300_000 }, () => {
    let db: Database;
    let accounts: AccountRepository;
    let audit: AuditLog;
    let imports: AccountImport;
    const count = async () => Number((await db.knex('accounts').count<Array<{ count: string | number }>>('* as count'))[0]!.count);
    const imported = async (email: string) =>
      (await db.knex('audit_events').where({ event: 'account.imported', email })) as Array<{ ip: string; details: Record<string, unknown> }>;

    before(async () => {
      db = await variant.open();
      await migrate(db);
      accounts = new AccountRepository(db.knex, { activationDays: 30 });
      audit = new AuditLog(db.knex);
      imports = new AccountImport({ accounts, audit });
    });
    after(async () => {
      await db?.close();
      await variant.cleanup();
    });

    it('tells each row its fate without changing anything, then applies exactly that and records who imported each account', async () => {
      await accounts.create({ email: 'there@example.com' });
      const before = await count();
      const file = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          [
            'Email;Name;Invited_at',
            'ann@example.com;Ann',
            'THERE@example.com;Already there',
            '',
            ' Bob@Example.com ; "Bob; B." ;2025-01-02',
            'ann@example.com;Ann again',
            'not-an-email;Nobody',
            'cy@example.com;Cy;31/12/2024',
            'dee@example.com;Dee;2025-01-01;extra',
            ';;',
            'eve@example.com;Eve;2999-01-01',
          ].join('\r\n'),
        ),
      ]);
      const result = checked(await imports.check(file));
      const expected: RowFate[] = [
        { line: 2, fate: 'add', email: 'ann@example.com', name: 'Ann', invitedAt: null },
        { line: 3, fate: 'exists', email: 'there@example.com' },
        { line: 5, fate: 'add', email: 'bob@example.com', name: 'Bob; B.', invitedAt: '2025-01-02T00:00:00.000Z' },
        { line: 6, fate: 'exists', email: 'ann@example.com', repeatsLine: 2 },
        { line: 7, fate: 'invalid', problem: { code: 'email', value: 'not-an-email' } },
        { line: 8, fate: 'invalid', problem: { code: 'date', value: '31/12/2024' } },
        { line: 9, fate: 'invalid', problem: { code: 'columns', found: 4, expected: 3 } },
        { line: 11, fate: 'invalid', problem: { code: 'future-date', value: '2999-01-01' } },
      ];
      assert.deepEqual(result.rows, expected);
      assert.deepEqual(result.counts, { add: 2, exists: 2, invalid: 4 });
      assert.match(result.digest, /^[0-9a-f]{64}$/);
      assert.equal(await count(), before, 'a check changes nothing');

      const applied = await imports.apply(actor, result);
      assert.deepEqual({ added: applied.added, skipped: applied.skipped, invalid: applied.invalid }, { added: 2, skipped: 2, invalid: 4 });
      assert.deepEqual(applied.rows, expected);
      assert.equal(await count(), before + 2);
      const bob = await accounts.findByEmail('bob@example.com');
      assert.equal(bob?.name, 'Bob; B.');
      assert.equal(bob?.invitedAt.toISOString(), '2025-01-02T00:00:00.000Z');
      const [event] = await imported('bob@example.com');
      assert.equal(event?.ip, '203.0.113.7');
      assert.deepEqual(
        { by: event?.details.by, actor: event?.details.actor, actorAccountId: event?.details.actorAccountId, line: event?.details.line },
        { by: 'console', actor: 'poc@example.com', actorAccountId: actor.accountId, line: 5 },
      );

      const again = checked(await imports.check(file));
      assert.deepEqual(again.counts, { add: 0, exists: 4, invalid: 4 }, 'a second import adds nothing');
    });

    it('refuses a whole file with the reason: wrong header, binary, larger than 10 MB, empty; accepts a header alone', async () => {
      const before = await count();
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
      const cases: Array<[Buffer, unknown]> = [
        [csv('mail,full name', 'zed@example.com,Zed'), { code: 'header', line: 1 }],
        [csv('', 'email', 'zed@example.com'), { code: 'header', line: 2 }],
        [png, { code: 'binary', line: 1 }],
        [Buffer.from([0xff, 0xfe, 0x65, 0x00, 0x6d, 0x00]), { code: 'binary', line: 1 }],
        [Buffer.alloc(maxImportBytes + 1, 'a'), { code: 'too-large', maxBytes: maxImportBytes }],
        [csv('', '  ', ''), { code: 'empty' }],
      ];
      for (const [bytes, problem] of cases) {
        const result = await imports.check(bytes);
        assert.deepEqual(result.ok ? result.checked.counts : result.problem, problem);
      }
      assert.deepEqual(checked(await imports.check(csv('email,name'))).rows, []);
      // Exactly 10 MB is still accepted: the limit is on what is over it.
      const atLimit = Buffer.concat([Buffer.from('email,name\n'), Buffer.alloc(maxImportBytes - 11, `${' '.repeat(4000)}\n`)]);
      assert.equal(atLimit.length, maxImportBytes);
      assert.deepEqual(checked(await imports.check(atLimit)).counts, { add: 0, exists: 0, invalid: 0 });
      assert.equal(await count(), before);
    });

    it('applies all or nothing: a failure in the last chunk leaves none of the earlier ones', async () => {
      const rows: RowFate[] = Array.from({ length: 2500 }, (_, i) => ({ line: i + 2, fate: 'add', email: `whole.${i}@example.com`, name: null, invitedAt: null }));
      // A date the database refuses, in the third chunk of inserts.
      rows[2400] = { line: 2402, fate: 'add', email: 'whole.2400@example.com', name: null, invitedAt: 'not a date' };
      const before = await count();
      await assert.rejects(imports.apply(actor, { digest: 'x'.repeat(64), rows, counts: { add: 2500, exists: 0, invalid: 0 } }));
      assert.equal(await count(), before, 'nothing half done');
      assert.deepEqual(await imported('whole.0@example.com'), []);
    });

    it('two imports of the same file at once add each account once', async () => {
      const file = csv('email,name', ...Array.from({ length: 1500 }, (_, i) => `burst.${i}@example.com,Burst ${i}`));
      const [first, second] = await Promise.all([imports.check(file), imports.check(file)]);
      const results = await Promise.all([imports.apply(actor, checked(first!)), imports.apply(actor, checked(second!))]);
      assert.equal(results[0]!.added + results[1]!.added, 1500);
      assert.equal(results[0]!.skipped + results[1]!.skipped, 1500, 'what one added, the other reports as already there');
      const stored = (await db.knex('accounts').where('email', 'like', 'burst.%').count<Array<{ count: string | number }>>('* as count'))[0]!.count;
      assert.equal(Number(stored), 1500);
      const events = (await db.knex('audit_events').where({ event: 'account.imported' }).andWhere('email', 'like', 'burst.%').count<Array<{ count: string | number }>>('* as count'))[0]!.count;
      assert.equal(Number(events), 1500, 'one event per account added');
    });

    it('reports an account added since the check as already there', async () => {
      const result = checked(await imports.check(csv('email,name', 'late.one@example.com,Late', 'late.two@example.com,Late')));
      await accounts.create({ email: 'late.two@example.com' });
      const applied = await imports.apply(actor, result);
      assert.equal(applied.added, 1);
      assert.deepEqual(applied.rows[1], { line: 3, fate: 'exists', email: 'late.two@example.com' });
    });
  });
}
