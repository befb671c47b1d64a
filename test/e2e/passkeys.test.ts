import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { seedActiveAccount, strongPassword } from '../helpers/flows.ts';
import { arrivedAtClient, authorization, errorSummary, fill, follow, heading, narrow, press, wide, withVisit } from '../helpers/hosted-pages.ts';
import { checkPage } from '../helpers/page-checks.ts';
import { addVirtualAuthenticator, heldCredentials, placeCredential, registerPasskey } from '../helpers/passkeys.ts';
import type { TestServer } from '../helpers/server.ts';
import { translator } from '../../src/i18n/index.ts';

const REFUSED = 'This passkey cannot be used to sign in to this account. Try again with another passkey, or choose another way to sign in.';

describe('passkeys in Chromium, with a virtual authenticator', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  // An RP ID is a host name, never an IP address: this server's issuer is http://localhost:PORT.
  browseDuring(
    (started, server) => {
      browser = started;
      t = server;
    },
    () => ({}),
    { host: 'localhost' },
  );

  async function toSignInPage(page: Page, url: string, email: string): Promise<void> {
    await page.goto(url);
    await fill(page, 'Email Address', email);
    await press(page, 'Continue');
    assert.equal(await heading(page), 'Sign in');
  }

  async function toCodePage(page: Page, url: string, email: string): Promise<void> {
    await toSignInPage(page, url, email);
    await fill(page, 'Password', strongPassword);
    await press(page, 'Sign in');
    assert.ok(await page.getByText('Enter the verification code from your authenticator app.', { exact: true }).isVisible());
  }

  async function auditOf(email: string, event: string) {
    return (await t.server.services.audit.recent({ email, limit: 50 })).filter((row) => row.event === event);
  }

  it('registers a passkey, then signs in with it alone, without password or code', async () => {
    const email = 'passkey.only@example.com';
    const { id } = await seedActiveAccount(t, email);
    const auth = await authorization(t);
    await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
      const device = await addVirtualAuthenticator(page);
      const passkey = await registerPasskey(t, page, id);
      assert.equal(passkey.kind, 'passkey');
      const [held] = await heldCredentials(device);
      assert.ok(held?.isResidentCredential, 'a discoverable credential');
      assert.equal(held?.rpId, 'localhost', "the RP ID is the issuer's host");

      await toSignInPage(page, auth.url, email);
      const button = page.getByRole('button', { name: 'Sign in with a passkey', exact: true });
      assert.ok(await button.isVisible(), 'the sign-in page offers the passkey');
      await checkPage(page, 'sign in, with a passkey');
      await press(page, 'Sign in with a passkey');
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.equal(tokens.claims()!.email, email);
      assert.deepEqual(tokens.claims()!.amr, ['hwk', 'user', 'mfa'], 'a passkey proves both factors');
    });
    const [success] = await auditOf(email, 'signin.success');
    assert.equal(success?.details?.factor, 'passkey');
    const account = await t.server.services.accounts.findById(id);
    const stored = account!.factors.find((factor) => factor.kind === 'passkey')!;
    assert.ok(stored.lastUsedAt instanceof Date, 'the passkey is marked used');
    assert.ok((stored.data as { counter: number }).counter > 0, 'its counter moved forward');
  });

  it('uses a passkey as the second factor after the password, and in a password reset', async () => {
    const email = 'passkey.second@example.com';
    const { id } = await seedActiveAccount(t, email);
    await withVisit(browser, t, { viewport: wide }, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await registerPasskey(t, page, id);

      const auth = await authorization(t);
      await toCodePage(page, auth.url, email);
      assert.ok(await page.getByRole('link', { name: 'Use a recovery code', exact: true }).isVisible());
      await checkPage(page, 'authenticator code, with the other ways');
      await press(page, 'Use a passkey');
      const tokens = await auth.finish(await arrivedAtClient(page, '/callback'));
      assert.deepEqual(tokens.claims()!.amr, ['pwd', 'hwk', 'user', 'mfa'], 'the password and the passkey, each named');

      await page.context().clearCookies();
      const reset = await authorization(t);
      await toSignInPage(page, reset.url, email);
      await follow(page, 'First time login/Forgot Password?');
      await press(page, 'Continue');
      await press(page, 'Use a passkey');
      assert.ok(await page.getByLabel('New Password', { exact: true }).isVisible(), 'the passkey opens the password change');
      await fill(page, 'New Password', 'Green$Valley77');
      await fill(page, 'Confirm New Password', 'Green$Valley77');
      await press(page, 'Continue');
      const afterReset = await reset.finish(await arrivedAtClient(page, '/callback'));
      assert.deepEqual(afterReset.claims()!.amr, ['pwd', 'hwk', 'user', 'mfa']);
    });
  });

  it("refuses another account's passkey, and says so on the page", async () => {
    const victim = 'passkey.victim@example.com';
    const attacker = 'passkey.attacker@example.com';
    const { id: victimId } = await seedActiveAccount(t, victim);
    const { id: attackerId } = await seedActiveAccount(t, attacker);
    // The victim's own passkey is on a device the attacker does not have.
    await withVisit(browser, t, {}, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await registerPasskey(t, page, victimId, 'Victim laptop');
    });
    const auth = await authorization(t);
    await withVisit(browser, t, {}, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await registerPasskey(t, page, attackerId, 'Attacker laptop');
      await toSignInPage(page, auth.url, victim);
      await press(page, 'Sign in with a passkey');
      assert.deepEqual(await errorSummary(page), [REFUSED]);
      assert.equal(await heading(page), 'Sign in', 'still on the sign-in page');
      await checkPage(page, 'sign in, passkey refused');

      await toCodePage(page, auth.url, victim);
      await press(page, 'Use a passkey');
      assert.deepEqual(await errorSummary(page), [REFUSED]);
      await checkPage(page, 'authenticator code, passkey refused');
    });
    const failures = await auditOf(victim, 'passkey.failure');
    assert.deepEqual(failures.map((row) => row.details?.reason), ['unknown-credential', 'unknown-credential']);
  });

  it('refuses a passkey once it is removed from the account', async () => {
    const email = 'passkey.removed@example.com';
    const { id } = await seedActiveAccount(t, email);
    await withVisit(browser, t, {}, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await registerPasskey(t, page, id, 'Phone');
    });
    const auth = await authorization(t);
    await withVisit(browser, t, {}, async ({ page }) => {
      await addVirtualAuthenticator(page);
      const lost = await registerPasskey(t, page, id, 'Old laptop');
      assert.equal(await t.server.services.factors.remove({ id, email }, lost.id, { requester: { ip: '127.0.0.1', userAgent: 'test' }, locale: 'en' }), 'removed');
      await toSignInPage(page, auth.url, email);
      await press(page, 'Sign in with a passkey');
      assert.deepEqual(await errorSummary(page), [REFUSED]);
    });
    const [failure] = await auditOf(email, 'passkey.failure');
    assert.equal(failure?.details?.reason, 'unknown-credential');
  });

  it('refuses an assertion whose counter went backwards: a cloned authenticator', async () => {
    const email = 'passkey.cloned@example.com';
    const { id } = await seedActiveAccount(t, email);
    const auth = await authorization(t);
    let copied: Awaited<ReturnType<typeof heldCredentials>>[number] | undefined;
    await withVisit(browser, t, {}, async ({ page }) => {
      const device = await addVirtualAuthenticator(page);
      await registerPasskey(t, page, id);
      // The copy is taken now; the original is used once more afterwards.
      [copied] = await heldCredentials(device);
      await toSignInPage(page, auth.url, email);
      await press(page, 'Sign in with a passkey');
      await arrivedAtClient(page, '/callback');
    });
    const again = await authorization(t);
    await withVisit(browser, t, {}, async ({ page }) => {
      const clone = await addVirtualAuthenticator(page);
      await placeCredential(clone, copied!);
      await toSignInPage(page, again.url, email);
      await press(page, 'Sign in with a passkey');
      assert.deepEqual(await errorSummary(page), [REFUSED]);
    });
    const [failure] = await auditOf(email, 'passkey.failure');
    assert.equal(failure?.details?.reason, 'counter');
  });

  it('refuses the passkey of an account deactivated while its sign-in page was open', async () => {
    const email = 'passkey.leaver@example.com';
    const { id } = await seedActiveAccount(t, email);
    const auth = await authorization(t);
    await withVisit(browser, t, {}, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await registerPasskey(t, page, id);
      await toSignInPage(page, auth.url, email);
      await t.server.lifecycle.deactivate({ via: 'cli', name: 'test' }, { id });
      await press(page, 'Sign in with a passkey');
      assert.equal(await heading(page), 'Your account has been deactivated');
      assert.ok(!page.url().startsWith('http://127.0.0.1:9/'), 'nothing was issued');
      await checkPage(page, 'passkey of a deactivated account');
    });
    assert.equal((await auditOf(email, 'signin.success')).length, 0);
  });

  it('says in the page language when the prompt was cancelled, and offers the passkey in nl, fr and de', async () => {
    const email = 'passkey.talen@example.com';
    const { id } = await seedActiveAccount(t, email);
    for (const lang of ['nl', 'fr', 'de'] as const) {
      const l = translator(lang);
      const auth = await authorization(t, { ui_locales: lang });
      await withVisit(browser, t, { viewport: narrow }, async ({ page }) => {
        const device = await addVirtualAuthenticator(page);
        await registerPasskey(t, page, id, `Device ${lang}`);
        await page.goto(auth.url);
        await fill(page, l('common.emailLabel'), email);
        await press(page, l('common.continue'));
        await checkPage(page, `${lang}: sign in, with a passkey`);
        // A device that holds no passkey of this site: the browser's prompt ends without an answer.
        await device.cdp.send('WebAuthn.clearCredentials', { authenticatorId: device.id });
        await press(page, l('passkey.signIn'));
        assert.deepEqual(await errorSummary(page), [l('passkey.error.cancelled')]);
        await checkPage(page, `${lang}: sign in, passkey prompt cancelled`);
        await fill(page, l('signIn.passwordLabel'), strongPassword);
        await press(page, l('signIn.submit'));
        assert.ok(await page.getByRole('button', { name: l('passkey.use'), exact: true }).isVisible());
        await checkPage(page, `${lang}: authenticator code, with a passkey`);
      });
    }
    assert.equal((await t.server.services.guard.status(id)).failures, 0, 'a cancelled prompt counts as no attempt');
  });

  it('shows no passkey button without JavaScript, and signs in with the password and code as before', async () => {
    const email = 'passkey.nojs@example.com';
    const { id } = await seedActiveAccount(t, email);
    await withVisit(browser, t, {}, async ({ page }) => {
      await addVirtualAuthenticator(page);
      await registerPasskey(t, page, id);
    });
    const auth = await authorization(t);
    await withVisit(browser, t, { javaScriptEnabled: false }, async ({ page }) => {
      await toSignInPage(page, auth.url, email);
      assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).count(), 0, 'no passkey button without JavaScript');
      await fill(page, 'Password', strongPassword);
      await press(page, 'Sign in');
      assert.equal(await page.getByRole('button', { name: 'Use a passkey' }).count(), 0);
      assert.ok(await page.getByRole('link', { name: 'Use a recovery code', exact: true }).isVisible(), 'recovery codes need no script');
    });
  });
});
