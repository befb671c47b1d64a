import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { promoteStagedKey, rotateSigningKey, type PrivateJwk } from '../../src/secrets.ts';

describe('signing key rotation', () => {
  let dir: string;
  let config: Config;
  const keysOnFile = async () => (JSON.parse(await readFile(path.join(dir, 'jwks.json'), 'utf8')) as { keys: PrivateJwk[] }).keys;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sso-keys-'));
    config = loadConfig({ SSO_JWKS_FILE: path.join(dir, 'jwks.json'), SSO_DATA_DIR: dir });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to stage into a set with no key to keep signing, and to promote with nothing staged', async () => {
    await assert.rejects(rotateSigningKey(config, { stage: true }), ConfigError);
    const first = await rotateSigningKey(config);
    await assert.rejects(promoteStagedKey(config), /has no staged key/);
    assert.deepEqual((await keysOnFile()).map((key) => key.kid), [first.kid]);
  });

  it('stages a verify-only key at the end, then promotes it to the front as a signing key', async () => {
    const [current] = await keysOnFile();
    const staged = await rotateSigningKey(config, { stage: true });
    const afterStage = await keysOnFile();
    assert.deepEqual(afterStage.map((key) => key.kid), [current!.kid, staged.kid]);
    assert.deepEqual(afterStage[1]!.key_ops, ['verify']);
    assert.ok(afterStage[1]!.d, 'a private key, ready to sign once promoted');

    const promoted = await promoteStagedKey(config);
    assert.equal(promoted.kid, staged.kid);
    const afterPromote = await keysOnFile();
    assert.deepEqual(afterPromote.map((key) => key.kid), [staged.kid, current!.kid]);
    assert.equal(afterPromote[0]!.key_ops, undefined);
    await assert.rejects(promoteStagedKey(config), /has no staged key/, 'a second promotion finds nothing left to promote');
  });
});
