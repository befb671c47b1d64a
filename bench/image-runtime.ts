import { readFileSync } from 'node:fs';

/** The runtime settings of the image that change how the server uses CPU and memory. */
const runtimeKeys = ['UV_THREADPOOL_SIZE', 'MALLOC_ARENA_MAX', 'NODE_OPTIONS'] as const;

/**
 * The values the Dockerfile sets for runtimeKeys (`ENV KEY=VALUE` lines), so that the server under
 * test runs as the image runs it and the two cannot drift apart.
 */
export function imageRuntimeEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const environment: Record<string, string> = {};
  for (const key of runtimeKeys) {
    const match = new RegExp(`^ENV ${key}=(.+)$`, 'm').exec(dockerfile);
    if (match === null) throw new Error(`the Dockerfile sets no ${key}: bench/image-runtime.ts expects an "ENV ${key}=..." line`);
    environment[key] = match[1]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return environment;
}
