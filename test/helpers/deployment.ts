import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dropSchema } from './databases.ts';
import { AccountRepository } from '../../src/accounts/repository.ts';
import { openDatabase, type Database } from '../../src/db/knex.ts';
import { generateKeySet } from '../../src/secrets.ts';
import { hashPassword } from '../../src/security/password-hash.ts';
import { sealSecret } from '../../src/security/secret-box.ts';
import { generateTotpSecret } from '../../src/security/totp.ts';
import { enrollAuthenticatorApp, strongPassword } from './flows.ts';
import { confidentialClient, publicClient } from './server.ts';
import { deleteKeys } from '../../harness/redis-keys.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

/** Why a deployment cannot be built here, or false: pass it as node:test's `skip`. */
export const deploymentSkip: string | false =
  databaseUrl === undefined || redisUrl === undefined
    ? 'set TEST_DATABASE_URL and TEST_REDIS_URL to run server processes on PostgreSQL and Redis'
    : false;

/**
 * What several instances of one installation share, as an operator would set it up: one
 * PostgreSQL schema and Redis prefix (fresh for the run), one key set file, cookie keys and secret
 * key, one clients.json and one SMTP server. `cleanup` removes all of it.
 */
export interface Deployment {
  readonly dir: string;
  readonly jwksFile: string;
  readonly secretKey: Buffer;
  /** The environment every instance gets; add PORT and SSO_ISSUER per instance. */
  readonly env: Record<string, string>;
  /** The schema as the instances see it; call only once one of them has migrated it. */
  accounts(): Promise<AccountRepository>;
  /** An account past first-time login (password hashed at `cost`, authenticator enrolled), active. */
  seedActiveAccount(email: string, cost?: number): Promise<{ id: string; secret: string }>;
  cleanup(): Promise<void>;
}

export async function createDeployment(smtpUrl: string): Promise<Deployment> {
  if (databaseUrl === undefined || redisUrl === undefined) throw new Error(String(deploymentSkip));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sso-deployment-'));
  const schema = `deploy_${randomBytes(6).toString('hex')}`;
  const prefix = `test:deploy:${randomBytes(6).toString('hex')}:`;
  const jwksFile = path.join(dir, 'jwks.json');
  const clientsFile = path.join(dir, 'clients.json');
  const secretKey = randomBytes(32);
  await writeFile(jwksFile, JSON.stringify({ keys: generateKeySet() }), { mode: 0o600 });
  await writeFile(clientsFile, JSON.stringify([publicClient, confidentialClient]));
  const env = {
    DATABASE_URL: databaseUrl,
    SSO_DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    SSO_REDIS_PREFIX: prefix,
    SMTP_URL: smtpUrl,
    SSO_JWKS_FILE: jwksFile,
    SSO_COOKIE_KEYS: `${randomBytes(32).toString('base64url')},${randomBytes(32).toString('base64url')}`,
    SSO_SECRET_KEY: secretKey.toString('base64'),
    SSO_CLIENTS_FILE: clientsFile,
    SSO_DATA_DIR: path.join(dir, 'data'),
    SSO_BCRYPT_COST: '4',
    SSO_LOG_LEVEL: 'info',
  };

  let database: Promise<Database> | undefined;
  const accounts = async () => {
    database ??= openDatabase({ databaseUrl, databaseSchema: schema, dataDir: dir });
    return new AccountRepository((await database).knex, { activationDays: 30 });
  };

  return {
    dir,
    jwksFile,
    secretKey,
    env,
    accounts,
    async seedActiveAccount(email, cost = 4) {
      const repository = await accounts();
      const account = await repository.create({ email, name: 'Test User' });
      const secret = generateTotpSecret();
      await repository.setPassword(account.id, await hashPassword(strongPassword, cost));
      await enrollAuthenticatorApp((await database!).knex, account.id, sealSecret(secretKey, secret));
      await repository.activate(account.id);
      return { id: account.id, secret };
    },
    async cleanup() {
      await (await database?.catch(() => undefined))?.close();
      await dropSchema(databaseUrl, schema);
      await deleteKeys(redisUrl, prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
