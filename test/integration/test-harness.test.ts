import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { describe, it } from 'node:test';
import { backends, freePort, startTestServer } from '../helpers/server.ts';

/** The suite must never hang: a test server whose start fails leaves nothing behind to keep the process alive. */
describe('test servers', () => {
  it('stop whatever they started when their start fails', async () => {
    const folders = async () => (await readdir(os.tmpdir())).filter((name) => name.startsWith('sso-test-server-'));
    const foldersBefore = await folders();
    const resourcesBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const nobody = await freePort();
    await assert.rejects(
      startTestServer(backends()[0]!, { DATABASE_URL: `postgres://postgres@127.0.0.1:${nobody}/none` }),
      /Cannot connect to the database/,
    );
    assert.deepEqual(await folders(), foldersBefore, 'no data folder is left');
    const resourcesAfter = process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    assert.equal(resourcesAfter, resourcesBefore, 'no listener (the SMTP server) is left open');
  });
});
