import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { csrfTokenFor, verifyCsrfToken } from '../../src/security/csrf.ts';

const key = randomBytes(32);

describe('CSRF tokens', () => {
  it('accepts the token of the same interaction', () => {
    const token = csrfTokenFor(key, 'uid-1');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(csrfTokenFor(key, 'uid-1'), token);
    assert.equal(verifyCsrfToken(key, 'uid-1', token), true);
  });

  it("refuses another interaction's token and another key's", () => {
    assert.equal(verifyCsrfToken(key, 'uid-2', csrfTokenFor(key, 'uid-1')), false);
    assert.equal(verifyCsrfToken(key, 'uid-1', csrfTokenFor(randomBytes(32), 'uid-1')), false);
  });

  it('refuses anything that is not exactly the token', () => {
    const token = csrfTokenFor(key, 'uid-1');
    for (const bad of [undefined, null, 42, [token], { token }, '', token.slice(1), `${token}x`, token.toUpperCase()]) {
      assert.equal(verifyCsrfToken(key, 'uid-1', bad), false, JSON.stringify(bad));
    }
  });
});
