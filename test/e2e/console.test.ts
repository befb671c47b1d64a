import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PlaywrightDriver } from '../../harness/playwright-driver.ts';
import { translator, type Locale } from '../../src/i18n/index.ts';
import { totpCodeAt } from '../../src/security/totp.ts';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { seedOperator, type ConsoleUser } from '../helpers/console.ts';
import { nextTotpStep, seedActiveAccount, strongPassword } from '../helpers/flows.ts';
import {
  arrivedAtClient,
  authorization,
  confirmRecoveryCodes,
  errorSummary,
  fill,
  follow,
  heading,
  narrow,
  press,
  signInThroughPages,
  wide,
  withVisit,
} from '../helpers/hosted-pages.ts';
import { checkPage, checkStructure } from '../helpers/page-checks.ts';
import type { TestServer } from '../helpers/server.ts';

/**
 * The user guide's calls to a point of contact, resolved in the console in Chromium, then the user
 * signing in: a locked account (Unlock) and a lost phone (Reset authenticator, then a new app at
 * the next sign-in). Every console page is checked (axe, structure) on the way.
 */
describe('the console in Chromium: a point of contact resolves the guide’s calls', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  browseDuring((started, server) => {
    browser = started;
    t = server;
  });

  /** Signs the operator in to the console from /admin, through the hosted pages. */
  async function openConsole(page: Page, operator: ConsoleUser): Promise<void> {
    await page.goto(`${t.issuer}/admin`);
    await signInThroughPages(page, t, operator.email, operator.secret);
    await page.waitForURL(`${t.issuer}/admin/users`);
  }

  /** Finds the user by email on the Users page and opens their page. */
  async function openUser(page: Page, email: string): Promise<void> {
    await fill(page, 'Search', email);
    await press(page, 'Find accounts');
    await checkPage(page, 'console: search results');
    await follow(page, email);
    assert.equal(await heading(page), `Account of ${email}`);
  }

  /** From the user's page: the action's button, its confirmation page, and the result. */
  async function act(page: Page, button: string, state: string): Promise<string> {
    await follow(page, button);
    assert.equal(await heading(page), 'Are you sure?');
    await checkPage(page, `console: ${state} confirmation`);
    await press(page, button);
    await checkPage(page, `console: ${state} done`);
    return (await page.locator('[role=status]').innerText()).trim();
  }

  it('a locked user: the point of contact unlocks the account and the user signs in', async () => {
    const operator = await seedOperator(t, 'poc.locked@example.com', 'helpdesk');
    const email = 'locked.user@example.com';
    const user = await seedActiveAccount(t, email);
    const account = (await t.server.services.accounts.findByEmail(email))!;
    for (let i = 0; i < 10; i++) {
      await t.server.services.attempts.run({ kind: 'password', account, requester: { ip: '198.51.100.7', userAgent: 'guessing' } }, async () => false, (right) => right);
    }

    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      // The user is told to wait.
      await page.goto((await authorization(t)).url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      assert.match((await errorSummary(page)).join(' '), /locked|try again/i);
    });

    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await openConsole(page, operator);
      await checkPage(page, 'console: users');
      await openUser(page, email);
      await checkPage(page, 'console: locked user');
      assert.match(await page.locator('#lock').innerText(), /^Locked for another/);
      assert.equal(await act(page, 'Unlock', 'unlock'), `The account of ${email} was unlocked.`);
      await follow(page, `Back to the account of ${email}`);
      assert.equal((await page.locator('#lock').innerText()).trim(), 'Not locked');
    });

    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      const auth = await authorization(t);
      await page.goto(auth.url);
      await signInThroughPages(page, t, email, user.secret);
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);
    });
  });

  it('a lost phone: the point of contact resets the authenticator, the user signs in with the password and enrolls a new app', async () => {
    const operator = await seedOperator(t, 'poc.phone@example.com', 'helpdesk');
    const email = 'lost.phone@example.com';
    const user = await seedActiveAccount(t, email);

    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await openConsole(page, operator);
      await openUser(page, email);
      assert.equal(await page.locator('#factors tbody tr').count(), 1, 'the authenticator app is listed');
      await checkPage(page, 'console: user with an authenticator app, narrow');
      assert.equal(await act(page, 'Reset authenticator', 'reset authenticator'), `The second factors of ${email} were removed and their sessions were ended.`);
    });
    assert.deepEqual((await t.server.services.accounts.findByEmail(email))!.factors, []);

    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      const auth = await authorization(t);
      await page.goto(auth.url);
      const driver = new PlaywrightDriver(page);
      await driver.submit('/email', { email });
      await driver.submit('/password', { password: strongPassword });
      assert.match(page.url(), /\/enroll$/, 'after the password the user sets up a new authenticator app');
      const secret = (await driver.text('code.secret')).replace(/\s+/g, '');
      assert.notEqual(secret, user.secret);
      await driver.follow('/enroll/verify');
      nextTotpStep(t);
      await driver.submit('/enroll/verify', { code: totpCodeAt(secret, Date.now() + t.clock.offsetMs) });
      await confirmRecoveryCodes(page);
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);
    });
    assert.equal((await t.server.services.accounts.findByEmail(email))!.factors.filter((factor) => factor.kind === 'authenticator-app').length, 1);
  });

  it('speaks every language on every console page, at both widths', async () => {
    const operator = await seedOperator(t, 'poc.languages@example.com', 'admin');
    const { id } = await seedActiveAccount(t, 'languages.user@example.com');
    // The app's name is the user's own words, shown as given: here a name that is no English sentence.
    await t.server.database.knex('factors').where({ account_id: id }).update({ name: 'iPhone' });
    const locales: readonly Locale[] = ['en', 'nl', 'fr', 'de'];
    for (const viewport of [wide, narrow]) {
      await withVisit(browser, t, { viewport }, async ({ page }) => {
        await openConsole(page, operator);
        for (const locale of locales) {
          const l = translator(locale);
          await page.goto(`${t.issuer}/admin/users?lang=${locale}`);
          assert.equal(await heading(page), l('console.users.title'));
          await checkPage(page, `console users (${locale}, ${viewport.width}px)`);
          await page.goto(`${t.issuer}/admin/users/${id}`);
          await checkPage(page, `console user (${locale}, ${viewport.width}px)`);
          await page.goto(`${t.issuer}/admin/users/${id}/deactivate`);
          assert.equal((await page.locator('.console-confirm button').innerText()).trim(), l('console.action.deactivate.button'));
          await checkPage(page, `console confirmation (${locale}, ${viewport.width}px)`);
        }
        await page.goto(`${t.issuer}/admin/users?lang=en`);
      });
    }
  });

  it('works without JavaScript: search, a user, an action confirmed', async () => {
    const operator = await seedOperator(t, 'poc.nojs@example.com', 'admin');
    const email = 'nojs.target@example.com';
    await seedActiveAccount(t, email);
    await withVisit(browser, t, { viewport: narrow, javaScriptEnabled: false }, async ({ page }) => {
      await openConsole(page, operator);
      await fill(page, 'Search', 'nojs.target');
      await press(page, 'Find accounts');
      await checkStructure(page, 'console search, no script');
      await follow(page, email);
      await follow(page, 'Sign out everywhere');
      await checkStructure(page, 'console confirmation, no script');
      await press(page, 'Sign out everywhere');
      assert.equal((await page.locator('[role=status]').innerText()).trim(), `${email} was signed out everywhere.`);
    });
  });

  it('shows an account without a role the 403 page, checked like any other', async () => {
    const nobody = await seedOperator(t, 'no.role.chromium@example.com', undefined);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(`${t.issuer}/admin`);
      await signInThroughPages(page, t, nobody.email, nobody.secret);
      await page.waitForURL(`${t.issuer}/admin/users`);
      assert.equal(await heading(page), 'You cannot do this in the console');
      await checkPage(page, 'console: no role');
    });
  });
});
