import { importDigest } from '../accounts/import.ts';
import type { Store } from '../store/store.ts';

/** What the store keeps: the digest, a colon, the bytes in base64. */
const keptPattern = /^([0-9a-f]{64}):([A-Za-z0-9+/]*={0,2})$/;

/**
 * The file an operator checked on the Import users page, kept in the store until they import it,
 * so the import applies the very bytes that were checked: the page carries only the file's SHA-256,
 * never the rows. One file per console session (a new check replaces it), so the store holds at most
 * one file of up to 10 MB for each signed-in operator, for `ttlSeconds`.
 */
export class CheckedImports {
  constructor(
    private readonly store: Store,
    private readonly ttlSeconds: number,
  ) {}

  /** Keeps the file for this session; returns its digest, which the Import form carries. */
  async keep(sessionId: string, bytes: Buffer): Promise<string> {
    const digest = importDigest(bytes);
    await this.store.set(this.key(sessionId), `${digest}:${bytes.toString('base64')}`, this.ttlSeconds);
    return digest;
  }

  /**
   * The kept file, taken once, if it is the one with this digest: 'changed' when the session's kept
   * file is another (checked since), 'missing' when none is kept (expired, or already imported).
   * Of concurrent takers, one gets the file.
   */
  async take(sessionId: string, digest: string): Promise<Buffer | 'changed' | 'missing'> {
    const key = this.key(sessionId);
    const raw = await this.store.get(key);
    const kept = raw === undefined ? null : keptPattern.exec(raw);
    if (raw === undefined || kept === null) return 'missing';
    if (kept[1] !== digest) return 'changed';
    if (!(await this.store.takeIfEquals(key, raw))) return 'missing';
    const bytes = Buffer.from(kept[2]!, 'base64');
    // The store is trusted, but the import must apply exactly the checked bytes.
    return importDigest(bytes) === digest ? bytes : 'changed';
  }

  private key(sessionId: string): string {
    return `console-import:${sessionId}`;
  }
}
