import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { errorsOn, headingOf, type Browser, type Page } from '../../harness/browser.ts';
import { maxImportBytes } from '../../src/accounts/import.ts';
import { readMail } from '../helpers/mime.ts';
import { consoleSession, seedOperator, type ConsoleUser } from '../helpers/console.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/**
 * The console's Invite a user, Import users and Audit log pages (CONTRACT.md section 9): admin only,
 * a fresh sign-in for each, CSRF on every form, every change audited with the acting account and
 * address, 4xx pages for bad input.
 */
const fifteenMinutesMs = 15 * 60 * 1000;

/** A multipart form as a browser sends it: the fields and one file. */
async function multipart(fields: Record<string, string>, file: { name: string; content: Uint8Array } | undefined): Promise<{ body: Uint8Array; type: string }> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  if (file !== undefined) form.set('file', new Blob([Buffer.from(file.content)], { type: 'text/csv' }), file.name);
  const request = new Request('http://form.invalid/', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), type: request.headers.get('content-type')! };
}

for (const backend of backends()) {
  describe(`console: invite, import, audit log (${backend.name})`, { skip: backend.skip, timeout: 600_000 }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    const users = new Map<'admin' | 'helpdesk', ConsoleUser>();
    const sessions = new Map<'admin' | 'helpdesk', { user: ConsoleUser; browser: Browser; page: Page }>();
    /** A console session of the role, signed in once and kept; signed in again once forgotten. */
    async function session(role: 'admin' | 'helpdesk') {
      let found = sessions.get(role);
      if (found === undefined) {
        const user = users.get(role) ?? (await seedOperator(t, `${role}.tools@example.com`, role));
        users.set(role, user);
        found = { user, ...(await consoleSession(t, user, '/admin/users')) };
        sessions.set(role, found);
      }
      return found;
    }
    const csrfOf = (page: Page) => page.$('input[name="_csrf"]').first().attr('value') ?? '';
    const auditOf = async (event: string, email?: string) =>
      (await t.server.database.knex('audit_events').where({ event, ...(email === undefined ? {} : { email }) }).orderBy('id')) as Array<{ ip: string; email: string | null; details: Record<string, unknown> }>;

    async function check(browser: Browser, csrf: string, content: Uint8Array | undefined, name = 'users.csv'): Promise<Page> {
      const { body, type } = await multipart({ _csrf: csrf }, content === undefined ? undefined : { name, content });
      return browser.follow(await browser.send(`${t.issuer}/admin/import/check`, { method: 'POST', body, headers: { 'content-type': type } }));
    }

    it('refuses every page and form to a helpdesk (403) and changes nothing', async () => {
      const { browser, page } = await session('helpdesk');
      assert.deepEqual(page.$('.console-menu__link').map((_, el) => page.$(el).text()).get(), ['Users']);
      for (const path of ['/admin/invite', '/admin/import', '/admin/audit', '/admin/audit.csv']) {
        const refused = await browser.get(`${t.issuer}${path}`);
        assert.equal(refused.status, 403, path);
        assert.match(refused.html, /does not allow this action/);
      }
      const csrf = csrfOf(page);
      assert.equal((await browser.post(`${t.issuer}/admin/invite`, { _csrf: csrf, address: 'by.helpdesk@example.com' })).status, 403);
      assert.equal((await check(browser, csrf, Buffer.from('email,name\nby.helpdesk@example.com,X\n'))).status, 403);
      assert.equal((await browser.post(`${t.issuer}/admin/import`, { _csrf: csrf, digest: '0'.repeat(64) })).status, 403);
      assert.equal(await t.server.services.accounts.findByEmail('by.helpdesk@example.com'), undefined);
    });

    it('invites a user: the account is created, the invitation emailed, the action audited with the acting account and address', async () => {
      const { browser, user } = await session('admin');
      const form = await browser.get(`${t.issuer}/admin/invite?lang=en`);
      assert.equal(form.status, 200);
      assert.equal(form.$('label[for=address]').text().trim(), 'Email Address');
      assert.equal(form.$('label[for=name]').text().trim(), 'Name');
      assert.equal(form.$('form button[type=submit]').last().text().trim(), 'Send invitation');
      const before = t.mail.messages.length;
      const done = await browser.submit(form, '/admin/invite', { address: ' New.User@Example.com ', name: 'New User', language: 'fr' });
      assert.equal(done.status, 200, errorsOn(done).join());
      assert.match(done.$('[role=status]').text(), /The invitation was sent to new\.user@example\.com\. It is valid until .+ UTC\./);
      const mail = readMail(await t.mail.next('new.user@example.com', before));
      assert.match(mail.subject, /Activez votre compte/);
      assert.ok(mail.text.includes(`${t.issuer}/account/signin?login_hint=new.user%40example.com`));
      const account = await t.server.services.accounts.findByEmail('new.user@example.com');
      assert.equal(account?.status, 'invited');
      assert.equal(account?.name, 'New User');
      const [created] = await auditOf('account.created', 'new.user@example.com');
      assert.equal(created?.ip, '127.0.0.1');
      assert.deepEqual([created?.details.by, created?.details.actor, created?.details.actorAccountId], ['console', user.email, user.id]);
    });

    it('says clearly when the email already has an account, and when the input is wrong, changing nothing', async () => {
      const { browser } = await session('admin');
      const form = await browser.get(`${t.issuer}/admin/invite`);
      const duplicate = await browser.submit(form, '/admin/invite', { address: 'NEW.user@example.com', name: 'Again' });
      assert.equal(duplicate.status, 409);
      assert.deepEqual(errorsOn(duplicate), ['An account with the email address new.user@example.com already exists']);
      assert.ok(duplicate.$('a[href*="/admin/users/"]').length > 0, 'a link to the existing account');
      assert.equal((await t.server.services.accounts.findByEmail('new.user@example.com'))?.name, 'New User');
      const wrong = await browser.submit(form, '/admin/invite', { address: 'not an email', name: 'x'.repeat(201) });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.$('title').text().startsWith('Error:'), true);
      assert.equal(errorsOn(wrong).length, 2);
      assert.equal(wrong.$('#address').attr('value'), 'not an email', 'what was typed is kept');
      assert.equal((await browser.post(`${t.issuer}/admin/invite`, { address: 'no.csrf@example.com' })).status, 403, 'no CSRF token');
      assert.equal(await t.server.services.accounts.findByEmail('no.csrf@example.com'), undefined);
    });

    it('checks a file without changing anything, then imports exactly what the check showed', async () => {
      const { browser, user } = await session('admin');
      const form = await browser.get(`${t.issuer}/admin/import`);
      assert.equal(form.$('label[for=file]').text().trim(), 'CSV file');
      assert.equal(form.$('form[enctype="multipart/form-data"] button').text().trim(), 'Check file');
      const file = Buffer.from('\ufeffemail;name\r\nimp.one@example.com;One\r\nnew.user@example.com;Exists\r\nbroken;Bad\r\nimp.two@example.com;Two\r\n');
      const checked = await check(browser, csrfOf(form), file);
      assert.equal(checked.status, 200, checked.html.slice(0, 300));
      assert.deepEqual(checked.$('#counts dd').map((_, el) => checked.$(el).text()).get(), ['2', '1', '1']);
      assert.deepEqual(
        checked.$('#rows tbody tr').map((_, tr) => [checked.$(tr).find('td').map((__, td) => checked.$(td).text()).get()]).get(),
        [
          ['2', 'Added', 'imp.one@example.com (One)'],
          ['3', 'Already there', 'new.user@example.com'],
          ['4', 'Invalid', 'Not a valid email address: broken'],
          ['5', 'Added', 'imp.two@example.com (Two)'],
        ],
      );
      assert.equal(await t.server.services.accounts.findByEmail('imp.one@example.com'), undefined, 'the check changes nothing');
      const done = await browser.submit(checked, '/admin/import');
      assert.equal(done.status, 200);
      assert.equal(headingOf(done), 'The import is done.');
      assert.deepEqual(done.$('#counts dd').map((_, el) => done.$(el).text()).get(), ['2', '1', '1']);
      assert.equal((await t.server.services.accounts.findByEmail('imp.two@example.com'))?.name, 'Two');
      const [imported] = await auditOf('account.imported', 'imp.one@example.com');
      assert.deepEqual([imported?.ip, imported?.details.actor, imported?.details.actorAccountId], ['127.0.0.1', user.email, user.id]);

      const again = await browser.submit(checked, '/admin/import');
      assert.equal(again.status, 409, 'a checked file is imported once');
      assert.match(errorsOn(again).join(), /no longer kept/);
    });

    it('refuses to import a file other than the one checked last', async () => {
      const { browser } = await session('admin');
      const form = await browser.get(`${t.issuer}/admin/import`);
      const first = await check(browser, csrfOf(form), Buffer.from('email,name\nswap.a@example.com,A\n'));
      await check(browser, csrfOf(form), Buffer.from('email,name\nswap.b@example.com,B\n'));
      const refused = await browser.submit(first, '/admin/import');
      assert.equal(refused.status, 409);
      assert.match(errorsOn(refused)[0]!, /not the file that was checked last/);
      assert.equal(await t.server.services.accounts.findByEmail('swap.a@example.com'), undefined);
      assert.equal(await t.server.services.accounts.findByEmail('swap.b@example.com'), undefined);
      const forged = await browser.post(`${t.issuer}/admin/import`, { _csrf: csrfOf(form), digest: 'not-a-digest' });
      assert.equal(forged.status, 400);
    });

    it('imports a checked file once when its Import is posted five times at once', async () => {
      const { browser } = await session('admin');
      const form = await browser.get(`${t.issuer}/admin/import`);
      const rows = Array.from({ length: 300 }, (_, i) => `burst.${i}@example.com,Burst ${i}`);
      const checked = await check(browser, csrfOf(form), Buffer.from(['email,name', ...rows].join('\n')));
      const answers = await Promise.all(Array.from({ length: 5 }, () => browser.submit(checked, '/admin/import')));
      assert.deepEqual(answers.map((page) => page.status).sort(), [200, 409, 409, 409, 409]);
      const stored = await t.server.database.knex('accounts').where('email', 'like', 'burst.%').count<Array<{ count: string | number }>>('* as count');
      assert.equal(Number(stored[0]!.count), 300);
      assert.equal((await t.server.database.knex('audit_events').where({ event: 'account.imported' }).andWhere('email', 'like', 'burst.%')).length, 300);
    });

    it('answers a bad upload with a clear 4xx page: too large, binary, wrong header, no file, not multipart, no CSRF token', async () => {
      const { browser } = await session('admin');
      const form = await browser.get(`${t.issuer}/admin/import`);
      const csrf = csrfOf(form);
      const tooLarge = await check(browser, csrf, Buffer.alloc(maxImportBytes + 1, 'a'));
      assert.equal(tooLarge.status, 413);
      assert.match(tooLarge.html, /larger than 10 MB/);
      // Announced larger than any allowed form: refused before the body is read.
      const announced = await check(browser, csrf, Buffer.alloc(maxImportBytes + 200_000, 'a'));
      assert.equal(announced.status, 413);
      assert.match(announced.html, /larger than 10 MB/);
      const cases: Array<[Uint8Array | undefined, number, RegExp]> = [
        [Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 400, /not a CSV text file/],
        [Buffer.from('mail,full name\nx@example.com,X\n'), 400, /Line 1 of the file must be the header row/],
        [Buffer.from('\n\n'), 400, /The file is empty/],
        [undefined, 400, /Choose a CSV file to check/],
      ];
      for (const [content, status, message] of cases) {
        const answer = await check(browser, csrf, content);
        assert.equal(answer.status, status, String(message));
        assert.match(errorsOn(answer).join(), message);
      }
      const plain = await browser.post(`${t.issuer}/admin/import/check`, { _csrf: csrf });
      assert.equal(plain.status, 400);
      assert.equal((await check(browser, 'forged', Buffer.from('email,name\nno.token@example.com,X\n'))).status, 403);
      assert.equal(await t.server.services.accounts.findByEmail('no.token@example.com'), undefined);
    });

    it('asks for a fresh sign-in before a change, and comes back to the page', async () => {
      const { browser } = await session('admin');
      t.clock.offsetMs += fifteenMinutesMs + 60_000;
      try {
        for (const path of ['/admin/invite', '/admin/import', '/admin/audit.csv']) {
          const stale = await browser.get(`${t.issuer}${path}`);
          assert.match(stale.url, /\/interaction\//, `${path}: sent through the sign-in`);
        }
        const checkedStale = await browser.send(`${t.issuer}/admin/import/check`, { method: 'POST', body: new URLSearchParams({ _csrf: 'x' }) });
        assert.equal(checkedStale.status, 303);
        const invitedStale = await browser.send(`${t.issuer}/admin/invite`, { method: 'POST', body: new URLSearchParams({ _csrf: 'x', address: 'stale@example.com' }) });
        assert.equal(invitedStale.status, 303);
        assert.equal(await t.server.services.accounts.findByEmail('stale@example.com'), undefined);
        // Viewing the log is no change: no fresh sign-in needed.
        assert.equal((await browser.get(`${t.issuer}/admin/audit`)).status, 200);
      } finally {
        t.clock.offsetMs -= fifteenMinutesMs + 60_000;
      }
    });

    it('lists the audit log filtered by email, event and days, paged, and downloads the same events as CSV', async () => {
      const { browser, user } = await session('admin');
      const page = await browser.get(`${t.issuer}/admin/audit?event=account.imported&address=BURST.1@example.com`);
      assert.equal(page.status, 200);
      assert.deepEqual(page.$('#events tbody tr').map((_, tr) => page.$(tr).find('td').eq(3).text()).get(), ['burst.1@example.com']);

      const today = new Date().toISOString().slice(0, 10);
      const first = await browser.get(`${t.issuer}/admin/audit?event=account.imported&from=${today}&to=${today}`);
      assert.equal(first.$('#events tbody tr').length, 50);
      const shown = new Set(first.$('#events tbody tr').map((_, tr) => first.$(tr).find('td').eq(3).text()).get());
      const next = first.$('a[rel=next]').attr('href');
      assert.ok(next);
      const second = await browser.get(new URL(next, first.url).toString());
      const later = second.$('#events tbody tr').map((_, tr) => second.$(tr).find('td').eq(3).text()).get();
      assert.equal(later.length, 50);
      assert.ok(later.every((email) => !shown.has(email)), 'no event on two pages');
      const none = await browser.get(`${t.issuer}/admin/audit?event=account.imported&to=2000-01-01`);
      assert.match(none.html, /No event matches these filters/);

      const download = first.$('a[download]');
      assert.equal(download.text().trim(), 'Download CSV');
      const csv = await browser.get(new URL(download.attr('href')!, first.url).toString());
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename="audit-\d{4}-\d\d-\d\d\.csv"$/);
      const records = parse(csv.html, { columns: true }) as Array<Record<string, string>>;
      const imports = await t.server.database.knex('audit_events').where({ event: 'account.imported' });
      assert.equal(records.length, imports.length);
      assert.ok(records.every((record) => record.event === 'account.imported'));
      const [exported] = await auditOf('audit.exported');
      assert.deepEqual([exported?.ip, exported?.details.actor, exported?.details.filter_event], ['127.0.0.1', user.email, 'account.imported']);
    });

    it('answers bad filters with a 4xx page, never a 500', async () => {
      const { browser } = await session('admin');
      const wrongDate = await browser.get(`${t.issuer}/admin/audit?from=2026-02-30&to=yesterday`);
      assert.equal(wrongDate.status, 400);
      assert.deepEqual(errorsOn(wrongDate), ['Enter a date such as 2026-12-03', 'Enter a date such as 2026-12-03']);
      const reversed = await browser.get(`${t.issuer}/admin/audit?from=2026-02-02&to=2026-02-01`);
      assert.deepEqual(errorsOn(reversed), ['The start date must not be after the end date']);
      for (const query of ['event=no.such.event', 'before=abc', 'address=a&address=b', `before=${'9'.repeat(30)}`]) {
        assert.equal((await browser.get(`${t.issuer}/admin/audit?${query}`)).status, 400, query);
      }
      assert.equal((await browser.get(`${t.issuer}/admin/audit.csv?from=bad`)).status, 400);
    });

    it('speaks the four languages', async () => {
      const { browser } = await session('admin');
      const titles = { en: 'Invite a user', nl: 'Een gebruiker uitnodigen', fr: 'Inviter un utilisateur', de: 'Einen Benutzer einladen' };
      for (const [lang, title] of Object.entries(titles)) {
        assert.equal(headingOf(await browser.get(`${t.issuer}/admin/invite?lang=${lang}`)), title);
      }
      assert.equal(headingOf(await browser.get(`${t.issuer}/admin/import?lang=de`)), 'Benutzer importieren');
      assert.equal(headingOf(await browser.get(`${t.issuer}/admin/audit?lang=fr`)), 'Journal d’audit');
      await browser.get(`${t.issuer}/admin/audit?lang=en`);
    });
  });
}
