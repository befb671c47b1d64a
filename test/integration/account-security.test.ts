import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser, errorsOn, headingOf, type Page } from '../../harness/browser.ts';
import { rules } from '../../src/config.ts';
import { translator, type Locale } from '../../src/i18n/index.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret } from '../../src/security/totp.ts';
import { ageSignIn, openAccountPage, signInFrom } from '../helpers/account-page.ts';
import { enrollAuthenticatorApp, seedActiveAccount, seedRecoveryCodes, strongPassword } from '../helpers/flows.ts';
import { englishIn, frenchSpacingProblems } from '../helpers/language-checks.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

const newPassword = 'Green#Meadow77';

/** Every form of the account page that changes something, with fields a valid change would post. */
function changes(factorId: string, sessionUid: string): Array<[string, Record<string, string>]> {
  return [
    ['/account/password', { current: strongPassword, password: newPassword, confirmation: newPassword }],
    ['/account/apps/add/verify', { code: '123456' }],
    ['/account/passkeys', { response: '{}' }],
    [`/account/factors/${factorId}/rename`, { name: 'Taken over' }],
    [`/account/factors/${factorId}/remove`, {}],
    ['/account/recovery-codes/new', {}],
    ['/account/recovery-codes', { saved: 'yes' }],
    ['/account/sessions/end', { session: sessionUid }],
    ['/account/applications/end', { client: 'test-public' }],
    ['/account/signout-everywhere', {}],
    ['/account/passkeys/options', {}],
    ['/account/signout', {}],
  ];
}

function assertPageHeaders(page: Page): void {
  const where = `${page.status} ${page.url}`;
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/, `CSP on ${where}`);
  assert.match(csp, /script-src 'self'(;|$)/, `script-src on ${where}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP on ${where}`);
  assert.match(csp, /frame-ancestors 'none'/, `frame-ancestors on ${where}`);
  assert.equal(page.headers.get('x-frame-options'), 'DENY', where);
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer', where);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff', where);
  assert.equal(page.headers.get('cache-control'), 'no-store', where);
  assert.equal(page.$('script:not([src])').length, 0, `inline script on ${where}`);
  assert.equal(page.$('[style]').length + page.$('style').length, 0, `inline style on ${where}`);
}

