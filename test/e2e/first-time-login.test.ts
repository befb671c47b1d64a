import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { nextTotpStep, strongPassword, totpNow } from '../helpers/flows.ts';
import {
  arrivedAtClient,
  describedBy,
  authorization,
  confirmRecoveryCodes,
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
        const codeField = page.getByLabel('Verification Code', { exact: true });
        assert.match(await describedBy(page, codeField), /^The code is valid for 5 minutes\. /, 'the page says how long the code lasts');
        await checkPage(page, 'code sent');
        const code = codeFrom(await t.mail.next(email, sentBefore));

        await press(page, 'Send new code');
        const [wait] = await errorSummary(page);
        assert.match(wait!, /^Wait \d+ seconds before asking for a new code\.$/);
        assert.equal(await page.locator('.error-summary a').getAttribute('href'), '#resend', 'the summary leads to the button');
        assert.equal(await describedBy(page, page.getByRole('button', { name: 'Send new code', exact: true })), `Error: ${wait}`);
        assert.equal(await codeField.getAttribute('aria-invalid'), null, 'the code the user types is not what was wrong');
        await checkPage(page, 'code sent, new code asked too soon');
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
        const password = page.getByLabel('New Password', { exact: true });
        const passwordErrors = broken.filter((message) => message !== 'The passwords do not match');
        assert.ok(passwordErrors.length >= 2, `several errors on one field: ${broken.join(' | ')}`);
        const description = await describedBy(page, password);
        for (const message of passwordErrors) assert.ok(description.includes(`Error: ${message}`), `the field is described by "${message}"`);
        await checkPage(page, 'choose password, rules broken');

        const show = page.locator('button[aria-controls=password]');
        await password.fill(strongPassword);
        const width = (await show.boundingBox())!.width;
        assert.equal(await show.innerText(), 'Show');
        await show.click();
        assert.equal(await password.getAttribute('type'), 'text', 'Show reveals the password');
        assert.equal(await show.innerText(), 'Hide');
        assert.equal(await show.getAttribute('aria-label'), 'Hide password', 'its name says what it will do');
        assert.equal(await show.getAttribute('aria-pressed'), null, 'a label that changes needs no pressed state');
        assert.equal((await show.boundingBox())!.width, width, 'the button keeps its width');
        await show.click();
        assert.equal(await password.getAttribute('type'), 'password', 'Hide masks it again');
        assert.equal(await show.getAttribute('aria-label'), 'Show password');
        await fill(page, 'Confirm New Password', strongPassword);
        await press(page, 'Continue');

        await checkPage(page, 'enroll');
        const uri = await scanQr(page);
        const issuerLabel = `Fluxys:${encodeURIComponent(email)}`;
        assert.match(uri, new RegExp(`^otpauth://totp/${issuerLabel}\\?secret=[A-Z2-7]{32}&issuer=Fluxys&algorithm=SHA1&digits=6&period=30$`));
        const secret = secretOf(uri);
        assert.equal(
          await describedBy(page, page.getByRole('img', { name: 'QR code', exact: true })),
          'The key in this QR code is also given as text below, under “Still having trouble?”.',
        );
        const manual = page.locator('code.secret');
        assert.ok(!(await manual.isVisible()), 'the secret waits behind "Still having trouble?"');
        const disclosure = page.locator('summary');
        assert.equal(await disclosure.getAttribute('aria-label'), 'Still having trouble? Show the key to add the account by hand', 'it says what it holds');
        await page.getByText('Still having trouble?', { exact: true }).click();
        const groups = secret.match(/.{4}/g)!;
        assert.equal(await manual.innerText(), groups.join(' '));
        const heard = await manual.locator('..').ariaSnapshot();
        const spelled = groups.map((group) => group.split('').join(' ')).join(', ');
        assert.ok(heard.includes(spelled) && !heard.includes(groups[0]!), `a screen reader hears the key character by character: ${heard}`);
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

        assert.equal(await heading(page), 'Save your recovery codes');
        await checkPage(page, 'recovery codes');
        const codes = await page.locator('ol.recovery-codes code').allInnerTexts();
        assert.equal(codes.length, 10);
        const heardCodes = await page.getByRole('list', { name: 'Your recovery codes' }).ariaSnapshot();
        const spelledCode = codes[0]!.split('-').map((group) => group.split('').join(' ')).join(', ');
        assert.ok(heardCodes.includes(spelledCode) && !heardCodes.includes(codes[0]!), `a screen reader hears each code spelled out: ${heardCodes}`);
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download', exact: true }).click()]);
        assert.equal(download.suggestedFilename(), 'recovery-codes.txt');
        const file = await readFile(await download.path(), 'utf8');
        assert.ok(codes.every((code) => file.includes(code)), 'the downloaded file holds the codes');
        await press(page, 'Continue');
        assert.deepEqual(await errorSummary(page), ['Confirm that you have saved your recovery codes']);
        assert.equal(await page.locator('.error-summary a').getAttribute('href'), '#saved', 'the summary leads to the checkbox');
        await checkPage(page, 'recovery codes, not confirmed');
        assert.deepEqual(await confirmRecoveryCodes(page), codes, 'the same codes again');

        const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
        assert.equal(tokens.claims()!.email, email);
        assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
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
