import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrfOf, headingOf, reachedClient, uidOf } from '../helpers/attack.ts';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { relyingParty, seedActiveAccount, strongPassword, type RelyingParty } from '../helpers/flows.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';
import { SoftwarePasskey } from '../helpers/software-authenticator.ts';

const REFUSED = 'This passkey cannot be used to sign in to this account. Try again with another passkey, or choose another way to sign in.';
const LOCKED = /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/;

interface AtForm {
  readonly rp: RelyingParty;
  readonly page: Page;
  readonly start: Awaited<ReturnType<RelyingParty['start']>>;
}

for (const backend of backends()) {
  describe(`passkeys over HTTP (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    async function accountWithPasskey(email: string): Promise<{ id: string; passkey: SoftwarePasskey }> {
      const { id } = await seedActiveAccount(t, email);
      const passkey = SoftwarePasskey.for(t, id);
      await passkey.storeFor(t, id);
      return { id, passkey };
    }

    /** A new interaction on the page with the passkey button: the sign-in page, or after the password the code page. */
    async function atPasskeyForm(email: string, { afterPassword = false } = {}): Promise<AtForm> {
      const rp = await relyingParty(t);
      const start = await rp.start();
      let page = await rp.browser.submit(start.page, '/email', { email });
      if (afterPassword) page = await rp.browser.submit(page, '/password', { password: strongPassword });
      assert.equal(page.$('form[action$="/passkey"]').attr('hidden'), 'hidden', 'the passkey form waits for the script');
      return { rp, page, start };
    }

    /** What the page's script fetches before the browser's prompt. */
    async function optionsFor({ rp, page }: AtForm): Promise<{ challenge: string; rpId: string; userVerification: string; allowCredentials?: unknown[] }> {
      const url = new URL(page.$('form[data-passkey-options]').attr('data-passkey-options')!, page.url).toString();
      const response = await rp.browser.send(url, { method: 'POST', body: new URLSearchParams({ _csrf: csrfOf(page) }) });
      assert.equal(response.status, 200);
      return JSON.parse(response.html) as { challenge: string; rpId: string; userVerification: string };
    }

    function post(at: AtForm, answer: unknown): Promise<Page> {
      return at.rp.browser.submit(at.page, '/passkey', { response: JSON.stringify(answer) });
    }

    async function failuresOf(email: string): Promise<Array<unknown>> {
      return (await t.server.services.audit.recent({ email, limit: 50 })).filter((row) => row.event === 'passkey.failure').map((row) => row.details?.reason);
    }

    it('signs in with a passkey alone: discoverable, user verification required, amr hwk user mfa', async () => {
      const email = 'key.holder@example.com';
      const { passkey } = await accountWithPasskey(email);
      const at = await atPasskeyForm(email);
      assert.equal(at.page.$('form[action$="/passkey"] button').text().trim(), 'Sign in with a passkey');
      const options = await optionsFor(at);
      assert.equal(options.rpId, new URL(t.issuer).hostname, "the RP ID is the issuer's host");
      assert.equal(options.userVerification, 'required');
      assert.deepEqual(options.allowCredentials ?? [], [], 'no list: the authenticator offers its discoverable passkeys');
      const callback = await post(at, passkey.answer(options));
      assert.ok(reachedClient(callback), `signed in: ${callback.status} ${errorsOn(callback).join(' | ')}`);
      assert.deepEqual((await at.rp.finish(callback.url, at.start)).claims()!.amr, ['hwk', 'user', 'mfa']);
    });

    it('is the second factor after the password: amr pwd hwk user mfa', async () => {
      const email = 'key.second@example.com';
      const { passkey } = await accountWithPasskey(email);
      const at = await atPasskeyForm(email, { afterPassword: true });
      assert.equal(at.page.$('form[action$="/passkey"] button').text().trim(), 'Use a passkey');
      const callback = await post(at, passkey.answer(await optionsFor(at)));
      assert.ok(reachedClient(callback));
      assert.deepEqual((await at.rp.finish(callback.url, at.start)).claims()!.amr, ['pwd', 'hwk', 'user', 'mfa']);
    });

    it('accepts the same answer submitted 10 times at once exactly once', async () => {
      const email = 'key.burst@example.com';
      const { passkey } = await accountWithPasskey(email);
      const at = await atPasskeyForm(email);
      const answer = passkey.answer(await optionsFor(at));
      const results = await Promise.all(Array.from({ length: 10 }, () => post(at, answer)));
      const winners = results.filter(reachedClient);
      assert.equal(winners.length, 1, `exactly one signs in, got ${results.map((r) => r.status).join(',')}`);
      for (const loser of results.filter((r) => !reachedClient(r))) {
        // Checked after the winner finished the interaction, a loser finds no step open any more.
        if (loser.status === 429) assert.match(errorsOn(loser)[0] ?? '', LOCKED);
        else if (loser.status === 403) assert.equal(headingOf(loser.html), 'This page is not available at this point');
        else if (loser.status === 400) assert.match(headingOf(loser.html), /expired|no longer valid/i);
        else assert.deepEqual([loser.status, errorsOn(loser)], [401, [REFUSED]]);
      }
    });

    it('refuses an answer whose counter did not move forward, and one without user verification', async () => {
      const email = 'key.cloned@example.com';
      const { passkey } = await accountWithPasskey(email);
      const first = await atPasskeyForm(email);
      assert.ok(reachedClient(await post(first, passkey.answer(await optionsFor(first), { counter: 7 }))));
      const clone = await atPasskeyForm(email);
      const refused = await post(clone, passkey.answer(await optionsFor(clone), { counter: 7 }));
      assert.deepEqual([refused.status, errorsOn(refused)], [401, [REFUSED]], 'the same counter again: a copy');
      const lower = await post(clone, passkey.answer(await optionsFor(clone), { counter: 3 }));
      assert.deepEqual([lower.status, errorsOn(lower)], [401, [REFUSED]], 'a lower counter');
      const unverified = await post(clone, passkey.answer(await optionsFor(clone), { counter: 20, userVerified: false }));
      assert.deepEqual([unverified.status, errorsOn(unverified)], [401, [REFUSED]], 'no user verification');
      assert.ok(reachedClient(await post(clone, passkey.answer(await optionsFor(clone), { counter: 21 }))), 'the genuine device goes on');
      assert.deepEqual(await failuresOf(email), ['invalid', 'counter', 'counter']);
    });

    it("refuses another account's passkey, an answer to another interaction's challenge, and counts each refusal", async () => {
      const email = 'key.victim@example.com';
      await accountWithPasskey(email);
      const { passkey: attackers } = await accountWithPasskey('key.attacker@example.com');
      const at = await atPasskeyForm(email);
      const foreign = await post(at, attackers.answer(await optionsFor(at)));
      assert.deepEqual([foreign.status, errorsOn(foreign)], [401, [REFUSED]]);
      assert.ok(!reachedClient(foreign));

      const elsewhere = await atPasskeyForm('key.attacker@example.com');
      const stolenChallenge = await post(at, attackers.answer(await optionsFor(elsewhere)));
      assert.deepEqual([stolenChallenge.status, errorsOn(stolenChallenge)], [401, [REFUSED]]);
      assert.deepEqual(await failuresOf(email), ['expired', 'unknown-credential']);

      let current = stolenChallenge;
      for (let n = 3; n <= 10; n++) current = await post({ ...at, page: current }, attackers.answer(await optionsFor({ ...at, page: current })));
      assert.equal(current.status, 429, 'the tenth refused passkey locks the account like a tenth wrong code');
      assert.match(errorsOn(current)[0]!, LOCKED);
    });

    it('refuses the passkey of an account deactivated after its email step, before checking it', async () => {
      const email = 'key.leaver@example.com';
      const { id, passkey } = await accountWithPasskey(email);
      const at = await atPasskeyForm(email);
      const options = await optionsFor(at);
      await t.server.lifecycle.deactivate({ via: 'cli', name: 'test' }, { id });
      const refused = await post(at, passkey.answer(options));
      assert.equal(refused.status, 403);
      assert.equal(headingOf(refused.html), 'Your account has been deactivated');
      assert.ok(!reachedClient(refused));
      assert.deepEqual(await failuresOf(email), [], 'refused before the passkey was looked at');
    });

    it('says a cancelled prompt on the page, counting nothing', async () => {
      const email = 'key.cancelled@example.com';
      const { id } = await accountWithPasskey(email);
      const at = await atPasskeyForm(email);
      const cancelled = await at.rp.browser.submit(at.page, '/passkey', { error: 'NotAllowedError' });
      assert.deepEqual([cancelled.status, errorsOn(cancelled)], [400, ['The passkey was not used. Try again, or choose another way to sign in.']]);
      assert.equal(cancelled.$('h1').text().trim(), 'Sign in', 'back on the sign-in page, the password still possible');
      assert.equal(uidOf(cancelled), uidOf(at.page));
      assert.equal((await t.server.services.guard.status(id)).failures, 0);
    });
  });
}