/** The account page's guards: a recent sign-in for every change, CSRF on every form, headers, languages. */
for (const backend of backends()) {
  describe(`account page: recent sign-in, CSRF, headers and languages (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    async function accountWithTwoApps(email: string) {
      const { id, secret } = await seedActiveAccount(t, email);
      // Names of the user's own choosing: a default name would be English in every language.
      const first = (await t.server.services.accounts.findById(id))!.factors[0]!;
      await t.server.services.factors.rename(id, first.id, 'Pixel 8');
      const spare = await enrollAuthenticatorApp(t.server.database.knex, id, sealSecret(t.server.services.secretKey, generateTotpSecret()), 'iPhone 12');
      return { id, secret, spare };
    }

    it('sends a change from a sign-in older than ten minutes through a new sign-in, back to the same page, nothing changed', async () => {
      const email = 'stale.user@example.com';
      const { id, secret, spare } = await accountWithTwoApps(email);
      const { browser, page } = await openAccountPage(t, { email, secret }, '/account/password');
      const hashBefore = (await t.server.services.accounts.findById(id))!.passwordHash;
      await ageSignIn(t, browser, rules.accountFreshSeconds + 1);

      const signInAgain = await browser.submit(page, '/account/password', { current: strongPassword, password: newPassword, confirmation: newPassword });
      assert.match(signInAgain.url, /\/interaction\//, `a new sign-in is asked for, not ${signInAgain.url}`);
      assert.equal((await t.server.services.accounts.findById(id))!.passwordHash, hashBefore, 'the change was not applied');
      const back = await signInFrom(t, browser, signInAgain, { email, secret });
      assert.equal(back.url, `${t.issuer}/account/password`, 'back on the page of the form');
      assert.equal(headingOf(back), 'Change your password');
      assert.equal((await t.server.services.accounts.findById(id))!.passwordHash, hashBefore, 'nor applied on the way back');
      const changed = await browser.submit(back, '/account/password', { current: strongPassword, password: newPassword, confirmation: newPassword });
      assert.equal(changed.url, `${t.issuer}/account?done=password`, 'fresh now, the change goes through');

      // The same for removing a factor: back on its confirmation page, the factor still there.
      await ageSignIn(t, browser, rules.accountFreshSeconds + 1);
      const confirm = await browser.get(`${t.issuer}/account/factors/${spare.id}/remove`);
      assert.match(confirm.url, /\/interaction\//, 'even the confirmation page of a change asks for a recent sign-in');
      const confirmAgain = await signInFrom(t, browser, confirm, { email, secret, password: newPassword });
      assert.equal(confirmAgain.url, `${t.issuer}/account/factors/${spare.id}/remove`);
      await ageSignIn(t, browser, rules.accountFreshSeconds + 1);
      const stale = await browser.submit(confirmAgain, confirmAgain.$('form').attr('action')!);
      assert.match(stale.url, /\/interaction\//);
      assert.ok((await t.server.services.accounts.findById(id))!.factors.some((f) => f.id === spare.id), 'the factor is still there');
      const landed = await signInFrom(t, browser, stale, { email, secret, password: newPassword });
      assert.equal(landed.url, `${t.issuer}/account/factors/${spare.id}/remove`);

      // Looking needs no recent sign-in.
      await ageSignIn(t, browser, rules.accountFreshSeconds + 1);
      assert.equal(headingOf(await browser.get(`${t.issuer}/account`)), 'Your account');
    });

    it('answers every change from a sign-in older than ten minutes with a new sign-in (the passkey options with 401), changing nothing', async () => {
      const email = 'stale.every@example.com';
      const { id, secret, spare } = await accountWithTwoApps(email);
      await seedRecoveryCodes(t, { id, email });
      const { browser, page } = await openAccountPage(t, { email, secret });
      const csrf = page.$('input[name=_csrf]').first().attr('value')!;
      const sessionUid = page.$('input[name=session]').first().attr('value')!;
      const before = JSON.stringify((await t.server.services.accounts.findById(id))!);
      await ageSignIn(t, browser, rules.accountFreshSeconds + 1);
      // Signing out of the account page needs no recent sign-in: it gives nothing away.
      for (const [path, fields] of changes(spare.id, sessionUid).filter(([path]) => path !== '/account/signout')) {
        const answer = await browser.post(`${t.issuer}${path}`, { ...fields, _csrf: csrf });
        if (path === '/account/passkeys/options') assert.equal(answer.status, 401, path);
        else assert.match(answer.url, /\/interaction\//, `${path}: a new sign-in is asked for, not ${answer.status} ${answer.url}`);
      }
      assert.equal(JSON.stringify((await t.server.services.accounts.findById(id))!), before, 'nothing changed');
      assert.equal(headingOf(await browser.get(`${t.issuer}/account`)), 'Your account', 'still signed in: no session was ended');
    });

    it('refuses every change without the form’s CSRF token, or with another session’s (403), changing nothing', async () => {
      const email = 'csrf.user@example.com';
      const { id, secret, spare } = await accountWithTwoApps(email);
      await seedRecoveryCodes(t, { id, email });
      const { browser, page } = await openAccountPage(t, { email, secret });
      const other = await seedActiveAccount(t, 'csrf.other@example.com');
      const { page: otherPage } = await openAccountPage(t, { email: 'csrf.other@example.com', secret: other.secret });
      const foreign = otherPage.$('input[name=_csrf]').first().attr('value')!;
      const sessionUid = page.$('input[name=session]').first().attr('value')!;
      const before = JSON.stringify((await t.server.services.accounts.findById(id))!);
      for (const [path, fields] of changes(spare.id, sessionUid)) {
        for (const token of [undefined, foreign, 'forged']) {
          const answer = await browser.post(`${t.issuer}${path}`, token === undefined ? fields : { ...fields, _csrf: token });
          assert.equal(answer.status, 403, `${path} with ${token === undefined ? 'no token' : token === foreign ? 'another session’s token' : 'a forged token'}`);
          assert.match(headingOf(answer), /.+/, 'a page that says what went wrong');
        }
      }
      assert.equal(JSON.stringify((await t.server.services.accounts.findById(id))!), before, 'nothing changed');
      assert.equal(headingOf(await browser.get(`${t.issuer}/account`)), 'Your account', 'still signed in');
    });

    it('answers bad input with a page, never a 500', async () => {
      const email = 'input.user@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const { browser, page } = await openAccountPage(t, { email, secret });
      const csrf = page.$('input[name=_csrf]').first().attr('value')!;
      const attempts: Array<[string, Record<string, string>]> = [
        ['/account/factors/not-a-uuid/rename', { _csrf: csrf, name: 'x' }],
        ['/account/factors/00000000-0000-4000-8000-000000000000/remove', { _csrf: csrf }],
        ['/account/sessions/end', { _csrf: csrf, session: 'x'.repeat(5000) }],
        ['/account/applications/end', { _csrf: csrf }],
        ['/account/passkeys', { _csrf: csrf, response: '{"id":' }],
        ['/account/apps/add/verify', { _csrf: csrf, code: '12' }],
        ['/account/recovery-codes', { _csrf: csrf, saved: 'yes', shown: 'v1.forged' }],
      ];
      for (const [path, fields] of attempts) {
        const answer = await browser.post(`${t.issuer}${path}`, fields);
        assert.ok(answer.status < 500 && answer.$('h1').length === 1, `${path}: ${answer.status}`);
      }
      const nested = await browser.send(`${t.issuer}/account/password`, { method: 'POST', body: `_csrf=${csrf}&current[a]=1` , headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(nested.status, 400);
      assert.equal((await browser.get(`${t.issuer}/account/factors/${'x'.repeat(40)}/remove`)).status, 404);
    });

    it('sends the security headers of the other pages on every page of it', async () => {
      const email = 'headers.user@example.com';
      const { secret, spare } = await accountWithTwoApps(email);
      const { browser } = await openAccountPage(t, { email, secret });
      for (const path of ['/account', '/account/password', '/account/apps/add', '/account/apps/add/verify', `/account/factors/${spare.id}/rename`, `/account/factors/${spare.id}/remove`, '/account/signout-everywhere']) {
        const page = await browser.get(`${t.issuer}${path}`);
        assert.equal(page.status, 200, path);
        assertPageHeaders(page);
      }
      const csrf = (await browser.get(`${t.issuer}/account`)).$('input[name=_csrf]').first().attr('value')!;
      const error = await browser.post(`${t.issuer}/account/password`, { _csrf: csrf, current: 'x', password: 'y', confirmation: 'z' });
      assertPageHeaders(error);
      assert.equal(errorsOn(error).length > 0, true);
    });

    it('speaks Dutch, French and German with no English left, and keeps the language chosen', async () => {
      const email = 'languages.user@example.com';
      const { secret, spare } = await accountWithTwoApps(email);
      const { browser } = await openAccountPage(t, { email, secret });
      const headings: Record<Locale, string> = { en: 'Your account', nl: 'Uw account', fr: 'Votre compte', de: 'Ihr Konto' };
      for (const locale of ['nl', 'fr', 'de'] as const) {
        const l = translator(locale);
        const home = await browser.get(`${t.issuer}/account?lang=${locale}`);
        assert.equal(headingOf(home), headings[locale]);
        assert.equal(home.$('html').attr('lang'), locale);
        const pages = [home, ...(await Promise.all(['/account/password', `/account/factors/${spare.id}/remove`, `/account/factors/${spare.id}/rename`, '/account/signout-everywhere', '/account/apps/add'].map((path) => browser.get(`${t.issuer}${path}`))))];
        for (const page of pages) {
          assert.equal(page.$('html').attr('lang'), locale, `${page.url} stays in ${locale}`);
          // The password symbols and secrets in <code> are no language.
          const text = page.$('main').clone().find('code').remove().end().text();
          assert.deepEqual(englishIn(text, locale), [], `${page.url} in ${locale}`);
          if (locale === 'fr') assert.deepEqual(frenchSpacingProblems(text), [], page.url);
        }
        assert.equal(pages[1]!.$('label[for=current]').text().trim(), l('account.password.currentLabel'));
      }
    });
  });
}
