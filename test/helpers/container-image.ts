import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What lets podman run containers on these machines: Debian's runc (crun refuses their hybrid
 * cgroups) and limits below the machine's own (it lacks CAP_SYS_RESOURCE to raise them).
 */
export const containerFlags = ['--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1000:1000'];

const tools = ['podman', 'runc', 'debootstrap', 'chroot'];

/**
 * Why the image cannot be built and run here, or false. CI installs the tools (.ci/run), so there
 * a missing tool fails the test instead of skipping it.
 */
export const imageSkip: string | false = (() => {
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  const reasons = [
    ...(missing.length > 0 ? [`${missing.join(', ')} not installed (apt-get install podman runc debootstrap)`] : []),
    ...(process.getuid?.() !== 0 ? ['debootstrap and chroot need root'] : []),
  ];
  if (reasons.length === 0 || process.env.CI === 'true') return false;
  return reasons.join('; ');
})();

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; rejects with the end of its output when it fails or outlives `timeoutMs`. */
export function run(command: string, args: readonly string[], options: { input?: NodeJS.ReadableStream; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (options.input !== undefined) options.input.pipe(child.stdin!);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${command} ${args.slice(0, 3).join(' ')} failed (${signal ?? `exit code ${code}`}):\n${tail}`));
    });
  });
}

/** The machine's Debian release, so that its Node.js binary finds the C library it was built for. */
function debianSuite(): string {
  const release = readFileSync('/etc/os-release', 'utf8');
  const codename = /^VERSION_CODENAME=(\S+)$/m.exec(release)?.[1];
  if (codename === undefined) throw new Error('/etc/os-release names no VERSION_CODENAME: not a Debian machine');
  return codename;
}

/** The mirror the machine's apt uses for that release, or undefined for debootstrap's own default. */
function aptMirror(suite: string): string | undefined {
  const sources = ['/etc/apt/sources.list', ...readdirSafe('/etc/apt/sources.list.d').map((file) => path.join('/etc/apt/sources.list.d', file))];
  for (const file of sources) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const oneLine = new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${suite}\\s`, 'm').exec(text);
    if (oneLine !== null) return oneLine[1];
    for (const stanza of text.split(/\n\s*\n/)) {
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      if (uri !== undefined && suites.includes(suite) && !/^Enabled:\s*no/im.test(stanza)) return uri;
    }
  }
  return undefined;
}

function readdirSafe(directory: string): string[] {
  return existsSync(directory) ? readdirSync(directory).filter((file) => /\.(list|sources)$/.test(file)) : [];
}

/** Extra certificates the machine's Node.js trusts (NODE_EXTRA_CA_CERTS): npm inside the build reaches the registry the same way. */
function extraCertificates(): Buffer | undefined {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  return file !== undefined && existsSync(file) ? readFileSync(file) : undefined;
}

/** Bumped whenever nodeBaseImage builds something different from the same inputs. */
const baseRecipe = 1;

/**
 * The NODE_IMAGE the Dockerfile builds on, made here rather than pulled (these machines reach no
 * image registry): a minimal Debian of the machine's release by debootstrap, the machine's own
 * Node.js and npm, and the `node` user (uid 1000) that official Node.js images have. Its tag is a
 * hash of everything it is made of, so an image from an earlier run is reused exactly when it is
 * the same; the first build takes about a minute.
 */
export async function nodeBaseImage(): Promise<{ image: string; reused: boolean }> {
  const suite = debianSuite();
  const mirror = aptMirror(suite);
  const npmRoot = (await run('npm', ['root', '-g'])).stdout.trim();
  const npmVersion = JSON.parse(readFileSync(path.join(npmRoot, 'npm', 'package.json'), 'utf8')).version as string;
  const certificates = extraCertificates();
  const inputs = { baseRecipe, suite, mirror, node: process.version, nodeBinary: digest(readFileSync(process.execPath)), npmVersion, certificates: certificates && digest(certificates) };
  const image = `localhost/fluxys-sso-node-base:${digest(Buffer.from(JSON.stringify(inputs))).slice(0, 16)}`;
  if (spawnSync('podman', ['image', 'exists', image]).status === 0) return { image, reused: true };

  const dir = await mkdtemp(path.join(os.tmpdir(), 'sso-node-base-'));
  try {
    const rootfs = path.join(dir, 'rootfs');
    await run('debootstrap', ['--variant=minbase', suite, rootfs, ...(mirror === undefined ? [] : [mirror])], { timeoutMs: 600_000 });
    await cp(process.execPath, path.join(rootfs, 'usr/local/bin/node'));
    await mkdir(path.join(rootfs, 'usr/local/lib/node_modules'), { recursive: true });
    await cp(path.join(npmRoot, 'npm'), path.join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', path.join(rootfs, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', path.join(rootfs, 'usr/local/bin/npx'));
    await run('chroot', [rootfs, 'sh', '-c', 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home --shell /bin/sh node']);
    const changes = ['ENV PATH=/usr/local/bin:/usr/bin:/bin'];
    if (certificates !== undefined) {
      await cp(process.env.NODE_EXTRA_CA_CERTS!, path.join(rootfs, 'usr/local/share/host-ca-certificates.pem'));
      changes.push('ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca-certificates.pem');
    }
    const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await run('podman', ['import', ...changes.flatMap((change) => ['--change', change]), '-', image], { input: tar.stdout, timeoutMs: 300_000 });
    return { image, reused: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `podman build` of the repository's Dockerfile on that base image, in Docker's format (OCI drops
 * HEALTHCHECK). Layers are cached by podman as by Docker: `npm ci` runs again only when
 * package.json or the lock file changed.
 */
export async function buildImage(baseImage: string, tag: string): Promise<void> {
  await run('podman', ['build', '--format', 'docker', ...containerFlags, '--build-arg', `NODE_IMAGE=${baseImage}`, '--tag', tag, root], { timeoutMs: 900_000 });
}
