/**
 * `npm run build`: compiles the server, its CLI and the migrations to dist/ with tsc, which is what
 * the image runs (`node dist/src/main.js`): no TypeScript loader in production, whose thread alone
 * costs a server process about 33 MiB of RSS.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
/** The `outDir` of tsconfig.build.json. */
export const distDir = path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

export interface BuildOptions {
  /** The benchmark's project adds its server process to the production one. */
  readonly project?: string;
  /** Inside the project, so that the compiled modules find node_modules and package.json's `"type": "module"`. */
  readonly outDir?: string;
}

export async function build({ project = 'tsconfig.build.json', outDir = distDir }: BuildOptions = {}): Promise<void> {
  const { include } = JSON.parse(await readFile(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  // A module or migration deleted from the sources must not live on in the output: knex would run it.
  // Only these directories are cleared, not all of dist/, where benchmark runs keep their own builds.
  for (const directory of include) await rm(path.join(outDir, directory), { recursive: true, force: true });
  // tsc reports errors on stdout, which is the benchmark's report: they go to stderr instead.
  const child = spawn(process.execPath, [tsc, '-p', project, '--outDir', outDir], { cwd: root, stdio: ['ignore', 2, 2] });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`tsc -p ${project} failed (exit code ${code})`);
  // Modules find their views, styles and email templates next to themselves (import.meta.url): what
  // tsc does not emit from the compiled directories is copied beside the compiled modules.
  for (const directory of include) {
    await cp(path.join(root, directory), path.join(outDir, directory), { recursive: true, filter: (source) => !source.endsWith('.ts') });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}
