import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { signIn } from '../../harness/journeys.ts';
import { PlaywrightDriver } from '../../harness/playwright-driver.ts';
import { browseDuring, browserSkip, launchChromium } from '../helpers/chromium.ts';
import { nextTotpStep, recoveryCodesInText, seedActiveAccount, seedRecoveryCodes, strongPassword, totpNow } from '../helpers/flows.ts';
import { arrivedAtClient, authorization, errorSummary, fill, follow, heading, loads, narrow, press, scanQr, wide, withVisit } from '../helpers/hosted-pages.ts';
import { checkPage } from '../helpers/page-checks.ts';
import { addVirtualAuthenticator } from '../helpers/passkeys.ts';
import { sentinelSkip, startPrivateRedis } from '../helpers/redis-sentinel.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

/** PostgreSQL and Redis: the pause needs a Redis. */
const pausedBackend = backends()[1]!;

/** Signs in on the page `page` shows, with the password and a fresh code of `secret`'s app. */
function signInAs(t: TestServer, page: Page, email: string, secret: string): Promise<void> {
  return signIn(new PlaywrightDriver(page), {
    email,
    password: strongPassword,
    code: () => {
      nextTotpStep(t);
      return totpNow(t, secret);
    },
  });
}

/** Opens the account page of `t` and signs in with a code of `secret`'s app. */
async function openAccountOf(t: TestServer, page: Page, email: string, secret: string): Promise<void> {
  await page.goto(`${t.issuer}/account`);
  await signInAs(t, page, email, secret);
  await page.waitForURL(`${t.issuer}/account`);
  assert.equal(await heading(page), 'Your account');
}

/** The secret of an otpauth:// URI, as an authenticator app reads it from the QR code. */
function secretOf(uri: string): string {
  return new URL(uri).searchParams.get('secret')!;
}

/**
 * The account page in Chromium: three stories end to end (a new phone, a lost phone, a stolen
 * laptop), adding a passkey with the page's button, and the page checks (axe, structure) of its
 * states at both widths.
 */
