import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { nextTotpStep, relyingParty, saveRecoveryCodes, strongPassword, totpNow } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { decodeQrDataUrl, secretOf } from '../helpers/qr.ts';
import { backends, publicClient, serveDuring, type TestServer } from '../helpers/server.ts';

for (const backend of backends()) {
  describe(`audit trail of the hosted flows (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it('records every step outcome with time, account, IP, user agent and client', async () => {
      const email = 'audited@example.com';
      const account = await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const start = await rp.start();

      await rp.browser.submit(start.page, '/email', { email: 'unknown@example.com' });
      const signIn = await rp.browser.submit(start.page, '/email', { email });
      const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      const before = t.mail.messages.length;
      const sent = await rp.browser.submit(help, '/activation/send');
      const code = codeFrom(await t.mail.next(email, before));
      const wrongCode = await rp.browser.submit(sent, '/activation/verify', { code: code === '000000' ? '111111' : '000000' });
      const verified = await rp.browser.submit(wrongCode, '/activation/verify', { code });
      const choose = await rp.browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
      const enroll = await rp.browser.submit(choose, '/new-password', { password: strongPassword, confirmation: strongPassword });
      const secret = secretOf(decodeQrDataUrl(enroll.$('img[alt="QR code"]').attr('src')!));
      const codePage = await rp.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
      const wrongTotp = await rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret, 10) });
      nextTotpStep(t);
      const { codes, next: callback } = await saveRecoveryCodes(rp.browser, await rp.browser.submit(wrongTotp, '/enroll/verify', { code: totpNow(t, secret) }));
      const tokens = await rp.finish(callback.url, start);

      const logout = oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: publicClient.post_logout_redirect_uris[0] });
      const confirm = await rp.browser.get(logout.toString());
      await rp.browser.post(new URL(confirm.$('form').attr('action')!, t.issuer).toString(), { xsrf: confirm.$('input[name=xsrf]').attr('value')!, logout: 'yes' });

      const again = await rp.start();
      const wrongPassword = await rp.browser.submit(await rp.browser.submit(again.page, '/email', { email }), '/password', { password: 'Wrong#Pass11' });
      assert.equal(wrongPassword.status, 401);
      const forgot = await rp.browser.get(new URL(wrongPassword.$('a[href$="/help"]').attr('href')!, wrongPassword.url).toString());
      const totpPage = await rp.browser.submit(forgot, '/forgot', { email });
      nextTotpStep(t);
      const reset = await rp.browser.submit(totpPage, '/totp', { code: totpNow(t, secret) });
      await rp.browser.submit(reset, '/new-password', { password: 'Other$Pass22', confirmation: 'Other$Pass22' });

      const rows = await t.server.services.audit.recent({ limit: 500 });
      const mine = rows.filter((r) => r.accountId === account.id || r.email === email || r.email === 'unknown@example.com');
      const seen = new Set(mine.map((r) => `${r.event}:${r.outcome}`));
      for (const expected of [
        'signin.email:failure',
        'code.sent:success',
        'code.failure:failure',
        'code.verified:success',
        'password.set:success',
        'totp.failure:failure',
        'totp.enrolled:success',
        'account.activated:success',
        'recovery-codes.created:success',
        'signin.success:success',
        'logout:success',
        'signin.password:failure',
        'password.forgot:info',
        'password.reset:success',
      ]) {
        assert.ok(seen.has(expected), `an audit row for ${expected}; got ${[...seen].join(', ')}`);
      }
      const success = mine.find((r) => r.event === 'signin.success')!;
      assert.equal(success.ip, '127.0.0.1');
      assert.equal(success.userAgent, 'sso-test-browser');
      assert.equal(success.clientId, publicClient.client_id);
      assert.ok(success.at instanceof Date);
      const everything = JSON.stringify(mine);
      for (const secretValue of [strongPassword, 'Other$Pass22', code, secret, tokens.access_token, tokens.refresh_token!, ...codes, ...codes.map((c) => c.replace('-', ''))]) {
        assert.ok(!everything.includes(secretValue), 'no secret in the audit trail');
      }
    });
  });
}
