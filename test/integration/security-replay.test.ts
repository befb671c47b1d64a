import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reachedClient } from '../helpers/attack.ts';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { nextTotpStep, relyingParty, seedActiveAccount, startOfNextTotpStep, strongPassword, tokenRequest, totpNow, walkSignIn, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

const TOTP_REFUSED = 'The code is incorrect or has already been used. Wait for a new code and try again.';
const EMAIL_CODE_SPENT = 'This code has expired or can no longer be used. Send a new code.';

for (const backend of backends()) {
  describe(`security: codes are single use, also under concurrency (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
    });

    /** A new interaction of the account, past the password and waiting for the authenticator code. */
    async function atCodeStep(email: string): Promise<{ rp: RelyingParty; page: Page }> {
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      const signIn = await rp.browser.submit(page, '/email', { email });
      const code = await rp.browser.submit(signIn, '/password', { password: strongPassword });
      assert.match(code.html, /Enter the verification code/);
      return { rp, page: code };
    }

    it('refuses an authenticator code already used by the account, in another interaction', async () => {
      const email = 'shoulder.surfed@example.com';
      const { secret } = await seedActiveAccount(t, email);
      startOfNextTotpStep(t);
      const seen = totpNow(t, secret);
      const victim = await atCodeStep(email);
      assert.ok(reachedClient(await victim.rp.browser.submit(victim.page, '/totp', { code: seen })), 'the victim signs in');

      const attacker = await atCodeStep(email);
      const replayed = await attacker.rp.browser.submit(attacker.page, '/totp', { code: seen });
      assert.equal(replayed.status, 401, 'the same code in the same time step');
      assert.deepEqual(errorsOn(replayed), [TOTP_REFUSED]);
      assert.ok(!reachedClient(replayed));
      // Still accepted by the ±1 step window, yet refused: it was used.
      nextTotpStep(t);
      const late = await attacker.rp.browser.submit(replayed, '/totp', { code: seen });
      assert.equal(late.status, 401, 'the same code one step later');
      assert.ok(!reachedClient(late));
      const previous = await attacker.rp.browser.submit(late, '/totp', { code: totpNow(t, secret, -1) });
      assert.equal(previous.status, 401, 'the code of the step before, older than one used');

      const fresh = await attacker.rp.browser.submit(previous, '/totp', { code: totpNow(t, secret) });
      assert.ok(reachedClient(fresh), 'a code of a new time step works');
    });

    it('accepts one of several concurrent submissions of the same authenticator code', async () => {
      const email = 'double.clicker@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const interactions = await Promise.all([1, 2, 3, 4].map(() => atCodeStep(email)));
      nextTotpStep(t);
      const code = totpNow(t, secret);
      const results = await Promise.all(interactions.map(({ rp, page }) => rp.browser.submit(page, '/totp', { code })));
      const winners = results.filter(reachedClient);
      assert.equal(winners.length, 1, `exactly one signs in, got ${results.map((r) => r.status).join(',')}`);
      for (const loser of results.filter((r) => !reachedClient(r))) {
        assert.equal(loser.status, 401);
        assert.deepEqual(errorsOn(loser), [TOTP_REFUSED]);
      }
    });

    it('accepts one of several concurrent submissions of the same emailed code', async () => {
      const email = 'impatient@example.com';
      await t.server.services.accounts.create({ email });
      const rp = await relyingParty(t);
      const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
      const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
      const before = t.mail.messages.length;
      const sent = await rp.browser.submit(help, '/activation/send');
      const code = codeFrom(await t.mail.next(email, before));
      const results = await Promise.all(Array.from({ length: 10 }, () => rp.browser.submit(sent, '/activation/verify', { code })));
      const verified = results.filter((page) => /The code has been verified/.test(page.html));
      assert.equal(verified.length, 1, `exactly one verifies, got ${results.map((r) => r.status).join(',')}`);
      // Every submission reserves an attempt before its check, and the tenth reservation locks the
      // account while it is checked: a loser may get the lock message instead of "spent".
      for (const loser of results.filter((page) => !verified.includes(page))) {
        if (loser.status === 429) assert.match(errorsOn(loser)[0] ?? '', /^Too many failed attempts\./);
        else assert.deepEqual([loser.status, errorsOn(loser)], [400, [EMAIL_CODE_SPENT]]);
      }
      // Each loser counted as a failure, so the account may be locked by now: refused either way.
      const again = await rp.browser.submit(sent, '/activation/verify', { code });
      assert.ok(again.status === 400 || again.status === 429, `and the code is spent afterwards (${again.status})`);
      assert.doesNotMatch(again.html, /The code has been verified/);
    });

    // RFC 6749 4.1.2: an authorization code is used once. oidc-provider reads a code, checks its mark
    // and then marks it: exchanges sent together all read it unmarked, and only the adapter's mark,
    // set if absent, tells them apart (src/store/oidc-adapter.ts, consume).
    it('exchanges an authorization code once, of ten exchanges sent at once', async () => {
      const email = 'code.burst@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const start = await rp.start();
      const callback = await walkSignIn(rp, t, start.page, email, secret);
      const code = new URL(callback.url).searchParams.get('code')!;
      const exchange = () =>
        tokenRequest(t, { grant_type: 'authorization_code', code, code_verifier: start.verifier, redirect_uri: publicClient.redirect_uris[0]! }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as { error?: string; access_token?: string },
        }));
      const answers = await Promise.all(Array.from({ length: 10 }, exchange));
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1, `one exchange gets tokens: ${JSON.stringify(answers)}`);
      for (const answer of answers) if (answer.status !== 200) assert.equal(answer.body.error, 'invalid_grant');
    });
  });
}
