/**
 * `npm run screenshots`: walks every hosted page and its main error states in Chromium, at 1280 px
 * and 360 px wide, and saves them as docs/screenshots/<state>-<width>.png for the README, then one
 * page in each language at 360 px, and the console's pages. It runs a throwaway server (embedded database, loopback SMTP)
 * like the browser tests do, and drives the pages with the journeys' own Chromium driver (harness/).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser as Chromium, Page } from 'playwright-core';
import { locales, translator, type Locale } from '../src/i18n/index.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { nextTotpStep, seedActiveAccount, seedRecoveryCodes, strongPassword, totpNow } from '../test/helpers/flows.ts';
import { relyingPartyIn, tokensVia } from '../test/helpers/relying-parties.ts';
import { normaliseRecoveryCode } from '../src/factors/index.ts';
import { Browser } from '../harness/browser.ts';
import { arrivedAtClient, authorization, confirmRecoveryCodes, fill, follow, narrow, press, signInThroughPages, wide } from '../test/helpers/hosted-pages.ts';
import { seedOperator, testActor } from '../test/helpers/console.ts';
import { addVirtualAuthenticator, registerPasskey } from '../test/helpers/passkeys.ts';
import { codeFrom } from '../harness/mail.ts';
import { PlaywrightDriver } from '../harness/playwright-driver.ts';
import { readMail } from '../test/helpers/mime.ts';
import { secretOf, decodeQrDataUrl } from '../test/helpers/qr.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../test/helpers/server.ts';

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

type Shoot = (state: string) => Promise<void>;

async function signInPages(page: Page, t: TestServer, shoot: Shoot): Promise<void> {
  const { secret } = await seedActiveAccount(t, 'an.peeters@example.com');
  await seedActiveAccount(t, 'locked.out@example.com');
  await t.server.services.accounts.create({ email: 'late@example.com', invitedAt: new Date(Date.now() - 40 * 24 * 3600 * 1000) });
  const driver = new PlaywrightDriver(page);

  await page.goto((await authorization(t)).url);
  await shoot('01-email');
  await driver.submit('/email', { email: 'jan@example.com' });
  await shoot('02-email-unknown');
  await driver.submit('/email', { email: 'late@example.com' });
  await shoot('03-email-deactivated');

  await driver.submit('/email', { email: 'locked.out@example.com' });
  for (let attempt = 0; attempt < 10; attempt++) await driver.submit('/password', { password: `Wrong#Pass${attempt}` });
  await shoot('06-sign-in-locked');

  await page.goto((await authorization(t)).url);
  await driver.submit('/email', { email: 'an.peeters@example.com' });
  await shoot('04-sign-in');
  await driver.submit('/password', { password: 'Wrong#Pass1' });
  await shoot('05-sign-in-wrong-password');
  await driver.submit('/password', { password: strongPassword });
  await shoot('15-authenticator-code');
  await driver.submit('/totp', { code: '000000' });
  await shoot('16-authenticator-code-wrong');
  await follow(page, 'Use a recovery code');
  await shoot('24-recovery-code');
  await fill(page, 'Recovery code', 'abcde-23456');
  await press(page, 'Verify');
  await shoot('25-recovery-code-wrong');
  await follow(page, 'Use a code from your authenticator app instead');
  nextTotpStep(t);
  await driver.submit('/totp', { code: totpNow(t, secret) });
  await arrivedAtClient(page, '/callback');

  await page.goto(new URL('/session/end', t.issuer).toString());
  await shoot('18-sign-out');
  await press(page, 'Sign out');
  await shoot('19-signed-out');
}

async function firstTimeLoginPages(page: Page, t: TestServer, shoot: Shoot): Promise<void> {
  const email = 'marie.dubois@example.com';
  await t.server.services.accounts.create({ email, name: 'Marie Dubois' });
  const driver = new PlaywrightDriver(page);
  await page.goto((await authorization(t)).url);
  await driver.submit('/email', { email });
  await driver.follow('/help');
  await shoot('07-first-time-login');
  const before = t.mail.messages.length;
  await driver.submit('/activation/send');
  await shoot('08-code-sent');
  const code = codeFrom(await t.mail.next(email, before));
  await driver.submit('/activation/verify', { code: code === '000000' ? '111111' : '000000' });
  await shoot('09-code-wrong');
  await driver.submit('/activation/verify', { code });
  await shoot('10-code-verified');
  await driver.follow('/new-password');
  await shoot('11-choose-password');
  await driver.submit('/new-password', { password: 'marie dubois', confirmation: 'marie' });
  await shoot('12-choose-password-errors');
  await driver.submit('/new-password', { password: strongPassword, confirmation: strongPassword });
  await shoot('13-authenticator-setup');
  await page.getByText('Still having trouble?', { exact: true }).click();
  await shoot('14-authenticator-setup-details');
  const secret = secretOf(decodeQrDataUrl((await page.getByRole('img', { name: 'QR code' }).getAttribute('src')) ?? ''));
  await driver.follow('/enroll/verify');
  nextTotpStep(t);
  await driver.submit('/enroll/verify', { code: totpNow(t, secret) });
  await shoot('22-recovery-codes');
  await press(page, 'Continue');
  await shoot('23-recovery-codes-not-confirmed');
  await confirmRecoveryCodes(page);
  await arrivedAtClient(page, '/callback');

  await page.goto((await authorization(t, { prompt: 'login' })).url);
  await driver.submit('/email', { email });
  await driver.follow('/help');
  await shoot('17-forgot-password');

  await page.goto((await authorization(t, { prompt: 'login' })).url);
  const uid = new URL(page.url()).pathname.split('/')[2]!;
  await (await t.server.services.provider.Interaction.find(uid))!.destroy();
  await page.reload();
  await shoot('20-session-expired');
}

/** An account with a passkey on this browser's (virtual) authenticator: the pages that offer it. */
async function passkeyPages(page: Page, t: TestServer, shoot: Shoot): Promise<{ email: string; id: string; secret: string }> {
  const email = 'sofie.janssens@example.com';
  const { id, secret } = await seedActiveAccount(t, email, strongPassword, 'Sofie Janssens');
  await addVirtualAuthenticator(page);
  await registerPasskey(t, page, id);
  await page.goto((await authorization(t, { prompt: 'login' })).url);
  await fill(page, 'Email Address', email);
  await press(page, 'Continue');
  await shoot('26-sign-in-passkey');
  await fill(page, 'Password', strongPassword);
  await press(page, 'Sign in');
  await shoot('27-authenticator-code-passkey');
  await press(page, 'Use a passkey');
  await arrivedAtClient(page, '/callback');
  return { email, id, secret };
}

