import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from '../../harness/browser.ts';
import { AccountDirectory } from '../../src/accounts/directory.ts';
import { usersPageSize } from '../../src/console/pages/users.ts';
import { consoleSession, seedOperator, testActor } from '../helpers/console.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/** The emails a page of the Users list shows, in order. */
function emailsOn(page: Page): string[] {
  return page.$('table.table tbody tr td:first-child a').map((_, el) => page.$(el).text().trim()).get();
}

/** Every page of a search, following its "Next page" links; the emails in the order shown. */
async function allPages(browser: Browser, first: Page): Promise<{ emails: string[]; pages: number }> {
  const emails: string[] = [];
  let page = first;
  let pages = 0;
  for (;;) {
    assert.equal(page.status, 200, page.url);
    emails.push(...emailsOn(page));
    pages++;
    const next = page.$('a[rel=next]').attr('href');
    if (next === undefined) return { emails, pages };
    page = await browser.get(new URL(next, page.url).toString());
  }
}

for (const backend of backends()) {
  describe(`console Users page (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));
    let browser!: Browser;
    let operatorEmail!: string;
    /** Every account, sorted as the list sorts: by email. */
    let everyone: string[] = [];

    before(async () => {
      const operator = await seedOperator(t, 'zz.helpdesk@example.com', 'helpdesk');
      operatorEmail = operator.email;
      const { accounts } = t.server.services;
      // 70 accounts over three pages: names and emails with letters to find, a few odd characters.
      const rows = Array.from({ length: 70 }, (_, i) => ({
        email: `${i % 2 === 0 ? 'anna' : 'bert'}.${String(i).padStart(3, '0')}@${i % 5 === 0 ? 'harbour.example' : 'example.com'}`,
        name: i === 7 ? '100% Sure_Name' : `Person ${i % 3 === 0 ? 'Van Dijk' : 'Peeters'} ${i}`,
      }));
      await accounts.createMany(rows);
      // States: some active (the operator too), some deactivated, one locked.
      for (const email of ['anna.000@harbour.example', 'bert.001@example.com']) {
        const account = (await accounts.findByEmail(email))!;
        await t.server.lifecycle.deactivate(testActor, { id: account.id });
      }
      ({ browser } = await consoleSession(t, operator));
      everyone = [...rows.map((row) => row.email), operatorEmail].sort();
    });

    /**
     * A directory whose steps are `denseCap`, `alongKey` and `sparseMatches` (small ones walk every path with few accounts;
     * with no `sparseMatches`, every term the first matches do not answer is looked for along the email order).
     */
    const directoryWith = (denseCap: number, alongKey: number, sparseMatches = 0) => {
      const { accounts, audit, guard } = t.server.services;
      return new AccountDirectory({ knex: t.server.database.knex, accounts, audit, guard: async () => guard, now: () => new Date(), steps: { denseCap, alongKey, sparseMatches } });
    };
    /** Every page of a search, 7 accounts at a time. */
    const walk = async (directory: AccountDirectory, term: string, state?: 'invited') => {
      const emails: string[] = [];
      let after: string | undefined;
      do {
        const page = await directory.search({ term, state, after, limit: 7 });
        emails.push(...page.accounts.map((account) => account.email));
        after = page.next;
      } while (after !== undefined);
      return emails;
    };

    it('lists every account once, in email order, a page at a time by key', async () => {
      const first = await browser.get(`${t.issuer}/admin/users`);
      assert.equal(emailsOn(first).length, usersPageSize);
      const { emails, pages } = await allPages(browser, first);
      assert.equal(pages, Math.ceil(everyone.length / usersPageSize));
      assert.deepEqual(emails, everyone);
      assert.ok(!first.html.includes('First page'), 'the first page offers no way back to itself');
    });

    it('finds part of an email or a name in any letter case, and keeps the search across pages', async () => {
      const harbour = await allPages(browser, await browser.get(`${t.issuer}/admin/users?q=HARBOUR`));
      assert.deepEqual(harbour.emails, everyone.filter((email) => email.includes('harbour')));
      const domain = await allPages(browser, await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent('@harbour.example')}`));
      assert.deepEqual(domain.emails, harbour.emails, 'a part with an @ is matched in emails');
      assert.deepEqual(emailsOn(await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent(' Bert.007@Example.com ')}`)), ['bert.007@example.com']);
      assert.deepEqual(emailsOn(await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent('bert.007@harbour')}`)), [], 'the whole term must match, not only its part before the @');
      const byName = await allPages(browser, await browser.get(`${t.issuer}/admin/users?q=van%20dijk`));
      assert.equal(byName.emails.length, 24, 'every third of the 70 is a Van Dijk');
      const second = await browser.get(`${t.issuer}/admin/users?q=peeters`);
      const next = second.$('a[rel=next]').attr('href');
      assert.ok(next?.includes('q=peeters'), 'the next page keeps the search');
      const all = await allPages(browser, second);
      assert.equal(all.emails.length, 70 - 24 - 1, 'the others but the one with another name');
      assert.equal(new Set(all.emails).size, all.emails.length, 'no account twice');
    });

    it('takes a term of one or two letters as the start of the email', async () => {
      const { emails } = await allPages(browser, await browser.get(`${t.issuer}/admin/users?q=AN`));
      assert.deepEqual(emails, everyone.filter((email) => email.startsWith('an')));
      const person = await allPages(browser, await browser.get(`${t.issuer}/admin/users?q=pe`));
      assert.deepEqual(person.emails, [], 'names starting with "Pe" are not matched by two letters');
      const three = await allPages(browser, await browser.get(`${t.issuer}/admin/users?q=per`));
      assert.equal(three.emails.length, 69, 'three letters match inside names: every seeded name but one is a "Person"');
    });

    it('reads LIKE’s own characters as themselves', async () => {
      const percent = await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent('100%')}`);
      assert.deepEqual(emailsOn(percent), ['bert.007@example.com']);
      const underscore = await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent('e_n')}`);
      assert.deepEqual(emailsOn(underscore), ['bert.007@example.com']);
      const none = await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent('%%%')}`);
      assert.deepEqual(emailsOn(none), []);
      assert.match(none.html, /No account matches this search/);
    });

    it('finds the same accounts whether a term is answered by the trigram index alone, or along the email order and then the index', async () => {
      /** How many seeded names hold the term: 'Person Van Dijk i' for every third i, 'Person Peeters i' for the others but one. */
      const byName: Record<string, number> = { peeters: 45, 'van dijk': 24 };
      for (const term of ['peeters', 'van dijk', 'harbour', 'bert.0', '@example.com', 'zzz']) {
        const [whole, inSteps, indexOnly, sparse] = await Promise.all([
          walk(directoryWith(1_000, 100_000), term),
          walk(directoryWith(2, 5), term),
          walk(directoryWith(1, 1), term),
          walk(directoryWith(2, 5, Number.MAX_SAFE_INTEGER), term),
        ]);
        assert.deepEqual(inSteps, whole, `${term}: a short read along the order, then the index`);
        assert.deepEqual(indexOnly, whole, `${term}: the index almost at once`);
        assert.deepEqual(sparse, whole, `${term}: the index again for every match, as for a term estimated sparse`);
        const inNames = byName[term];
        if (inNames === undefined) assert.deepEqual(whole, everyone.filter((email) => email.includes(term)), term);
        else assert.equal(whole.length, inNames, term);
        const invited = await walk(directoryWith(1_000, 100_000), term, 'invited');
        assert.deepEqual(await walk(directoryWith(2, 5), term, 'invited'), invited, `${term}, invited: along the state's order, then the index`);
        assert.ok(invited.every((email) => whole.includes(email)) && invited.length >= whole.length - 3, `${term}, invited: all but the deactivated and the active`);
      }
    });

    /** The statements reading accounts that one search sends (the expiry of overdue invitations aside). */
    const readsOf = async (directory: AccountDirectory, term: string) => {
      const { knex } = t.server.database;
      const sent: string[] = [];
      const listen = (query: { sql: string }) => sent.push(query.sql);
      knex.on('query', listen);
      try {
        await directory.search({ term, limit: 7 });
      } finally {
        knex.off('query', listen);
      }
      return sent.filter((sql) => /^\s*(select|with)/i.test(sql) && !/\bupdate\b/i.test(sql));
    };

    it('answers a term estimated sparse from the trigram index alone, and looks for a common one along the email order', async () => {
      // Two matches of 45 are found in the table's first block of one or two: about 2 to 4 matches in all, by that estimate.
      const sparse = await readsOf(directoryWith(2, 5, 1_000), 'peeters');
      assert.equal(sparse.length, 2, 'the first matches, then every match');
      assert.ok(sparse.every((sql) => sql.includes('"matches"')), 'both from the trigram index');
      const common = await readsOf(directoryWith(2, 5, 1), 'peeters');
      assert.ok(common.some((sql) => !sql.includes('"matches"')), 'a term estimated commoner is looked for along the email order');
    });

    it('filters by state, locked included, and combines the filter with a search', async () => {
      const deactivated = await allPages(browser, await browser.get(`${t.issuer}/admin/users?state=deactivated`));
      assert.deepEqual(deactivated.emails, ['anna.000@harbour.example', 'bert.001@example.com']);
      const active = await allPages(browser, await browser.get(`${t.issuer}/admin/users?state=active`));
      assert.deepEqual(active.emails, [operatorEmail]);
      const invited = await allPages(browser, await browser.get(`${t.issuer}/admin/users?state=invited&q=harbour`));
      assert.deepEqual(invited.emails, everyone.filter((email) => email.includes('harbour') && email !== 'anna.000@harbour.example'));

      const target = (await t.server.services.accounts.findByEmail('anna.010@harbour.example'))!;
      const empty = await browser.get(`${t.issuer}/admin/users?state=locked`);
      assert.deepEqual(emailsOn(empty), []);
      for (let i = 0; i < 10; i++) {
        const attempt = await t.server.services.attempts.run(
          { kind: 'password', account: target, requester: { ip: '198.51.100.4', userAgent: 'test' } },
          async () => false,
          (right) => right,
        );
        assert.equal(attempt.kind, 'checked');
      }
      const locked = await browser.get(`${t.issuer}/admin/users?state=locked`);
      assert.deepEqual(emailsOn(locked), ['anna.010@harbour.example']);
      assert.equal(locked.$('#state option[selected]').attr('value'), 'locked');
      await t.server.lifecycle.unlock(testActor, { id: target.id });
      assert.deepEqual(emailsOn(await browser.get(`${t.issuer}/admin/users?state=locked`)), [], 'an unlocked account is no longer listed');
    });

    it('finds a term with a space only where it is written with that space, though the index joins words with zeros', async () => {
      await t.server.services.accounts.createMany([
        { email: 'words.1@spaces.example', name: 'Marie Van Dijk' },
        { email: 'words.2@spaces.example', name: 'Sofie0van0Dijk' },
        { email: 'words.3@spaces.example', name: 'Ilse  Van Dijk' },
        { email: 'e0van0d@spaces.example', name: 'Nobody' },
        { email: 'words.4@spaces.example', name: 'Katrien van Dam' },
      ]);
      for (const [term, expected] of [
        ['e van d', ['words.1@spaces.example']],
        ['e0van0d', ['e0van0d@spaces.example', 'words.2@spaces.example']],
        ['n van da', ['words.4@spaces.example']],
      ] as const) {
        for (const [denseCap, alongKey, sparseMatches] of [[1_000, 100_000, 0], [2, 5, 0], [1, 1, 0], [1, 5, Number.MAX_SAFE_INTEGER]] as const) {
          assert.deepEqual(await walk(directoryWith(denseCap, alongKey, sparseMatches), term), expected, `${term}, steps ${denseCap}/${alongKey}/${sparseMatches}`);
        }
      }
      const page = await browser.get(`${t.issuer}/admin/users?q=${encodeURIComponent('E VAN D')}`);
      assert.deepEqual(emailsOn(page), ['words.1@spaces.example']);
    });

    it('cuts a term that starts most of its emails by where it stands, and finds the same accounts as every other way', async () => {
      // Inserted first, so that the first matches the table gives are those starting their email with the term.
      const atStart = Array.from({ length: 12 }, (_, i) => ({ email: `quill.${String(i).padStart(2, '0')}@starts.example`, name: `Quill Start ${i}` }));
      const others = [
        { email: 'a.early@starts.example', name: 'Quill Early' },
        { email: 'zz.late@starts.example', name: 'QUILLON Late' },
        { email: 'b.aquill@starts.example', name: 'Inside Email' },
        { email: 'c.name@starts.example', name: 'Anne Quill' },
        { email: 'quill.quill@starts.example', name: 'Twice' },
        { email: 'q.uill@starts.example', name: 'Qu Ill' },
      ];
      await t.server.services.accounts.createMany([...atStart, ...others]);
      const gone = (await t.server.services.accounts.findByEmail('quill.03@starts.example'))!;
      await t.server.lifecycle.deactivate(testActor, { id: gone.id });
      const expected = [...atStart, ...others]
        .filter((row) => `${row.email}\n${row.name.toLowerCase()}`.includes('quill'))
        .map((row) => row.email)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.equal(expected.length, 17);
      // Steps: answered whole; cut, the rest rare; cut, the rest gathered as sparse; not cut, the rest too common.
      for (const [denseCap, alongKey, sparseMatches] of [[1_000, 100_000, 0], [4, 5, 0], [2, 5, Number.MAX_SAFE_INTEGER], [2, 5, 0]] as const) {
        const directory = directoryWith(denseCap, alongKey, sparseMatches);
        assert.deepEqual(await walk(directory, 'quill'), expected, `steps ${denseCap}/${alongKey}/${sparseMatches}`);
        assert.deepEqual(await walk(directory, 'QUILL', 'invited'), expected.filter((email) => email !== gone.email), `invited, steps ${denseCap}/${alongKey}/${sparseMatches}`);
      }
      const cut = await readsOf(directoryWith(4, 5, 0), 'quill');
      assert.ok(cut.some((sql) => sql.includes('substr(lower(email), 2)')), 'the rest is asked of its own trigram index');
      assert.ok(!cut.some((sql) => sql.includes('offset')), 'and nothing is looked for along the email order');
      const notCut = await readsOf(directoryWith(4, 5, 0), 'starts');
      assert.ok(!notCut.some((sql) => sql.includes('substr(lower(email), 2)')), 'a term inside the emails is not cut');
    });
  });
}
