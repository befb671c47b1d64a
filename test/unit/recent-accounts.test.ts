import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account } from '../../src/accounts/account.ts';
import { RecentAccounts } from '../../src/accounts/recent-accounts.ts';

const account = (id: string): Account => ({
  id,
  email: `${id}@example.com`,
  name: null,
  status: 'active',
  invitedAt: new Date(0),
  activatedAt: new Date(0),
  deactivatedAt: null,
  deactivationReason: null,
  locale: null,
  passwordHash: null,
  passwordChangedAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('recent accounts', () => {
  it('serves a remembered account until its time is up, by the injected clock', () => {
    let now = 1_000_000;
    const recent = new RecentAccounts({ ttlMs: 10_000, maxEntries: 10, now: () => now });
    assert.equal(recent.recall('a'), undefined);
    recent.remember(account('a'));
    now += 9_999;
    assert.equal(recent.recall('a')?.email, 'a@example.com');
    now += 2;
    assert.equal(recent.recall('a'), undefined, 'no older than its time to live');
  });

  it('keeps at most maxEntries, forgetting the least recently used', () => {
    const recent = new RecentAccounts({ ttlMs: 10_000, maxEntries: 2, now: () => 0 });
    recent.remember(account('a'));
    recent.remember(account('b'));
    recent.recall('a');
    recent.remember(account('c'));
    assert.equal(recent.recall('b'), undefined);
    assert.ok(recent.recall('a'));
    assert.ok(recent.recall('c'));
  });
});