/**
 * The account page of the user the passkey pages signed in: an app and a passkey of her own naming,
 * two recovery codes left, and an application holding a refresh token in another browser.
 */
async function accountPages(page: Page, t: TestServer, shoot: Shoot, user: { email: string; id: string; secret: string }): Promise<void> {
  const { factors, accounts } = t.server.services;
  const app = (await accounts.findById(user.id))!.factors.find((factor) => factor.kind === 'authenticator-app')!;
  await factors.rename(user.id, app.id, 'Pixel 8');
  const codes = await seedRecoveryCodes(t, user);
  for (const code of codes.slice(2)) await factors.recoveryCodes.verify((await accounts.findById(user.id))!, normaliseRecoveryCode(code)!, { requester: { ip: '192.0.2.10', userAgent: 'screenshots' }, locale: 'en' });
  const laptop = new Browser({ stopAt: ['http://127.0.0.1:9/'], userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0' });
  await tokensVia(t, laptop, await relyingPartyIn(t, laptop, publicClient), { email: user.email, secret: user.secret });

  await page.goto(`${t.issuer}/account`);
  await shoot('28-account');
  await follow(page, 'Change your password');
  await fill(page, 'Current Password', 'Wrong#Pass12');
  await fill(page, 'New Password', 'sofie');
  await fill(page, 'Confirm New Password', 'sofie');
  await press(page, 'Change password');
  await shoot('29-account-password-errors');
  await page.goto(`${t.issuer}/account`);
  await press(page, 'Add an authenticator app');
  await shoot('30-account-add-app');
  await page.goto(`${t.issuer}/account/factors/${app.id}/remove`);
  await shoot('31-account-remove-app');
  await page.goto(`${t.issuer}/account`);
  await press(page, 'Create new recovery codes');
  await shoot('32-account-new-recovery-codes');
  await page.goto(`${t.issuer}/account/signout-everywhere`);
  await shoot('33-account-sign-out-everywhere');
}

/** The console of a point of contact: the Users list, a locked user's page, an Unlock confirmed; and an account without a role. */
async function consolePages(page: Page, t: TestServer, shoot: Shoot): Promise<void> {
  const helpdesk = await seedOperator(t, 'pat.helpdesk@example.com', 'helpdesk');
  const nobody = await seedOperator(t, 'no.role@example.com', undefined);
  const people = ['Jan Peeters', 'Els Janssens', 'Luc Maes', 'Sofie Jacobs', 'Tom Mertens', 'Greet Willems', 'Wim Claes', 'Anna Goossens'];
  await t.server.services.accounts.createMany(people.map((name) => ({ email: `${name.toLowerCase().replace(' ', '.')}@gas-shipper.example`, name })));
  const { id } = await seedActiveAccount(t, 'dirk.wouters@trader.example', strongPassword, 'Dirk Wouters');
  const account = (await t.server.services.accounts.findById(id))!;
  for (let attempt = 0; attempt < 10; attempt++) {
    await t.server.services.attempts.run({ kind: 'password', account, requester: { ip: '198.51.100.23', userAgent: 'Mozilla/5.0' } }, async () => false, (right) => right);
  }
  await page.context().clearCookies();
  await page.goto(`${t.issuer}/admin`);
  await signInThroughPages(page, t, helpdesk.email, helpdesk.secret);
  await page.waitForURL(`${t.issuer}/admin/users`);
  await shoot('40-console-users');
  await fill(page, 'Search', 'wouters');
  await press(page, 'Find accounts');
  await follow(page, 'dirk.wouters@trader.example');
  await shoot('41-console-user');
  await follow(page, 'Unlock');
  await shoot('42-console-confirm');
  await press(page, 'Unlock');
  await shoot('43-console-done');
  await page.context().clearCookies();
  await page.goto(`${t.issuer}/admin`);
  await signInThroughPages(page, t, nobody.email, nobody.secret);
  await page.waitForURL(`${t.issuer}/admin/users`);
  await shoot('44-console-no-role');
}

/** The emailed code, found with the sentence its language puts around it. */
function codeIn(text: string, locale: Locale): string {
  const [before = ''] = translator(locale)('mail.code.code', { code: '\u0000' }).split('\u0000');
  const match = new RegExp(`${before.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{6})`).exec(text);
  if (match === null) throw new Error(`no code in the ${locale} email`);
  return match[1]!;
}

/** The password rules and their errors, the page with the most words, in one language. */
async function choosePasswordIn(page: Page, t: TestServer, locale: Locale, shoot: Shoot): Promise<void> {
  const l = translator(locale);
  const email = `lena.${locale}@example.com`;
  await t.server.services.accounts.create({ email });
  await page.goto((await authorization(t, { ui_locales: locale, prompt: 'login' })).url);
  await fill(page, l('common.emailLabel'), email);
  await press(page, l('common.continue'));
  await follow(page, l('signIn.forgotLink'));
  const before = t.mail.messages.length;
  await press(page, l('activation.send'));
  await fill(page, l('activation.codeLabel'), codeIn(readMail(await t.mail.next(email, before)).text, locale));
  await press(page, l('activation.verify'));
  await press(page, l('common.continue'));
  await fill(page, l('password.newLabel'), 'lena.');
  await fill(page, l('password.confirmLabel'), 'lena');
  await press(page, l('common.continue'));
  await shoot(`21-choose-password-errors-${locale}`);
}

/**
 * The console's Invite a user, Import users and Audit log pages, as an administrator sees them, in a
 * context of their own (the pages above leave other people signed in).
 */
async function consoleToolsPages(browser: Chromium, viewport: { width: number; height: number }, t: TestServer): Promise<void> {
  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    const shoot = shooter(page, viewport);
    const admin = await seedOperator(t, 'els.janssens@example.com', 'admin');
    await t.server.lifecycle.invite(testActor, { email: 'pieter.claes@example.com', name: 'Pieter Claes' });
    await page.goto(`${t.issuer}/admin/invite`);
    await signInThroughPages(page, t, admin.email, admin.secret);
    await page.waitForURL(`${t.issuer}/admin/invite`);
    await shoot('50-console-invite');
    await fill(page, 'Email Address', 'pieter.claes@example.com');
    await press(page, 'Send invitation');
    await shoot('51-console-invite-exists');
    await fill(page, 'Email Address', 'sofie.maes@example.com');
    await fill(page, 'Name', 'Sofie Maes');
    await press(page, 'Send invitation');
    await shoot('52-console-invited');

    await follow(page, 'Import users');
    await shoot('53-console-import');
    const csv = ['email;name', 'lotte.wouters@example.com;Lotte Wouters', 'pieter.claes@example.com;Pieter Claes', 'tom.dewit@example;Tom De Wit', 'nina.vos@example.com;Nina Vos'];
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\r\n')) });
    await press(page, 'Check file');
    await shoot('54-console-import-checked');
    await press(page, 'Import');
    await shoot('55-console-import-done');

    await follow(page, 'Audit log');
    await shoot('56-console-audit-log');
  } finally {
    await context.close();
  }
}

function shooter(page: Page, viewport: { width: number }): Shoot {
  return async (state) => {
    const file = path.join(outDir, `${state}-${viewport.width}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
    console.log(path.relative(process.cwd(), file));
  };
}

/** The sets of pages to shoot: every one, or those named on the command line (`npm run screenshots -- account console`). */
const wanted = new Set(process.argv.slice(2));
const wants = (set: 'hosted' | 'account' | 'console' | 'console-tools') => wanted.size === 0 || wanted.has(set);

async function shootAt(browser: Chromium, viewport: { width: number; height: number }): Promise<void> {
  // On localhost: a passkey's RP ID is a host name, never an IP address.
  const t = await startTestServer(backends()[0]!, {}, { host: 'localhost' });
  const context = await browser.newContext({ viewport });
  try {
    await context.route('http://127.0.0.1:9/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>Client</title>' }));
    const page = await context.newPage();
    const shoot = shooter(page, viewport);
    if (wants('hosted') || wants('account')) {
      if (wants('hosted')) {
        await signInPages(page, t, shoot);
        await firstTimeLoginPages(page, t, shoot);
      }
      const user = await passkeyPages(page, t, shoot);
      if (wants('account')) await accountPages(page, t, shoot, user);
    }
    if (wants('console')) await consolePages(page, t, shoot);
    if (wants('hosted') && viewport === narrow) for (const locale of locales) await choosePasswordIn(page, t, locale, shoot);
    if (wants('console-tools')) await consoleToolsPages(browser, viewport, t);
  } finally {
    await context.close();
    await t.close();
  }
}

await mkdir(outDir, { recursive: true });
const browser = await launchChromium();
try {
  for (const viewport of [wide, narrow]) await shootAt(browser, viewport);
} finally {
  await browser.close();
}
