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

/**
 * The algorithms a client may ask its ID tokens to be signed with (`id_token_signed_response_alg`).
 * RS256 is the default, the one every OpenID Connect client must support.
 */
export const idTokenSigningAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof idTokenSigningAlgorithms)[number];

function newPrivateKey(alg: SigningAlgorithm) {
  switch (alg) {
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

/** A new signing key for one algorithm, marked with it so that it signs for nothing else. */
export function generateSigningKey(alg: SigningAlgorithm = 'RS256'): PrivateJwk {
  const jwk = newPrivateKey(alg).export({ format: 'jwk' }) as Record<string, unknown> & { kty: string };
  return { ...jwk, kid: randomUUID(), alg, use: 'sig' };
}

/** A key set that signs with every algorithm a client may ask for. */
export function generateKeySet(): PrivateJwk[] {
  return idTokenSigningAlgorithms.map((alg) => generateSigningKey(alg));
}

/** The algorithm a key signs with: its `alg`, else the one its type and curve allow. */
function algorithmOf(key: PrivateJwk): SigningAlgorithm | undefined {
  if (typeof key.alg === 'string') return idTokenSigningAlgorithms.find((alg) => alg === key.alg);
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC' && key.crv === 'P-256') return 'ES256';
  if (key.kty === 'OKP' && key.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** The ID token algorithms a key set can sign with now: a staged key does not count. */
export function signingAlgorithms(jwks: Jwks): SigningAlgorithm[] {
  const signing = new Set(jwks.keys.filter((key) => !isStaged(key)).map(algorithmOf));
  return idTokenSigningAlgorithms.filter((alg) => signing.has(alg));
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
  const existing = text === undefined ? [] : parseJwks(text, file).keys;
  // A set generated before an algorithm was offered gets a key for it: every client's choice works.
  const present = new Set(existing.map(algorithmOf));
  const missing = idTokenSigningAlgorithms.filter((alg) => !present.has(alg)).map((alg) => generateSigningKey(alg));
  if (missing.length === 0) return { keys: existing };
  const jwks = { keys: [...existing, ...missing] };
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
  /** The new signing keys, one per algorithm, in the order of idTokenSigningAlgorithms. */
  readonly kids: readonly string[];
  /** Keys in the set afterwards. */
  readonly keys: number;
}

/**
 * Adds a new signing key for each algorithm. By default they go in front and sign as soon as the
 * instances restart; the old ones stay so tokens they signed keep verifying. Staged
 * (`stage: true`), they go at the end, published but not signing, so clients can fetch them
 * before any token carries them: then promoteStagedKeys makes them sign.
 */
export async function rotateSigningKey(config: Config, options: { stage?: boolean } = {}): Promise<RotationResult> {
  const { file, keys } = await readKeySet(config);
  const fresh = generateKeySet();
  const kids = fresh.map((key) => key.kid);
  if (options.stage !== true) {
    await writeKeySet(file, [...fresh, ...keys]);
    return { file, kids, keys: keys.length + fresh.length };
  }
  if (!keys.some((existing) => !isStaged(existing))) {
    throw new ConfigError(`${file} has no signing key yet to keep signing while a new one is staged: rotate without staging`);
  }
  await writeKeySet(file, [...keys, ...fresh.map((key) => ({ ...key, key_ops: stagedKeyOps }))]);
  return { file, kids, keys: keys.length + fresh.length };
}

/** Moves the most recently staged key of each algorithm to the front and lets it sign. */
export async function promoteStagedKey(config: Config): Promise<RotationResult> {
  const { file, keys } = await readKeySet(config);
  const staged = idTokenSigningAlgorithms
    .map((alg) => [...keys].reverse().find((key) => isStaged(key) && algorithmOf(key) === alg))
    .filter((key) => key !== undefined);
  if (staged.length === 0) throw new ConfigError(`${file} has no staged key: stage one first`);
  const promoted = staged.map(({ key_ops: _verifyOnly, ...signing }) => signing as PrivateJwk);
  await writeKeySet(file, [...promoted, ...keys.filter((key) => !staged.includes(key))]);
  return { file, kids: promoted.map((key) => key.kid), keys: keys.length };
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
