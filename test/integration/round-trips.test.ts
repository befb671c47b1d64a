import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { rules } from '../../src/config.ts';
import { countRoundTrips, difference, totals } from '../../harness/round-trips.ts';
import { relyingParty, seedActiveAccount, walkSignIn, signedInWithTokens } from '../helpers/flows.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/**
 * The work a sign-in and a refresh grant may ask of the backends (BENCHMARKS.md, sections 1, 2 and 6),
 * counted exactly: an additional read or write shows here first. Not a timing, so it does not depend
 * on the machine.
 */
/**
 * Three attempts (the email lookup, the password, the code) are each reserved before their check
 * and given back after it, on the account's and the address's counters: two commands a counter.
 * The email step also gives the interaction its full life (interactions/lifetime.ts).
 */
const budget = { sql: 4, storeCommands: 38, refreshStoreCommands: 2 };

const sqlOf = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([kind]) => kind.startsWith('sql.')));

for (const backend of backends()) {
  describe(`round trips of a sign-in (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it(`reads the account twice, marks the app used and writes one audit row, within ${budget.storeCommands} store commands`, async () => {
      const counts = countRoundTrips(t.server);
      const email = 'counted@example.com';
      const { id, secret } = await seedActiveAccount(t, email);
      // A returning user's language is already recorded: only a sign-in in another language writes it.
      await t.server.services.accounts.rememberLocale(id, 'en');
      const rp = await relyingParty(t);
      const before = counts();
      const first = await rp.start();
      const tokens = await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);
      assert.ok(tokens.id_token);
      const used = difference(counts(), before);
      assert.deepEqual(
        sqlOf(used),
        { 'sql.select': 2, 'sql.insert': 1, 'sql.update': 1 },
        'the email step and the authenticator step read the account with its factors; the app that gave the code is marked used; the sign-in writes one audit row',
      );
      assert.equal(totals(used).sql, budget.sql);
      assert.ok(totals(used).storeCommands <= budget.storeCommands, `${totals(used).storeCommands} store commands`);
    });

    it(`grants a refresh with one read of the account and ${budget.refreshStoreCommands} store commands`, async () => {
      const { rp, tokens } = await signedInWithTokens(t, 'refreshed@example.com');
      // As a refresh minutes after the sign-in comes: the sign-in's own read of the account no longer serves.
      t.clock.offsetMs += (rules.recentAccountSeconds + 1) * 1000;
      const counts = countRoundTrips(t.server);
      const before = counts();
      assert.ok((await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).refresh_token, 'the grant rotates the refresh token');
      const used = difference(counts(), before);
      assert.deepEqual(sqlOf(used), { 'sql.select': 1 }, 'the grant reads the account, and only that');
      assert.ok(totals(used).storeCommands <= budget.refreshStoreCommands, `${totals(used).storeCommands} store commands`);
    });
  });
}
