import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeySet } from '../src/secrets.ts';

/**
 * The secrets of the docker-compose deployment, written once into a directory (default
 * deploy/secrets): the signing key set, the app's environment file (cookie keys, secret key,
 * database URL) and PostgreSQL's password. A file that exists is kept, never replaced: a new
 * SSO_SECRET_KEY would make every enrolled authenticator unreadable, new keys would end every
 * session. Files are owner-only; the image runs as uid 1000 and must be able to read jwks.json.
 *
 *   npx tsx deploy/generate-secrets.ts [DIRECTORY]
 */
export async function generateDeploymentSecrets(directory: string): Promise<{ written: string[]; kept: string[] }> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  const cookieKeys = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
  const files: Record<string, string> = {
    'jwks.json': `${JSON.stringify({ keys: generateKeySet() }, null, 2)}\n`,
    'sso.env': [
      `SSO_COOKIE_KEYS=${cookieKeys.join(',')}`,
      `SSO_SECRET_KEY=${randomBytes(32).toString('base64')}`,
      `DATABASE_URL=postgres://sso:${password}@postgres:5432/sso`,
      '',
    ].join('\n'),
    'postgres.env': `POSTGRES_PASSWORD=${password}\n`,
  };
  // The database password is in two files: they are written together or not at all.
  const [ssoEnv, postgresEnv] = await Promise.all(['sso.env', 'postgres.env'].map((name) => exists(path.join(directory, name))));
  if (ssoEnv !== postgresEnv) {
    throw new Error(`sso.env and postgres.env in ${directory} share the database password: restore the missing one, or remove both`);
  }
  const written: string[] = [];
  const kept: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(directory, name);
    if (await exists(file)) {
      kept.push(file);
      continue;
    }
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
    written.push(file);
  }
  return { written, kept };
}

async function exists(file: string): Promise<boolean> {
  return access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const directory = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'secrets'));
  const { written, kept } = await generateDeploymentSecrets(directory);
  for (const file of written) process.stdout.write(`written ${file}\n`);
  for (const file of kept) process.stdout.write(`kept ${file} (exists)\n`);
}
