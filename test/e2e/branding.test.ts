import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { nextTotpStep, strongPassword, totpNow } from '../helpers/flows.ts';
import { arrivedAtClient, authorization, confirmRecoveryCodes, fill, follow, narrow, press, scanQr, wide, withVisit } from '../helpers/hosted-pages.ts';
import { codeFrom } from '../../harness/mail.ts';
import { readMail } from '../helpers/mime.ts';
import { checkPage } from '../helpers/page-checks.ts';
import { secretOf } from '../helpers/qr.ts';
import type { TestServer } from '../helpers/server.ts';

const brand = { name: 'Acme Gas', color: '#7a1f5c', rgb: 'rgb(122, 31, 92)' };

/** A 160×48 logo: its size proves the browser decoded the very file the operator configured. */
function logoPng(): Buffer {
  const png = new PNG({ width: 160, height: 48 });
  png.data.fill(255);
  return PNG.sync.write(png);
}

describe('branding in Chromium', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  let assets: string;
  let logo: string;
  before(async () => {
    assets = await mkdtemp(path.join(os.tmpdir(), 'sso-brand-'));
    logo = path.join(assets, 'logo.png');
    await writeFile(logo, logoPng());
  });
  browseDuring(
    (started, server) => {
      browser = started;
      t = server;
    },
    () => ({ SSO_BRAND_NAME: brand.name, SSO_BRAND_LOGO: logo, SSO_BRAND_COLOR: brand.color }),
  );
  after(async () => {
    if (assets !== undefined) await rm(assets, { recursive: true, force: true });
  });

  for (const [width, viewport] of [['360 px', narrow], ['1280 px', wide]] as const) {
    it(`shows the brand's name, logo and colour at ${width}, loading nothing from elsewhere`, async () => {
      const auth = await authorization(t);
      await withVisit(browser, t, { viewport }, async ({ page, requests }) => {
        const logoResponse = page.waitForResponse((response) => new URL(response.url()).pathname === '/assets/brand-logo');
        await page.goto(auth.url);
        const logo = await logoResponse;
        assert.equal(logo.status(), 200);
        assert.equal(logo.headers()['content-type'], 'image/png');
        const shown = await page.locator('header img').evaluate((img: HTMLImageElement) => ({
          complete: img.complete,
          width: img.naturalWidth,
          height: img.naturalHeight,
          visible: img.getBoundingClientRect().width > 0,
        }));
        assert.deepEqual(shown, { complete: true, width: 160, height: 48, visible: true });

        assert.match(await page.title(), / – Acme Gas Extranet Identity Provider$/);
        assert.equal(await page.locator('.header__service').innerText(), 'Acme Gas Extranet Identity Provider');
        const colours = await page.evaluate(() => ({
          header: getComputedStyle(document.querySelector('header')!).backgroundColor,
          headerText: getComputedStyle(document.querySelector('header')!).color,
          button: getComputedStyle(document.querySelector('button[type=submit]')!).backgroundColor,
        }));
        assert.deepEqual(colours, { header: brand.rgb, headerText: 'rgb(255, 255, 255)', button: brand.rgb });
        await checkPage(page, 'branded email page');
        const loaded = requests.map((url) => new URL(url).pathname);
        for (const asset of ['/assets/styles.css', '/assets/brand.css', '/assets/app.js', '/assets/brand-logo']) {
          assert.ok(loaded.includes(asset), `the visit saw ${asset} load (and checks every such request's origin)`);
        }
      });
    });
  }

  it('names the brand in the emails and in the authenticator entry', async () => {
    const email = 'brand.new@example.com';
    await t.server.services.accounts.create({ email });
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await follow(page, 'First time login/Forgot Password?');
      const mailsBefore = t.mail.messages.length;
      await press(page, 'Send verification code');
      const received = await t.mail.next(email, mailsBefore);
      const mail = readMail(received);
      assert.equal(mail.subject, 'Acme Gas Extranet Identity Provider account email verification code');
      assert.ok(mail.text.includes('Acme Gas Extranet Identity Provider'));
      await fill(page, 'Verification Code', codeFrom(received));
      await press(page, 'Verify code');
      await press(page, 'Continue');
      await fill(page, 'New Password', strongPassword);
      await fill(page, 'Confirm New Password', strongPassword);
      await press(page, 'Continue');

      const uri = await scanQr(page);
      assert.ok(uri.startsWith(`otpauth://totp/Acme%20Gas:${encodeURIComponent(email)}?`), uri);
      assert.equal(new URL(uri).searchParams.get('issuer'), brand.name);
      await checkPage(page, 'branded enrollment');
      await press(page, 'Continue');
      nextTotpStep(t);
      await fill(page, 'Enter your code.', totpNow(t, secretOf(uri)));
      await press(page, 'Verify');
      await checkPage(page, 'branded recovery codes');
      await confirmRecoveryCodes(page);
      await auth.finish(await arrivedAtClient(page, '/callback'));
    });
  });
});
