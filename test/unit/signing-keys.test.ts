import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { generateSigningKey, loadSecrets, promoteStagedKey, rotateSigningKey, signingAlgorithms, type PrivateJwk } from '../../src/secrets.ts';

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
    const keys = await keysOnFile();
    assert.deepEqual(keys.map((key) => key.kid), first.kids);
    assert.deepEqual(keys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA'], 'a new key for each algorithm');
    assert.deepEqual(signingAlgorithms({ keys }), ['RS256', 'ES256', 'EdDSA']);
  });

  it('stages verify-only keys at the end, then promotes them to the front as signing keys', async () => {
    const current = await keysOnFile();
    const staged = await rotateSigningKey(config, { stage: true });
    const afterStage = await keysOnFile();
    assert.deepEqual(afterStage.map((key) => key.kid), [...current.map((key) => key.kid), ...staged.kids]);
    for (const key of afterStage.slice(3)) {
      assert.deepEqual(key.key_ops, ['verify']);
      assert.ok(key.d, 'a private key, ready to sign once promoted');
    }

    const promoted = await promoteStagedKey(config);
    assert.deepEqual(promoted.kids, staged.kids);
    const afterPromote = await keysOnFile();
    assert.deepEqual(afterPromote.map((key) => key.kid), [...staged.kids, ...current.map((key) => key.kid)]);
    assert.ok(afterPromote.every((key) => key.key_ops === undefined));
    await assert.rejects(promoteStagedKey(config), /has no staged key/, 'a second promotion finds nothing left to promote');
  });

  it('counts a staged key as no signing key for its algorithm', () => {
    const rsa = generateSigningKey('RS256');
    const ec = { ...generateSigningKey('ES256'), key_ops: ['verify'] };
    assert.deepEqual(signingAlgorithms({ keys: [rsa, ec] }), ['RS256']);
  });

  it('adds a key for each missing algorithm to a generated key set from before, and leaves a configured one alone', async () => {
    const generatedDir = await mkdtemp(path.join(os.tmpdir(), 'sso-keys-generated-'));
    try {
      const old = generateSigningKey('RS256');
      await writeFile(path.join(generatedDir, 'jwks.json'), JSON.stringify({ keys: [old] }));
      const { jwks } = await loadSecrets(loadConfig({ SSO_DATA_DIR: generatedDir }));
      assert.deepEqual(jwks.keys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA']);
      assert.equal(jwks.keys[0]!.kid, old.kid, 'the key that signed until now still signs RS256');
      const onFile = JSON.parse(await readFile(path.join(generatedDir, 'jwks.json'), 'utf8')) as { keys: PrivateJwk[] };
      assert.deepEqual(onFile.keys.map((key) => key.kid), jwks.keys.map((key) => key.kid), 'written back, so every start signs with the same keys');

      const configured = path.join(generatedDir, 'configured.json');
      await writeFile(configured, JSON.stringify({ keys: [old] }));
      const operator = await loadSecrets(loadConfig({ SSO_DATA_DIR: generatedDir, SSO_JWKS_FILE: configured }));
      assert.deepEqual(operator.jwks.keys.map((key) => key.kid), [old.kid]);
    } finally {
      await rm(generatedDir, { recursive: true, force: true });
    }
  });
});
