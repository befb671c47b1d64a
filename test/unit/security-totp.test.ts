import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ScureBase32Plugin } from 'otplib';
import { rules } from '../../src/config.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import {
  formatSecretForDisplay,
  generateTotpSecret,
  normaliseCode,
  TOTP_PARAMETERS,
  totpCodeAt,
  totpUri,
  TotpSecretError,
  verifyTotp,
} from '../../src/security/totp.ts';
import { storeVariants } from '../helpers/stores.ts';

const base32 = new ScureBase32Plugin();
const PERIOD_MS = TOTP_PARAMETERS.period * 1000;

describe('RFC 6238 test vectors (SHA-1)', () => {
  // Appendix B of RFC 6238 uses the 20-byte ASCII seed "12345678901234567890" for SHA-1 and lists
  // 8-digit codes. A 6-digit code is the same truncated value modulo 10^6, i.e. the last six
  // digits of the 8-digit code, which is what an authenticator app shows.
  const seed = base32.encode(new TextEncoder().encode('12345678901234567890'), { padding: false });
  const vectors: Array<[timeSeconds: number, eightDigits: string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  it('encodes the seed as the well-known base32 string', () => {
    assert.equal(seed, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  for (const [time, code] of vectors) {
    it(`at T=${time} the code is ${code.slice(2)}`, () => {
      assert.equal(totpCodeAt(seed, time * 1000), code.slice(2));
    });
  }
});

describe('TOTP secrets and URIs', () => {
  it('generates 160-bit base32 secrets', () => {
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32.decode(secret).length, 20);
    assert.notEqual(generateTotpSecret(), secret);
  });

  it('builds the otpauth URI exactly as the contract writes it', () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal(
      totpUri({ brand: 'Fluxys', email: 'jane.doe@example.com', secret }),
      `otpauth://totp/Fluxys:jane.doe%40example.com?secret=${secret}&issuer=Fluxys&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('encodes label parts and issuer so they survive any brand or address', () => {
    const brand = 'Acme & Co: EU/Test?';
    const email = 'o+neil#x@example.com';
    const uri = new URL(totpUri({ brand, email, secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(uri.pathname.split(':').length, 2);
    assert.equal(decodeURIComponent(uri.pathname.slice(1)), `${brand}:${email}`);
    assert.equal(uri.searchParams.get('issuer'), brand);
    assert.deepEqual([...uri.searchParams.keys()], ['secret', 'issuer', 'algorithm', 'digits', 'period']);
  });

  it('shows the secret in groups of four', () => {
    assert.equal(formatSecretForDisplay('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
    assert.equal(formatSecretForDisplay('ABCDEF'), 'ABCD EF');
  });
});

describe('normaliseCode', () => {
  it('keeps the six digits, ignoring spaces and hyphens', () => {
    for (const input of ['123456', '123 456', '123-456', ' 12 34 56 ', '1-2-3-4-5-6', '123\u2013456', '123\u00a0456']) {
      assert.equal(normaliseCode(input), '123456', JSON.stringify(input));
    }
    assert.equal(normaliseCode('000 001'), '000001');
  });

  it('refuses anything that is not six digits', () => {
    for (const input of ['', '12345', '1234567', '12a456', '123.456', '１２３４５６', '١٢٣٤٥٦', '+123456']) {
      assert.equal(normaliseCode(input), undefined, JSON.stringify(input));
    }
  });
});

/** A fixed point in time at the start of a time step, so step arithmetic in the tests is exact. */
const T0 = Math.floor(1_750_000_000_000 / PERIOD_MS) * PERIOD_MS;

for (const variant of storeVariants()) {
  describe(`verifyTotp (${variant.name})`, { skip: variant.skip }, () => {
    after(() => variant.cleanup());
    const secret = generateTotpSecret();

    async function verifyAt(store: Store, accountKey: string, code: string, at: number) {
      return verifyTotp({ store, accountKey, secret, code, now: () => at });
    }

    it('accepts the current code once, then never again', async () => {
      const store = await variant.create();
      const code = totpCodeAt(secret, T0);
      assert.equal(await verifyAt(store, 'a', code, T0 + 5_000), 'ok');
      assert.equal(await verifyAt(store, 'a', code, T0 + 6_000), 'replayed');
      // Still inside the window one step later: the step is remembered, not just the moment.
      assert.equal(await verifyAt(store, 'a', code, T0 + PERIOD_MS + 1_000), 'replayed');
    });

    it('accepts one step either side and no further', async () => {
      const store = await variant.create();
      const steps = rules.totpWindow;
      assert.equal(await verifyAt(store, 'prev', totpCodeAt(secret, T0 - steps * PERIOD_MS), T0), 'ok');
      assert.equal(await verifyAt(store, 'next', totpCodeAt(secret, T0 + steps * PERIOD_MS), T0), 'ok');
      const tooOld = totpCodeAt(secret, T0 - (steps + 1) * PERIOD_MS);
      const tooNew = totpCodeAt(secret, T0 + (steps + 1) * PERIOD_MS);
      const inWindow = [-steps, 0, steps].map((s) => totpCodeAt(secret, T0 + s * PERIOD_MS));
      if (!inWindow.includes(tooOld)) assert.equal(await verifyAt(store, 'old', tooOld, T0), 'invalid');
      if (!inWindow.includes(tooNew)) assert.equal(await verifyAt(store, 'new', tooNew, T0), 'invalid');
    });

    it('refuses wrong and malformed codes', async () => {
      const store = await variant.create();
      const code = totpCodeAt(secret, T0);
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      const window = [-1, 0, 1].map((s) => totpCodeAt(secret, T0 + s * PERIOD_MS));
      if (!window.includes(wrong)) assert.equal(await verifyAt(store, 'a', wrong, T0), 'invalid');
      for (const bad of ['', '12345', 'abcdef', `${code}0`]) {
        assert.equal(await verifyAt(store, 'a', bad, T0), 'invalid', bad);
      }
      assert.equal(await verifyAt(store, 'a', code, T0), 'ok');
    });

    it('accepts a code typed with spaces or a hyphen', async () => {
      const store = await variant.create();
      const code = totpCodeAt(secret, T0);
      assert.equal(await verifyAt(store, 'a', `${code.slice(0, 3)} ${code.slice(3)}`, T0), 'ok');
      assert.equal(await verifyAt(store, 'a', `${code.slice(0, 3)}-${code.slice(3)}`, T0), 'replayed');
    });

    it('remembers used steps per account', async () => {
      const store = await variant.create();
      const code = totpCodeAt(secret, T0);
      assert.equal(await verifyAt(store, 'a', code, T0), 'ok');
      assert.equal(await verifyAt(store, 'b', code, T0), 'ok');
    });

    it('refuses a code older than one already accepted', async () => {
      const store = await variant.create();
      const older = totpCodeAt(secret, T0 - PERIOD_MS);
      const current = totpCodeAt(secret, T0);
      if (older === current) return;
      assert.equal(await verifyAt(store, 'a', current, T0), 'ok');
      assert.equal(await verifyAt(store, 'a', older, T0), 'replayed');
    });

    it('lets exactly one of many concurrent submissions of a code through', async () => {
      const store = await variant.create();
      const code = totpCodeAt(secret, T0);
      const results = await Promise.all(Array.from({ length: 20 }, () => verifyAt(store, 'a', code, T0)));
      assert.equal(results.filter((r) => r === 'ok').length, 1);
      assert.equal(results.filter((r) => r === 'replayed').length, 19);
    });

    it('does not quote a malformed secret in its error', async () => {
      const store = await variant.create();
      const bad = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1';
      await assert.rejects(
        verifyTotp({ store, accountKey: 'a', secret: bad, code: '123456', now: () => T0 }),
        (error: unknown) => error instanceof TotpSecretError && !/GEZD|"1"/.test(error.message),
      );
      assert.throws(() => totpCodeAt(bad, T0), TotpSecretError);
    });
  });
}

describe('verifyTotp replay marks (memory store, injected clock)', () => {
  it('outlive the last moment their step is still acceptable', async () => {
    let now = T0;
    const store = createMemoryStore({ now: () => now });
    after(() => store.close());
    const secret = generateTotpSecret();
    const step = T0 + PERIOD_MS;
    const code = totpCodeAt(secret, step);
    // Accepted as the next step at the earliest moment, then tried at the last moment it is in the window.
    assert.equal(await verifyTotp({ store, accountKey: 'a', secret, code, now: () => now }), 'ok');
    now = step + (rules.totpWindow + 1) * PERIOD_MS - 1;
    assert.equal(await verifyTotp({ store, accountKey: 'a', secret, code, now: () => now }), 'replayed');
  });
});
