import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rules } from '../../src/config.ts';
import { HeaderBrowser, authorize, burst, reachedClient } from '../helpers/attack.ts';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { nextTotpStep, relyingParty, seedActiveAccount, strongPassword, totpNow } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

const WRONG = 'Wrong#Pass99';
const INCORRECT = 'The email address or password is incorrect.';
const LOCKED = /^Too many failed attempts\. Try again in \d+ (minutes?|seconds?)\.$/;
const NETWORK = /^Too many failed attempts from your network\. Try again in \d+ (minutes?|seconds?)\.$/;
const UNKNOWN = 'An account could not be found for the provided user ID.';

let addresses = 0;
/** A client address of its own for each attacker, so that no test spends another's per-address budget. */
function nextAddress(): string {
  addresses += 1;
  return `198.51.100.${addresses}`;
}

/** An attacker's browser whose requests reach the server through the trusted proxy from `address`. */
function attackerAt(address: string): HeaderBrowser {
  return new HeaderBrowser({ 'x-forwarded-for': address });
}

async function signInPage(t: TestServer, browser: HeaderBrowser, email: string): Promise<Page> {
  const { page } = await authorize(await relyingParty(t), browser);
  const signIn = await browser.submit(page, '/email', { email });
  assert.match(signIn.html, /Sign in with your email address/, `the sign-in page for ${email}`);
  return signIn;
}

/** Submits wrong passwords `times` times, asserting each is answered as an ordinary failure. */
async function failPasswords(browser: HeaderBrowser, page: Page, times: number): Promise<Page> {
  let current = page;
  for (let i = 1; i <= times; i++) {
    current = await browser.submit(current, '/password', { password: WRONG });
    assert.equal(current.status, 401, `failure ${i} is not locked yet`);
    assert.deepEqual(errorsOn(current), [INCORRECT]);
  }
  return current;
}

/** Ends a lock of `minutes` by moving the server's clock past it, keeping the count of failures. */
function expireLock(t: TestServer, minutes: number): void {
  t.clock.offsetMs += minutes * 60_000;
}

function assertLocked(page: Page, what: string): void {
  assert.equal(page.status, 429, what);
  const errors = errorsOn(page);
  assert.equal(errors.length, 1, what);
  assert.match(errors[0]!, LOCKED, what);
  assert.ok(!reachedClient(page), what);
}

