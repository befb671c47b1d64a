import assert from 'node:assert/strict';
import { Browser, type Page } from '../../harness/browser.ts';
import { BrowserDriver, signIn } from '../../harness/journeys.ts';
import { nextTotpStep, strongPassword, totpNow } from './flows.ts';
import type { TestServer } from './server.ts';

/** A user of the account page: their email and the secret of the authenticator app they sign in with. */
export interface AccountUser {
  readonly email: string;
  readonly secret: string;
  readonly password?: string;
}

/**
 * From a page of the hosted sign-in (where the account page sent the browser) through email,
 * password and a code of the next time step, to where the account page brings the user back.
 */
export async function signInFrom(t: TestServer, browser: Browser, first: Page, user: AccountUser): Promise<Page> {
  assert.match(first.url, /\/interaction\//, `the account page sends the browser through the sign-in, not to ${first.url} (${first.status})`);
  const driver = new BrowserDriver(browser, first);
  await signIn(driver, {
    email: user.email,
    password: user.password ?? strongPassword,
    code: () => {
      nextTotpStep(t);
      return totpNow(t, user.secret);
    },
  });
  return driver.page;
}

/** Opens `path` of the account page in a new browser (or the given one) and signs in: returns the page it lands on. */
export async function openAccountPage(t: TestServer, user: AccountUser, path = '/account', browser = new Browser()): Promise<{ browser: Browser; page: Page }> {
  const first = await browser.get(`${t.issuer}${path}`);
  const page = await signInFrom(t, browser, first, user);
  assert.equal(page.status, 200, `${path} after the sign-in: ${page.status} at ${page.url}`);
  return { browser, page };
}

/**
 * Makes the browser's sign-in to the account page older than a change allows, as if it were made
 * `seconds` ago: its surface session's record is rewritten, the way time would have aged it.
 */
export async function ageSignIn(t: TestServer, browser: Browser, seconds: number): Promise<void> {
  const cookie = (await browser.jar.getCookies(`${t.issuer}/account`)).find((c) => c.key === 'sso_account');
  assert.ok(cookie, 'the browser is signed in to the account page');
  const key = `surface:account:${cookie.value}`;
  const stored = JSON.parse((await t.server.store.get(key))!) as { authTime: number };
  await t.server.store.set(key, JSON.stringify({ ...stored, authTime: stored.authTime - seconds }), 3600);
}
