import { readFileSync } from 'node:fs';

/** The image's environment variables that change how the server uses CPU and memory. */
const runtimeKeys = ['UV_THREADPOOL_SIZE', 'MALLOC_ARENA_MAX'] as const;

export interface ImageRuntime {
  /** What the Dockerfile sets for runtimeKeys (`ENV KEY=VALUE` lines). */
  readonly environment: Record<string, string>;
  /** The flags its CMD gives node before the server's script. */
  readonly nodeFlags: string[];
}

/**
 * How the image runs the server, read from the Dockerfile itself, so that the server under test runs
 * as the image runs it and the two cannot drift apart.
 */
export function imageRuntime(): ImageRuntime {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const environment: Record<string, string> = {};
  for (const key of runtimeKeys) {
    const match = new RegExp(`^ENV ${key}=(.+)$`, 'm').exec(dockerfile);
    if (match === null) throw new Error(`the Dockerfile sets no ${key}: bench/image-runtime.ts expects an "ENV ${key}=..." line`);
    environment[key] = match[1]!.trim();
  }
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  const command = cmd === null ? undefined : (JSON.parse(cmd[1]!) as string[]);
  if (command?.[0] !== 'node') throw new Error('bench/image-runtime.ts expects the Dockerfile\'s CMD to be ["node", ...flags, script]');
  return { environment, nodeFlags: command.slice(1, -1) };
}
