import type { Store, StoreWrite } from './store.ts';

/**
 * The store writes of one request, held until it has its answer and then sent as one transaction.
 * A refresh grant marks its token used, saves the new refresh token and the access token: three
 * commands one after another, each a send and a wake-up, where one does; and a store that fails
 * between them can no longer leave a token used without its successor saved. Only the oidc adapter
 * holds writes, and only while a request runs `during` (the token endpoint: src/app.ts).
 */
export class RequestWrites {
  private readonly held = new WeakMap<object, StoreWrite[]>();

  constructor(private readonly store: Store) {}

  /**
   * Runs `work` with the writes made for `scope` held, then sends them together. When `work`
   * throws, what it held is dropped: nothing of it was answered.
   */
  async during(scope: object, work: () => Promise<void>): Promise<void> {
    this.held.set(scope, []);
    try {
      await work();
      await this.flush(scope);
    } finally {
      this.held.delete(scope);
    }
  }

  /** Holds `writes` when `scope` is inside `during`; false otherwise, and the caller writes them itself. */
  hold(scope: object | undefined, writes: readonly StoreWrite[]): boolean {
    const held = scope === undefined ? undefined : this.held.get(scope);
    if (held === undefined) return false;
    held.push(...writes);
    return true;
  }

  /** Sends what `scope` holds: before a read or a change that must come after it. */
  async flush(scope: object | undefined): Promise<void> {
    const held = scope === undefined ? undefined : this.held.get(scope);
    if (held === undefined || held.length === 0) return;
    const writes = held.splice(0);
    await this.store.write(writes);
  }
}
