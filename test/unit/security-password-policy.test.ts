import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dictionary } from '@zxcvbn-ts/language-common';
import { rules } from '../../src/config.ts';
import { checkPassword, PASSWORD_SYMBOLS } from '../../src/security/password-policy.ts';

const email = 'jane.doe@example.com';
const check = (password: string, confirmation = password, address = email) =>
  checkPassword(password, confirmation, address);

describe('checkPassword', () => {
  it('accepts a password that keeps every rule', () => {
    assert.deepEqual(check('Tr0ub4dor&3x'), []);
    assert.deepEqual(check('correct;Horse7'), []);
  });

  it('allows exactly the symbols CONTRACT.md section 7 lists', () => {
    // Transcribed from the contract independently of the implementation's constant.
    const contractSymbols = '@ # $ % ^ & * - _ ! + = [ ] { } | \\ : \' , . ? / ` ~ " ( ) ;'.split(' ');
    assert.equal(contractSymbols.length, 30);
    assert.deepEqual([...PASSWORD_SYMBOLS].sort(), [...contractSymbols].sort());
    for (const symbol of contractSymbols) {
      // Lowercase, digit and the symbol: the composition rule passes only if it counts as a symbol.
      assert.deepEqual(check(`kwvzqx7${symbol}`), [], `symbol ${symbol}`);
    }
  });

  it('refuses spaces and every character outside the allowed set', () => {
    for (const c of [' ', '\t', '<', '>', '§', '£', '€', 'é', 'ß', '\u00a0', '😀', '\0']) {
      assert.deepEqual(check(`Kwvzq7!${c}x`), ['invalid-characters'], JSON.stringify(c));
    }
  });

  it('needs 8 to 16 characters', () => {
    assert.deepEqual(check('Kw7!zq'), ['too-short']);
    assert.deepEqual(check('Kw7!zqx'.padEnd(rules.passwordMinLength - 1, 'x')), ['too-short']);
    assert.deepEqual(check('Kw7!zqx'.padEnd(rules.passwordMinLength, 'x')), []);
    assert.deepEqual(check('Kw7!zqx'.padEnd(rules.passwordMaxLength, 'x')), []);
    assert.deepEqual(check('Kw7!zqx'.padEnd(rules.passwordMaxLength + 1, 'x')), ['too-long']);
  });

  it('reports a missing password once, without the rules an empty string trivially breaks', () => {
    assert.deepEqual(check(''), ['required']);
  });

  it('refuses a dot immediately before @', () => {
    assert.deepEqual(check('Kwvz7.@qx'), ['dot-before-at']);
    assert.deepEqual(check('Kwvz7@.qx'), []);
  });

  it('needs at least three of lowercase, uppercase, digit and symbol', () => {
    assert.deepEqual(check('kwvzqxpl'), ['composition']);
    assert.deepEqual(check('kwvzqx12'), ['composition']);
    assert.deepEqual(check('KWVZ!#12'), []);
    assert.deepEqual(check('kwvz!#QX'), []);
    assert.deepEqual(check('kwvzQX12'), []);
  });

  it('refuses the most common passwords whatever their case', () => {
    // Each of these keeps every other rule, so only the list can refuse them.
    for (const password of ['Password1', 'PASSword1', 'Trustno1', 'P@ssw0rd', 'Qwerty123']) {
      assert.deepEqual(check(password), ['common'], password);
    }
  });

  it('uses only the first commonPasswordCount entries of the list', () => {
    const list = dictionary['passwords-common'];
    const top = new Set(list.slice(0, rules.commonPasswordCount));
    const rarer = list
      .slice(rules.commonPasswordCount)
      .find((p) => /^[a-z]{4,}[0-9]+$/.test(p) && p.length >= 8 && p.length <= 16 && !top.has(p));
    assert.ok(rarer !== undefined, 'the list has a rarer candidate');
    const password = rarer[0]!.toUpperCase() + rarer.slice(1);
    assert.deepEqual(check(password, password, 'someone.else@example.com'), []);
  });

  it("refuses a password containing the email's local part, in any case", () => {
    assert.deepEqual(check('xJANE.DOE7'), ['contains-email']);
    assert.deepEqual(check('Jane.Doe!1', 'Jane.Doe!1', '  Jane.Doe@Example.com '), ['contains-email']);
    assert.deepEqual(check('Kw7!Bobby', 'Kw7!Bobby', 'bob@example.com'), ['contains-email']);
  });

  it('ignores local parts shorter than three characters', () => {
    assert.deepEqual(check('Jo7!kwvzq', 'Jo7!kwvzq', 'jo@example.com'), []);
  });

  it('needs the confirmation to match', () => {
    assert.deepEqual(check('Tr0ub4dor&3x', 'Tr0ub4dor&3X'), ['mismatch']);
    assert.deepEqual(check('Tr0ub4dor&3x', ''), ['mismatch']);
  });

  it('reports every broken rule at once, in a stable order', () => {
    assert.deepEqual(check('ja.@ x', 'other'), [
      'too-short',
      'invalid-characters',
      'dot-before-at',
      'composition',
      'mismatch',
    ]);
    assert.deepEqual(check('password', 'password'), ['composition', 'common']);
  });

  it('answers a 10,000-character input quickly', () => {
    const huge = 'Aa1!'.repeat(2_500);
    const started = performance.now();
    const problems = check(huge, huge);
    const elapsed = performance.now() - started;
    assert.deepEqual(problems, ['too-long']);
    assert.ok(elapsed < 50, `took ${elapsed} ms`);
  });
});
