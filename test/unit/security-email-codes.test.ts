import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { rules } from '../../src/config.ts';
import { EmailCodes, type IssueResult } from '../../src/security/email-codes.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { storeVariants } from '../helpers/stores.ts';

const TTL = 300;
const secretKey = randomBytes(32);

function issued(result: IssueResult): Extract<IssueResult, { ok: true }> {
  assert.equal(result.ok, true, `issue was refused: ${JSON.stringify(result)}`);
  return result as Extract<IssueResult, { ok: true }>;
}

function refused(result: IssueResult): Extract<IssueResult, { ok: false }> {
  assert.equal(result.ok, false, 'issue should have been refused');
  return result as Extract<IssueResult, { ok: false }>;
}

/** A code other than `code`, so a "wrong" try is wrong for certain. */
function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

for (const variant of storeVariants()) {
  describe(`EmailCodes (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());
    const codesOn = (store: Store) => new EmailCodes({ store, secretKey, ttlSeconds: TTL });

    it('issues six digits that verify once', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      assert.match(code, /^[0-9]{6}$/);
      assert.equal(await codes.verify('acct', code), 'ok');
      assert.equal(await codes.verify('acct', code), 'expired');
    });

    it('stores only a keyed MAC of the code', async () => {
      const store = await variant.create();
      const { code } = issued(await codesOn(store).issue('acct'));
      const stored = await store.get('email-code:acct');
      assert.ok(stored !== undefined, 'a code is stored');
      assert.ok(!stored.includes(code), 'the stored value holds no code');
      assert.match(stored, /^[A-Za-z0-9_-]+\.[0-9a-f]{64}\.[0-9a-z]+$/);
      // Under another key the same store cannot confirm the code.
      const otherKey = new EmailCodes({ store, secretKey: randomBytes(32), ttlSeconds: TTL });
      assert.equal(await otherKey.verify('acct', code), 'wrong');
    });

    it('accepts the code typed with spaces or a hyphen', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      assert.equal(await codes.verify('acct', `${code.slice(0, 3)} - ${code.slice(3)}`), 'ok');
    });

    it('answers expired when no code was issued', async () => {
      const codes = codesOn(await variant.create());
      assert.equal(await codes.verify('acct', '123456'), 'expired');
    });

    it('kills the code with the last allowed wrong try', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      for (let i = 1; i < rules.emailCodeMaxTries; i++) {
        assert.equal(await codes.verify('acct', otherThan(code)), 'wrong');
      }
      assert.equal(await codes.verify('acct', 'not a code'), 'dead');
      assert.equal(await codes.verify('acct', code), 'dead');
    });

    it('still accepts the code after fewer wrong tries than allowed', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      for (let i = 1; i < rules.emailCodeMaxTries; i++) {
        assert.equal(await codes.verify('acct', otherThan(code)), 'wrong');
      }
      assert.equal(await codes.verify('acct', code), 'ok');
    });

    it('keeps accounts apart', async () => {
      const codes = codesOn(await variant.create());
      const a = issued(await codes.issue('a'));
      const b = issued(await codes.issue('b'));
      if (a.code !== b.code) assert.equal(await codes.verify('a', b.code), 'wrong');
      assert.equal(await codes.verify('b', b.code), 'ok');
      assert.equal(await codes.verify('a', a.code), 'ok');
    });

    it('refuses a second send within the resend pause and keeps the live code', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      const { reason, retryAfterSeconds: wait } = refused(await codes.issue('acct'));
      assert.equal(reason, 'too-soon');
      assert.ok(wait > rules.emailCodeResendSeconds - 3 && wait <= rules.emailCodeResendSeconds, `waits ${wait} s`);
      assert.equal(await codes.verify('acct', code), 'ok');
    });

    it('lets exactly one of many concurrent correct submissions through', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      const results = await Promise.all(Array.from({ length: 10 }, () => codes.verify('acct', code)));
      assert.equal(results.filter((r) => r === 'ok').length, 1);
      // The losers either found the code taken or, past the allowed tries, were not compared at all.
      assert.deepEqual(
        results.filter((r) => r !== 'ok' && r !== 'expired' && r !== 'dead'),
        [],
      );
    });

    it('counts concurrent wrong tries exactly', async () => {
      const codes = codesOn(await variant.create());
      const { code } = issued(await codes.issue('acct'));
      const results = await Promise.all(Array.from({ length: 20 }, () => codes.verify('acct', otherThan(code))));
      assert.equal(results.filter((r) => r === 'wrong').length, rules.emailCodeMaxTries - 1);
      assert.equal(results.filter((r) => r === 'dead').length, 20 - (rules.emailCodeMaxTries - 1));
      assert.equal(await codes.verify('acct', code), 'dead');
    });

    it('issues at most one code to concurrent requests', async () => {
      const codes = codesOn(await variant.create());
      const results = await Promise.all(Array.from({ length: 10 }, () => codes.issue('acct')));
      assert.equal(results.filter((r) => r.ok).length, 1);
    });

    it('release() undoes a send that failed', async () => {
      const codes = codesOn(await variant.create());
      const first = issued(await codes.issue('acct'));
      await first.release();
      assert.equal(await codes.verify('acct', first.code), 'expired');
      // Neither the resend pause nor the hourly budget was spent.
      for (let i = 0; i < rules.emailCodeSendsPerHour + 1; i++) {
        await issued(await codes.issue('acct')).release();
      }
      const kept = issued(await codes.issue('acct'));
      assert.equal(await codes.verify('acct', kept.code), 'ok');
    });
  });
}

describe('EmailCodes over time (memory store, injected clock)', () => {
  function setup() {
    const clock = { now: 1_750_000_000_000 };
    const now = () => clock.now;
    const store = createMemoryStore({ now });
    after(() => store.close());
    const codes = new EmailCodes({ store, secretKey, ttlSeconds: TTL, now });
    const advance = (seconds: number) => {
      clock.now += seconds * 1000;
    };
    return { codes, advance };
  }

  it('expires a code after its TTL', async () => {
    const { codes, advance } = setup();
    const { code } = issued(await codes.issue('acct'));
    advance(TTL - 1);
    const early = issued(await codes.issue('other'));
    assert.equal(await codes.verify('other', early.code), 'ok');
    advance(1);
    assert.equal(await codes.verify('acct', code), 'expired');
  });

  it('lets a new code replace the old one, with fresh tries', async () => {
    const { codes, advance } = setup();
    const old = issued(await codes.issue('acct'));
    for (let i = 0; i < rules.emailCodeMaxTries; i++) await codes.verify('acct', otherThan(old.code));
    assert.equal(await codes.verify('acct', old.code), 'dead');
    let fresh: string;
    do {
      advance(rules.emailCodeResendSeconds);
      fresh = issued(await codes.issue('acct')).code;
    } while (fresh === old.code);
    assert.equal(await codes.verify('acct', old.code), 'wrong');
    assert.equal(await codes.verify('acct', fresh), 'ok');
  });

  it('allows a send again once the resend pause is over', async () => {
    const { codes, advance } = setup();
    issued(await codes.issue('acct'));
    advance(rules.emailCodeResendSeconds - 1);
    assert.equal(refused(await codes.issue('acct')).reason, 'too-soon');
    advance(1);
    issued(await codes.issue('acct'));
  });

  it('allows at most emailCodeSendsPerHour sends in any sliding hour', async () => {
    const { codes, advance } = setup();
    // Sends spaced wider than the resend pause, so the hourly limit is what refuses.
    const spacing = 2 * rules.emailCodeResendSeconds;
    for (let i = 0; i < rules.emailCodeSendsPerHour; i++) {
      issued(await codes.issue('acct'));
      advance(spacing);
    }
    const sinceFirst = rules.emailCodeSendsPerHour * spacing;
    assert.deepEqual(await codes.issue('acct'), {
      ok: false,
      reason: 'hourly-limit',
      retryAfterSeconds: 3600 - sinceFirst,
    });
    // A refusal sends nothing, so it starts no resend pause: the first send's hour ends on time.
    advance(3600 - sinceFirst - 1);
    assert.equal(refused(await codes.issue('acct')).reason, 'hourly-limit');
    advance(1);
    issued(await codes.issue('acct'));
    // The second send's hour ends one spacing after the first's.
    advance(rules.emailCodeResendSeconds);
    assert.deepEqual(await codes.issue('acct'), {
      ok: false,
      reason: 'hourly-limit',
      retryAfterSeconds: spacing - rules.emailCodeResendSeconds,
    });
  });

  it('release() puts back the replaced code with its tries and remaining life', async () => {
    const { codes, advance } = setup();
    const old = issued(await codes.issue('acct'));
    for (let i = 1; i < rules.emailCodeMaxTries - 1; i++) {
      assert.equal(await codes.verify('acct', otherThan(old.code)), 'wrong');
    }
    advance(100);
    const failed = issued(await codes.issue('acct'));
    await failed.release();
    // One wrong try is left on the old code, which dies after its own TTL, not a new one.
    assert.equal(await codes.verify('acct', otherThan(old.code)), 'wrong');
    assert.equal(await codes.verify('acct', old.code), 'ok');

    const second = issued(await codes.issue('acct'));
    advance(100);
    const failedAgain = issued(await codes.issue('acct'));
    await failedAgain.release();
    advance(TTL - 100);
    assert.equal(await codes.verify('acct', second.code), 'expired');
  });

  it('release() never overwrites a code issued after it', async () => {
    const { codes, advance } = setup();
    const old = issued(await codes.issue('acct'));
    advance(rules.emailCodeResendSeconds);
    const failed = issued(await codes.issue('acct'));
    advance(rules.emailCodeResendSeconds);
    const newest = issued(await codes.issue('acct'));
    await failed.release();
    if (old.code !== newest.code) assert.equal(await codes.verify('acct', old.code), 'wrong');
    assert.equal(await codes.verify('acct', newest.code), 'ok');
  });
});
