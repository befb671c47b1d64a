import assert from 'node:assert/strict';
import type { Actor } from '../../src/accounts/lifecycle.ts';
import type { Role } from '../../src/accounts/roles.ts';
import { Browser, type Page } from '../../harness/browser.ts';
import { BrowserDriver, signIn } from '../../harness/journeys.ts';
import { nextTotpStep, seedActiveAccount, strongPassword, totpNow } from './flows.ts';
import type { TestServer } from './server.ts';

/** The operator of the tests' own changes, as the CLI would be. */
export const testActor: Actor = { via: 'cli', name: 'test' };

export interface ConsoleUser {
  readonly id: string;
  readonly email: string;
  readonly secret: string;
}

/** An active account with the given console role (none when undefined). */
export async function seedOperator(t: TestServer, email: string, role: Role | undefined): Promise<ConsoleUser> {
  const { id, secret } = await seedActiveAccount(t, email, strongPassword, 'Point of Contact');
  if (role !== undefined) await t.server.lifecycle.grantRole(testActor, { id }, role);
  return { id, email, secret };
}

/** Walks a sign-in the browser was sent to (email, password, code) and returns where it led. */
export async function walkConsoleSignIn(t: TestServer, browser: Browser, page: Page, user: ConsoleUser): Promise<Page> {
  assert.match(page.url, /\/interaction\//, `the console sends the browser to sign in, not to ${page.url} (${page.status})`);
  const driver = new BrowserDriver(browser, page);
  await signIn(driver, {
    email: user.email,
    password: strongPassword,
    code: () => {
      nextTotpStep(t);
      return totpNow(t, user.secret);
    },
  });
  return driver.page;
}

/** A browser signed in to the console, on the page at `path` (a console path such as '/admin/users'). */
export async function consoleSession(t: TestServer, user: ConsoleUser, path = '/admin/users'): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser({ userAgent: 'console-test-browser' });
  const page = await walkConsoleSignIn(t, browser, await browser.get(`${t.issuer}${path}`), user);
  return { browser, page };
}
