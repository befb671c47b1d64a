/**
 * `npm run screenshots`: walks every hosted page and its main error states in Chromium, at 1280 px
 * and 360 px wide, and saves them as docs/screenshots/<state>-<width>.png for the README, then one
 * page in each language at 360 px. It runs a throwaway server (embedded database, loopback SMTP)
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
import { arrivedAtClient, authorization, confirmRecoveryCodes, fill, follow, narrow, press, wide } from '../test/helpers/hosted-pages.ts';
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

async function shootAt(browser: Chromium, viewport: { width: number; height: number }): Promise<void> {
  // On localhost: a passkey's RP ID is a host name, never an IP address.
  const t = await startTestServer(backends()[0]!, {}, { host: 'localhost' });
  const context = await browser.newContext({ viewport });
  try {
    await context.route('http://127.0.0.1:9/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>Client</title>' }));
    const page = await context.newPage();
    const shoot: Shoot = async (state) => {
      const file = path.join(outDir, `${state}-${viewport.width}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
      console.log(path.relative(process.cwd(), file));
    };
    await signInPages(page, t, shoot);
    await firstTimeLoginPages(page, t, shoot);
    await accountPages(page, t, shoot, await passkeyPages(page, t, shoot));
    if (viewport === narrow) for (const locale of locales) await choosePasswordIn(page, t, locale, shoot);
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
