import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import Cookies from 'cookies';
import { CookieSigner } from '../../src/security/cookie-signer.ts';

// Koa's default signer, which signed every cookie the server set before CookieSigner: its cookies must stay valid.
const Keygrip = createRequire(import.meta.url)('keygrip') as (keys: readonly string[]) => { sign(data: string): string };

const current = randomBytes(32).toString('base64url');
const older = randomBytes(32).toString('base64url');

describe('cookie signer', { timeout: 10_000 }, () => {
  it("signs as Koa's Keygrip does, so the cookies it signed stay valid", () => {
    const keygrip = Keygrip([current, older]);
    const signer = new CookieSigner([current, older]);
    for (const data of ['_interaction=abc', '_session=Zx9_-', 'sso_app=https://app.example.com/ünï', '']) {
      assert.equal(signer.sign(data), keygrip.sign(data));
      assert.equal(signer.index(data, keygrip.sign(data)), 0);
    }
  });

  it('accepts a cookie signed with an older key while that key is listed, and says which', () => {
    const signature = new CookieSigner([older]).sign('_session=s1');
    assert.equal(new CookieSigner([current, older]).index('_session=s1', signature), 1);
    assert.equal(new CookieSigner([current, older]).verify('_session=s1', signature), true);
    assert.equal(new CookieSigner([current]).index('_session=s1', signature), -1);
  });

  it('refuses anything that is not exactly the signature of this name and value', () => {
    const signer = new CookieSigner([current]);
    const signature = signer.sign('_interaction=abc');
    assert.equal(signer.index('_interaction=abd', signature), -1);
    assert.equal(signer.index('_session=abc', signature), -1);
    for (const bad of ['', signature.slice(1), `${signature}x`, signature.toUpperCase(), undefined as unknown as string, 42 as unknown as string]) {
      assert.equal(signer.index('_interaction=abc', bad), -1, String(bad));
      assert.equal(signer.verify('_interaction=abc', bad), false, String(bad));
    }
  });

  it('is what the cookies library signs and checks with: a tampered value reads as no cookie', () => {
    const signer = new CookieSigner([current]);
    const header = (value: string, signature: string) => `_interaction=${value}; _interaction.sig=${signature}`;
    const read = (cookie: string) => {
      const request = { headers: { cookie }, connection: {} } as never;
      const response = { getHeader: () => undefined, setHeader: () => undefined } as never;
      return new Cookies(request, response, { keys: signer as never }).get('_interaction', { signed: true });
    };
    assert.equal(read(header('abc', signer.sign('_interaction=abc'))), 'abc');
    assert.equal(read(header('abd', signer.sign('_interaction=abc'))), undefined);
    assert.equal(read(header('abc', new CookieSigner([older]).sign('_interaction=abc'))), undefined);
  });

  it('needs a key', () => {
    assert.throws(() => new CookieSigner([]), RangeError);
  });
});
