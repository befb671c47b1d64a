import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { relyingParty, nextTotpStep, recoveryCodesOn, saveRecoveryCodes, strongPassword, totpNow, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { decodeQrDataUrl, secretOf } from '../helpers/qr.ts';
import { backends, publicClient, serveDuring, type TestServer } from '../helpers/server.ts';

/** From the email step to the page that says the code was sent, returning that page. */
async function requestCode(t: TestServer, rp: RelyingParty, first: Page, email: string): Promise<Page> {
  const signIn = await rp.browser.submit(first, '/email', { email });
  const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
  assert.equal(help.$('button[type=submit]').first().text().trim(), 'Send verification code');
  assert.equal(help.$('#email').attr('value'), email);
  return rp.browser.submit(help, '/activation/send');
}

for (const backend of backends()) {
  describe(`first-time login (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it('goes from the emailed code through the password policy and QR enrollment back to the client, active', async () => {
      const email = 'new.user@example.com';
      const account = await t.server.services.accounts.create({ email, name: 'New User' });
      const rp = await relyingParty(t);
      const start = await rp.start();

      const before = t.mail.messages.length;
      const sent = await requestCode(t, rp, start.page, email);
      assert.match(sent.html, /Verification code has been sent\. Please copy it to the input box below\./);
      assert.equal(sent.$('label[for=code]').text().trim(), 'Verification Code');
      assert.equal(sent.$('#code').attr('inputmode'), 'numeric');
      assert.equal(sent.$('#code').attr('autocomplete'), 'one-time-code');
      assert.deepEqual(sent.$('button[type=submit]').map((_, b) => sent.$(b).text().trim()).get(), ['Verify code', 'Send new code']);

      const mail = await t.mail.next(email, before);
      assert.match(mail.raw, /Subject: Fluxys Extranet Identity Provider account email verification code/);
      const code = codeFrom(mail);

      const letters = await rp.browser.submit(sent, '/activation/verify', { code: 'abcdef' });
      assert.equal(letters.status, 400);
      assert.deepEqual(errorsOn(letters), ['Enter the 6-digit code']);

      const verified = await rp.browser.submit(letters, '/activation/verify', { code: `${code.slice(0, 3)}-${code.slice(3)}` });
      assert.match(verified.html, /The code has been verified\. You can now continue\./);
      const choose = await rp.browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
      assert.equal(choose.$('label[for=password]').text().trim(), 'New Password');
      assert.equal(choose.$('label[for=confirmation]').text().trim(), 'Confirm New Password');
      assert.equal(choose.$('#password').attr('autocomplete'), 'new-password');

      const weak = await rp.browser.submit(choose, '/new-password', { password: 'new user', confirmation: 'other' });
      assert.equal(weak.status, 400);
      assert.ok(errorsOn(weak).length >= 3, `every broken rule is listed: ${errorsOn(weak).join(' | ')}`);
      assert.ok(errorsOn(weak).includes('The passwords do not match'));

      const enroll = await rp.browser.submit(weak, '/new-password', { password: strongPassword, confirmation: strongPassword });
      const qr = enroll.$('img[alt="QR code"]');
      assert.equal(qr.length, 1);
      assert.match(qr.attr('src')!, /^data:image\/svg\+xml;base64,/, 'vector, inline: no PNG to draw per view and no extra request');
      assert.equal(qr.attr('width'), '240');
      assert.equal(qr.attr('height'), '240');
      const uri = decodeQrDataUrl(qr.attr('src')!);
      assert.match(uri, /^otpauth:\/\/totp\/Fluxys:new\.user%40example\.com\?secret=[A-Z2-7]{32}&issuer=Fluxys&algorithm=SHA1&digits=6&period=30$/);
      const secret = secretOf(uri);
      assert.equal(enroll.$('summary').text().trim(), 'Still having trouble?');
      assert.equal(enroll.$('code.secret').text().trim(), secret.match(/.{4}/g)!.join(' '));
      assert.match(enroll.html, /apps\.apple\.com/);
      assert.match(enroll.html, /play\.google\.com/);
      const stored = await t.server.services.accounts.findById(account.id);
      assert.deepEqual(stored!.factors, [], 'the secret is stored only once a code verifies');

      const codePage = await rp.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
      assert.match(codePage.html, /Enter the verification code from your authenticator app\./);
      nextTotpStep(t);
      const codes = await rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) });
      assert.equal(codes.$('h1').text().trim(), 'Save your recovery codes', 'the recovery codes come before the client');
      const shown = recoveryCodesOn(codes);
      assert.equal(shown.length, 10);
      for (const code of shown) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
      assert.equal(new Set(shown).size, 10, 'ten different codes');
      assert.equal(codes.$('label[for=saved]').text().trim(), 'I have saved my recovery codes');
      assert.equal(codes.$('a[download]').text().trim(), 'Download');
      const file = await rp.browser.send(new URL(codes.$('a[download]').attr('href')!, codes.url).toString());
      assert.equal(file.status, 200);
      assert.match(file.headers.get('content-type')!, /^text\/plain; charset=utf-8/);
      assert.match(file.headers.get('content-disposition')!, /^attachment; filename="recovery-codes\.txt"/);
      const text = file.html;
      assert.ok(shown.every((code) => text.includes(`\r\n${code}\r\n`)), 'the file holds every code, one a line');
      assert.match(text, /^Fluxys Extranet Identity Provider recovery codes of new\.user@example\.com\r\n/);
      const halfway = await t.server.services.accounts.findById(account.id);
      assert.equal(halfway!.status, 'active', 'the app and its codes are stored, the account active, before the codes are confirmed');

      const unticked = await rp.browser.submit(codes, '/recovery-codes');
      assert.equal(unticked.status, 400);
      assert.deepEqual(errorsOn(unticked), ['Confirm that you have saved your recovery codes']);
      assert.deepEqual(recoveryCodesOn(unticked), shown, 'the same codes again');
      const { next: callback } = await saveRecoveryCodes(rp.browser, unticked);
      assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]), `back at the client: ${callback.url}`);
      const tokens = await rp.finish(callback.url, start);
      assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);

      const active = await t.server.services.accounts.findById(account.id);
      assert.equal(active!.status, 'active');
      assert.ok(active!.activatedAt instanceof Date);
      const [app, recovery] = active!.factors;
      assert.deepEqual(active!.factors.map((factor) => factor.kind), ['authenticator-app', 'recovery-codes']);
      assert.equal(t.server.services.factors.recoveryCodes.left(active!), 10);
      assert.ok(!JSON.stringify(recovery!.data).includes(shown[0]!.replace('-', '')), 'codes are stored only as hashes');
      assert.equal(app!.kind, 'authenticator-app');
      assert.equal(app!.name, 'Authenticator app', 'the first app gets the default name');
      assert.ok(app!.secret !== null && !app!.secret.includes(secret), 'the secret is encrypted at rest');
    });

    it('kills a code after five wrong tries', async () => {
      const email = 'five.tries@example.com';
      await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const before = t.mail.messages.length;
      let current = await requestCode(t, rp, page, email);
      const code = codeFrom(await t.mail.next(email, before));
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) current = await rp.browser.submit(current, '/activation/verify', { code: wrong });
      const dead = await rp.browser.submit(current, '/activation/verify', { code });
      assert.equal(dead.status, 400);
      assert.deepEqual(errorsOn(dead), ['This code has expired or can no longer be used. Send a new code.']);
    });

    it('refuses a code once SSO_EMAIL_CODE_TTL has passed', async () => {
      const email = 'slow.reader@example.com';
      await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const before = t.mail.messages.length;
      const sent = await requestCode(t, rp, page, email);
      const code = codeFrom(await t.mail.next(email, before));
      t.clock.offsetMs += t.config.emailCodeTtlSeconds * 1000;
      const late = await rp.browser.submit(sent, '/activation/verify', { code });
      assert.equal(late.status, 400);
      assert.deepEqual(errorsOn(late), ['This code has expired or can no longer be used. Send a new code.']);
    });

    it('refuses a second send within 30 seconds and says how long to wait', async () => {
      const email = 'resend@example.com';
      await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const sent = await requestCode(t, rp, page, email);
      const again = await rp.browser.submit(sent, '/activation/send');
      assert.equal(again.status, 429);
      assert.match(errorsOn(again)[0]!, /^Wait \d+ seconds? before asking for a new code\.$/);
    });

    it('shows a clear page when the mail server refuses the email, and consumes nothing', async () => {
      const email = 'no.mail@example.com';
      await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      t.mail.refuse = 'mailbox unavailable';
      let failed: Page;
      try {
        failed = await requestCode(t, rp, page, email);
      } finally {
        t.mail.refuse = undefined;
      }
      assert.equal(failed.status, 503);
      assert.deepEqual(errorsOn(failed), ['The email could not be sent. Please try again.']);
      const before = t.mail.messages.length;
      const retried = await rp.browser.submit(failed, '/activation/send');
      assert.equal(retried.status, 200, 'the failed send did not count against the resend limit');
      assert.ok(codeFrom(await t.mail.next(email, before)));
    });

    it('says the account is deactivated when the invitation is older than the activation window', async () => {
      const email = 'late@example.com';
      await t.server.services.accounts.create({ email, invitedAt: new Date(Date.now() - 31 * 24 * 3600 * 1000) });
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const refused = await rp.browser.submit(page, '/email', { email });
      assert.equal(refused.status, 403);
      assert.deepEqual(errorsOn(refused), ['Your account has been deactivated.']);
      assert.match(refused.html, /It was not activated within 30 days of the invitation/);
      const account = await t.server.services.accounts.findByEmail(email);
      assert.equal(account!.status, 'deactivated');
    });
  });
}
