import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The developer's own configuration must not leak into a process under test: `env` is all the
 * configuration it gets. Nor may the test runner's variables, which would make it report to the runner.
 */
export function cleanEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const configured = /^(SSO_|DATABASE_URL$|REDIS_URL$|SMTP_URL$|PORT$|NODE_ENV$|NODE_TEST_CONTEXT$)/;
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !configured.test(key))), ...env };
}

/** `npm run sso -- ARGS` as an operator runs it, without npm's own start-up time; killed after a minute. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: cleanEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The same command run inside the test process, through the CLI's own entry (`runCli` of
 * src/cli/program.ts) with `env` as its whole configuration: no process start-up per command. The
 * embedded database admits one opener at a time, so in-process runs on it go one after another.
 */
export async function runCliInProcess(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  const { runCli: run } = await import('../../src/cli/program.ts');
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await run(args, { env, stdout: sink((text) => (stdout += text)), stderr: sink((text) => (stderr += text)) });
  return { code, stdout, stderr };
}
