import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { createLogger } from '../../src/logger.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { RequestWrites } from '../../src/store/request-writes.ts';
import { StoreUnavailableError, type Store } from '../../src/store/store.ts';
import { sendingHeldWrites } from '../../src/web/json-outages.ts';

/**
 * The token endpoint's answer leaves only once the store took the writes it held
 * (src/web/json-outages.ts): tokens whose records were not saved are never handed out.
 */
describe('an answer whose held store writes fail', () => {
  /** Serves an answer that holds one write and carries a token, over a store that fails its writes when told. */
  async function serve(failure: Error | undefined) {
    const memory = createMemoryStore();
    const store: Store = { ...memory, write: (writes) => (failure === undefined ? memory.write(writes) : Promise.reject(failure)) };
    const writes = new RequestWrites(store);
    const logged: Array<Record<string, unknown>> = [];
    const app = new Koa();
    app.silent = true;
    app.use(sendingHeldWrites(writes, createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) })));
    app.use((ctx) => {
      assert.ok(writes.hold(ctx, [{ op: 'set', key: 'token-record', value: 'saved', ttlSeconds: 60 }]));
      ctx.body = { access_token: 'a-new-token' };
    });
    const server = app.listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
      const response = await fetch(url, { method: 'POST' });
      return { response, body: await response.text(), saved: await memory.get('token-record'), logged };
    } finally {
      server.close();
      await memory.close();
    }
  }

  it('sends the answer once the store took its writes', async () => {
    const { response, body, saved } = await serve(undefined);
    assert.equal(response.status, 200);
    assert.match(body, /a-new-token/);
    assert.equal(saved, 'saved');
  });

  it('answers 503 with Retry-After and no token when the store does not answer, and logs why', async () => {
    const { response, body, saved, logged } = await serve(new StoreUnavailableError('the store is unavailable: connection closed'));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.deepEqual(JSON.parse(body), { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; retry later' });
    assert.equal(saved, undefined);
    assert.ok(logged.some((line) => line.msg === 'backend unavailable' && String(line.err).includes('connection closed')));
  });

  it('lets any other failure through as the error it is, with no token', async () => {
    const { response, body, saved } = await serve(new TypeError('a bug'));
    assert.equal(response.status, 500);
    assert.doesNotMatch(body, /a-new-token/);
    assert.equal(saved, undefined);
  });
});
