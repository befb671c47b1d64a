import { randomUUID } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';

/**
 * PGlite has no locking of its own: two processes opening the same directory would both write its
 * files and corrupt them. A lock file holding the owner's pid keeps the embedded database to one
 * process at a time; a lock left by a process that no longer runs is taken over.
 */
export interface DirectoryLock {
  release(): Promise<void>;
}

/** Lock files held by this process, so a stale lock carrying a reused pid (pid 1 in a container) is recognised. */
const heldByThisProcess = new Set<string>();

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
  constructor(readonly ownerPid: number) {
    super(`in use by process ${ownerPid}`);
  }
}

export async function acquireDirectoryLock(lockFile: string): Promise<DirectoryLock> {
  // Written aside then hard-linked into place, so the lock never exists without its pid inside.
  const pending = `${lockFile}.${randomUUID()}`;
  await writeFile(pending, String(process.pid));
  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(pending, lockFile);
        heldByThisProcess.add(lockFile);
        return { release: () => release(lockFile) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = await readOwner(lockFile);
        if (owner !== undefined && isHeld(lockFile, owner)) throw new DirectoryLockedError(owner);
        await rm(lockFile, { force: true });
      }
    }
    throw new Error(`could not take the lock ${lockFile}`);
  } finally {
    await rm(pending, { force: true });
  }
}

/** The pid of another live process holding the lock, or undefined when nobody else does. */
export async function lockHolder(lockFile: string): Promise<number | undefined> {
  const owner = await readOwner(lockFile);
  return owner !== undefined && owner !== process.pid && isHeld(lockFile, owner) ? owner : undefined;
}

async function release(lockFile: string): Promise<void> {
  heldByThisProcess.delete(lockFile);
  await rm(lockFile, { force: true });
}

async function readOwner(lockFile: string): Promise<number | undefined> {
  const text = await readFile(lockFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isHeld(lockFile: string, pid: number): boolean {
  if (pid === process.pid) return heldByThisProcess.has(lockFile);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
