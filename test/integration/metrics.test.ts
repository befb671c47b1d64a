import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCodeAt } from '../../src/security/totp.ts';
import { BrowserDriver, firstTimeLogin } from '../../harness/journeys.ts';
import { relyingParty, seedActiveAccount, seedRecoveryCodes, strongPassword } from '../helpers/flows.ts';
import { sampleValue, scrape } from '../helpers/prometheus.ts';
import { backends, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';

/** The counters and histograms operators alert on, each moved by the journey that should move it. */
describe('metrics', () => {
  const [backend] = backends();
  let t: TestServer;
  before(async () => {
    t = await startTestServer(backend!);
  });
  after(async () => {
    await t?.close();
    await backend!.cleanup();
  });

  /** What `journey` changed in each listed sample. */
  async function delta(samples: Record<string, [string, Record<string, string>?]>, journey: () => Promise<void>) {
    const read = async () => {
      const text = await scrape(t.issuer);
      return Object.fromEntries(Object.entries(samples).map(([key, [name, labels]]) => [key, sampleValue(text, name, labels)]));
    };
    const before = await read();
    await journey();
    const after = await read();
    return Object.fromEntries(Object.keys(samples).map((key) => [key, after[key]! - before[key]!]));
  }

  it('counts a code sent, an enrollment and a successful sign-in for a first-time login', async () => {
    const email = 'counted@example.com';
    await t.server.services.accounts.create({ email });
    const moved = await delta(
      {
        codes: ['sso_email_codes_sent_total'],
        enrollments: ['sso_totp_enrollments_total'],
        apps: ['sso_factor_enrollments_total', { kind: 'authenticator-app' }],
        recoveryCodes: ['sso_factor_enrollments_total', { kind: 'recovery-codes' }],
        appChecks: ['sso_factor_checks_total', { kind: 'authenticator-app', outcome: 'right' }],
        success: ['sso_signins_total', { outcome: 'success', factor: 'authenticator-app' }],
        badPassword: ['sso_signins_total', { outcome: 'bad_password' }],
        tokens: ['sso_http_request_duration_seconds_count', { method: 'POST', route: '/token', status: '200' }],
      },
      async () => {
        const rp = await relyingParty(t);
        const start = await rp.start();
        const callback = new BrowserDriver(rp.browser, start.page);
        await firstTimeLogin(callback, { email, mail: t.mail, newPassword: strongPassword, code: (secret) => totpCodeAt(secret, Date.now() + t.clock.offsetMs) });
        assert.ok(callback.url().startsWith(publicClient.redirect_uris[0]));
        await rp.finish(callback.url(), start);
      },
    );
    assert.deepEqual(moved, { codes: 1, enrollments: 1, apps: 1, recoveryCodes: 1, appChecks: 1, success: 1, badPassword: 0, tokens: 1 });
  });

  it('counts sign-ins by the factor that completed them, and factor checks by kind and outcome', async () => {
    const email = 'counted.codes@example.com';
    const { id } = await seedActiveAccount(t, email);
    const codes = await seedRecoveryCodes(t, { id, email });
    const moved = await delta(
      {
        success: ['sso_signins_total', { outcome: 'success', factor: 'recovery-codes' }],
        right: ['sso_factor_checks_total', { kind: 'recovery-codes', outcome: 'right' }],
        wrong: ['sso_factor_checks_total', { kind: 'recovery-codes', outcome: 'wrong' }],
        checks: ['sso_secret_checks_total', { kind: 'recovery_code' }],
      },
      async () => {
        const rp = await relyingParty(t);
        const { page } = await rp.start();
        const codePage = await rp.browser.submit(await rp.browser.submit(page, '/email', { email }), '/password', { password: strongPassword });
        const recovery = await rp.browser.get(new URL(codePage.$('a[href$="/recovery"]').attr('href')!, codePage.url).toString());
        const wrong = await rp.browser.submit(recovery, '/recovery', { recoveryCode: 'zzzzz-zzzzz' });
        const callback = await rp.browser.submit(wrong, '/recovery', { recoveryCode: codes[0]! });
        assert.ok(callback.url.startsWith(publicClient.redirect_uris[0]));
      },
    );
    assert.deepEqual(moved, { success: 1, right: 1, wrong: 1, checks: 2 });
  });

  it('counts wrong passwords by outcome, and a lockout once, when the tenth failure locks', async () => {
    const email = 'hammered@example.com';
    await seedActiveAccount(t, email);
    const moved = await delta(
      {
        badPassword: ['sso_signins_total', { outcome: 'bad_password' }],
        lockouts: ['sso_lockouts_total'],
        refused: ['sso_http_request_duration_seconds_count', { method: 'POST', route: '/interaction/:uid/password', status: '401' }],
        locked: ['sso_http_request_duration_seconds_count', { method: 'POST', route: '/interaction/:uid/password', status: '429' }],
      },
      async () => {
        const rp = await relyingParty(t);
        const { page } = await rp.start();
        let current = await rp.browser.submit(page, '/email', { email });
        for (let attempt = 0; attempt < 10; attempt++) {
          current = await rp.browser.submit(current, '/password', { password: 'Wrong#Pass99' });
        }
      },
    );
    assert.deepEqual(moved, { badPassword: 10, lockouts: 1, refused: 9, locked: 1 });
  });

  it('labels durations by route template, never by the ids in the path', async () => {
    const rp = await relyingParty(t);
    const { page } = await rp.start();
    const uid = new URL(page.url).pathname.split('/')[2]!;
    const text = await scrape(t.issuer);
    const routes = new Set([...text.matchAll(/^sso_http_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    assert.ok(routes.has('/interaction/:uid'), [...routes].join(', '));
    assert.ok(routes.has('/auth'));
    assert.ok(!text.includes(uid), 'no interaction uid in any label');
    assert.equal(sampleValue(text, 'sso_http_requests_in_flight'), 1, 'the scrape itself is the one request in flight');
  });
});