describe('the account page in Chromium', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  // Passkeys need a host name for their RP ID: the issuer is http://localhost:PORT.
  browseDuring(
    (started, server) => {
      browser = started;
      t = server;
    },
    () => ({}),
    { host: 'localhost' },
  );

  const openAccount = (page: Page, email: string, secret: string) => openAccountOf(t, page, email, secret);

  const appNames = (page: Page) => page.locator('section[aria-labelledby="apps-title"] tbody th').allInnerTexts();

  /** From the account page: "Add an authenticator app", scan its QR code, confirm with the first code. Returns the new app's secret. */
  async function addApp(page: Page, check = false): Promise<string> {
    // A link that looks like a button says so to assistive technology.
    await press(page, 'Add an authenticator app');
    assert.equal(await heading(page), 'Set up your authenticator app');
    if (check) await checkPage(page, 'account: add an authenticator app');
    const secret = secretOf(await scanQr(page));
    await page.getByText('Still having trouble?', { exact: true }).click();
    assert.equal((await page.locator('code.secret').innerText()).replace(/\s+/g, ''), secret, 'the key by hand is the one in the QR code');
    await press(page, 'Continue');
    if (check) await checkPage(page, 'account: the new app’s first code');
    nextTotpStep(t);
    await fill(page, 'Enter your code.', totpNow(t, secret));
    await press(page, 'Verify');
    assert.match(await page.locator('.notice--success').innerText(), /authenticator app has been added/);
    return secret;
  }

  /** Removes the app named `name` through its confirmation page. */
  async function removeApp(page: Page, name: string, check = false): Promise<void> {
    const row = page.locator('section[aria-labelledby="apps-title"] tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });
    await loads(page, () => row.getByRole('link', { name: `Remove ${name}` }).click());
    assert.equal(await heading(page), `Remove the authenticator app “${name}”?`);
    if (check) await checkPage(page, 'account: remove an authenticator app');
    await press(page, 'Remove authenticator app');
    assert.match(await page.locator('.notice--success').innerText(), /has been removed/);
  }

  it('new phone: adds the new phone’s app, removes the old one, and signs in with the new one', async () => {
    const email = 'new.phone@example.com';
    const { secret: oldPhone } = await seedActiveAccount(t, email);
    let newPhone = '';
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await openAccount(page, email, oldPhone);
      await checkPage(page, 'account: overview');
      newPhone = await addApp(page, true);
      assert.deepEqual(await appNames(page), ['Authenticator app', 'Authenticator app 2']);
      await removeApp(page, 'Authenticator app', true);
      assert.deepEqual(await appNames(page), ['Authenticator app 2']);
      assert.equal(await page.getByRole('link', { name: /^Remove/ }).count(), 0, 'the last app cannot be removed');
    });
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      nextTotpStep(t);
      await fill(page, 'Enter your code.', totpNow(t, oldPhone));
      await press(page, 'Verify');
      assert.match((await errorSummary(page)).join(), /incorrect/, 'the old phone’s code no longer signs in');
      nextTotpStep(t);
      await fill(page, 'Enter your code.', totpNow(t, newPhone));
      await press(page, 'Verify');
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);
    });
  });

  it('lost phone: signs in with a recovery code, enrolls a new app, removes the lost one, and makes new codes', async () => {
    const email = 'lost.phone@example.com';
    const { id } = await seedActiveAccount(t, email);
    const codes = await seedRecoveryCodes(t, { id, email });
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await page.goto(`${t.issuer}/account`);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      await follow(page, 'Use a recovery code');
      await fill(page, 'Recovery code', codes[0]!);
      await press(page, 'Verify');
      await page.waitForURL(`${t.issuer}/account`);
      assert.match(await page.locator('section[aria-labelledby="codes-title"]').innerText(), /Recovery codes left: 9\./);

      await addApp(page);
      await removeApp(page, 'Authenticator app');
      assert.deepEqual(await appNames(page), ['Authenticator app 2']);

      await press(page, 'Create new recovery codes');
      assert.equal(await heading(page), 'Save your recovery codes');
      await checkPage(page, 'account: new recovery codes');
      const fresh = await page.locator('ol.recovery-codes code').allInnerTexts();
      assert.equal(fresh.length, 10);
      assert.ok(!fresh.includes(codes[1]!), 'new codes, not the old ones');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download', exact: true }).click()]);
      assert.equal(download.suggestedFilename(), 'recovery-codes.txt');
      await page.getByLabel('I have saved my recovery codes').check();
      await press(page, 'Continue');
      await page.waitForURL(`${t.issuer}/account?done=recoveryCodes`);
      assert.match(await page.locator('section[aria-labelledby="codes-title"]').innerText(), /Recovery codes left: 10\./);
    });
    const owner = (await t.server.services.accounts.findById(id))!;
    const old = await t.server.services.factors.recoveryCodes.verify(owner, codes[1]!.replace('-', ''), { requester: { ip: '127.0.0.1', userAgent: 'test' }, locale: 'en' });
    assert.equal(old.status, 'wrong', 'the old codes are void');
  });

  it('stolen laptop: from another browser, ends the laptop’s session; its account page is signed out and its application’s refresh token fails', async () => {
    const email = 'stolen.laptop@example.com';
    const { secret } = await seedActiveAccount(t, email);
    const laptop = await browser.newContext({ viewport: wide });
    try {
      const stolen = await laptop.newPage();
      const auth = await authorization(t, { scope: 'openid email offline_access' });
      await laptop.route('http://127.0.0.1:9/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>Client</title>' }));
      await stolen.goto(auth.url);
      await signInAs(t, stolen, email, secret);
      const tokens = await auth.finish(await arrivedAtClient(stolen, '/callback'));
      assert.ok(tokens.refresh_token, 'the laptop’s application holds a refresh token');
      await stolen.goto(`${t.issuer}/account`);
      assert.equal(await heading(stolen), 'Your account', 'the laptop is signed in to the account page through its session');

      await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
        await openAccount(page, email, secret);
        const rows = page.locator('tr').filter({ has: page.locator('form[action$="/account/sessions/end"]') });
        assert.equal(await rows.count(), 2, (await rows.allInnerTexts()).join(' / '));
        const laptopRow = rows.filter({ hasNotText: 'this browser' });
        assert.match(await laptopRow.innerText(), /Test public client/);
        await loads(page, () => laptopRow.getByRole('button').click());
        assert.match(await page.locator('.notice--success').innerText(), /session has been signed out/);
        assert.equal(await rows.count(), 1);
        await checkPage(page, 'account: a session ended');
        await follow(page, 'Sign out everywhere');
        assert.equal(await heading(page), 'Sign out everywhere?');
        await checkPage(page, 'account: sign out everywhere, confirmation');
      });

      await stolen.goto(`${t.issuer}/account`);
      assert.match(stolen.url(), /\/interaction\//, 'the stolen browser’s account page asks for a sign-in');
      await assert.rejects(oidc.refreshTokenGrant(auth.config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant', 'its refresh token fails');
    } finally {
      await laptop.close();
    }
  });

  it('adds a passkey with the page’s button, then signs in with it alone', async () => {
    const email = 'account.passkey@example.com';
    const { secret } = await seedActiveAccount(t, email);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await openAccount(page, email, secret);
      await press(page, 'Add a passkey');
      assert.match(await page.locator('.notice--success').innerText(), /passkey has been added/);
      assert.deepEqual(await page.locator('section[aria-labelledby="passkeys-title"] tbody th').allInnerTexts(), ['Passkey 1']);
      await checkPage(page, 'account: with a passkey');
      // prompt=login: this browser is signed in already, and the passkey is to prove it again.
      const auth = await authorization(t, { prompt: 'login' });
      await page.goto(auth.url);
      await fill(page, 'Email Address', email);
      await press(page, 'Continue');
      await press(page, 'Sign in with a passkey');
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.deepEqual(tokens.claims()!.amr, ['hwk', 'user', 'mfa']);
    });
  });

  it('passes the page checks on the password page, with its errors, and in Dutch, French and German', async () => {
    const email = 'account.checks@example.com';
    const { id, secret } = await seedActiveAccount(t, email);
    // A name of the user's own: the default one is in the language of the page that made it.
    await t.server.services.factors.rename(id, (await t.server.services.accounts.findById(id))!.factors[0]!.id, 'Pixel 8');
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      await openAccount(page, email, secret);
      await follow(page, 'Change your password');
      await checkPage(page, 'account: change password');
      await fill(page, 'Current Password', 'Wrong#Pass12');
      await fill(page, 'New Password', 'password');
      await fill(page, 'Confirm New Password', 'other');
      await press(page, 'Change password');
      assert.ok((await errorSummary(page)).length > 0);
      await checkPage(page, 'account: change password, with errors');
      for (const [locale, title] of [['nl', 'Uw account'], ['fr', 'Votre compte'], ['de', 'Ihr Konto']] as const) {
        await page.goto(`${t.issuer}/account?lang=${locale}`);
        assert.equal(await heading(page), title);
        await checkPage(page, `account: overview in ${locale}`);
        await page.goto(`${t.issuer}/account/password`);
        await checkPage(page, `account: change password in ${locale}`);
      }
    });
  });
});

