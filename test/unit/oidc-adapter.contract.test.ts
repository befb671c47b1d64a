import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOidcAdapter, revokeAccountAccess, type Adapter } from '../../src/store/oidc-adapter.ts';
import { RequestWrites } from '../../src/store/request-writes.ts';
import type { Store } from '../../src/store/store.ts';
import { storeVariants } from '../helpers/stores.ts';

/** The few members of oidc-provider's models this suite drives; the package ships no types. */
interface Model {
  readonly uid: string;
  readonly consumed?: number;
  save(ttl?: number): Promise<string>;
  consume(): Promise<void>;
  addOIDCScope(scope: string): void;
}
interface ModelClass {
  new (payload: Record<string, unknown>): Model;
  find(value: string): Promise<Model | undefined>;
  findByUid(uid: string): Promise<Model | undefined>;
}
type ProviderModels = { Client: { find(id: string): Promise<unknown> } } & Record<
  'Grant' | 'RefreshToken' | 'AccessToken' | 'Session',
  ModelClass
>;

const oidcProviderModule: string = 'oidc-provider';

async function createProvider(store: Store, now: () => number): Promise<ProviderModels> {
  const { default: Provider } = (await import(oidcProviderModule)) as {
    default: new (issuer: string, configuration: Record<string, unknown>) => ProviderModels;
  };
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return new Provider('http://localhost:3000', {
    adapter: createOidcAdapter(store, { now }),
    jwks: { keys: [signingKey] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, Grant: 3600, RefreshToken: 3600, Session: 3600 },
    clients: [
      {
        client_id: 'app',
        client_secret: 'a-client-secret-that-is-long-enough',
        redirect_uris: ['http://localhost:4000/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  });
}

/** The error oidc-provider answers a token request with as `invalid_grant`. */
const invalidGrant = (error: unknown) => (error as { error?: string }).error === 'invalid_grant';

for (const variant of storeVariants()) {
  describe(`oidc-provider adapter contract (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());

    /** One adapter per model, as oidc-provider makes them, over a fresh store. */
    const adapters = async (now?: () => number) => {
      const store = await variant.create();
      const OidcAdapter = createOidcAdapter(store, now === undefined ? {} : { now });
      const adapter = (model: string): Adapter => new OidcAdapter(model);
      return { store, adapter };
    };

    /**
     * Adapters whose writes a request in `writes.during(request, …)` holds, over a store that counts
     * the methods called on it and can be made to fail its writes.
     */
    const holdingAdapters = async () => {
      const clock = { now: Date.UTC(2030, 0, 1) };
      const store = await variant.create();
      const commands: string[] = [];
      const failing = { writes: false };
      const counted = new Proxy(store, {
        get(target, name) {
          const value = Reflect.get(target, name) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            commands.push(String(name));
            if (failing.writes && name === 'write') return Promise.reject(new Error('the store does not answer'));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const writes = new RequestWrites(counted);
      const current: { request?: object } = {};
      const OidcAdapter = createOidcAdapter(counted, { now: () => clock.now, requestScope: () => current.request, requestWrites: writes });
      const adapter = (model: string): Adapter => new OidcAdapter(model);
      /** Runs `work` as a request that holds its writes. */
      const request = async (work: () => Promise<void>) => {
        const scope = {};
        current.request = scope;
        try {
          await writes.during(scope, work);
        } finally {
          current.request = undefined;
        }
      };
      return { clock, commands, failing, adapter, request };
    };

    it('holds a refresh grant\'s writes until its answer and sends them as one: the used token\'s mark, its successor, the access token', async () => {
      const { clock, commands, adapter, request } = await holdingAdapters();
      await adapter('RefreshToken').upsert('r1', { grantId: 'g1' }, 600);
      assert.deepEqual(commands, ['write'], 'outside a request a write goes at once');
      commands.length = 0;
      const firstUse = clock.now;
      await request(async () => {
        await adapter('RefreshToken').consume('r1');
        await adapter('RefreshToken').upsert('r2', { grantId: 'g1' }, 600);
        await adapter('AccessToken').upsert('a1', { grantId: 'g1' }, 600);
        assert.deepEqual(commands, [], 'nothing is sent before the answer');
      });
      assert.deepEqual(commands, ['write'], 'one transaction at the end');
      assert.deepEqual(await adapter('RefreshToken').find('r2'), { grantId: 'g1' });
      assert.deepEqual(await adapter('AccessToken').find('a1'), { grantId: 'g1' });
      clock.now += 10_000;
      assert.deepEqual(await adapter('RefreshToken').find('r1'), { grantId: 'g1', consumed: firstUse / 1000 }, 'the mark counts from the use, not from its write');
      await adapter('RefreshToken').revokeByGrantId('g1');
      assert.equal(await adapter('RefreshToken').find('r2'), undefined, 'the held writes indexed the tokens under their grant');
      assert.equal(await adapter('AccessToken').find('a1'), undefined);
    });

    it('sends what a request holds before any read or change of it, so the request sees its own writes', async () => {
      const { commands, adapter, request } = await holdingAdapters();
      await request(async () => {
        await adapter('AccessToken').upsert('a1', { grantId: 'g1' }, 60);
        assert.deepEqual(await adapter('AccessToken').find('a1'), { grantId: 'g1' });
        await adapter('AccessToken').upsert('a2', { grantId: 'g1' }, 60);
        await adapter('AccessToken').destroy('a2');
      });
      assert.equal(await adapter('AccessToken').find('a2'), undefined, 'a destroy comes after the write held before it');
      assert.deepEqual(commands.filter((command) => command === 'write'), ['write', 'write']);
    });

    it('writes nothing of a request that fails, or whose writes the store refuses at its end', async () => {
      const { clock, failing, adapter, request } = await holdingAdapters();
      await adapter('RefreshToken').upsert('r1', { grantId: 'g1' }, 600);
      await assert.rejects(
        request(async () => {
          await adapter('AccessToken').upsert('a1', { grantId: 'g1' }, 60);
          throw new Error('the request failed');
        }),
        /the request failed/,
      );
      assert.equal(await adapter('AccessToken').find('a1'), undefined);
      failing.writes = true;
      await assert.rejects(
        request(async () => {
          await adapter('RefreshToken').consume('r1');
          await adapter('RefreshToken').upsert('r2', { grantId: 'g1' }, 600);
        }),
        /does not answer/,
      );
      failing.writes = false;
      assert.equal(await adapter('RefreshToken').find('r2'), undefined, 'no successor saved');
      clock.now += 60_000;
      assert.deepEqual(await adapter('RefreshToken').find('r1'), { grantId: 'g1' }, 'and the token not marked used, past any grace');
    });

    it('marks a single-use code at once inside a request too, and refuses it to the next', async () => {
      const { commands, adapter, request } = await holdingAdapters();
      await adapter('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
      await request(async () => {
        commands.length = 0;
        await adapter('AuthorizationCode').consume('c1');
        assert.deepEqual(commands, ['setIfAbsentWhile'], 'the mark is set and checked before the request goes on');
        await assert.rejects(adapter('AuthorizationCode').consume('c1'), invalidGrant);
      });
    });

    it('answers undefined, not null or {}, for anything missing', async () => {
      const { adapter } = await adapters();
      assert.strictEqual(await adapter('AccessToken').find('missing'), undefined);
      assert.strictEqual(await adapter('Session').findByUid('missing'), undefined);
      assert.strictEqual(await adapter('DeviceCode').findByUserCode('missing'), undefined);
    });

    it('finds what was upserted, and the latest upsert wins', async () => {
      const { adapter } = await adapters();
      const interactions = adapter('Interaction');
      const payload = { jti: 'i1', kind: 'Interaction', params: { scope: 'openid', nested: [1, 'two'] }, exp: 1 };
      await interactions.upsert('i1', payload, 60);
      assert.deepEqual(await interactions.find('i1'), payload);
      await interactions.upsert('i1', { ...payload, returnTo: '/resume' }, 60);
      assert.deepEqual(await interactions.find('i1'), { ...payload, returnTo: '/resume' });
      assert.strictEqual(await adapter('Session').find('i1'), undefined, 'models never see each other');
    });

    it('treats a stored record that does not parse as absent', async () => {
      const { store, adapter } = await adapters();
      for (const [id, raw] of [
        ['not-json', '{"uid":'],
        ['not-an-object', '[1,2]'],
        ['wrong-field', '{"jti":"x","grantId":42}'],
      ] as const) {
        await store.set(`oidc:AccessToken:${id}`, raw, 60);
        assert.strictEqual(await adapter('AccessToken').find(id), undefined, id);
      }
      await store.set('oidc:RefreshToken:altered', '{"grantId":{"$ne":null}}', 60);
      assert.strictEqual(await adapter('RefreshToken').find('altered'), undefined, 'a consumable record too');
      await adapter('AccessToken').destroy('not-json');
      assert.equal(await store.get('oidc:AccessToken:not-json'), undefined, 'and it can still be destroyed');
    });

    it("reads a refresh token's grant along with it within a request, for the provider's next read of that grant alone", async () => {
      const store = await variant.create();
      let request: object | undefined = {};
      const OidcAdapter = createOidcAdapter(store, { requestScope: () => request });
      const adapter = (model: string): Adapter => new OidcAdapter(model);
      await adapter('Grant').upsert('g1', { jti: 'g1', accountId: 'acc', openid: { scope: 'openid' } }, 60);
      await adapter('RefreshToken').upsert('r1', { jti: 'r1', grantId: 'g1' }, 60);
      await adapter('RefreshToken').upsert('r2', { jti: 'r2', grantId: 'gone' }, 60);
      const reads: string[] = [];
      for (const method of ['get', 'getMany', 'getManyWithReference'] as const) {
        const original = store[method].bind(store) as (...args: never[]) => Promise<unknown>;
        (store as unknown as Record<string, unknown>)[method] = (...args: never[]) => (reads.push(method), original(...args));
      }

      assert.deepEqual(await adapter('RefreshToken').find('r1'), { jti: 'r1', grantId: 'g1' });
      assert.deepEqual(await adapter('Grant').find('g1'), { jti: 'g1', accountId: 'acc', openid: { scope: 'openid' } });
      assert.deepEqual(reads, ['getManyWithReference'], 'one read for both');
      await adapter('Grant').find('g1');
      assert.deepEqual(reads, ['getManyWithReference', 'get'], 'a second read of the grant goes to the store');

      await adapter('RefreshToken').find('r1');
      await adapter('Grant').upsert('g1', { jti: 'g1', accountId: 'acc', changed: true }, 60);
      assert.deepEqual(await adapter('Grant').find('g1'), { jti: 'g1', accountId: 'acc', changed: true }, 'a grant the request changed is read anew');
      await adapter('RefreshToken').find('r1');
      await adapter('Grant').destroy('g1');
      assert.strictEqual(await adapter('Grant').find('g1'), undefined, 'and a grant it destroyed is gone');
      await adapter('RefreshToken').find('r2');
      reads.length = 0;
      assert.strictEqual(await adapter('Grant').find('gone'), undefined, 'a grant missing when its token was read');
      assert.deepEqual(reads, []);

      await adapter('Grant').upsert('g2', { jti: 'g2' }, 60);
      await adapter('RefreshToken').upsert('r3', { jti: 'r3', grantId: 'g2' }, 60);
      await adapter('RefreshToken').find('r3');
      request = {};
      reads.length = 0;
      await adapter('Grant').find('g2');
      assert.deepEqual(reads, ['get'], 'another request reads the grant itself');
      request = undefined;
      await adapter('RefreshToken').find('r3');
      assert.deepEqual(reads, ['get', 'getMany'], 'outside a request, a token is read alone');
    });

    it('forgets records and their lookups when expiresIn has run out', async () => {
      const { adapter } = await adapters();
      await adapter('Session').upsert('s1', { uid: 'u1' }, 1);
      await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH' }, 1);
      await adapter('AccessToken').upsert('a1', { grantId: 'g1' }, 1);
      await sleep(1_100);
      assert.strictEqual(await adapter('Session').find('s1'), undefined);
      assert.strictEqual(await adapter('Session').findByUid('u1'), undefined);
      assert.strictEqual(await adapter('DeviceCode').findByUserCode('ABCD-EFGH'), undefined);
      assert.strictEqual(await adapter('AccessToken').find('a1'), undefined);
    });

    it('treats an expiresIn of zero or less as already expired', async () => {
      const { adapter } = await adapters();
      const sessions = adapter('Session');
      await sessions.upsert('s1', { uid: 'u1' }, 60);
      await sessions.upsert('s1', { uid: 'u1' }, 0);
      assert.strictEqual(await sessions.find('s1'), undefined);
      assert.strictEqual(await sessions.findByUid('u1'), undefined);
      await sessions.upsert('s2', { uid: 'u2' }, -5);
      assert.strictEqual(await sessions.find('s2'), undefined);
    });

    it('finds a session by its uid, and never by a uid it no longer has', async () => {
      const { adapter } = await adapters();
      const sessions = adapter('Session');
      await sessions.upsert('s1', { uid: 'u1', accountId: 'acc' }, 60);
      assert.deepEqual(await sessions.findByUid('u1'), { uid: 'u1', accountId: 'acc' });
      await sessions.upsert('s1', { uid: 'u2', accountId: 'acc' }, 60);
      assert.strictEqual(await sessions.findByUid('u1'), undefined);
      assert.deepEqual(await sessions.findByUid('u2'), { uid: 'u2', accountId: 'acc' });
    });

    it('finds a device code by its user code', async () => {
      const { adapter } = await adapters();
      const deviceCodes = adapter('DeviceCode');
      await deviceCodes.upsert('d1', { userCode: 'ABCD-EFGH', clientId: 'app' }, 60);
      assert.deepEqual(await deviceCodes.findByUserCode('ABCD-EFGH'), { userCode: 'ABCD-EFGH', clientId: 'app' });
      assert.strictEqual(await deviceCodes.findByUserCode('WXYZ-WXYZ'), undefined);
    });

    it('consume marks the record once: the first time stays, even across re-saves, and a code consumed again is refused', async () => {
      const clock = { now: Date.UTC(2030, 0, 1) };
      const { adapter } = await adapters(() => clock.now);
      const codes = adapter('AuthorizationCode');
      await codes.upsert('c1', { grantId: 'g1' }, 60);
      await codes.consume('c1');
      const firstTime = clock.now / 1000;
      assert.deepEqual(await codes.find('c1'), { grantId: 'g1', consumed: firstTime });
      clock.now += 30_000;
      await assert.rejects(codes.consume('c1'), invalidGrant);
      await codes.upsert('c1', { grantId: 'g1', scope: 'openid' }, 60);
      assert.deepEqual(await codes.find('c1'), { grantId: 'g1', scope: 'openid', consumed: firstTime });
    });

    it('of 20 requests that read a code unconsumed and consume it at once, one goes on and the others are refused', async () => {
      const { adapter } = await adapters();
      for (const model of ['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest']) {
        const codes = adapter(model);
        await codes.upsert('c1', { grantId: 'g1' }, 60);
        const read = await Promise.all(Array.from({ length: 20 }, () => codes.find('c1')));
        assert.ok(read.every((payload) => payload?.consumed === undefined), `${model}: every request reads it unconsumed`);
        const outcomes = await Promise.allSettled(read.map(() => codes.consume('c1')));
        assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, `${model}: one consume goes on`);
        for (const outcome of outcomes) if (outcome.status === 'rejected') assert.ok(invalidGrant(outcome.reason), model);
      }
    });

    it('consume is atomic: of 20 concurrent consumes the first one’s time stays', async () => {
      const times: number[] = [];
      const { adapter } = await adapters(() => {
        times.push(Date.UTC(2030, 0, 1) + times.length * 1_000);
        return times.at(-1)!;
      });
      const tokens = adapter('RefreshToken');
      await tokens.upsert('r1', { grantId: 'g1' }, 60);
      await Promise.all(Array.from({ length: 20 }, () => tokens.consume('r1')));
      assert.equal(times.length, 20);
      assert.deepEqual(await tokens.find('r1'), { grantId: 'g1', consumed: times[0]! / 1000 });
    });

    it('reads a refresh token as unconsumed for 10 s after its first use, counted from that use, and as consumed after', async () => {
      const clock = { now: Date.UTC(2030, 0, 1) };
      const { adapter } = await adapters(() => clock.now);
      const tokens = adapter('RefreshToken');
      const codes = adapter('AuthorizationCode');
      await tokens.upsert('r1', { grantId: 'g1' }, 600);
      await codes.upsert('c1', { grantId: 'g1' }, 600);
      const firstUse = clock.now;
      await Promise.all([tokens.consume('r1'), codes.consume('c1')]);
      assert.deepEqual(await tokens.find('r1'), { grantId: 'g1' }, 'in the grace, a second use rotates it too');
      assert.deepEqual(await codes.find('c1'), { grantId: 'g1', consumed: firstUse / 1000 }, 'an authorization code has no grace');
      clock.now += 9_999;
      await tokens.consume('r1');
      assert.deepEqual(await tokens.find('r1'), { grantId: 'g1' }, 'a use within the grace does not extend it');
      clock.now = firstUse + 10_000;
      assert.deepEqual(await tokens.find('r1'), { grantId: 'g1', consumed: firstUse / 1000 });
    });

    it('consume of a missing record creates nothing, and refuses a missing code', async () => {
      const { adapter } = await adapters();
      const codes = adapter('AuthorizationCode');
      await assert.rejects(codes.consume('missing'), invalidGrant);
      await adapter('RefreshToken').consume('missing');
      assert.strictEqual(await adapter('RefreshToken').find('missing'), undefined);
      assert.strictEqual(await codes.find('missing'), undefined);
      await codes.upsert('missing', { grantId: 'g1' }, 60);
      assert.deepEqual(await codes.find('missing'), { grantId: 'g1' }, 'a later record starts unconsumed');
    });

    it('destroy removes the record with its lookups, but not a lookup a newer record took over', async () => {
      const { adapter } = await adapters();
      const sessions = adapter('Session');
      const deviceCodes = adapter('DeviceCode');
      await sessions.upsert('s1', { uid: 'u1' }, 60);
      await deviceCodes.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
      await deviceCodes.consume('d1');
      await sessions.destroy('s1');
      await deviceCodes.destroy('d1');
      await sessions.destroy('never-existed');
      assert.strictEqual(await sessions.find('s1'), undefined);
      assert.strictEqual(await sessions.findByUid('u1'), undefined);
      assert.strictEqual(await deviceCodes.findByUserCode('ABCD-EFGH'), undefined);
      await deviceCodes.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
      assert.deepEqual(await deviceCodes.find('d1'), { userCode: 'ABCD-EFGH' }, 'the consumed mark went too');

      await sessions.upsert('old', { uid: 'shared' }, 60);
      await sessions.upsert('new', { uid: 'shared' }, 60);
      await sessions.destroy('old');
      assert.deepEqual(await sessions.findByUid('shared'), { uid: 'shared' });
    });

    it('revokeByGrantId removes every token of the grant, of every model, and nothing else', async () => {
      const { adapter } = await adapters();
      await adapter('AccessToken').upsert('a1', { grantId: 'g1' }, 60);
      await adapter('RefreshToken').upsert('r1', { grantId: 'g1' }, 600);
      await adapter('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
      await adapter('DeviceCode').upsert('d1', { grantId: 'g1', userCode: 'ABCD-EFGH' }, 60);
      await adapter('AccessToken').upsert('a2', { grantId: 'g2' }, 60);
      await adapter('Grant').upsert('g1', { accountId: 'acc' }, 600);

      await adapter('AccessToken').revokeByGrantId('g1');

      for (const [model, id] of [['AccessToken', 'a1'], ['RefreshToken', 'r1'], ['AuthorizationCode', 'c1'], ['DeviceCode', 'd1']] as const) {
        assert.strictEqual(await adapter(model).find(id), undefined, `${model} ${id} is revoked`);
      }
      assert.strictEqual(await adapter('DeviceCode').findByUserCode('ABCD-EFGH'), undefined);
      assert.deepEqual(await adapter('AccessToken').find('a2'), { grantId: 'g2' });
      assert.deepEqual(await adapter('Grant').find('g1'), { accountId: 'acc' }, 'oidc-provider destroys the grant itself');
      await adapter('RefreshToken').revokeByGrantId('g1');
    });

    it('revokeAccountAccess ends the account’s sessions and revokes its grants with their tokens', async () => {
      const { store, adapter } = await adapters();
      const sessions = adapter('Session');
      await sessions.upsert('s1', { uid: 'u1' }, 60);
      await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
      await sessions.upsert('s2', { uid: 'u2', accountId: 'alice' }, 60);
      await adapter('Grant').upsert('g1', { accountId: 'alice', clientId: 'app' }, 600);
      await adapter('RefreshToken').upsert('r1', { grantId: 'g1', accountId: 'alice' }, 600);
      await adapter('AccessToken').upsert('a1', { grantId: 'g1', accountId: 'alice' }, 60);
      await sessions.upsert('s3', { uid: 'u3', accountId: 'bob' }, 60);
      await adapter('Grant').upsert('g2', { accountId: 'bob', clientId: 'app' }, 600);
      await adapter('RefreshToken').upsert('r2', { grantId: 'g2', accountId: 'bob' }, 600);
      await sessions.destroy('s2');

      assert.deepEqual(await revokeAccountAccess(store, 'alice'), { sessions: [{ uid: 'u1', accountId: 'alice' }], grants: 1 }, 'the ended sessions as they were stored');

      assert.strictEqual(await sessions.find('s1'), undefined);
      assert.strictEqual(await sessions.findByUid('u1'), undefined);
      assert.strictEqual(await adapter('Grant').find('g1'), undefined);
      assert.strictEqual(await adapter('RefreshToken').find('r1'), undefined);
      assert.strictEqual(await adapter('AccessToken').find('a1'), undefined);
      assert.deepEqual(await sessions.findByUid('u3'), { uid: 'u3', accountId: 'bob' });
      assert.deepEqual(await adapter('Grant').find('g2'), { accountId: 'bob', clientId: 'app' });
      assert.deepEqual(await adapter('RefreshToken').find('r2'), { grantId: 'g2', accountId: 'bob' });
      assert.deepEqual(await revokeAccountAccess(store, 'alice'), { sessions: [], grants: 0 });
    });

    describe('with oidc-provider’s own models', () => {
      let store: Store;
      let provider: ProviderModels;
      const clock = { offsetMs: 0 };
      before(async () => {
        store = await variant.create();
        provider = await createProvider(store, () => Date.now() + clock.offsetMs);
      });

      it('saves, finds, consumes and revokes real sessions, grants and tokens', async () => {
        const client = await provider.Client.find('app');
        assert.ok(client);
        const grant = new provider.Grant({ accountId: 'alice', clientId: 'app' });
        grant.addOIDCScope('openid offline_access');
        const grantId = await grant.save();
        const tokenFields = { accountId: 'alice', client, grantId, scope: 'openid offline_access', gty: 'authorization_code' };
        const refreshToken = await new provider.RefreshToken(tokenFields).save();
        const accessToken = await new provider.AccessToken(tokenFields).save();
        const session = new provider.Session({ jti: 'session-1', accountId: 'alice', loginTs: Math.floor(Date.now() / 1000) });
        await session.save(3600);

        const found = await provider.RefreshToken.find(refreshToken);
        assert.ok(found && found.consumed === undefined);
        await found.consume();
        assert.equal((await provider.RefreshToken.find(refreshToken))?.consumed, undefined, 'within the refresh grace');
        clock.offsetMs += 10_000;
        assert.ok(typeof (await provider.RefreshToken.find(refreshToken))?.consumed === 'number');
        assert.ok(await provider.AccessToken.find(accessToken));
        assert.equal((await provider.Session.findByUid(session.uid))?.uid, session.uid);

        const revoked = await revokeAccountAccess(store, 'alice');
        assert.deepEqual([revoked.sessions.map((ended) => ended.uid), revoked.grants], [[session.uid], 1]);
        assert.strictEqual(await provider.RefreshToken.find(refreshToken), undefined);
        assert.strictEqual(await provider.AccessToken.find(accessToken), undefined);
        assert.strictEqual(await provider.Grant.find(grantId), undefined);
        assert.strictEqual(await provider.Session.findByUid(session.uid), undefined);
      });
    });
  });
}
