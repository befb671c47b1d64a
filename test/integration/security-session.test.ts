import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cookie } from 'tough-cookie';
import { reachedClient } from '../helpers/attack.ts';
import type { Browser, Page } from '../../harness/browser.ts';
import { relyingParty, seedActiveAccount, walkSignIn } from '../helpers/flows.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';

const SESSION_HOURS = 2;
const lifetime = SESSION_HOURS * 3600;

interface StoredSession {
  readonly loginTs: number;
  readonly exp: number;
  readonly accountId?: string;
  readonly [key: string]: unknown;
}

/**
 * Signing in as someone else in a browser that holds a session makes the provider end that session
 * first, with a form a browser submits by itself: submitted here as the browser would.
 */
async function endOtherSession(browser: Browser, t: TestServer, page: Page): Promise<Page> {
  const xsrf = page.$('form input[name=xsrf]').attr('value');
  if (xsrf === undefined) return page;
  return browser.post(new URL(page.$('form').attr('action')!, t.issuer).toString(), { xsrf, logout: 'yes' });
}

async function sessionCookie(browser: Browser, t: TestServer): Promise<Cookie | undefined> {
  return (await browser.jar.getCookies(`${t.issuer}/auth`)).find((c) => c.key === '_session');
}

for (const backend of backends()) {
  describe(`security: sessions (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend, { SSO_SESSION_HOURS: String(SESSION_HOURS) });
    });
    after(async () => {
      await t?.close();
      await backend.cleanup();
    });

    // The provider's sessions live in the store under these keys (src/store/oidc-adapter.ts).
    const recordKey = (id: string) => `oidc:Session:${id}`;
    async function stored(id: string): Promise<{ session: StoredSession; ttl: number } | undefined> {
      const [json, ttl] = await Promise.all([t.server.store.get(recordKey(id)), t.server.store.ttl(recordKey(id))]);
      return json === undefined || ttl === undefined ? undefined : { session: JSON.parse(json) as StoredSession, ttl };
    }

    async function signedIn(email: string) {
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const { page } = await rp.start();
      assert.ok(reachedClient(await walkSignIn(rp, t, page, email, secret)));
      const cookie = await sessionCookie(rp.browser, t);
      assert.ok(cookie, 'a session cookie after sign-in');
      return { rp, secret, id: cookie.value, cookie };
    }

    it(`ends a session ${SESSION_HOURS} hours after sign-in, however active it was since`, async () => {
      const { rp, id, cookie } = await signedIn('absolute@example.com');
      const first = await stored(id);
      assert.ok(first, 'the session is in the store');
      assert.equal(first.session.exp - first.session.loginTs, lifetime, 'the session expires SSO_SESSION_HOURS after sign-in');
      assert.ok(first.ttl <= lifetime && first.ttl >= lifetime - 5, `the store drops it then too (${first.ttl} s)`);
      const cookieExpiry = Math.floor((cookie.expires as Date).getTime() / 1000);
      assert.ok(Math.abs(cookieExpiry - first.session.exp) <= 1, 'the cookie expires with it');

      // As if signed in most of the lifetime ago: any use of the session must not push its end out.
      const age = lifetime - 120;
      const aged = { ...first.session, loginTs: first.session.loginTs - age, iat: (first.session.iat as number) - age, exp: first.session.exp - age };
      await t.server.store.set(recordKey(id), JSON.stringify(aged), first.ttl);
      const silent = await rp.start();
      assert.ok(reachedClient(silent.page), 'the session still signs the user in silently');
      const after = await stored((await sessionCookie(rp.browser, t))!.value);
      assert.ok(after, 'the session is still stored');
      assert.equal(after.session.exp, aged.loginTs + lifetime, 'the end stays where sign-in put it');
      assert.ok(after.ttl <= 125, `the store keeps it only until then (${after.ttl} s)`);
    });

    it('refuses a session past its lifetime even while the store still holds it', async () => {
      const { rp, id } = await signedIn('expired.session@example.com');
      const current = (await stored(id))!;
      const age = lifetime + 60;
      const expired = { ...current.session, loginTs: current.session.loginTs - age, iat: (current.session.iat as number) - age, exp: current.session.exp - age };
      await t.server.store.set(recordKey(id), JSON.stringify(expired), 3600);
      const again = await rp.start();
      assert.ok(!reachedClient(again.page), 'no code from an expired session');
      assert.equal(again.page.$('label[for=email]').text().trim(), 'Email Address', 'the user signs in again');
    });

    it('gives a new session id at every sign-in, so an id known beforehand is worth nothing', async () => {
      const user = await signedIn('signs.in.twice@example.com');
      const again = await user.rp.start({ prompt: 'login' });
      assert.ok(reachedClient(await walkSignIn(user.rp, t, again.page, 'signs.in.twice@example.com', user.secret)));
      const renewed = (await sessionCookie(user.rp.browser, t))!.value;
      assert.notEqual(renewed, user.id, 'a new id at the second sign-in');
      assert.equal(await stored(user.id), undefined, 'the old id is gone');

      const attacker = await signedIn('fixer@example.com');
      const victimEmail = 'fixated@example.com';
      const { secret } = await seedActiveAccount(t, victimEmail);
      const victim = await relyingParty(t);
      // The attacker's own (signed, valid) session cookies, planted in the victim's browser.
      for (const c of await attacker.rp.browser.jar.getCookies(`${t.issuer}/auth`)) {
        if (c.key.startsWith('_session')) await victim.browser.jar.setCookie(c.clone()!, `${t.issuer}/auth`);
      }
      assert.equal((await sessionCookie(victim.browser, t))!.value, attacker.id, 'the planted id is in place');

      const start = await victim.start({ prompt: 'login' });
      const callback = await endOtherSession(victim.browser, t, await walkSignIn(victim, t, start.page, victimEmail, secret));
      assert.ok(reachedClient(callback), `the victim signs in: ${callback.url}`);
      const victimId = (await victim.finish(callback.url, start)).claims()!.sub;
      const now = (await sessionCookie(victim.browser, t))!.value;
      assert.notEqual(now, attacker.id, 'the session id changed at sign-in');
      assert.equal((await stored(now))?.session.accountId, victimId);
      assert.equal(await stored(attacker.id), undefined, 'the planted session is gone');

      // The attacker, still holding the planted id, is not signed in as the victim.
      const attempt = await attacker.rp.start();
      assert.ok(!reachedClient(attempt.page), `the planted id signs nobody in: ${attempt.page.url}`);
    });
  });
}
