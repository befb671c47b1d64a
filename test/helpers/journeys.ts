import assert from 'node:assert/strict';
import { totpCodeAt } from '../../src/security/totp.ts';
import type { Browser, Page } from './browser.ts';
import { saveRecoveryCodes, strongPassword } from './flows.ts';
import { codeFrom, type MailServer } from './mail-server.ts';

/**
 * The user's journeys for servers whose clock the test cannot move (server processes): every
 * authenticator code is the one for `now()`. Each step asserts it reached the page it expects, so a
 * failure names the step rather than a missing form later on.
 */

function expectPage(page: Page, pattern: RegExp, step: string): void {
  assert.match(page.html, pattern, `${step}: got status ${page.status} "${page.$('h1').text().trim()}" at ${page.url}`);
}

/** Email, password, authenticator code: ends at the client's redirect_uri. */
export async function signIn(browser: Browser, first: Page, email: string, secret: string, now = Date.now): Promise<Page> {
  const signInPage = await browser.submit(first, '/email', { email });
  expectPage(signInPage, /Sign in with your email address/, 'email');
  const totpPage = await browser.submit(signInPage, '/password', { password: strongPassword });
  expectPage(totpPage, /Enter the verification code from your authenticator app\./, 'password');
  return browser.submit(totpPage, '/totp', { code: totpCodeAt(secret, now()) });
}

/**
 * First-time login of an invited account: emailed code, new password, authenticator enrollment,
 * recovery codes saved. Returns the callback page, the enrolled secret (read from the "Still having
 * trouble?" panel) and the recovery codes.
 */
export async function firstTimeLogin(
  browser: Browser,
  first: Page,
  email: string,
  mail: MailServer,
  now = Date.now,
): Promise<{ callback: Page; secret: string; recoveryCodes: string[] }> {
  const signInPage = await browser.submit(first, '/email', { email });
  const help = await browser.get(new URL(signInPage.$('a[href$="/help"]').attr('href')!, signInPage.url).toString());
  const before = mail.messages.length;
  const sent = await browser.submit(help, '/activation/send');
  expectPage(sent, /Verification code has been sent/, 'send code');
  const code = codeFrom(await mail.next(email, before));
  const verified = await browser.submit(sent, '/activation/verify', { code });
  expectPage(verified, /The code has been verified/, 'verify code');
  const choose = await browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
  const enroll = await browser.submit(choose, '/new-password', { password: strongPassword, confirmation: strongPassword });
  expectPage(enroll, /QR code/, 'new password');
  const secret = enroll.$('code.secret').text().replace(/\s+/g, '');
  const codePage = await browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
  const saved = await saveRecoveryCodes(browser, await browser.submit(codePage, '/enroll/verify', { code: totpCodeAt(secret, now()) }));
  return { callback: saved.next, secret, recoveryCodes: saved.codes };
}
