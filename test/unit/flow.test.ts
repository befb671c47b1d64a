import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { amrOf, FlowStore, requirements, withProof, withSecondFactor } from '../../interactions/flow.ts';
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
  locale: null,
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
  const facts = { hasSecondFactor: true, hasPasskey: false, passwordChangedAt: 1000 };
  const flow = new FlowStore(undefined as never, 60).begin('uid', account, 'sealed-hash');
  it('finishes only with a password and a second factor, or a passkey', () => {
    assert.equal(requirements.finish(flow, facts), false);
    assert.equal(requirements.finish(withProof(flow, 'password', 1), facts), false);
    assert.equal(requirements.finish(withProof(withProof(flow, 'password', 1), 'otp', 2), facts), true);
    assert.equal(requirements.finish(withProof(flow, 'passkey', 1), facts), true);
    assert.equal(requirements.finish(withProof(flow, 'otp', 1), facts), false, 'a code alone is not enough');
  });
  it('opens the recovery codes page only with the first app proven and its codes waiting', () => {
    const enrolled = { ...withSecondFactor(withProof(flow, 'password', 1), 'authenticator-app', 2), pendingRecoveryCodes: 'sealed-codes' };
    assert.equal(requirements.recoveryCodes(enrolled, facts), true);
    assert.equal(requirements.recoveryCodes({ ...enrolled, pendingRecoveryCodes: undefined }, facts), false, 'no codes waiting');
    assert.equal(requirements.recoveryCodes({ ...enrolled, proofs: { password: 1 } }, facts), false, 'no app proven');
    assert.equal(requirements.recoveryCodes(enrolled, { ...facts, hasSecondFactor: false }), false, 'the app was removed since');
  });
  it('offers a passkey at sign-in and in a confirmed reset, to an account that has one', () => {
    const withPasskey = { ...facts, hasPasskey: true };
    assert.equal(requirements.passkey(flow, withPasskey), true);
    assert.equal(requirements.passkey(flow, facts), false);
    assert.equal(requirements.passkey({ ...flow, purpose: 'reset' }, withPasskey), false, 'a reset not confirmed');
    assert.equal(requirements.passkey({ ...flow, purpose: 'reset', resetConfirmed: true }, withPasskey), true);
    assert.equal(requirements.passkey({ ...flow, purpose: 'activation' }, withPasskey), false);
  });
  it('records which kind of factor proved the second factor', () => {
    assert.deepEqual(withSecondFactor(flow, 'recovery-codes', 3).proofs, { otp: 3 });
    assert.equal(withSecondFactor(flow, 'recovery-codes', 3).secondFactor, 'recovery-codes');
    assert.deepEqual(withSecondFactor(flow, 'passkey', 4).proofs, { passkey: 4 });
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
