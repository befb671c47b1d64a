import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { rules } from '../../src/config.ts';
import { testActor } from '../helpers/console.ts';
import { signedInWithTokens } from '../helpers/flows.ts';
import { backends, serveDuring, type TestServer } from '../helpers/server.ts';

const invalidGrant = (error: Error & { error?: string }) => {
  assert.equal(error.error, 'invalid_grant');
  return true;
};

/**
 * Refresh-token rotation under concurrent use (CONTRACT section 3): the same refresh token
 * presented again within 10 seconds of its first use refreshes too (two tabs, two instances of an
 * application); presented later, it is reuse, and the whole grant is revoked. The server's clock
 * is moved instead of waiting; two server processes are tested in instances.test.ts.
 */
for (const backend of backends()) {
  describe(`refresh-token grace (${backend.name})`, { skip: backend.skip }, () => {
    let t!: TestServer;
    serveDuring(backend, (server) => (t = server));

    async function signedIn(email: string) {
      const { id, rp, tokens } = await signedInWithTokens(t, email);
      assert.ok(tokens.refresh_token);
      return { id, rp, refreshToken: tokens.refresh_token };
    }

    it('refreshes twice with the same token within 10 seconds, and refuses it with its whole grant after', async () => {
      const { rp, refreshToken } = await signedIn('two.tabs@example.com');
      const first = await oidc.refreshTokenGrant(rp.config, refreshToken);
      t.clock.offsetMs += 9_000;
      const second = await oidc.refreshTokenGrant(rp.config, refreshToken);
      assert.ok(second.access_token, 'the second tab refreshes too');
      assert.notEqual(second.refresh_token, first.refresh_token, 'each gets a refresh token of its own');
      const onward = await oidc.refreshTokenGrant(rp.config, second.refresh_token!);
      assert.ok(onward.refresh_token, 'and it refreshes on');

      t.clock.offsetMs += 1_000;
      await assert.rejects(oidc.refreshTokenGrant(rp.config, refreshToken), invalidGrant, '10 s after its first use the token is reuse');
      for (const token of [first.refresh_token!, onward.refresh_token!]) {
        await assert.rejects(oidc.refreshTokenGrant(rp.config, token), invalidGrant, 'the whole grant is revoked');
      }
      const userinfo = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${onward.access_token}` } });
      assert.equal(userinfo.status, 401, 'its access tokens too');
    });

    it('lets every one of 20 concurrent refreshes with one token succeed, each with a new token, and revokes them all on reuse later', async () => {
      const { rp, refreshToken } = await signedIn('burst@example.com');
      const results = await Promise.all(Array.from({ length: 20 }, () => oidc.refreshTokenGrant(rp.config, refreshToken)));
      const rotated = new Set(results.map((result) => result.refresh_token));
      assert.equal(rotated.size, 20, 'twenty distinct new refresh tokens');
      assert.ok(!rotated.has(refreshToken));

      t.clock.offsetMs += 10_000;
      await assert.rejects(oidc.refreshTokenGrant(rp.config, refreshToken), invalidGrant);
      const after = await Promise.allSettled([...rotated].map((token) => oidc.refreshTokenGrant(rp.config, token!)));
      assert.deepEqual(
        after.map((outcome) => outcome.status === 'rejected' && (outcome.reason as { error?: string }).error),
        Array.from({ length: 20 }, () => 'invalid_grant'),
        'every token of the grant is revoked',
      );
    });

    // Each grant reads its account after it arrived (src/accounts/repository.ts, findActiveClaims), and
    // grants that ask together share one statement: every answer must come from its own account's row.
    it('answers a burst of refreshes of several accounts, some deactivated behind the store\'s back, each by its own account', async () => {
      const signed: Array<Awaited<ReturnType<typeof signedIn>>> = [];
      for (const name of ['burst.a', 'burst.b', 'burst.c', 'burst.d', 'burst.e', 'burst.f']) signed.push(await signedIn(`${name}@example.com`));
      const deactivated = new Set([signed[1]!.id, signed[4]!.id, signed[5]!.id]);
      // Only the database changes: the grants stay in the store, as while a deactivation's revocation is owed.
      await t.server.database.knex('accounts').whereIn('id', [...deactivated]).update({ status: 'deactivated' });
      // Past the few seconds in which the sign-in's own read of the account serves the provider.
      t.clock.offsetMs += (rules.recentAccountSeconds + 1) * 1000;
      const burst = signed.flatMap((account) => [account, account, account]);
      const outcomes = await Promise.allSettled(burst.map(({ rp, refreshToken }) => oidc.refreshTokenGrant(rp.config, refreshToken)));
      outcomes.forEach((outcome, n) => {
        const { id } = burst[n]!;
        if (deactivated.has(id)) assert.ok(outcome.status === 'rejected' && invalidGrant(outcome.reason as Error), `refresh ${n} of a deactivated account is refused`);
        else assert.equal(outcome.status, 'fulfilled', `refresh ${n} of an active account succeeds: ${outcome.status === 'rejected' ? String(outcome.reason) : ''}`);
      });
    });

    // Sign out everywhere relies on the store alone (the account stays active): a refresh that read its
    // token and grant just before the revocation still saves new tokens after it, which must lead nowhere.
    it('leaves no token working once a sign-out everywhere returns, though refreshes of the account ran through it', async () => {
      const { id, rp, refreshToken } = await signedIn('racing.refreshes@example.com');
      const chains = 6;
      const issued: oidc.TokenEndpointResponse[] = [];
      let running!: () => void;
      const allRunning = new Promise<void>((resolve) => (running = resolve));
      /** Refreshes on from its own token of the grant until refused; a chain still refreshing after 1,000 is the failure sought. */
      const chain = async () => {
        let token = refreshToken;
        for (let i = 0; i < 1_000; i++) {
          try {
            const next = await oidc.refreshTokenGrant(rp.config, token);
            issued.push(next);
            if (issued.length === chains) running();
            token = next.refresh_token!;
          } catch (error) {
            return invalidGrant(error as Error & { error?: string });
          }
        }
        return false;
      };
      const ran = Array.from({ length: chains }, chain);
      // Chains that all end before each has refreshed (a refusal from the start) must fail below, not wait here.
      await Promise.race([allRunning, Promise.all(ran)]);
      const signedOut = await t.server.lifecycle.signOutEverywhere(testActor, { id });
      assert.equal(signedOut.found, true);
      assert.deepEqual(await Promise.all(ran), Array.from({ length: chains }, () => true), 'every chain is refused soon after');
      assert.ok(issued.length >= chains);
      for (const tokens of issued) {
        await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), invalidGrant, 'no refresh token issued through the race works');
        const userinfo = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        assert.equal(userinfo.status, 401, 'nor any access token');
      }
    });
  });
}
