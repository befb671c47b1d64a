import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csrfOf, uidOf } from '../helpers/attack.ts';
import { errorsOn, type Page } from '../../harness/browser.ts';
import { relyingParty, seedActiveAccount, strongPassword, type RelyingParty } from '../helpers/flows.ts';
import { codeFrom } from '../../harness/mail.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

const INCORRECT = 'The email address or password is incorrect.';
const COMMON = 'This password is too common. Choose one that is harder to guess';
const CONTAINS_EMAIL = 'Your password must not contain the part of your email address before the @ sign';

/** Among the 10,000 most common passwords once lowercased, yet long enough and of three character kinds. */
const commonButCompliant = ['Password1', 'Qwerty123', 'Passw0rd', 'P@ssw0rd', 'Welcome1', 'Abc12345', 'Iloveyou1', 'Sunshine1'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** What a page says, with what differs from one interaction and account to another taken out. */
function comparable(page: Page, email: string): string {
  return page.html.replaceAll(uidOf(page), 'UID').replaceAll(csrfOf(page), 'CSRF').replaceAll(email, 'EMAIL');
}

const [embedded] = backends();

describe('security: passwords', () => {
  let t: TestServer;
  before(async () => {
    // A realistic bcrypt cost, so that the work done on a password attempt is measurable.
    t = await startTestServer(embedded!, { SSO_BCRYPT_COST: '10' });
  });
  after(async () => {
    await t?.close();
  });

  async function signInPage(rp: RelyingParty, email: string): Promise<Page> {
    const page = await rp.browser.submit((await rp.start()).page, '/email', { email });
    assert.match(page.html, /Sign in with your email address/);
    return page;
  }

  it('answers a password for an account without one exactly as a wrong password, after the same bcrypt work', async () => {
    const active = 'has.password@example.com';
    const invited = 'no.password@example.com';
    const wasReset = 'was.reset@example.com';
    await seedActiveAccount(t, active);
    await t.server.services.accounts.create({ email: invited });
    const reset = await seedActiveAccount(t, wasReset);
    await t.server.services.accounts.resetCredentials(reset.id);

    const browsers = await Promise.all([active, invited, wasReset].map(() => relyingParty(t)));
    const pages = await Promise.all([active, invited, wasReset].map((email, i) => signInPage(browsers[i]!, email)));
    const timings: number[][] = [[], [], []];
    const answers: Page[] = [];
    // Interleaved, so that whatever else loads the machine weighs on each account alike.
    for (let round = 0; round < 7; round++) {
      for (const [i, email] of [active, invited, wasReset].entries()) {
        const started = performance.now();
        const answer = await browsers[i]!.browser.submit(pages[i]!, '/password', { password: `Guess#${round}${email.length}x` });
        timings[i]!.push(performance.now() - started);
        assert.equal(answer.status, 401, `${email}, attempt ${round}`);
        assert.deepEqual(errorsOn(answer), [INCORRECT], `${email}, attempt ${round}`);
        answers[i] = answer;
      }
    }
    const reference = comparable(answers[0]!, active);
    assert.equal(comparable(answers[1]!, invited), reference, 'an invited account gets the same page');
    assert.equal(comparable(answers[2]!, wasReset), reference, 'a reset account gets the same page');

    const [withHash, withoutHash, afterReset] = timings.map(median) as [number, number, number];
    assert.ok(withHash > 20, `a cost-10 bcrypt comparison was measured (${withHash.toFixed(1)} ms)`);
    // Skipping bcrypt would answer in a small fraction of the time; equal work lands near 1.
    for (const [what, ms] of [['invited', withoutHash], ['reset', afterReset]] as const) {
      assert.ok(ms > withHash * 0.5, `${what}: ${ms.toFixed(1)} ms against ${withHash.toFixed(1)} ms with a hash`);
    }
  });

  it('refuses the most common passwords and passwords containing the email, on the page, and keeps none', async () => {
    const email = 'harbor.master@example.com';
    const account = await t.server.services.accounts.create({ email });
    const rp = await relyingParty(t);
    const signIn = await signInPage(rp, email);
    const help = await rp.browser.get(new URL(signIn.$('a[href$="/help"]').attr('href')!, signIn.url).toString());
    const before = t.mail.messages.length;
    const sent = await rp.browser.submit(help, '/activation/send');
    const verified = await rp.browser.submit(sent, '/activation/verify', { code: codeFrom(await t.mail.next(email, before)) });
    let page = await rp.browser.get(new URL(verified.$('a.button').attr('href')!, verified.url).toString());
    assert.equal(page.$('label[for=password]').text().trim(), 'New Password');

    for (const password of commonButCompliant) {
      page = await rp.browser.submit(page, '/new-password', { password, confirmation: password });
      assert.equal(page.status, 400, password);
      assert.deepEqual(errorsOn(page), [COMMON], password);
    }
    for (const password of ['Harbor.master#9', 'x#HARBOR.MASTER1', '9!harbor.master']) {
      page = await rp.browser.submit(page, '/new-password', { password, confirmation: password });
      assert.equal(page.status, 400, password);
      assert.deepEqual(errorsOn(page), [CONTAINS_EMAIL], password);
    }
    assert.equal((await t.server.services.accounts.findById(account.id))!.passwordHash, null, 'no refused password was stored');

    page = await rp.browser.submit(page, '/new-password', { password: strongPassword, confirmation: strongPassword });
    assert.equal(page.$('img[alt="QR code"]').length, 1, 'a strong password is accepted');
  });
});