describe('the account page in Chromium while Redis pauses writes', { skip: browserSkip() || pausedBackend.skip || sentinelSkip, timeout: 300_000 }, () => {
  let browser: Browser | undefined;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
  let t: TestServer | undefined;
  before(async () => {
    browser = await launchChromium();
    // CLIENT PAUSE stops every client of a server: a Redis of this suite's own.
    redis = await startPrivateRedis();
    t = await startTestServer(pausedBackend, { REDIS_URL: redis.url });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await redis?.stop();
    await pausedBackend.cleanup();
  });

  it('downloads new recovery codes the store could not keep from the page that shows them, with nothing left to fetch', async () => {
    const email = 'paused.download@example.com';
    const { id, secret } = await seedActiveAccount(t!, email);
    await seedRecoveryCodes(t!, { id, email });
    await withVisit(browser!, t!, {}, async ({ page }) => {
      await openAccountOf(t!, page, email, secret);
      await redis!.admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
      try {
        await press(page, 'Create new recovery codes');
        assert.equal(await heading(page), 'Save your recovery codes');
      } finally {
        await redis!.admin.call('CLIENT', 'UNPAUSE');
      }
      assert.match(await page.locator('p.notice').last().innerText(), /This page cannot be shown again/);
      const shown = await page.locator('ol.recovery-codes code').allInnerTexts();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download', exact: true }).click()]);
      assert.equal(download.suggestedFilename(), 'recovery-codes.txt');
      const file = await readFile((await download.path())!, 'utf8');
      assert.match(file, /recovery codes of paused\.download@example\.com/);
      assert.deepEqual(recoveryCodesInText(file), shown, 'the file holds the codes the page shows');
    });
  });
});
