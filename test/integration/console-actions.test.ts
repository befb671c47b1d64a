import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Browser, formOf, headingOf, type Page } from '../../harness/browser.ts';
import type { Role } from '../../src/accounts/roles.ts';
import { actionRoles } from '../../src/console/actions.ts';
import { accountActionNames, type AccountActionName } from '../../src/console/account-actions.ts';
import { consoleSession, seedOperator, testActor, walkConsoleSignIn, type ConsoleUser } from '../helpers/console.ts';
import { seedActiveAccount } from '../helpers/flows.ts';
import { readMail } from '../helpers/mime.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/** The English name of each action: its button on the user's page and on its confirmation page. */
const buttons: Readonly<Record<AccountActionName, string>> = {
  'resend-invitation': 'Resend invitation',
  reactivate: 'Reactivate',
  unlock: 'Unlock',
  'reset-authenticator': 'Reset authenticator',
  'sign-out-everywhere': 'Sign out everywhere',
  deactivate: 'Deactivate',
  'reset-account': 'Reset account',
};

/** What the account looks like, for "nothing changed". */
async function snapshot(t: TestServer, id: string) {
  const details = await t.server.lifecycle.details({ id });
  assert.ok(details.found);
  const events = await t.server.services.audit.recent({ email: details.account.email, limit: 100 });
  return {
    status: details.account.status,
    password: details.account.passwordHash !== null,
    factors: details.factors.length,
    failures: details.lock?.failures,
    byConsole: events.filter((event) => event.details?.by === 'console').length,
  };
}

let counter = 0;

/** An account in the state the action changes: invited, deactivated, locked or active with factors. */
async function targetFor(t: TestServer, action: AccountActionName): Promise<{ id: string; email: string }> {
  const email = `target.${action}.${++counter}@example.com`;
  if (action === 'resend-invitation') {
    const account = await t.server.services.accounts.create({ email, name: 'Invited Target' });
    return { id: account.id, email };
  }
  const { id } = await seedActiveAccount(t, email);
  if (action === 'reactivate') await t.server.lifecycle.deactivate(testActor, { id });
  if (action === 'unlock') await lock(t, id);
  return { id, email };
}

/** Ten wrong attempts: the brute-force guard locks the account. */
async function lock(t: TestServer, id: string): Promise<void> {
  for (let i = 0; i < 10; i++) await t.server.services.guard.reserve({ accountId: id, ip: '203.0.113.9' });
  assert.ok((await t.server.services.guard.status(id)).lockedForSeconds > 0, 'the account is locked');
}

/** What each action must have done to the account. */
async function assertDone(t: TestServer, action: AccountActionName, target: { id: string; email: string }): Promise<void> {
  const after = await snapshot(t, target.id);
  const expected: Record<AccountActionName, () => void> = {
    'resend-invitation': () => assert.equal(after.status, 'invited'),
    reactivate: () => assert.equal(after.status, 'active'),
    unlock: () => assert.equal(after.failures, 0),
    'reset-authenticator': () => assert.equal(after.factors, 0),
    'sign-out-everywhere': () => assert.equal(after.status, 'active'),
    deactivate: () => assert.equal(after.status, 'deactivated'),
    'reset-account': () => assert.deepEqual([after.status, after.password, after.factors], ['invited', false, 0]),
  };
  expected[action]();
}

const auditEvents: Readonly<Record<AccountActionName, string>> = {
  'resend-invitation': 'account.invitation-sent',
  reactivate: 'account.reactivated',
  unlock: 'account.unlocked',
  'reset-authenticator': 'mfa.reset',
  'sign-out-everywhere': 'account.signed-out',
  deactivate: 'account.deactivated',
  'reset-account': 'account.reset',
};

/** A CSRF token of the browser's console session: the sign-out form of any console page carries it. */
function csrfOf(page: Page): string {
  const token = page.$('input[name=_csrf]').first().attr('value');
  assert.ok(token, `a CSRF token on ${page.url}`);
  return token;
}

/** Four confirmations of one action posted at once, as two operators or a double click would; all answered 200. */
async function confirmAtOnce(t: TestServer, browser: Browser, id: string, action: AccountActionName): Promise<Page[]> {
  const confirm = await browser.get(`${t.issuer}/admin/users/${id}/${action}`);
  const { url, body } = formOf(confirm, `/admin/users/${id}/${action}`, {});
  const answers = await Promise.all(Array.from({ length: 4 }, () => browser.send(url, { method: 'POST', body })));
  assert.deepEqual(answers.map((page) => page.status), [200, 200, 200, 200]);
  return answers;
}

