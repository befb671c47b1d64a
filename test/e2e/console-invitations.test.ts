import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { firstTimeLogin } from '../../harness/journeys.ts';
import { PlaywrightDriver } from '../../harness/playwright-driver.ts';
import { totpCodeAt } from '../../src/security/totp.ts';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { seedOperator, testActor, type ConsoleUser } from '../helpers/console.ts';
import { strongPassword } from '../helpers/flows.ts';
import { errorSummary, fill, follow, heading, narrow, press, signInThroughPages, withVisit } from '../helpers/hosted-pages.ts';
import { readMail } from '../helpers/mime.ts';
import { checkPage } from '../helpers/page-checks.ts';
import type { TestServer } from '../helpers/server.ts';

const dayMs = 24 * 60 * 60 * 1000;

/**
 * The console in Chromium, without JavaScript of its own: a point of contact brings back a user
 * whose invitation expired, and the user activates the account from the emailed link; an
 * administrator's invite, import and audit log pages are accessible in every state.
 */
describe('console invitations in Chromium', { skip: browserSkip(), timeout: 300_000 }, () => {
  let t: TestServer;
  let browser: Browser;
  browseDuring((started, server) => {
    browser = started;
    t = server;
  });

  /** Signs the operator in to the console on a fresh page, landing on `path`. */
  async function openConsole(page: Page, operator: ConsoleUser, path: string): Promise<void> {
    await page.goto(`${t.issuer}${path}`);
    await signInThroughPages(page, t, operator.email, operator.secret);
    await page.waitForURL(`${t.issuer}${path}`);
  }

  it('an expired invitation: the point of contact finds the user, reactivates and resends, and the user activates from the emailed link', async () => {
    const helpdesk = await seedOperator(t, 'helpdesk.e2e@example.com', 'helpdesk');
    const email = 'late.starter@example.com';
    await t.server.lifecycle.invite(testActor, { email, name: 'Late Starter', invitedAt: new Date(Date.now() - (t.config.activationDays + 5) * dayMs) });

    let link = '';
    await withVisit(browser, t, {}, async ({ page }) => {
      await openConsole(page, helpdesk, '/admin/users');
      await fill(page, 'Search', 'late.starter');
      await press(page, 'Find accounts');
      const row = page.locator('table tbody tr', { hasText: email });
      assert.match(await row.innerText(), /Deactivated/, 'the invitation expired: the account is deactivated');
      await follow(page, email);
      assert.equal(await heading(page), `Account of ${email}`);
      assert.match(await page.locator('.summary-list').innerText(), /the invitation was not used in time/);

      await follow(page, 'Reactivate');
      await press(page, 'Reactivate');
      assert.match(await page.getByRole('status').innerText(), /was reactivated/);
      await follow(page, `Back to the account of ${email}`);
      assert.match(await page.locator('.summary-list').innerText(), /Invited/);

      const before = t.mail.messages.length;
      await follow(page, 'Resend invitation');
      await press(page, 'Resend invitation');
      assert.match(await page.getByRole('status').innerText(), /The invitation was sent again/);
      const mail = readMail(await t.mail.next(email, before));
      link = /https?:\/\/\S+\/account\/signin\?login_hint=\S+/.exec(mail.text)?.[0] ?? '';
      assert.ok(link, mail.text);
    });

    // The user, in a browser of their own, follows the link.
    await withVisit(browser, t, {}, async ({ page }) => {
      await page.goto(link);
      assert.equal(await heading(page), 'Sign in');
      assert.equal(await page.getByLabel('Email Address', { exact: true }).inputValue(), email, 'the email is filled in');
      const driver = new PlaywrightDriver(page);
      await firstTimeLogin(driver, { email, mail: t.mail, newPassword: strongPassword, code: (secret) => totpCodeAt(secret, Date.now() + t.clock.offsetMs) });
      await page.waitForURL(`${t.issuer}/account`);
    });
    assert.equal((await t.server.services.accounts.findByEmail(email))?.status, 'active');
  });

  it('keeps the invite, import and audit log pages accessible, with and without errors', async () => {
    const admin = await seedOperator(t, 'admin.e2e@example.com', 'admin');
    await withVisit(browser, t, {}, async ({ page }) => {
      await openConsole(page, admin, '/admin/invite');
      assert.equal(await heading(page), 'Invite a user');
      await checkPage(page, 'invite');
      await fill(page, 'Email Address', 'not an email');
      await press(page, 'Send invitation');
      assert.deepEqual(await errorSummary(page), ['Enter an email address in the correct format, like name@example.com']);
      await checkPage(page, 'invite, wrong email');
      await fill(page, 'Email Address', 'invited.e2e@example.com');
      await fill(page, 'Name', 'Invited in Chromium');
      await press(page, 'Send invitation');
      assert.match(await page.getByRole('status').innerText(), /The invitation was sent to invited\.e2e@example\.com/);
      await checkPage(page, 'invited');

      await follow(page, 'Import users');
      await checkPage(page, 'import');
      await press(page, 'Check file');
      assert.deepEqual(await errorSummary(page), ['Choose a CSV file to check']);
      await checkPage(page, 'import, no file');
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({
        name: 'users.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('email,name\nimported.e2e@example.com,Imported\ninvited.e2e@example.com,Again\nwrong,Wrong\n'),
      });
      await press(page, 'Check file');
      assert.equal(await heading(page), 'What the import will do');
      await checkPage(page, 'import checked');
      await press(page, 'Import');
      assert.equal(await heading(page), 'The import is done.');
      await checkPage(page, 'import done');

      await follow(page, 'Audit log');
      await checkPage(page, 'audit log');
      // A date field of Chromium takes only real days: the address carries the wrong one.
      await page.goto(`${t.issuer}/admin/audit?from=2026-02-30`);
      assert.deepEqual(await errorSummary(page), ['Enter a date such as 2026-12-03']);
      await checkPage(page, 'audit log, wrong date');
      await page.goto(`${t.issuer}/admin/audit?lang=nl`);
      await checkPage(page, 'audit log in Dutch');
      await page.goto(`${t.issuer}/admin/invite?lang=fr`);
      await checkPage(page, 'invite in French');
      await page.goto(`${t.issuer}/admin/import?lang=de`);
      await checkPage(page, 'import in German');
      await page.setViewportSize(narrow);
      await page.goto(`${t.issuer}/admin/audit?lang=en`);
      assert.ok((await page.locator('#events tbody tr').count()) > 0);
      await checkPage(page, 'audit log at 360 px, its table scrolling in its own region');
    });
    assert.equal((await t.server.services.accounts.findByEmail('imported.e2e@example.com'))?.name, 'Imported');
  });
});
