import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countRoundTrips, difference, totals } from '../../harness/round-trips.ts';
import { relyingParty, seedActiveAccount, walkSignIn } from '../helpers/flows.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

/**
 * The work a sign-in may ask of the backends (BENCHMARKS.md, section 1), counted exactly: an
 * additional read or write per step shows here first. Not a timing, so it does not depend on the machine.
 */
const budget = { sql: 3, storeCommands: 34 };

for (const backend of backends()) {
  describe(`round trips of a sign-in (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    it(`reads the account twice and writes one audit row, within ${budget.storeCommands} store commands`, async () => {
      const counts = countRoundTrips(t.server);
      const email = 'counted@example.com';
      const { secret } = await seedActiveAccount(t, email);
      const rp = await relyingParty(t);
      const before = counts();
      const first = await rp.start();
      const tokens = await rp.finish((await walkSignIn(rp, t, first.page, email, secret)).url, first);
      assert.ok(tokens.id_token);
      const used = difference(counts(), before);
      assert.deepEqual(
        Object.fromEntries(Object.entries(used).filter(([kind]) => kind.startsWith('sql.'))),
        { 'sql.select': 2, 'sql.insert': 1 },
        'the email step and the authenticator step read the account; the sign-in writes one audit row',
      );
      assert.equal(totals(used).sql, budget.sql);
      assert.ok(totals(used).storeCommands <= budget.storeCommands, `${totals(used).storeCommands} store commands`);
    });
  });
}
