import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { locales, translator } from '../../src/i18n/index.ts';
import { browseDuring, browserSkip } from '../helpers/chromium.ts';
import { seedActiveAccount } from '../helpers/flows.ts';
import { englishIn, frenchSpacingProblems } from '../helpers/language-checks.ts';
import { arrivedAtClient, authorization, heading, press, signInThroughPages, withVisit } from '../helpers/hosted-pages.ts';
import { checkPage } from '../helpers/page-checks.ts';
import type { TestServer } from '../helpers/server.ts';

/**
 * The pages added for other clients' needs, in each language and in Chromium: the account offered
 * by prompt=select_account, and a logout without a session (the provider's auto-submitting page,
 * drawn as ours and submitted by app.js under the pages' CSP), each passing every page check.
 */
describe('select_account and a logout without a session, in every language, in Chromium', { skip: browserSkip() }, () => {
  let t: TestServer;
  let browser: Browser;
  browseDuring((started, server) => {
    browser = started;
    t = server;
  });

  for (const locale of locales) {
    const tr = translator(locale);
    it(`offers the signed-in account and signs out without a session in ${locale}`, async () => {
      const email = `chooser.${locale}@example.com`;
      const { secret } = await seedActiveAccount(t, email);
      await withVisit(browser, t, {}, async ({ page }) => {
        const first = await authorization(t);
        await page.goto(first.url);
        await signInThroughPages(page, t, email, secret);
        await arrivedAtClient(page, '/callback');

        const choose = await authorization(t, { prompt: 'select_account', ui_locales: locale });
        await page.goto(choose.url);
        assert.ok(await page.getByText(tr('identify.signedInAs', { email }), { exact: true }).isVisible());
        assert.ok(await page.getByRole('heading', { name: tr('identify.useAnother'), exact: true }).isVisible());
        await checkPage(page, `select account (${locale})`);
        const text = await page.locator('main').innerText();
        if (locale !== 'en') assert.deepEqual(englishIn(text, locale), [], 'no English sentence');
        if (locale === 'fr') assert.deepEqual(frenchSpacingProblems(text), []);
        await press(page, tr('identify.continueAs'));
        const tokens = await choose.finish(await arrivedAtClient(page, '/callback'));
        assert.equal(tokens.claims()!.email, email);
      });

      await withVisit(browser, t, {}, async ({ page }) => {
        await page.goto(new URL(`/session/end?ui_locales=${locale}`, t.issuer).toString());
        await page.getByText(tr('logout.done'), { exact: true }).waitFor();
        assert.equal(await heading(page), tr('logout.heading'));
        assert.equal(await page.evaluate(() => document.documentElement.lang), locale, 'the signed-out page keeps the language the logout asked for');
        await checkPage(page, `signed out without a session (${locale})`);
      });
    });
  }
});