for (const backend of backends()) {
  describe(`console actions by role (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));
    const sessions = new Map<Role | 'none', { user: ConsoleUser; browser: Browser; csrf: string }>();

    before(async () => {
      for (const role of ['admin', 'helpdesk', 'none'] as const) {
        const user = await seedOperator(t, `operator.${role}@example.com`, role === 'none' ? undefined : role);
        const { browser, page } = await consoleSession(t, user);
        sessions.set(role, { user, browser, csrf: csrfOf(page) });
      }
    });

    for (const action of accountActionNames) {
      for (const role of ['admin', 'helpdesk'] as const) {
        const allowed = (actionRoles[action] as readonly Role[]).includes(role);
        it(`${role} × ${action}: ${allowed ? 'confirmed, done, audited with the actor and address' : 'refused with 403, nothing changed'}`, async () => {
          const { user, browser, csrf } = sessions.get(role)!;
          const target = await targetFor(t, action);
          const confirmUrl = `${t.issuer}/admin/users/${target.id}/${action}`;
          const before = await snapshot(t, target.id);
          if (!allowed) {
            const page = await browser.get(confirmUrl);
            assert.equal(page.status, 403);
            const posted = await browser.post(confirmUrl, { _csrf: csrf });
            assert.equal(posted.status, 403);
            assert.match(posted.html, /does not allow this action/);
            assert.deepEqual(await snapshot(t, target.id), before, 'nothing changed');
            const userPage = await browser.get(`${t.issuer}/admin/users/${target.id}`);
            assert.ok(!userPage.$('.console-actions a').map((_, el) => userPage.$(el).text()).get().includes(buttons[action]), 'no button the role may not use');
            return;
          }
          const userPage = await browser.get(`${t.issuer}/admin/users/${target.id}`);
          assert.ok(userPage.$('.console-actions a').map((_, el) => userPage.$(el).text()).get().includes(buttons[action]), `the user's page offers ${buttons[action]}`);
          const confirm = await browser.get(confirmUrl);
          assert.equal(confirm.status, 200);
          assert.equal(headingOf(confirm), 'Are you sure?');
          assert.match(confirm.$('.lead').text(), new RegExp(target.email.replace(/\./g, '\\.')), 'it says whose account and what will happen');
          assert.equal(confirm.$('.console-confirm button').text().trim(), buttons[action], 'the button repeats the action');
          const done = await browser.submit(confirm, `/admin/users/${target.id}/${action}`);
          assert.equal(done.status, 200);
          assert.equal(headingOf(done), buttons[action]);
          await assertDone(t, action, target);
          const events = await t.server.services.audit.recent({ email: target.email, limit: 20 });
          const event = events.find((row) => row.event === auditEvents[action] && row.details?.by === 'console');
          assert.ok(event, `audited as ${auditEvents[action]}`);
          assert.equal(event.details?.actor, user.email);
          assert.equal(event.details?.actorAccountId, user.id);
          assert.equal(event.details?.changed, true);
          assert.match(event.ip ?? '', /127\.0\.0\.1/);
          assert.equal(event.userAgent, 'console-test-browser');
        });
      }

      it(`no role × ${action}: 403, nothing changed`, async () => {
        const { browser, csrf } = sessions.get('none')!;
        const target = await targetFor(t, action);
        const before = await snapshot(t, target.id);
        const url = `${t.issuer}/admin/users/${target.id}/${action}`;
        assert.equal((await browser.get(url)).status, 403);
        const posted = await browser.post(url, { _csrf: csrf });
        assert.equal(posted.status, 403);
        assert.match(posted.html, /no role in the console/);
        assert.deepEqual(await snapshot(t, target.id), before);
      });
    }

    it('sends the invitation email again, in the language of the console page', async () => {
      const { browser } = sessions.get('helpdesk')!;
      const target = await targetFor(t, 'resend-invitation');
      const arrived = t.mail.waitFor((mail) => mail.to.includes(target.email));
      const confirm = await browser.get(`${t.issuer}/admin/users/${target.id}/resend-invitation?lang=nl`);
      assert.equal(confirm.$('.console-confirm button').text().trim(), 'Uitnodiging opnieuw versturen');
      const done = await browser.submit(confirm, `/admin/users/${target.id}/resend-invitation`);
      assert.equal(done.status, 200);
      assert.match((await arrived).raw, /Activeer uw account/);
      await browser.get(`${t.issuer}/admin/users?lang=en`);
    });

    it('emails a reset authenticator in the user’s own language, not the console page’s', async () => {
      const { browser } = sessions.get('helpdesk')!;
      const target = await targetFor(t, 'reset-authenticator');
      await t.server.services.accounts.rememberLocale(target.id, 'de');
      const arrived = t.mail.waitFor((mail) => mail.to.includes(target.email));
      const confirm = await browser.get(`${t.issuer}/admin/users/${target.id}/reset-authenticator?lang=nl`);
      const done = await browser.submit(confirm, `/admin/users/${target.id}/reset-authenticator`);
      assert.equal(done.status, 200);
      assert.match(readMail(await arrived).subject, /^Die Authenticator-App Ihres Kontos/);
      await browser.get(`${t.issuer}/admin/users?lang=en`);
    });

    it('refuses a change without the CSRF token, or with the token of another session, and changes nothing', async () => {
      const { browser } = sessions.get('admin')!;
      const other = sessions.get('helpdesk')!;
      const target = await targetFor(t, 'deactivate');
      const before = await snapshot(t, target.id);
      const url = `${t.issuer}/admin/users/${target.id}/deactivate`;
      assert.equal((await browser.post(url, {})).status, 403);
      assert.equal((await browser.post(url, { _csrf: other.csrf })).status, 403);
      assert.equal((await browser.post(url, { _csrf: 'forged' })).status, 403);
      assert.deepEqual(await snapshot(t, target.id), before);
    });

    it('refuses every change of the operator’s own account, and shows it without buttons', async () => {
      const { user, browser, csrf } = sessions.get('admin')!;
      const own = await browser.get(`${t.issuer}/admin/users/${user.id}`);
      assert.equal(own.status, 200);
      assert.equal(own.$('.console-actions a').length, 0);
      assert.match(own.html, /your own account/);
      const before = await snapshot(t, user.id);
      for (const action of accountActionNames) {
        const url = `${t.issuer}/admin/users/${user.id}/${action}`;
        const page = await browser.get(url);
        assert.equal(page.status, 403, `${action} confirmation`);
        assert.match(page.html, /your own account/);
        assert.equal((await browser.post(url, { _csrf: csrf })).status, 403, `${action} posted`);
      }
      assert.deepEqual(await snapshot(t, user.id), before);
    });

    it('answers unknown accounts, unknown actions and malformed input with a 4xx page, never a 500', async () => {
      const { browser, csrf } = sessions.get('admin')!;
      const target = await targetFor(t, 'deactivate');
      const cases: Array<[string, Promise<Page>, number]> = [
        ['an id that is no UUID', browser.get(`${t.issuer}/admin/users/not-a-uuid`), 404],
        ['an unknown id', browser.get(`${t.issuer}/admin/users/${randomUUID()}`), 404],
        ['an unknown id, confirming', browser.get(`${t.issuer}/admin/users/${randomUUID()}/unlock`), 404],
        ['an unknown id, posted', browser.post(`${t.issuer}/admin/users/${randomUUID()}/unlock`, { _csrf: csrf }), 404],
        ['an id that is no UUID, posted', browser.post(`${t.issuer}/admin/users/%27%3B--/deactivate`, { _csrf: csrf }), 404],
        ['an unknown action', browser.get(`${t.issuer}/admin/users/${target.id}/explode`), 404],
        ['an unknown action, posted', browser.post(`${t.issuer}/admin/users/${target.id}/explode`, { _csrf: csrf }), 404],
        ['an unknown state', browser.get(`${t.issuer}/admin/users?state=sleeping`), 400],
        ['a repeated field', browser.get(`${t.issuer}/admin/users?q=a&q=b`), 400],
        ['an oversized search', browser.get(`${t.issuer}/admin/users?q=${'x'.repeat(2000)}`), 400],
        ['a repeated form field', browser.send(`${t.issuer}/admin/users/${target.id}/deactivate`, { method: 'POST', body: `_csrf=${csrf}&_csrf=${csrf}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400],
        ['an oversized form', browser.post(`${t.issuer}/admin/users/${target.id}/deactivate`, { _csrf: csrf, padding: 'x'.repeat(200_000) }), 413],
        ['a JSON body', browser.send(`${t.issuer}/admin/users/${target.id}/deactivate`, { method: 'POST', body: JSON.stringify({ _csrf: csrf }), headers: { 'content-type': 'application/json' } }), 403],
      ];
      for (const [name, answer, status] of cases) {
        const page = await answer;
        assert.ok(page.status >= 400 && page.status < 500, `${name}: ${page.status}`);
        if (status !== 413) assert.equal(page.status, status, name);
        assert.match(page.html, /<h1/, `${name}: a page with a message`);
        assert.doesNotMatch(page.html, /at .*\.ts:\d+/, `${name}: no stack trace`);
      }
      assert.equal((await snapshot(t, target.id)).status, 'active', 'nothing changed');
    });

    it('two Deactivate confirmations at once record one change and leave the account deactivated', async () => {
      const { browser } = sessions.get('admin')!;
      const target = await targetFor(t, 'deactivate');
      const answers = await confirmAtOnce(t, browser, target.id, 'deactivate');
      const events = (await t.server.services.audit.recent({ email: target.email, limit: 20 })).filter((row) => row.event === 'account.deactivated');
      assert.equal(events.length, 4, 'each confirmation is in the trail');
      assert.equal(events.filter((row) => row.details?.changed === true).length, 1, 'one of them changed the account');
      assert.equal((await snapshot(t, target.id)).status, 'deactivated');
    });

    it('two Unlock confirmations at once record one change and leave the account unlocked', async () => {
      const { browser } = sessions.get('helpdesk')!;
      const target = await targetFor(t, 'unlock');
      const answers = await confirmAtOnce(t, browser, target.id, 'unlock');
      assert.equal(answers.filter((page) => page.html.includes('was unlocked')).length, 1, 'one is told it unlocked the account');
      const events = (await t.server.services.audit.recent({ email: target.email, limit: 20 })).filter((row) => row.event === 'account.unlocked');
      assert.equal(events.filter((row) => row.details?.changed === true).length, 1);
      assert.deepEqual(await t.server.services.guard.status(target.id), { failures: 0, lockedForSeconds: 0 });
    });
  });

  describe(`console step-up (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    /**
     * Makes the browser's console sign-in 16 minutes old. The provider keeps its own clock, so the
     * sign-in is aged where the console keeps it rather than by moving the server's clock.
     */
    async function ageSignIn(browser: Browser): Promise<void> {
      const cookie = (await browser.jar.getCookies(`${t.issuer}/admin`)).find((one) => one.key === 'sso_admin');
      assert.ok(cookie, 'a console session');
      const key = `surface:admin:${cookie.value}`;
      const stored = JSON.parse((await t.server.store.get(key))!) as { authTime: number };
      stored.authTime -= 16 * 60;
      await t.server.store.set(key, JSON.stringify(stored), 3600);
    }

    it('sends a sign-in older than 15 minutes through the sign-in and back to the same confirmation page', async () => {
      const user = await seedOperator(t, 'stepup.helpdesk@example.com', 'helpdesk');
      const target = await targetFor(t, 'unlock');
      const { browser, page } = await consoleSession(t, user);
      const csrf = csrfOf(page);
      const confirmUrl = `${t.issuer}/admin/users/${target.id}/unlock`;
      await ageSignIn(browser);
      // Viewing needs no fresh sign-in.
      assert.equal((await browser.get(`${t.issuer}/admin/users/${target.id}`)).status, 200);
      // A change posted on a stale sign-in changes nothing and goes through the sign-in first.
      const posted = await browser.post(confirmUrl, { _csrf: csrf });
      assert.match(posted.url, /\/interaction\//, 'the post leads to the sign-in');
      assert.ok((await t.server.services.guard.status(target.id)).lockedForSeconds > 0, 'still locked');
      const back = await walkConsoleSignIn(t, browser, posted, user);
      assert.equal(back.url, confirmUrl, 'back on the confirmation page');
      assert.equal(back.status, 200);
      assert.equal(back.$('.console-confirm button').text().trim(), 'Unlock');
      const done = await browser.submit(back, `/admin/users/${target.id}/unlock`);
      assert.equal(done.status, 200);
      assert.match(done.html, /was unlocked/);

      // Opening a confirmation page on a stale sign-in goes through the sign-in too.
      await ageSignIn(browser);
      const other = await targetFor(t, 'unlock');
      const otherUrl = `${t.issuer}/admin/users/${other.id}/unlock`;
      const reopened = await walkConsoleSignIn(t, browser, await browser.get(otherUrl), user);
      assert.equal(reopened.url, otherUrl);
      assert.equal(reopened.status, 200);
    });
  });
}
