import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brandStylesheet, contrastRatio, readBrandLogo } from '../../src/brand.ts';
import { ConfigError } from '../../src/config.ts';

function variables(css: string): Record<string, string> {
  return Object.fromEntries([...css.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
}

describe('brand stylesheet', () => {
  it('measures contrast as WCAG does', () => {
    assert.equal(contrastRatio('#ffffff', '#000000'), 21);
    assert.equal(contrastRatio('#777777', '#777777'), 1);
    assert.ok(Math.abs(contrastRatio('#00558c', '#ffffff') - 7.84) < 0.01);
  });

  it('writes white on a dark brand colour and black on a light one, readable either way', () => {
    for (const color of ['#00558c', '#7a1f5c', '#ffdd00', '#9fd3c7', '#777777', '#000000', '#ffffff']) {
      const vars = variables(brandStylesheet(color));
      assert.equal(vars['--brand'], color);
      assert.ok(contrastRatio(color, vars['--brand-text']!) >= 4.5, `${color} with ${vars['--brand-text']}`);
    }
    assert.equal(variables(brandStylesheet('#00558c'))['--brand-text'], '#ffffff');
    assert.equal(variables(brandStylesheet('#ffdd00'))['--brand-text'], '#000000');
  });

  it('darkens the colour for the edge under buttons', () => {
    assert.equal(variables(brandStylesheet('#ff8040'))['--brand-edge'], '#994d26');
  });
});

describe('brand logo', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sso-brand-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an image once, with its content type', async () => {
    const file = path.join(dir, 'logo.SVG');
    await writeFile(file, '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const logo = readBrandLogo(file);
    assert.equal(logo.type, 'image/svg+xml');
    assert.equal(logo.body.toString(), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  });

  it('refuses a missing file or one that is no image, naming the variable', async () => {
    const text = path.join(dir, 'logo.txt');
    await writeFile(text, 'not an image');
    assert.throws(() => readBrandLogo(text), (error: Error) => error instanceof ConfigError && /^Invalid SSO_BRAND_LOGO=.*expected a \.png/.test(error.message));
    assert.throws(() => readBrandLogo(path.join(dir, 'missing.png')), (error: Error) => error instanceof ConfigError && /^Cannot read SSO_BRAND_LOGO=.*ENOENT$/.test(error.message));
  });
});
