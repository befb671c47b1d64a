import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { translator, type Translate } from '../../src/i18n/index.ts';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { englishIn, frenchSpacingProblems } from '../helpers/language-checks.ts';
import { nextTotpStep, seedActiveAccount, strongPassword, totpNow } from '../helpers/flows.ts';
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
  wide,
  withVisit,
} from '../helpers/hosted-pages.ts';
import { readMail } from '../helpers/mime.ts';
import { checkPage } from '../helpers/page-checks.ts';
import { decodeQrDataUrl, secretOf } from '../helpers/qr.ts';
import type { TestServer } from '../helpers/server.ts';

const en = translator('en');
const nl = translator('nl');
const fr = translator('fr');
const de = translator('de');

async function pageLanguage(page: Page): Promise<string> {
  return page.evaluate(() => document.documentElement.lang);
}

/** The emailed code, found with the sentence the email's language puts around it. */
function codeIn(text: string, t: Translate): string {
  const [before = '', after = ''] = t('mail.code.code', { code: '\u0000' }).split('\u0000');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escape(before)}(\\d{6})${escape(after)}`).exec(text);
  assert.ok(match !== null, `no "${t('mail.code.code', { code: 'NNNNNN' })}" in the email`);
  return match[1]!;
}

/** Email, password and authenticator code in the language of `t`, ending at the client. */
async function signIn(page: Page, t: Translate, server: TestServer, email: string, secret: string): Promise<void> {
  await fill(page, t('common.emailLabel'), email);
  await press(page, t('common.continue'));
  await fill(page, t('signIn.passwordLabel'), strongPassword);
  await press(page, t('signIn.submit'));
  nextTotpStep(server);
  await fill(page, t('totp.codeLabel'), totpNow(server, secret));
  await press(page, t('totp.submit'));
}

describe('languages in Chromium', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  browseDuring((started, server) => {
    browser = started;
    t = server;
  });

  it('chooses the language by ui_locales, then by Accept-Language, else English', async () => {
    const cases: ReadonlyArray<[string, Record<string, string>, string, Translate]> = [
      ['ui_locales over the browser', { ui_locales: 'nl-BE fr' }, 'de-DE', nl],
      ['the first supported ui_locale', { ui_locales: 'es de' }, 'fr-BE', de],
      ['the browser when ui_locales has none of ours', { ui_locales: 'es' }, 'fr-BE', fr],
      ['the browser alone', {}, 'de-AT', de],
      ['English for anything else', {}, 'ja-JP', en],
    ];
    for (const [name, params, browserLocale, expected] of cases) {
      const auth = await authorization(t, params);
      await withVisit(browser, t, { locale: browserLocale, viewport: narrow }, async ({ page }) => {
        await page.goto(auth.url);
        assert.equal(await pageLanguage(page), expected.locale, name);
        assert.ok(await page.getByLabel(expected('common.emailLabel'), { exact: true }).isVisible(), name);
        await press(page, expected('common.continue'));
        assert.deepEqual(await errorSummary(page), [expected('identify.error.required')], name);
        await checkPage(page, `${name}: email, empty`);
      });
    }
  });

  it('keeps a Dutch flow in Dutch: its pages, its email, its errors and its error pages', async () => {
    const email = 'nieuw@example.com';
    await t.server.services.accounts.create({ email });
    const auth = await authorization(t, { ui_locales: 'nl' });
    await withVisit(browser, t, { locale: 'en-GB', viewport: wide }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, nl('common.emailLabel'), email);
      await press(page, nl('common.continue'));
      assert.equal(await heading(page), nl('signIn.heading'));
      await follow(page, nl('signIn.forgotLink'));
      const mailsBefore = t.mail.messages.length;
      await press(page, nl('activation.send'));
      assert.ok(await page.getByText(nl('activation.sent'), { exact: true }).isVisible());

      const mail = readMail(await t.mail.next(email, mailsBefore));
      assert.equal(mail.subject, nl('mail.code.subject', { brand: 'Fluxys' }));
      assert.ok(mail.text.includes(nl('mail.unmonitored')), 'the whole email is Dutch');
      const code = codeIn(mail.text, nl);

      await fill(page, nl('activation.codeLabel'), 'abc');
      await press(page, nl('activation.verify'));
      assert.deepEqual(await errorSummary(page), [nl('activation.error.codeFormat')]);
      assert.ok((await page.title()).startsWith(`${nl('layout.errorPrefix')} `));
      await checkPage(page, 'Dutch code, wrong format');
      await fill(page, nl('activation.codeLabel'), code);
      await press(page, nl('activation.verify'));
      assert.ok(await page.getByText(nl('activation.verified'), { exact: true }).isVisible());

      const base = page.url().replace(/\/activation\/verified$/, '');
      const skipped = await page.goto(`${base}/enroll`);
      assert.equal(skipped!.status(), 403);
      assert.equal(await heading(page), nl('error.step.title'));
      assert.equal(await pageLanguage(page), 'nl');
      await checkPage(page, 'Dutch error page');

      await page.goto(`${base}/new-password`);
      await page.locator('input[name=_csrf]').evaluate((input) => input.remove());
      await press(page, nl('common.continue'));
      assert.equal(await heading(page), nl('error.forbidden.title'));
    });
  });

  it('sends the password-changed email of a German reset in German', async () => {
    const email = 'vergesslich@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const auth = await authorization(t, { ui_locales: 'de' });
    await withVisit(browser, t, { locale: 'fr-BE', viewport: narrow }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, de('common.emailLabel'), email);
      await press(page, de('common.continue'));
      await follow(page, de('signIn.forgotLink'));
      assert.equal(await heading(page), de('forgot.heading'));
      await fill(page, de('common.emailLabel'), email);
      await press(page, de('common.continue'));
      nextTotpStep(t);
      await fill(page, de('totp.codeLabel'), totpNow(t, secret));
      await press(page, de('totp.submit'));
      await fill(page, de('password.newLabel'), 'Neues#Passwort9');
      await fill(page, de('password.confirmLabel'), 'Neues#Passwort8');
      await press(page, de('common.continue'));
      assert.deepEqual(await errorSummary(page), [de('password.error.mismatch')]);
      await checkPage(page, 'German password, mismatch');
      await fill(page, de('password.newLabel'), 'Neues#Passwort9');
      await fill(page, de('password.confirmLabel'), 'Neues#Passwort9');
      const mailsBefore = t.mail.messages.length;
      await press(page, de('common.continue'));
      await auth.finish(await arrivedAtClient(page, '/callback'));
      const notice = readMail(await t.mail.next(email, mailsBefore));
      assert.equal(notice.subject, de('mail.passwordChanged.subject', { brand: 'Fluxys' }));
    });
  });

  it('signs out in the language the client asks for, else the browser’s, on both logout pages', async () => {
    const email = 'afmelden@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const endSession = new URL('/session/end', t.issuer);
    await withVisit(browser, t, { locale: 'fr-BE', viewport: wide }, async ({ page }) => {
      for (const [asked, expected] of [['de', de], [undefined, fr], ['nl', nl]] as const) {
        const auth = await authorization(t);
        await page.goto(auth.url);
        await signIn(page, fr, t, email, secret);
        await arrivedAtClient(page, '/callback');

        const url = new URL(endSession);
        if (asked !== undefined) url.searchParams.set('ui_locales', asked);
        await page.goto(url.toString());
        assert.ok(await page.getByText(expected('logout.confirm'), { exact: true }).isVisible(), `asked ${asked}`);
        await checkPage(page, `logout confirmation (${expected.locale})`);
        await press(page, expected('logout.submit'));
        assert.ok(await page.getByText(expected('logout.done'), { exact: true }).isVisible(), `asked ${asked}`);
        assert.equal(await pageLanguage(page), expected.locale);
        await checkPage(page, `signed out (${expected.locale})`);
      }
    });
  });

  for (const l of [nl, fr, de] as const) {
    const lang = l.locale as 'nl' | 'fr' | 'de';
    it(`speaks only ${lang} on every page, error and email of first-time login, reset and sign-out`, async () => {
      const email = `alleen.${lang}@example.com`;
      await t.server.services.accounts.create({ email });
      const auth = await authorization(t, { ui_locales: lang });
      await withVisit(browser, t, { locale: 'en-GB', viewport: narrow }, async ({ page }) => {
        const state = (name: string) => checkPage(page, `${lang}: ${name}`);
        await page.goto(auth.url);
        await state('email');
        await press(page, l('common.continue'));
        await state('email, empty');
        await fill(page, l('common.emailLabel'), 'nobody@example.com');
        await press(page, l('common.continue'));
        await state('email, unknown');
        await fill(page, l('common.emailLabel'), email);
        await press(page, l('common.continue'));
        await state('sign in');
        await press(page, l('signIn.submit'));
        await state('sign in, no password');

        await follow(page, l('signIn.forgotLink'));
        await state('first-time login');
        const mailsBefore = t.mail.messages.length;
        await press(page, l('activation.send'));
        await state('code sent');
        const mail = readMail(await t.mail.next(email, mailsBefore));
        assert.deepEqual(englishIn(`${mail.subject}\n${mail.text}`, lang), [], 'the code email speaks the page language');
        if (lang === 'fr') assert.deepEqual(frenchSpacingProblems(`${mail.subject}\n${mail.text}`), [], 'French email spacing');
        const code = codeIn(mail.text, l);
        await press(page, l('activation.resend'));
        assert.equal(await page.locator('.error-summary a').getAttribute('href'), '#resend');
        await state('new code asked too soon');
        await fill(page, l('activation.codeLabel'), code === '000000' ? '111111' : '000000');
        await press(page, l('activation.verify'));
        await state('code wrong');
        await fill(page, l('activation.codeLabel'), code);
        await press(page, l('activation.verify'));
        await state('code verified');

        await press(page, l('common.continue'));
        await state('choose password');
        const toggle = page.locator('button[aria-controls=password]');
        const before = await toggle.evaluate((el) => ({ width: el.getBoundingClientRect().width, fits: el.scrollWidth <= el.clientWidth }));
        await toggle.click();
        const after = await toggle.evaluate((el) => ({ width: el.getBoundingClientRect().width, fits: el.scrollWidth <= el.clientWidth }));
        assert.deepEqual(after, before, `"${l('common.show')}" and "${l('common.hide')}" take the same width`);
        assert.ok(before.fits, 'the longer label fits the button');
        await fill(page, l('password.newLabel'), 'short');
        await fill(page, l('password.confirmLabel'), 'other');
        await press(page, l('common.continue'));
        assert.ok((await errorSummary(page)).length >= 3, 'several errors, two on one field');
        await state('choose password, rules broken');
        await fill(page, l('password.newLabel'), strongPassword);
        await fill(page, l('password.confirmLabel'), strongPassword);
        await press(page, l('common.continue'));

        await state('enroll');
        const secret = secretOf(decodeQrDataUrl((await page.locator('img.qr').getAttribute('src')) ?? ''));
        await page.getByText(l('enroll.trouble'), { exact: true }).click();
        await state('enroll, key shown');
        await press(page, l('common.continue'));
        await state('enroll, code');
        await fill(page, l('totp.codeLabel'), '12345');
        await press(page, l('totp.submit'));
        await state('enroll, code too short');
        nextTotpStep(t);
        await fill(page, l('totp.codeLabel'), totpNow(t, secret));
        await press(page, l('totp.submit'));
        await state('recovery codes');
        await press(page, l('common.continue'));
        await state('recovery codes, not confirmed');
        await confirmRecoveryCodes(page, l);
        await arrivedAtClient(page, '/callback');

        const logout = new URL('/session/end', t.issuer);
        logout.searchParams.set('ui_locales', lang);
        await page.goto(logout.toString());
        await state('logout confirmation');
        await press(page, l('logout.submit'));
        await state('signed out');

        const again = await authorization(t, { ui_locales: lang });
        await page.goto(again.url);
        await fill(page, l('common.emailLabel'), email);
        await press(page, l('common.continue'));
        await follow(page, l('signIn.forgotLink'));
        assert.equal(await page.getByLabel(l('common.emailLabel'), { exact: true }).inputValue(), email);
        await state('forgot password');
        await press(page, l('common.continue'));
        await press(page, l('totp.submit'));
        await state('reset, code missing');
        await follow(page, l('totp.useRecoveryCode'));
        await state('recovery code');
        await press(page, l('totp.submit'));
        await state('recovery code missing');
        await fill(page, l('recovery.codeLabel'), 'zzzzz-zzzzz');
        await press(page, l('totp.submit'));
        assert.deepEqual(await errorSummary(page), [l('recovery.error.invalid')]);
        await state('recovery code wrong');

        const base = page.url().replace(/\/recovery$/, '');
        await page.goto(`${base}/enroll`);
        await state('step refused');
        await (await t.server.services.provider.Interaction.find(base.split('/').pop()!))!.destroy();
        await page.goto(base);
        await state('expired');
        await page.setExtraHTTPHeaders({ 'Accept-Language': lang });
        await page.goto(new URL('/no-such-page', t.issuer).toString());
        await state('not found');
      });
    });
  }

  it('switches language on any page without losing the step, the form or the token', async () => {
    const email = 'polyglot@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const auth = await authorization(t, { ui_locales: 'de' });
    await withVisit(browser, t, { locale: 'en-GB', viewport: narrow }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, de('common.emailLabel'), email);
      await press(page, de('common.continue'));
      await press(page, de('signIn.submit'));
      assert.deepEqual(await errorSummary(page), [de('signIn.error.passwordRequired')]);

      await follow(page, 'Français', page.getByRole('navigation', { name: de('layout.language') }));
      assert.equal(await pageLanguage(page), 'fr', 'a choice outranks ui_locales');
      assert.equal(await heading(page), fr('signIn.heading'));
      assert.equal(await page.getByLabel(fr('common.emailLabel'), { exact: true }).inputValue(), email, 'still the same step');
      await checkPage(page, 'sign in, switched to French');

      await fill(page, fr('signIn.passwordLabel'), strongPassword);
      await press(page, fr('signIn.submit'));
      await follow(page, 'Nederlands', page.getByRole('navigation', { name: fr('layout.language') }));
      assert.ok(await page.getByText(nl('totp.intro'), { exact: true }).isVisible());
      nextTotpStep(t);
      await fill(page, nl('totp.codeLabel'), totpNow(t, secret));
      await press(page, nl('totp.submit'));
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);
    });
  });
});
