import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { amrOf, FlowStore, requirements, withProof } from '../../interactions/flow.ts';
import type { AccountWithFactors } from '../../src/accounts/account.ts';
import { storeVariants } from '../helpers/stores.ts';

const account: AccountWithFactors = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'flow@example.com',
  name: null,
  status: 'active',
  invitedAt: new Date(0),
  activatedAt: new Date(0),
  deactivatedAt: null,
  deactivationReason: null,
  passwordHash: '$2b$04$hash',
  passwordChangedAt: new Date(1000),
  createdAt: new Date(0),
  updatedAt: new Date(0),
  factors: [
    { id: 'f1', accountId: '11111111-1111-4111-8111-111111111111', kind: 'authenticator-app', name: 'Phone', secret: 'sealed', credentialId: null, data: null, createdAt: new Date(0), lastUsedAt: null },
  ],
};

describe('amrOf', () => {
  it('lists what was proven, RFC 8176, and always mfa', () => {
    assert.deepEqual(amrOf({ password: 1, otp: 2 }), ['pwd', 'otp', 'mfa']);
    assert.deepEqual(amrOf({ passkey: 1 }), ['hwk', 'user', 'mfa']);
    assert.deepEqual(amrOf({ password: 1, passkey: 2 }), ['pwd', 'hwk', 'user', 'mfa']);
  });
});

describe('requirements', () => {
  const facts = { hasSecondFactor: true, passwordChangedAt: 1000 };
  const flow = new FlowStore(undefined as never, 60).begin('uid', account, 'sealed-hash');
  it('finishes only with a password and a second factor, or a passkey', () => {
    assert.equal(requirements.finish(flow, facts), false);
    assert.equal(requirements.finish(withProof(flow, 'password', 1), facts), false);
    assert.equal(requirements.finish(withProof(withProof(flow, 'password', 1), 'otp', 2), facts), true);
    assert.equal(requirements.finish(withProof(flow, 'passkey', 1), facts), true);
    assert.equal(requirements.finish(withProof(flow, 'otp', 1), facts), false, 'a code alone is not enough');
  });
  it("refuses a sign-in's password proof once the password changed", () => {
    const proven = withProof(withProof(flow, 'password', 1), 'otp', 2);
    assert.equal(requirements.finish(proven, { ...facts, passwordChangedAt: 2000 }), false);
  });
});

for (const variant of storeVariants()) {
  describe(`flow state in the store (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());

    it('reads back what it saved, and treats a record that does not parse as absent', async () => {
      const store = await variant.create();
      const flows = new FlowStore(store, 60);
      const flow = withProof(flows.begin('u1', account, 'sealed-hash'), 'password', 5);
      await flows.save(flow);
      assert.deepEqual(await flows.load('u1'), flow);
      assert.equal(flow.hasSecondFactor, true);

      const { version: _version, ...unversioned } = flow;
      for (const [uid, raw] of [
        ['v1', JSON.stringify({ ...unversioned, hasTotp: true })],
        ['other-version', JSON.stringify({ ...flow, version: 3 })],
        ['bad-proof', JSON.stringify({ ...flow, proofs: { password: 'yes' } })],
        ['bad-purpose', JSON.stringify({ ...flow, purpose: 'admin' })],
        ['not-json', '{"uid":'],
      ] as const) {
        await store.set(`flow:${uid}`, raw, 60);
        assert.equal(await flows.load(uid), undefined, uid);
      }
    });
  });
}
