import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { nextTotpStep, seedActiveAccount, strongPassword, totpNow } from '../helpers/flows.ts';
import {
  arrivedAtClient,
  authorization,
  errorSummary,
  fill,
  follow,
  heading,
  loads,
  narrow,
  press,
  signInThroughPages,
  wide,
  withVisit,
} from '../helpers/hosted-pages.ts';
import { readMail } from '../helpers/mime.ts';
import { checkPage, checkStructure, tabTo } from '../helpers/page-checks.ts';
import { publicClient, type TestServer } from '../helpers/server.ts';

describe('sign-in, password reset, lockout and logout in Chromium', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  browseDuring((started, server) => {
    browser = started;
    t = server;
  });

  it('signs in and out with the keyboard alone at 1280 px, focus always visible', async () => {
    const email = 'keys@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(auth.url);
      await tabTo(page, page.getByLabel('Email Address', { exact: true }));
      await page.keyboard.type(email);
      await loads(page, () => page.keyboard.press('Enter'));

      assert.equal(await heading(page), 'Sign in');
      assert.ok(await page.getByText('Sign in with your email address', { exact: true }).isVisible());
      const password = page.getByLabel('Password', { exact: true });
      await tabTo(page, password);
      await loads(page, () => page.keyboard.press('Enter'));
      assert.deepEqual(await errorSummary(page), ['Enter your password']);
      assert.ok(await page.locator('.error-summary').evaluate((el) => el === document.activeElement), 'the error summary takes the focus');
      await tabTo(page, page.getByRole('link', { name: 'Enter your password', exact: true }));
      await page.keyboard.press('Enter');
      assert.ok(await password.evaluate((el) => el === document.activeElement), "the error's link leads to its field");

      await page.keyboard.type(strongPassword);
      await tabTo(page, page.locator('button[aria-controls=password]'));
      await page.keyboard.press('Space');
      assert.equal(await password.getAttribute('type'), 'text', 'Show works from the keyboard');
      await tabTo(page, page.getByRole('button', { name: 'Sign in', exact: true }));
      await loads(page, () => page.keyboard.press('Enter'));

      assert.ok(await page.getByText('Enter the verification code from your authenticator app.', { exact: true }).isVisible());
      await tabTo(page, page.getByLabel('Enter your code.', { exact: true }));
      nextTotpStep(t);
      await page.keyboard.type(totpNow(t, secret));
      await loads(page, () => page.keyboard.press('Enter'));
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);

      // Without an id_token_hint the provider asks before signing the user out.
      await page.goto(new URL('/session/end', t.issuer).toString());
      assert.ok(await page.getByText('Do you want to sign out?', { exact: true }).isVisible());
      await checkPage(page, 'logout confirmation');
      await tabTo(page, page.getByRole('button', { name: 'Sign out', exact: true }));
      await loads(page, () => page.keyboard.press('Enter'));
      assert.ok(await page.getByText('You have been signed out.', { exact: true }).isVisible());
      await checkPage(page, 'signed out');

      const again = await authorization(t);
      await page.goto(again.url);
      assert.ok(await page.getByLabel('Email Address', { exact: true }).isVisible(), 'after logout the email is asked again');
    });
  });

  it('signs in at 360 px and the client signs the user out with an id_token_hint, without a question', async () => {
    const email = 'phone@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await fill(page, 'Password', 'Wrong#Pass42');
      await press(page, 'Sign in');
      assert.deepEqual(await errorSummary(page), ['The email address or password is incorrect.']);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'a refused password is not sent back');
      await checkPage(page, 'sign in, wrong password');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      await checkPage(page, 'authenticator code');
      await fill(page, 'Enter your code.', '000000');
      await press(page, 'Verify');
      assert.deepEqual(await errorSummary(page), ['The code is incorrect or has already been used. Wait for a new code and try again.']);
      await checkPage(page, 'authenticator code, wrong');
      nextTotpStep(t);
      const code = totpNow(t, secret);
      await fill(page, 'Enter your code.', `${code.slice(0, 3)}-${code.slice(3)}`);
      await press(page, 'Verify');
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));

      const logout = oidc.buildEndSessionUrl(auth.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0],
      });
      await page.goto(logout.toString());
      await arrivedAtClient(page, '/logged-out');
      const again = await authorization(t);
      await page.goto(again.url);
      assert.ok(await page.getByLabel('Email Address', { exact: true }).isVisible(), 'the session is gone');
    });
  });

  it('resets a forgotten password at 360 px with the authenticator, then signs in with it at 1280 px', async () => {
    const email = 'forgetful@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const newPassword = 'Green@Valley77';
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await follow(page, 'First time login/Forgot Password?');
      assert.equal(await heading(page), 'Reset your password');
      assert.equal(await page.getByLabel('Email Address', { exact: true }).inputValue(), email, 'the email to confirm is not typed again');
      await checkPage(page, 'forgot password');
      await fill(page, 'Email Address', 'someone.else@example.com');
      await press(page, 'Continue');
      assert.deepEqual(await errorSummary(page), ['Enter the email address of the account you are signing in with']);
      await checkPage(page, 'forgot password, other email');
      await fill(page, 'Email Address', email.toUpperCase());
      await press(page, 'Continue');

      assert.ok(await page.getByText('Enter the verification code from your authenticator app.', { exact: true }).isVisible());
      await press(page, 'Verify');
      assert.deepEqual(await errorSummary(page), ['Enter the code from your authenticator app']);
      await checkPage(page, 'reset, code missing');
      nextTotpStep(t);
      await fill(page, 'Enter your code.', totpNow(t, secret));
      await press(page, 'Verify');

      assert.equal(await heading(page), 'Choose your password');
      await fill(page, 'New Password', 'forgetful#2024A');
      await fill(page, 'Confirm New Password', 'forgetful#2024A');
      await press(page, 'Continue');
      assert.deepEqual(await errorSummary(page), ['Your password must not contain the part of your email address before the @ sign']);
      await checkPage(page, 'reset, password refused');
      const mailsBefore = t.mail.messages.length;
      await fill(page, 'New Password', newPassword);
      await fill(page, 'Confirm New Password', newPassword);
      await press(page, 'Continue');
      await auth.finish(await arrivedAtClient(page, '/callback'));
      const notice = readMail(await t.mail.next(email, mailsBefore));
      assert.equal(notice.subject, 'Your Fluxys Extranet Identity Provider password was changed');
    });

    const again = await authorization(t);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(again.url);
      await signInThroughPages(page, t, email, secret, newPassword);
      const tokens = await again.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);
    });
  });

  it('locks the account after 10 wrong passwords and says how long to wait', async () => {
    const email = 'locked@example.com';
    await seedActiveAccount(t, email);
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      for (let attempt = 1; attempt < 10; attempt++) {
        await fill(page, 'Password', `Wrong#Pass${attempt}`);
        await press(page, 'Sign in');
        assert.deepEqual(await errorSummary(page), ['The email address or password is incorrect.'], `attempt ${attempt}`);
      }
      await fill(page, 'Password', 'Wrong#Pass10');
      await press(page, 'Sign in');
      assert.deepEqual(await errorSummary(page), ['Too many failed attempts. Try again in 1 minute.']);
      await checkPage(page, 'sign in, locked');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      // A second may have passed since the lock: the wait is then told in seconds.
      const [waiting] = await errorSummary(page);
      assert.match(waiting!, /^Too many failed attempts\. Try again in (1 minute|\d+ seconds)\.$/, 'even the right password waits');
    });
  });

  it('works without JavaScript: no Show button, logout confirmed by hand', async () => {
    const email = 'nojs@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow, javaScriptEnabled: false }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      assert.ok(!(await page.locator('button[aria-controls=password]').isVisible()), 'Show needs the script, so it stays hidden');
      await press(page, 'Sign in');
      assert.deepEqual(await errorSummary(page), ['Enter your password']);
      await checkStructure(page, 'sign in, no script, empty password');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      nextTotpStep(t);
      await fill(page, 'Enter your code.', totpNow(t, secret));
      await press(page, 'Verify');
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));

      const logout = oidc.buildEndSessionUrl(auth.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0],
      });
      await page.goto(logout.toString());
      assert.ok(await page.getByText('Do you want to sign out?', { exact: true }).isVisible());
      await checkStructure(page, 'logout confirmation, no script');
      await press(page, 'Sign out');
      await arrivedAtClient(page, '/logged-out');
    });
  });

  it('answers a bad address, a skipped step and a form without its token with clear pages', async () => {
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      const missing = await page.goto(new URL('/no-such-page', t.issuer).toString());
      assert.equal(missing!.status(), 404);
      assert.equal(await heading(page), 'Page not found');
      await checkPage(page, 'not found');

      const stale = await page.goto(new URL('/interaction/no-such-interaction', t.issuer).toString());
      assert.equal(stale!.status(), 400);
      assert.equal(await heading(page), 'Your sign-in session has expired or is no longer valid');
      await checkPage(page, 'expired');

      await page.goto(auth.url);
      const emailPage = page.url();
      const skipped = await page.goto(`${emailPage}/totp`);
      assert.equal(skipped!.status(), 403);
      assert.equal(await heading(page), 'This page is not available at this point');
      await checkPage(page, 'step refused');
      await page.getByRole('button', { name: 'Start again', exact: true }).focus();
      await loads(page, () => page.keyboard.press('Space'));
      assert.equal(page.url(), emailPage, 'Start again, a link shown as a button, answers the space bar');

      await page.locator('input[name=_csrf]').evaluate((input) => input.remove());
      await fill(page, 'Email Address', 'someone@example.com');
      await press(page, 'Continue');
      assert.equal(await heading(page), 'This form has expired');
      await checkPage(page, 'form without its token');
    });
  });

  it('leads from an expired sign-in back to the application, which alone can start it again', async () => {
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await page.goto(auth.url);
      const uid = new URL(page.url()).pathname.split('/')[2]!;
      await fill(page, 'Email Address', 'someone@example.com');
      await (await t.server.services.provider.Interaction.find(uid))!.destroy();
      await press(page, 'Continue');
      assert.equal(await heading(page), 'Your sign-in session has expired or is no longer valid');
      await checkPage(page, 'expired, with the way back');
      await press(page, 'Return to the application');
      await arrivedAtClient(page, '/');
    });
    await withVisit(browser, t, { viewport: narrow }, async ({ context, page }) => {
      await page.goto(auth.url.replace(/state=[^&]+/, 'state=other'));
      const uid = new URL(page.url()).pathname.split('/')[2]!;
      const [remembered] = await context.cookies(new URL(`/interaction/${uid}`, t.issuer).toString()).then((all) => all.filter((c) => c.name === 'sso_app'));
      assert.ok(remembered !== undefined, 'the page remembers the application');
      await context.addCookies([{ ...remembered, value: 'https://attacker.example/' }]);
      await (await t.server.services.provider.Interaction.find(uid))!.destroy();
      await page.reload();
      assert.equal(await heading(page), 'Your sign-in session has expired or is no longer valid');
      assert.equal(await page.getByRole('button', { name: 'Return to the application' }).count(), 0, 'a link planted in the cookie is not offered');
    });
  });

  it('notices a CSP violation, so the checks above can fail', async () => {
    const auth = await authorization(t);
    await withVisit(browser, t, {}, async (visit) => {
      await visit.page.goto(auth.url);
      const reported = visit.page.waitForEvent('console', (message) => /Content Security Policy/.test(message.text()));
      await visit.page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'document.title = "injected"';
        document.head.append(script);
      });
      await reported;
      assert.notEqual(await visit.page.title(), 'injected', 'the inline script did not run');
      assert.equal(visit.problems.length, 1, 'the visit recorded the violation');
      visit.problems.splice(0);
    });
  });
});