for (const backend of backends()) {
  describe(`security: brute force (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      // Behind a trusted proxy, so that each attacker can come from an address of its own.
      t = await startTestServer(backend, { SSO_TRUST_PROXY: 'true' });
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
    });

    it('locks an account after 10 consecutive failures and refuses even the right password, saying how long to wait', async () => {
      const email = 'locked.out@example.com';
      const { id } = await seedActiveAccount(t, email);
      const attacker = attackerAt(nextAddress());
      let page = await failPasswords(attacker, await signInPage(t, attacker, email), rules.lockThreshold - 1);
      page = await attacker.submit(page, '/password', { password: WRONG });
      assertLocked(page, 'the 10th failure locks');
      assert.match(errorsOn(page)[0]!, /1 minute/, 'the first lock lasts 60 seconds');

      page = await attacker.submit(page, '/password', { password: strongPassword });
      assertLocked(page, 'the right password while locked');
      const owner = attackerAt(nextAddress());
      assertLocked(await owner.submit(await signInPage(t, owner, email), '/password', { password: strongPassword }), 'the right password from elsewhere');

      const locks = (await t.server.services.audit.recent({ email, limit: 50 })).filter((e) => e.event === 'account.locked');
      assert.equal(locks.length, 1, 'the lock is audited once');
      assert.equal(locks[0]!.accountId, id);
    });

    it('doubles the lock with each further failure, up to 15 minutes', async () => {
      const email = 'persistent.attacker@example.com';
      await seedActiveAccount(t, email);
      const attacker = attackerAt(nextAddress());
      let page = await failPasswords(attacker, await signInPage(t, attacker, email), rules.lockThreshold - 1);
      page = await attacker.submit(page, '/password', { password: WRONG });
      assertLocked(page, 'locked');
      let lockMinutes = 1;
      for (const minutes of [2, 4, 8, 15, 15]) {
        expireLock(t, lockMinutes);
        lockMinutes = minutes;
        page = await attacker.submit(page, '/password', { password: WRONG });
        assertLocked(page, `locked again for ${minutes} minutes`);
        assert.match(errorsOn(page)[0]!, new RegExp(`in ${minutes} minutes\\.$`));
      }
    });

    it('counts authenticator code failures with password failures: a right password alone does not reset the count', async () => {
      const email = 'code.guesser@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const attacker = attackerAt(nextAddress());
      let page = await failPasswords(attacker, await signInPage(t, attacker, email), rules.lockThreshold - 1);
      page = await attacker.submit(page, '/password', { password: strongPassword });
      assert.match(page.html, /Enter the verification code/, 'the right password opens the code step');
      const wrongCode = totpNow(t, secret, 5);
      page = await attacker.submit(page, '/totp', { code: wrongCode });
      assertLocked(page, 'one wrong code after nine wrong passwords locks');
      nextTotpStep(t);
      assertLocked(await attacker.submit(page, '/totp', { code: totpNow(t, secret) }), 'the right code while locked');
    });

    it('forgets the failures after a full sign-in', async () => {
      const email = 'clumsy.typist@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const user = attackerAt(nextAddress());
      let page = await failPasswords(user, await signInPage(t, user, email), rules.lockThreshold - 1);
      page = await user.submit(page, '/password', { password: strongPassword });
      nextTotpStep(t);
      page = await user.submit(page, '/totp', { code: totpNow(t, secret) });
      assert.ok(reachedClient(page), `signed in: ${page.url}`);

      const again = attackerAt(nextAddress());
      page = await failPasswords(again, await signInPage(t, again, email), rules.lockThreshold - 1);
      assertLocked(await again.submit(page, '/password', { password: WRONG }), 'ten failures after the sign-in lock again');
    });

    it('forgets the failures after a verified emailed code', async () => {
      const email = 'invited.guesser@example.com';
      await t.server.services.accounts.create({ email });
      const user = attackerAt(nextAddress());
      let page = await failPasswords(user, await signInPage(t, user, email), rules.lockThreshold - 1);
      page = await user.get(new URL(page.$('a[href$="/help"]').attr('href')!, page.url).toString());
      const before = t.mail.messages.length;
      page = await user.submit(page, '/activation/send');
      page = await user.submit(page, '/activation/verify', { code: codeFrom(await t.mail.next(email, before)) });
      assert.match(page.html, /The code has been verified/);

      const again = attackerAt(nextAddress());
      page = await failPasswords(again, await signInPage(t, again, email), rules.lockThreshold - 1);
      assertLocked(await again.submit(page, '/password', { password: WRONG }), 'ten failures after the code lock again');
    });

    it('allows at most 100 failures an hour from one address, across accounts, whatever the client puts in X-Forwarded-For', async () => {
      const email = 'bystander@example.com';
      await seedActiveAccount(t, email);
      const proxySaw = nextAddress();
      // The proxy appends the address it saw; what the client sent before it is the client's own choice.
      const rotating = (n: number) => new HeaderBrowser({ 'x-forwarded-for': `203.0.113.${n % 250}, ${proxySaw}` });
      const waitingBrowser = rotating(0);
      const waiting = await signInPage(t, waitingBrowser, email);
      const rp = await relyingParty(t);
      for (let n = 1; n <= rules.ipFailuresPerHour - 1; n++) {
        const browser = rotating(n);
        const page = await browser.submit((await authorize(rp, browser)).page, '/email', { email: `nobody.${n}@example.com` });
        assert.deepEqual(errorsOn(page), [UNKNOWN], `unknown email ${n}`);
      }
      const browser = rotating(1000);
      const hundredth = await browser.submit((await authorize(rp, browser)).page, '/email', { email: 'nobody.100@example.com' });
      assert.deepEqual(errorsOn(hundredth), [UNKNOWN], 'the 100th failure is still answered');

      const limited = rotating(1001);
      const enumeration = await limited.submit((await authorize(rp, limited)).page, '/email', { email });
      assert.equal(enumeration.status, 429, 'the email step is closed to the address, even for an existing account');
      assert.match(errorsOn(enumeration)[0]!, NETWORK);
      const password = await waitingBrowser.submit(waiting, '/password', { password: strongPassword });
      assert.equal(password.status, 429, 'so is the password step');
      assert.match(errorsOn(password)[0]!, NETWORK);

      const elsewhere = attackerAt(nextAddress());
      assert.equal((await signInPage(t, elsewhere, email)).status, 200, 'another address is not limited');
    });

    it('counts a deactivated account asked for again and again against the address, folded into few audit rows', async () => {
      const email = 'gone.for.good@example.com';
      const { id } = await seedActiveAccount(t, email);
      await t.server.services.accounts.deactivate(id);
      const attacker = attackerAt(nextAddress());
      const { page } = await authorize(await relyingParty(t), attacker);
      const answers = await burst(attacker, page, '/email', Array.from({ length: rules.ipFailuresPerHour + 20 }, () => ({ email })));
      const refused = answers.filter((a) => a.status === 403).length;
      assert.equal(refused, rules.ipFailuresPerHour, 'each answer "deactivated" counts against the address');
      assert.ok(answers.filter((a) => a.status === 429).every((a) => NETWORK.test(a.errors[0] ?? '')));
      assert.equal(answers.filter((a) => a.status === 429).length, 20);

      const rows = (await t.server.services.audit.recent({ email, limit: 1000 })).filter((e) => e.event === 'signin.email');
      assert.ok(rows.length >= 1 && rows.length <= 5, `${rows.length} audit rows for ${refused} refusals`);
      const recorded = rows.reduce((sum, row) => sum + 1 + Number(row.details?.repeats ?? 0), 0);
      assert.equal(recorded, refused, 'every refusal is counted in the trail, none lost');
    });

    it('holds a lock across instances sharing the store', { skip: backend.name === 'embedded' && 'the embedded backends belong to one process' }, async () => {
      const second = await startTestServer(backend, { SSO_TRUST_PROXY: 'true' });
      try {
        const email = 'two.instances@example.com';
        await seedActiveAccount(t, email);
        const attacker = attackerAt(nextAddress());
        let page = await failPasswords(attacker, await signInPage(t, attacker, email), rules.lockThreshold - 1);
        assertLocked(await attacker.submit(page, '/password', { password: WRONG }), 'locked on the first instance');
        const owner = attackerAt(nextAddress());
        page = await owner.submit(await signInPage(second, owner, email), '/password', { password: strongPassword });
        assertLocked(page, 'the right password on the second instance');
      } finally {
        await second.close();
      }
    });
  });
}

describe('security: brute force without a trusted proxy', () => {
  let t: TestServer;
  const [embedded] = backends();
  before(async () => {
    t = await startTestServer(embedded!);
  });
  after(async () => {
    await t?.close();
  });

  it('ignores X-Forwarded-For, so an attacker cannot spread failures over invented addresses', async () => {
    const rp = await relyingParty(t);
    const from = (n: number) => new HeaderBrowser({ 'x-forwarded-for': `192.0.2.${n % 250}` });
    for (let n = 1; n <= rules.ipFailuresPerHour; n++) {
      const browser = from(n);
      const page = await browser.submit((await authorize(rp, browser)).page, '/email', { email: `nobody.${n}@example.com` });
      assert.deepEqual(errorsOn(page), [UNKNOWN], `unknown email ${n}`);
    }
    const browser = from(251);
    const limited = await browser.submit((await authorize(rp, browser)).page, '/email', { email: 'nobody.else@example.com' });
    assert.equal(limited.status, 429);
    assert.match(errorsOn(limited)[0]!, NETWORK);
  });
});
