import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { verifyPassword } from '../../src/security/password-hash.ts';
import { errorsOn, headingOf } from '../../harness/browser.ts';
import { rules } from '../../src/config.ts';
import { openAccountPage } from '../helpers/account-page.ts';
import { reachedClient } from '../helpers/attack.ts';
import { nextTotpStep, recoveryCodesInText, recoveryCodesOn, relyingParty, saveRecoveryCodes, seedActiveAccount, seedRecoveryCodes, strongPassword, toNewPassword, tokenRequest, totpNow, walkSignIn, signedInWithTokens } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { sentinelSkip, startPrivateRedis } from '../helpers/redis-sentinel.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Redis pausing writes, as it does during a failover (CLIENT PAUSE … WRITE), in the middle of the
 * steps that change an account. A page answers 503 only when it changed nothing; once the change is
 * stored, the page says it was made, and what it still owes is finished when Redis writes again.
 * On a Redis of the test's own: a pause stops every client of the server it is sent to.
 */
const backend = backends()[1]!;
const NEW_PASSWORD = 'Green$Valley77';

describe('account changes while Redis pauses writes', { skip: backend.skip || sentinelSkip, timeout: 300_000 }, () => {
  let t: TestServer;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;

  before(async () => {
    redis = await startPrivateRedis();
    t = await startTestServer(backend, { REDIS_URL: redis.url });
  });
  after(async () => {
    await t?.close();
    await redis?.stop();
    await backend.cleanup();
  });
  beforeEach(async () => {
    await redis.admin.call('CLIENT', 'UNPAUSE');
  });

  /** Sends a request with writes paused for longer than it may wait, then lets them through. */
  async function whilePaused<T>(submit: () => Promise<T>): Promise<T> {
    await redis.admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
    try {
      return await submit();
    } finally {
      await redis.admin.call('CLIENT', 'UNPAUSE');
    }
  }

  it('sets the password of a first-time login and says so, then the user goes on from the application', async () => {
    const email = 'paused.activation@example.com';
    const { id } = await t.server.services.accounts.create({ email });
    const rp = await relyingParty(t);
    const choose = await toNewPassword(t.mail, rp, email);
    const done = await whilePaused(() => rp.browser.submit(choose, '/new-password', { password: NEW_PASSWORD, confirmation: NEW_PASSWORD }));
    assert.equal(done.status, 200);
    assert.equal(done.$('h1').text().trim(), 'Your password has been set');
    assert.equal(done.$('a[href$="/account"]').text().trim(), 'Go to your account page', 'the account page is offered');
    assert.ok(await verifyPassword(NEW_PASSWORD, (await t.server.services.accounts.findById(id))!.passwordHash, 4), 'and it was');

    const again = await relyingParty(t);
    const signIn = await again.browser.submit((await again.start()).page, '/email', { email });
    const enroll = await again.browser.submit(signIn, '/password', { password: NEW_PASSWORD });
    assert.equal(enroll.$('img[alt="QR code"]').length, 1, 'signing in again goes on to the authenticator');
  });

  it('answers 503 to an enrollment code and stores nothing, then enrolls once Redis writes again', async () => {
    const email = 'paused.enrollment@example.com';
    const { id } = await t.server.services.accounts.create({ email });
    const rp = await relyingParty(t);
    const choose = await toNewPassword(t.mail, rp, email);
    const enroll = await rp.browser.submit(choose, '/new-password', { password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    const secret = enroll.$('code.secret').text().replace(/\s+/g, '');
    const codePage = await rp.browser.get(new URL(enroll.$('a.button').attr('href')!, enroll.url).toString());
    const refused = await whilePaused(() => rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) }));
    assert.equal(refused.status, 503);
    assert.deepEqual((await t.server.services.accounts.findById(id))!.factors, [], 'a 503 stored nothing');
    nextTotpStep(t);
    const { next: callback } = await saveRecoveryCodes(rp.browser, await rp.browser.submit(codePage, '/enroll/verify', { code: totpNow(t, secret) }));
    assert.ok(!callback.html.includes('<form'), `the retry enrolls and signs in: ${callback.url}`);
    assert.deepEqual((await t.server.services.accounts.findById(id))!.factors.map((factor) => factor.kind).sort(), ['authenticator-app', 'recovery-codes']);
  });

  it('answers 503 to an emailed code and keeps the code good', async () => {
    const email = 'paused.code@example.com';
    await t.server.services.accounts.create({ email });
    const rp = await relyingParty(t);
    const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
    const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
    const before = t.mail.messages.length;
    const sent = await rp.browser.submit(help, '/activation/send');
    const code = codeFrom(await t.mail.next(email, before));
    const refused = await whilePaused(() => rp.browser.submit(sent, '/activation/verify', { code }));
    assert.equal(refused.status, 503);
    const verified = await rp.browser.submit(sent, '/activation/verify', { code });
    assert.match(verified.html, /The code has been verified/, 'the code answered with 503 was not spent');
  });

  it('changes a forgotten password and says so, emails the user, and ends the other sessions once Redis writes again', async () => {
    const email = 'paused.reset@example.com';
    const { id, secret } = await seedActiveAccount(t, email);
    const laptop = await relyingParty(t);
    const first = await laptop.start();
    const held = await laptop.finish((await walkSignIn(laptop, t, first.page, email, secret)).url, first);

    const rp = await relyingParty(t);
    const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
    const forgot = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
    const codePage = await rp.browser.submit(forgot, '/forgot', { email });
    nextTotpStep(t);
    const choose = await rp.browser.submit(codePage, '/totp', { code: totpNow(t, secret) });
    const mailBefore = t.mail.messages.length;
    const done = await whilePaused(() => rp.browser.submit(choose, '/new-password', { password: NEW_PASSWORD, confirmation: NEW_PASSWORD }));
    assert.equal(done.status, 200);
    assert.equal(done.$('h1').text().trim(), 'Your password has been changed');
    assert.equal(done.$('a[href$="/account"]').text().trim(), 'Go to your account page', 'the account page is offered');
    assert.ok(await verifyPassword(NEW_PASSWORD, (await t.server.services.accounts.findById(id))!.passwordHash, 4));
    assert.match((await t.mail.next(email, mailBefore)).raw, /password was changed/i, 'the user is told at once');

    await t.server.finishOwedTasks();
    await assert.rejects(oidc.refreshTokenGrant(laptop.config, held.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
    assert.deepEqual(await t.server.services.accountTasks.owedFor(id), [], 'nothing is owed any more');
  });

  it('shows new recovery codes in its answer when the store cannot keep them: they are the account’s, the old ones void', async () => {
    const email = 'paused.codes@example.com';
    const { id, secret } = await seedActiveAccount(t, email);
    const old = await seedRecoveryCodes(t, { id, email });
    const { browser, page } = await openAccountPage(t, { email, secret });
    const made = await whilePaused(() => browser.submit(page, '/account/recovery-codes/new'));
    assert.equal(made.status, 200, `${made.status} ${made.url}: ${headingOf(made)}`);
    assert.equal(made.url, `${t.issuer}/account/recovery-codes/new`, 'shown in the answer itself, which nothing could show again');
    assert.equal(headingOf(made), 'Save your recovery codes');
    assert.match(made.$('p.notice').text(), /Your old recovery codes can no longer be used\..*This page cannot be shown again: save your new codes now/s);
    const codes = recoveryCodesOn(made);
    assert.equal(codes.length, rules.recoveryCodes);
    assert.equal(made.$('a[hreflang]').length, 0, 'no language link, which would find nothing');
    // Nothing for a link to fetch either: the Download link holds the file itself.
    const download = made.$('a[download]');
    assert.deepEqual([download.text().trim(), download.attr('download')], ['Download', 'recovery-codes.txt']);
    const [kind, data] = (download.attr('href') ?? '').split(',', 2);
    assert.equal(kind, 'data:text/plain;charset=utf-8', 'a text file inside the link');
    const file = decodeURIComponent(data ?? '');
    assert.match(file, /recovery codes of paused\.codes@example\.com\r\n/, 'the file the link gives when the store keeps the codes');
    assert.deepEqual(recoveryCodesInText(file), codes, 'the file holds the codes shown');

    const unconfirmed = await browser.submit(made, '/account/recovery-codes');
    assert.deepEqual([unconfirmed.status, errorsOn(unconfirmed)], [400, ['Confirm that you have saved your recovery codes']]);
    assert.deepEqual(recoveryCodesOn(unconfirmed), codes, 'the codes stay on the page');
    const saved = await browser.submit(unconfirmed, '/account/recovery-codes', { saved: 'yes' });
    assert.equal(saved.url, `${t.issuer}/account?done=recoveryCodes`);

    const rp = await relyingParty(t);
    const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
    const codePage = await rp.browser.submit(signIn, '/password', { password: strongPassword });
    const recovery = await rp.browser.get(new URL(codePage.$('a[href$="/recovery"]').attr('href')!, codePage.url).toString());
    const refused = await rp.browser.submit(recovery, '/recovery', { recoveryCode: old[0]! });
    assert.equal(refused.status, 401, 'an old code is void');
    assert.ok(reachedClient(await rp.browser.submit(refused, '/recovery', { recoveryCode: codes[0]! })), 'a code shown signs in');
  });

  it('answers 503 to a password and counts no attempt against the account, then the same password goes on', async () => {
    const email = 'paused.password@example.com';
    const { id } = await seedActiveAccount(t, email);
    const rp = await relyingParty(t);
    const signIn = await rp.browser.submit((await rp.start()).page, '/email', { email });
    const refused = await whilePaused(() => rp.browser.submit(signIn, '/password', { password: strongPassword }));
    assert.equal(refused.status, 503);
    // The counting write the pause held up reached Redis on the server's connection when the pause
    // ended, before this read on the same connection.
    assert.deepEqual(await t.server.services.guard.status(id), { failures: 0, lockedForSeconds: 0 }, 'the attempt answered 503 was not counted later');
    const codePage = await rp.browser.submit(signIn, '/password', { password: strongPassword });
    assert.equal(codePage.status, 200);
    assert.equal(codePage.$('input[name="code"]').length, 1, 'the retry goes on to the authenticator code');
    assert.deepEqual(await t.server.services.guard.status(id), { failures: 0, lockedForSeconds: 0 }, 'and leaves no failure behind');
  });

  it('answers a refresh 503 when its new tokens cannot be stored, and leaves the refresh token unused for the retry', async () => {
    const { tokens } = await signedInWithTokens(t, 'paused.refresh@example.com');
    // Past the recent-account cache: the grant reads its account once it has read its token, so a
    // read of the account shows the grant got past its reads to the final write.
    t.clock.offsetMs += 60_000;
    const accounts = t.server.services.accounts;
    const readAccount = accounts.findActiveClaims.bind(accounts);
    let accountReads = 0;
    accounts.findActiveClaims = (id) => {
      accountReads += 1;
      return readAccount(id);
    };
    try {
      const refused = await whilePaused(() => tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }));
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.deepEqual(Object.keys((await refused.json()) as object).sort(), ['error', 'error_description'], 'no token in the answer');
      assert.equal(accountReads, 1, 'the grant read its token and its account: the writes at its end are what the pause refused');
    } finally {
      accounts.findActiveClaims = readAccount;
    }
    // Long past the reuse grace: a token the refused grant had marked used would now count as stolen.
    t.clock.offsetMs += 60_000;
    const retried = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(retried.status, 200, 'the same refresh token works once Redis writes again');
    const rotated = (await retried.json()) as { refresh_token: string };
    assert.equal((await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: rotated.refresh_token })).status, 200, 'and its successor after it');
  });
});
