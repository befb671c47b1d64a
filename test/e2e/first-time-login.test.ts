import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { nextTotpStep, strongPassword, totpNow } from '../helpers/flows.ts';
import {
  arrivedAtClient,
  authorization,
  errorSummary,
  fill,
  follow,
  heading,
  narrow,
  press,
  scanQr,
  wide,
  withVisit,
} from '../helpers/hosted-pages.ts';
import { codeFrom } from '../../harness/mail.ts';
import { checkPage } from '../helpers/page-checks.ts';
import { secretOf } from '../helpers/qr.ts';
import type { TestServer } from '../helpers/server.ts';

describe('first-time login in Chromium', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  browseDuring((started, server) => {
    browser = started;
    t = server;
  });

  for (const [width, viewport] of [['360 px', narrow], ['1280 px', wide]] as const) {
    it(`goes from the emailed code to the client at ${width}, every page and error accessible`, async () => {
      const email = `first.${viewport.width}@example.com`;
      await t.server.services.accounts.create({ email, name: 'First Timer' });
      const auth = await authorization(t);
      await withVisit(browser, t, { viewport }, async ({ page }) => {
        await page.goto(auth.url);
        assert.equal(await heading(page), 'Sign in');
        await checkPage(page, 'email');
        await press(page, 'Continue');
        assert.deepEqual(await errorSummary(page), ['Enter your email address']);
        await checkPage(page, 'email, empty');
        await fill(page, 'Email Address', 'nobody@example.com');
        await press(page, 'Continue');
        assert.deepEqual(await errorSummary(page), ['An account could not be found for the provided user ID.']);
        await checkPage(page, 'email, unknown');

        await fill(page, 'Email Address', email);
        await press(page, 'Continue');
        assert.equal(await page.getByLabel('Email Address', { exact: true }).inputValue(), email);
        await checkPage(page, 'sign in');
        await follow(page, 'First time login/Forgot Password?');
        assert.equal(await page.getByLabel('Email Address', { exact: true }).inputValue(), email);
        await checkPage(page, 'first-time login');

        const sentBefore = t.mail.messages.length;
        await press(page, 'Send verification code');
        assert.ok(await page.getByText('Verification code has been sent. Please copy it to the input box below.', { exact: true }).isVisible());
        await checkPage(page, 'code sent');
        const code = codeFrom(await t.mail.next(email, sentBefore));
        await fill(page, 'Verification Code', code === '000000' ? '111111' : '000000');
        await press(page, 'Verify code');
        assert.deepEqual(await errorSummary(page), ['The code is incorrect. Check the email and try again.']);
        await checkPage(page, 'code, wrong');
        await fill(page, 'Verification Code', `${code.slice(0, 3)} ${code.slice(3)}`);
        await press(page, 'Verify code');
        assert.ok(await page.getByText('The code has been verified. You can now continue.', { exact: true }).isVisible());
        await checkPage(page, 'code verified');

        await press(page, 'Continue');
        await checkPage(page, 'choose password');
        await fill(page, 'New Password', 'short');
        await fill(page, 'Confirm New Password', 'other');
        await press(page, 'Continue');
        const broken = await errorSummary(page);
        assert.ok(broken.includes('Your password must be at least 8 characters long'), broken.join(' | '));
        assert.ok(broken.includes('The passwords do not match'), broken.join(' | '));
        await checkPage(page, 'choose password, rules broken');

        const password = page.getByLabel('New Password', { exact: true });
        const show = page.locator('button[aria-controls=password]');
        await password.fill(strongPassword);
        assert.equal(await show.innerText(), 'Show');
        await show.click();
        assert.equal(await password.getAttribute('type'), 'text', 'Show reveals the password');
        assert.equal(await show.innerText(), 'Hide');
        assert.equal(await show.getAttribute('aria-pressed'), 'true');
        await show.click();
        assert.equal(await password.getAttribute('type'), 'password', 'Hide masks it again');
        await fill(page, 'Confirm New Password', strongPassword);
        await press(page, 'Continue');

        await checkPage(page, 'enroll');
        const uri = await scanQr(page);
        const issuerLabel = `Fluxys:${encodeURIComponent(email)}`;
        assert.match(uri, new RegExp(`^otpauth://totp/${issuerLabel}\\?secret=[A-Z2-7]{32}&issuer=Fluxys&algorithm=SHA1&digits=6&period=30$`));
        const secret = secretOf(uri);
        const manual = page.locator('code.secret');
        assert.ok(!(await manual.isVisible()), 'the secret waits behind "Still having trouble?"');
        await page.getByText('Still having trouble?', { exact: true }).click();
        assert.equal(await manual.innerText(), secret.match(/.{4}/g)!.join(' '));
        await checkPage(page, 'enroll, secret shown');
        await press(page, 'Continue');

        assert.ok(await page.getByText('Enter the verification code from your authenticator app.', { exact: true }).isVisible());
        await checkPage(page, 'enroll, code');
        await fill(page, 'Enter your code.', '12345');
        await press(page, 'Verify');
        assert.deepEqual(await errorSummary(page), ['Enter the 6-digit code']);
        await checkPage(page, 'enroll, code too short');
        nextTotpStep(t);
        await fill(page, 'Enter your code.', totpNow(t, secret));
        await press(page, 'Verify');

        const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
        assert.equal(tokens.claims()!.email, email);
        assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp']);
      });
      const account = await t.server.services.accounts.findByEmail(email);
      assert.equal(account!.status, 'active');
    });
  }

  it('says why an invitation can no longer be used, with the way out', async () => {
    const email = 'late.starter@example.com';
    await t.server.services.accounts.create({ email, invitedAt: new Date(Date.now() - 31 * 24 * 3600 * 1000) });
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      assert.deepEqual(await errorSummary(page), ['Your account has been deactivated.']);
      assert.ok(await page.getByText(/It was not activated within 30 days of the invitation/).isVisible());
      await checkPage(page, 'email, deactivated');
    });
  });
});
