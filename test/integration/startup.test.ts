import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { loadSecrets } from '../../src/secrets.ts';
import { parseClients } from '../../src/clients.ts';
import { ConfigError } from '../../src/config.ts';

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

/** Starts the real server process and waits for it to give up (these configurations must not start). */
function startServer(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: '0', SSO_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the server started instead of refusing the configuration'));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.split('\n').filter((l) => l !== '' && !l.startsWith('oidc-provider WARNING')).join('\n') });
    });
  });
}

describe('start-up with a bad configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sso-startup-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => Promise<Record<string, string>>, RegExp]> = [
    ['an unparsable number', async () => ({ SSO_BCRYPT_COST: 'twelve' }), /^Invalid SSO_BCRYPT_COST="twelve"/],
    [
      'malformed JSON in clients.json',
      async () => {
        await writeFile(path.join(dir, 'broken.json'), '[{"client_id": ');
        return { SSO_CLIENTS_FILE: path.join(dir, 'broken.json'), SSO_DATA_DIR: dir };
      },
      /^SSO_CLIENTS_FILE \(.*broken\.json\) is not valid JSON/,
    ],
    [
      'a client without redirect URIs',
      async () => {
        await writeFile(path.join(dir, 'invalid.json'), JSON.stringify([{ client_id: 'app', token_endpoint_auth_method: 'none', redirect_uris: [] }]));
        return { SSO_CLIENTS_FILE: path.join(dir, 'invalid.json'), SSO_DATA_DIR: dir };
      },
      /client "app": redirect_uris needs at least one URI/,
    ],
    ['an unreadable JWKS file', async () => ({ SSO_JWKS_FILE: path.join(dir, 'missing-jwks.json'), SSO_DATA_DIR: dir }), /^Cannot read SSO_JWKS_FILE/],
    [
      'an unreachable database',
      async () => ({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', SSO_DATA_DIR: dir }),
      /DATABASE_URL/,
    ],
    ['an unreachable Redis', async () => ({ REDIS_URL: 'redis://127.0.0.1:1', SSO_DATA_DIR: path.join(dir, 'redis') }), /REDIS_URL/],
    [
      'unreachable Redis Sentinels',
      async () => ({ REDIS_SENTINELS: '127.0.0.1:1,127.0.0.1:2', REDIS_SENTINEL_PASSWORD: 'hunter2', SSO_DATA_DIR: path.join(dir, 'sentinels') }),
      /^Cannot start: Cannot connect to the Redis master "mymaster" of REDIS_SENTINELS=127\.0\.0\.1:1,127\.0\.0\.1:2: (?!.*hunter2)/,
    ],
    ['production without its secrets', async () => ({ NODE_ENV: 'production' }), /^NODE_ENV=production requires DATABASE_URL/],
  ];
  for (const [what, env, message] of cases) {
    it(`stops on ${what} with one line and exit code 1`, async () => {
      const exit = await startServer(await env());
      assert.equal(exit.code, 1);
      assert.equal(exit.stderr.split('\n').length, 1, `one line, got:\n${exit.stderr}`);
      assert.match(exit.stderr, message);
    });
  }
});

describe('generated secrets', () => {
  it('are generated once into the data directory and reused on the next start', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sso-secrets-'));
    try {
      const config = loadConfig({ SSO_DATA_DIR: dir });
      const first = await loadSecrets(config);
      const second = await loadSecrets(config);
      assert.deepEqual(second.jwks, first.jwks);
      assert.deepEqual(second.cookieKeys, first.cookieKeys);
      assert.ok(second.secretKey.equals(first.secretKey));
      assert.equal(first.secretKey.length, 32);
      assert.deepEqual(first.jwks.keys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA'], 'a key for each algorithm a client may choose');
      const jwks = JSON.parse(await readFile(path.join(dir, 'jwks.json'), 'utf8'));
      assert.equal(jwks.keys.length, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('clients.json validation', () => {
  const valid = { client_id: 'app', redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none' };
  const problems: Array<[string, unknown, RegExp]> = [
    ['not an array', {}, /expected a JSON array/],
    ['a secret on a public client', [{ ...valid, client_secret: 'x'.repeat(40) }], /client "app": client_secret must be absent/],
    ['a confidential client without a secret', [{ ...valid, token_endpoint_auth_method: 'client_secret_basic' }], /client "app": client_secret is required/],
    ['a redirect URI with a fragment', [{ ...valid, redirect_uris: ['https://app.example.com/cb#x'] }], /client "app": redirect_uris\.0 must be an absolute/],
    ['an implicit response type', [{ ...valid, response_types: ['id_token'] }], /client "app": response_types\.0/],
    ['an unknown field', [{ ...valid, colour: 'blue' }], /client "app": /],
    ['the same client twice', [valid, valid], /client "app": client_id is registered twice/],
  ];
  for (const [what, json, message] of problems) {
    it(`names the client and the field for ${what}`, () => {
      assert.throws(() => parseClients(json, 'clients.json'), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('accepts the repository example', async () => {
    const example = JSON.parse(await readFile('clients.json', 'utf8'));
    assert.equal(parseClients(example, 'clients.json').length, 1);
  });
});
