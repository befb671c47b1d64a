import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headingOf } from '../../harness/browser.ts';
import { consoleSession, seedOperator } from '../helpers/console.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/** The console's shell: sign-in, the role gate, the menu by role. */
for (const backend of backends()) {
  describe(`console shell (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it('answers 403 after the sign-in of an account without a role, and changes nothing', async () => {
      const user = await seedOperator(t, 'no.role@example.com', undefined);
      const { page } = await consoleSession(t, user);
      assert.equal(page.status, 403);
      assert.equal(headingOf(page), 'You cannot do this in the console');
      assert.match(page.html, /no role in the console/);
      assert.equal(page.$('.console-menu__link').length, 0, 'no menu entry for an account without a role');
    });

    it('brings a helpdesk back to the page it asked for, with the menu its role may use', async () => {
      const user = await seedOperator(t, 'helpdesk.shell@example.com', 'helpdesk');
      const { page } = await consoleSession(t, user, '/admin/users?q=shell');
      assert.equal(page.status, 200);
      assert.equal(page.url, `${t.issuer}/admin/users?q=shell`);
      assert.deepEqual(page.$('.console-menu__link').map((_, el) => page.$(el).text()).get(), ['Users']);
      assert.equal(page.$('label[for=q]').text().trim(), 'Search');
      assert.equal(page.$('#q').attr('value'), 'shell');
    });
  });
}
