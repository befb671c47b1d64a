import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, type Config } from './config.ts';

export type PrivateJwk = Record<string, unknown> & { kty: string; kid: string };
export interface Jwks {
  keys: PrivateJwk[];
}

export interface Secrets {
  readonly jwks: Jwks;
  readonly cookieKeys: string[];
  readonly secretKey: Buffer;
}

const privateJwkSchema = z
  .object({ kty: z.enum(['RSA', 'EC', 'OKP']), kid: z.string().min(1), d: z.string().min(1) })
  .passthrough();
const jwksSchema = z.object({ keys: z.array(privateJwkSchema).min(1) });

/** A new RS256 signing key: RS256 is the one algorithm every OpenID Connect client must support. */
export function generateSigningKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kty: 'RSA', kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

export function parseJwks(text: string, source: string): Jwks {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not valid JSON`);
  }
  const parsed = jwksSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`${source} must be a private JWKS: {"keys":[...]} with kty, kid and private parts`);
  }
  return parsed.data as Jwks;
}

async function readText(file: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read ${name} (${file}): ${(error as Error).message}`);
  }
}

/** Writes owner-only and atomically, so a crash never leaves half a key file behind. */
async function writeSecretFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, file);
}

/** The file the signing keys live in: SSO_JWKS_FILE, or the generated one in SSO_DATA_DIR. */
export function jwksPath(config: Pick<Config, 'jwksFile' | 'dataDir'>): string {
  return config.jwksFile ?? path.join(config.dataDir, 'jwks.json');
}

async function loadJwks(config: Config): Promise<Jwks> {
  if (config.jwksFile !== undefined) {
    const text = await readText(config.jwksFile, 'SSO_JWKS_FILE');
    if (text === undefined) throw new ConfigError(`Cannot read SSO_JWKS_FILE (${config.jwksFile}): no such file`);
    return parseJwks(text, `SSO_JWKS_FILE (${config.jwksFile})`);
  }
  const file = jwksPath(config);
  const text = await readText(file, 'the generated key set');
  if (text !== undefined) return parseJwks(text, file);
  const jwks = { keys: [generateSigningKey()] };
  await writeSecretFile(file, `${JSON.stringify(jwks, null, 2)}\n`);
  return jwks;
}

/**
 * A staged key is published in /jwks but never signs: RFC 7517's key_ops limits it to "verify",
 * which oidc-provider honours when it picks a signing key, wherever the key sits in the set.
 */
const stagedKeyOps = ['verify'];

function isStaged(key: PrivateJwk): boolean {
  return Array.isArray(key.key_ops) && key.key_ops.length === 1 && key.key_ops[0] === 'verify';
}

async function readKeySet(config: Config): Promise<{ file: string; keys: PrivateJwk[] }> {
  const file = jwksPath(config);
  const text = await readText(file, config.jwksFile === undefined ? 'the generated key set' : 'SSO_JWKS_FILE');
  return { file, keys: text === undefined ? [] : parseJwks(text, file).keys };
}

async function writeKeySet(file: string, keys: PrivateJwk[]): Promise<void> {
  await writeSecretFile(file, `${JSON.stringify({ keys }, null, 2)}\n`);
}

export interface RotationResult {
  readonly file: string;
  readonly kid: string;
  /** Keys in the set afterwards. */
  readonly keys: number;
}

/**
 * Adds a new signing key. By default it goes in front and signs as soon as the instances restart;
 * the old ones stay so tokens they signed keep verifying. Staged (`stage: true`), it goes at the
 * end, published but not signing, so clients can fetch it before any token carries it: then
 * promoteStagedKey makes it sign.
 */
export async function rotateSigningKey(config: Config, options: { stage?: boolean } = {}): Promise<RotationResult> {
  const { file, keys } = await readKeySet(config);
  const key = generateSigningKey();
  if (options.stage !== true) {
    await writeKeySet(file, [key, ...keys]);
    return { file, kid: key.kid, keys: keys.length + 1 };
  }
  if (!keys.some((existing) => !isStaged(existing))) {
    throw new ConfigError(`${file} has no signing key yet to keep signing while a new one is staged: rotate without staging`);
  }
  await writeKeySet(file, [...keys, { ...key, key_ops: stagedKeyOps }]);
  return { file, kid: key.kid, keys: keys.length + 1 };
}

/** Moves the most recently staged key to the front and lets it sign. */
export async function promoteStagedKey(config: Config): Promise<RotationResult> {
  const { file, keys } = await readKeySet(config);
  const staged = [...keys].reverse().find(isStaged);
  if (staged === undefined) throw new ConfigError(`${file} has no staged key: stage one first`);
  const { key_ops: _verifyOnly, ...signing } = staged;
  await writeKeySet(file, [signing as PrivateJwk, ...keys.filter((key) => key !== staged)]);
  return { file, kid: staged.kid, keys: keys.length };
}

async function loadGenerated<T>(
  file: string,
  parse: (text: string) => T | undefined,
  generate: () => { value: T; text: string },
): Promise<T> {
  const text = await readText(file, file);
  if (text !== undefined) {
    const value = parse(text.trim());
    if (value === undefined) throw new ConfigError(`${file} is corrupt; remove it to generate a new one`);
    return value;
  }
  const fresh = generate();
  await writeSecretFile(file, `${fresh.text}\n`);
  return fresh.value;
}

/** Keys from configuration, or generated once into SSO_DATA_DIR and reused on every later start. */
export async function loadSecrets(config: Config): Promise<Secrets> {
  const jwks = await loadJwks(config);
  const cookieKeys =
    config.cookieKeys !== undefined
      ? [...config.cookieKeys]
      : await loadGenerated(
          path.join(config.dataDir, 'cookie-keys'),
          (text) => {
            const keys = text.split(',').filter((k) => k.length >= 32);
            return keys.length > 0 ? keys : undefined;
          },
          () => {
            const key = randomBytes(32).toString('base64url');
            return { value: [key], text: key };
          },
        );
  const secretKey =
    config.secretKey ??
    (await loadGenerated(
      path.join(config.dataDir, 'secret.key'),
      (text) => {
        const key = Buffer.from(text, 'base64');
        return key.length === 32 ? key : undefined;
      },
      () => {
        const key = randomBytes(32);
        return { value: key, text: key.toString('base64') };
      },
    ));
  return { jwks, cookieKeys, secretKey };
}
