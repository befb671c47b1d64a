import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * docs/integration.md shows each example whole; the browser suite runs the example files. Each
 * block marked `<!-- example: FILE -->` must be that file, character for character, so that what
 * an application team copies is what the tests ran.
 */
describe('the integration guide', () => {
  it('shows every example exactly as the tests run it', async () => {
    const guide = await readFile(`${root}docs/integration.md`, 'utf8');
    const examples = [...guide.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```\n/g)];
    assert.deepEqual(examples.map(([, file]) => file), ['docs/examples/express-app.mjs', 'docs/examples/authlib_app.py']);
    for (const [, file, shown] of examples) {
      assert.equal(shown, await readFile(`${root}${file}`, 'utf8'), `${file} differs from the guide`);
    }
  });
});
