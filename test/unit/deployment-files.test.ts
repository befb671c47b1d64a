import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { imageRuntime } from '../../bench/image-runtime.ts';
import { generateDeploymentSecrets } from '../../deploy/generate-secrets.ts';
import { loadConfig } from '../../src/config.ts';
import { parseJwks } from '../../src/secrets.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `KEY=value` lines, as docker compose reads an env_file. */
function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * The `environment:` map of the instances' shared definition (`x-sso`) in docker-compose.yml. The
 * file keeps that block in plain `KEY: value` lines so it can be read without a YAML parser.
 */
function composeEnvironment(compose: string): Record<string, string> {
  const shared = /^x-sso: &sso\n((?: .*\n|\n)+)/m.exec(compose)?.[1] ?? '';
  const block = /^ {2}environment:\n((?: {4}.*\n)+)/m.exec(shared)?.[1] ?? '';
  return Object.fromEntries(
    [...block.matchAll(/^ {4}([A-Z_]+): (.*)$/gm)].map(([, key, value]) => [key!, value!.replace(/^"(.*)"$/, '$1')]),
  );
}

describe('container deployment files', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'sso-deploy-secrets-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('generates owner-only secrets once, and never replaces them', async () => {
    const first = await generateDeploymentSecrets(directory);
    assert.deepEqual(first.written.map((file) => path.basename(file)).sort(), ['jwks.json', 'postgres.env', 'sso.env']);
    for (const file of first.written) assert.equal((await stat(file)).mode & 0o777, 0o600, file);
    const jwks = await readFile(path.join(directory, 'jwks.json'), 'utf8');
    assert.deepEqual(parseJwks(jwks, 'jwks.json').keys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA'], 'a signing key for each algorithm a client may ask for');

    const again = await generateDeploymentSecrets(directory);
    assert.deepEqual(again.written, []);
    assert.equal(await readFile(path.join(directory, 'jwks.json'), 'utf8'), jwks, 'the key set is kept');
  });

  it('gives docker-compose.yml a configuration the server accepts in production, with documented variables only', async () => {
    const compose = composeEnvironment(await readFile(path.join(root, 'docker-compose.yml'), 'utf8'));
    assert.equal(compose.NODE_ENV, 'production');
    const generated = envFile(await readFile(path.join(directory, 'sso.env'), 'utf8'));
    const postgres = envFile(await readFile(path.join(directory, 'postgres.env'), 'utf8'));
    assert.equal(new URL(generated.DATABASE_URL!).password, postgres.POSTGRES_PASSWORD, 'one database password in both files');

    const config = loadConfig({ ...compose, ...generated, SSO_JWKS_FILE: path.join(directory, 'jwks.json') });
    assert.equal(config.production, true);
    assert.equal(config.issuer, 'https://localhost:8443');
    assert.equal(config.trustProxy, true);

    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    for (const name of [...Object.keys(compose), ...Object.keys(generated)]) {
      assert.match(readme, new RegExp(`^\\| \`${name}(=production)?\` \\|`, 'm'), `${name} is in the README's configuration table`);
    }
  });

  // Docker itself is not at hand in the tests: what it would trip over first is checked on the files.
  it('builds the image from what the build context holds, and runs what the build compiles', async () => {
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    const ignore = (await readFile(path.join(root, '.dockerignore'), 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.equal(ignore[0], '*', 'the context excludes everything it does not name');
    const admitted = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, ''));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(([, sources]) => sources!.split(' '));
    assert.ok(copied.includes('scripts/build.ts'), 'the build stage has the build script');
    for (const source of copied) {
      assert.ok(admitted.some((entry) => source === entry || source.startsWith(`${entry}/`)), `.dockerignore lets ${source} into the context`);
      await access(path.join(root, source));
    }

    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    assert.equal(command[0], 'node');
    // tsconfig.build.json compiles X.ts to dist/X.js (rootDir ".", outDir "dist").
    const build = JSON.parse(await readFile(path.join(root, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string }; include: string[] };
    const entry = path.relative(build.compilerOptions.outDir, command.at(-1)!).replace(/\.js$/, '.ts');
    assert.ok(build.include.includes(entry.split('/')[0]!), `${entry} is compiled`);
    await access(path.join(root, entry));
    assert.match(dockerfile, /^COPY --from=build \/app\/dist \.\/dist$/m);
    assert.match(dockerfile, /^ENV MALLOC_ARENA_MAX=2$/m);
  });

  it('runs `npm run serve` as the image runs its server, with npm replaced by node so signals reach it', async () => {
    const { scripts } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const serve = /^exec env ((?:\w+=\$\{\w+:-[^}]+\} )+)node ((?:--\S+ )+)(\S+)$/.exec(scripts.serve ?? '');
    assert.ok(serve, `serve: ${scripts.serve}`);
    const image = imageRuntime();
    const environment = Object.fromEntries([...serve[1]!.matchAll(/(\w+)=\$\{(\w+):-([^}]+)\}/g)].map(([, key, fallback, value]) => {
      assert.equal(fallback, key, 'an operator\'s own value wins');
      return [key!, value!];
    }));
    assert.deepEqual(environment, image.environment, 'the Dockerfile\'s runtime environment, as defaults');
    assert.deepEqual(serve[2]!.trim().split(' '), image.nodeFlags, 'the Dockerfile\'s node flags');
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    assert.equal(serve[3], JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!).at(-1), 'the script the image runs');
    assert.match(scripts.start ?? '', /^exec node /, 'npm start replaces its shell with node too');
  });
});
