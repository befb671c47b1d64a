import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { Browser } from '../../harness/browser.ts';
import { firstTimeLogin, BrowserDriver } from '../../harness/journeys.ts';
import { activationDeadline } from '../../src/accounts/account.ts';
import { runCli } from '../../src/cli/program.ts';
import { formatMoment, locales, translator, type Locale } from '../../src/i18n/index.ts';
import { totpCodeAt } from '../../src/security/totp.ts';
import { strongPassword } from '../helpers/flows.ts';
import { readMail } from '../helpers/mime.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/**
 * The invitation email (CONTRACT.md section 9): in the user's language, with a link that starts
 * first-time login on this server with the email filled in, and the moment the invitation stops
 * being valid. The CLI's `users add --send-invite` and the console's invitation are one email.
 */
for (const backend of backends()) {
  describe(`invitation email (${backend.name})`, { skip: backend.skip, timeout: 300_000 }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    const consoleActor = { via: 'console' as const, name: 'poc@example.com', ip: '127.0.0.1' };

    /** `users add … --send-invite` run inside the test server, as the control socket runs it. */
    async function cliAdd(args: readonly string[]): Promise<string> {
      let output = '';
      const sink = new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          output += String(chunk);
          done();
        },
      });
      const { server } = t;
      const code = await runCli(['users', 'add', ...args], {
        env: {},
        stdout: sink,
        stderr: sink,
        host: { backends: { config: t.config, provider: server.provider, database: server.database, store: server.store, mailer: server.mailer }, operator: 'operator' },
      });
      assert.equal(code, 0, output);
      return output;
    }

    async function inviteFromConsole(email: string, locale: Locale) {
      const result = await t.server.lifecycle.invite(consoleActor, { email, name: 'Invited User', invitation: { locale } });
      assert.ok(result.created);
      assert.deepEqual(result.tasks.owed, []);
      return result.account;
    }

    for (const locale of locales) {
      it(`sends the same email from the CLI and the console, in ${locale}, with the link and the deadline to the minute`, async () => {
        const fromCli = `cli.${locale}@example.com`;
        const fromConsole = `console.${locale}@example.com`;
        const before = t.mail.messages.length;
        await cliAdd([fromCli, '--name', 'Invited User', '--send-invite', '--locale', locale]);
        const cliMail = readMail(await t.mail.next(fromCli, before));
        const account = await inviteFromConsole(fromConsole, locale);
        const consoleMail = readMail(await t.mail.next(fromConsole, before));

        const tr = translator(locale);
        const link = `${t.issuer}/account/signin?login_hint=${encodeURIComponent(fromConsole)}`;
        const deadline = formatMoment(tr, activationDeadline(account, t.config.activationDays));
        assert.equal(consoleMail.subject, tr('mail.invitation.subject', { brand: t.config.brand.name }));
        for (const part of [consoleMail.text, consoleMail.html]) {
          assert.ok(part.includes(t.config.brand.name), 'the brand is named');
          assert.ok(part.includes(deadline), `the deadline ${deadline} is missing`);
        }
        assert.ok(consoleMail.text.includes(link), 'the text part carries the link');
        const $ = cheerio.load(consoleMail.html);
        const hrefs = $('a').map((_, a) => $(a).attr('href')).get();
        assert.ok(hrefs.length > 0 && hrefs.every((href) => href === link), `the HTML part links to ${link}: ${hrefs.join(', ')}`);

        // One email whoever sends it: only the address (in the link) differs. The deadline is the
        // same minute, since both were invited within a second of each other.
        const same = (text: string) => text.replaceAll(encodeURIComponent(fromCli), 'ADDRESS').replaceAll(encodeURIComponent(fromConsole), 'ADDRESS');
        assert.equal(same(cliMail.subject), same(consoleMail.subject));
        assert.equal(same(cliMail.text), same(consoleMail.text));
        assert.equal(same(cliMail.html), same(consoleMail.html));
      });
    }

    it('its link starts first-time login on the server with the email filled in, and the user lands on the account page', async () => {
      const email = 'follows.link@example.com';
      const before = t.mail.messages.length;
      await inviteFromConsole(email, 'nl');
      const { text } = readMail(await t.mail.next(email, before));
      const link = /https?:\/\/\S+\/account\/signin\?login_hint=\S+/.exec(text)?.[0];
      assert.ok(link, text);

      const browser = new Browser();
      const first = await browser.get(link);
      assert.match(first.url, /\/interaction\/[^/]+$/, 'the link starts an authorization of the account page');
      assert.equal(first.$('input[name="email"]').attr('value'), email, 'the email is filled in');

      const driver = new BrowserDriver(browser, first);
      await firstTimeLogin(driver, { email, mail: t.mail, newPassword: strongPassword, code: (secret) => totpCodeAt(secret, Date.now() + t.clock.offsetMs) });
      assert.equal(driver.url(), `${t.issuer}/account`, 'after activation the user is on their account page');
      const session = (await browser.jar.getCookies(`${t.issuer}/account`)).find((cookie) => cookie.key === 'sso_account');
      assert.ok(session, 'signed in to the account page');
      assert.equal((await t.server.services.accounts.findByEmail(email))?.status, 'active');
    });

    it('a link with something else than an email as login_hint starts the sign-in with nothing filled in', async () => {
      const browser = new Browser();
      for (const hint of ['not-an-email', `${'a'.repeat(300)}@example.com`, '"><script>alert(1)</script>@x.com']) {
        const page = await browser.get(`${t.issuer}/account/signin?login_hint=${encodeURIComponent(hint)}`);
        assert.match(page.url, /\/interaction\/[^/]+$/);
        assert.equal(page.$('input[name="email"]').attr('value') ?? '', '', hint);
      }
    });
  });
}
