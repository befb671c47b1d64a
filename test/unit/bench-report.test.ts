import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Section, updateSections, writeReport } from '../../bench/report.ts';

const fixesRecord = '## Fixes made from these measurements\n\nRound 1: written by hand.\n';

const section = (title: string, figure: string, load = '1.0 → 2.0'): Section => ({
  title,
  load,
  method: `How ${title} measured.`,
  tables: [{ headers: ['what', 'figure'], rows: [['grants', figure]] }],
});

/** A report as a full run writes it, followed by the hand-written record it carries over. */
const fullRun = [
  '# Benchmarks',
  '',
  '## Machine',
  '',
  'machine table',
  '',
  '## 1. Capacity',
  '',
  'capacity from the full run',
  '',
  '## 2. Token endpoint',
  '',
  'token from the full run',
  '',
  fixesRecord,
].join('\n');

const rerun = { date: '2026-12-04T15:00Z', only: 'token' };

describe('BENCHMARKS.md written by the bench', () => {
  let directory: string;
  let file: string;
  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'sso-bench-report-'));
    file = path.join(directory, 'BENCHMARKS.md');
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('a rerun section replaces only its own text and says it was rerun alone', async () => {
    await writeFile(file, fullRun);
    await updateSections(file, [section('2. Token endpoint', '900')], rerun);
    const text = await readFile(file, 'utf8');
    assert.ok(text.includes('capacity from the full run'));
    assert.ok(!text.includes('token from the full run'));
    assert.ok(text.includes('| grants | 900 |'));
    assert.ok(
      text.includes('Load average during this section: 1.0 → 2.0, in a rerun of this section alone (`--only=token --update`) at 2026-12-04T15:00Z'),
    );
    assert.ok(text.endsWith(fixesRecord), 'the hand-written record stays last and whole');
  });

  it('rerunning a section again replaces the earlier rerun instead of adding to it', async () => {
    await writeFile(file, fullRun);
    const capacity = { only: 'capacity', date: '2026-12-04T15:00Z' };
    await updateSections(file, [section('1. Capacity', '10')], capacity);
    await updateSections(file, [section('1. Capacity', '20', '3.0 → 3.5')], { ...capacity, date: '2026-12-04T16:00Z' });
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('## 1. Capacity').length, 2);
    assert.equal(text.split('Load average during this section').length, 2);
    assert.ok(text.includes('| grants | 20 |') && !text.includes('| grants | 10 |'));
    assert.ok(text.includes('3.0 → 3.5, in a rerun of this section alone (`--only=capacity --update`) at 2026-12-04T16:00Z'));
    assert.ok(text.includes('token from the full run'));
  });

  it('a section the file lacks goes before the hand-written record', async () => {
    await writeFile(file, fullRun);
    await updateSections(file, [section('7. Console search', '5')], rerun);
    const text = await readFile(file, 'utf8');
    assert.ok(text.indexOf('token from the full run') < text.indexOf('## 7. Console search'));
    assert.ok(text.endsWith(fixesRecord));
  });

  it('a full run rewrites every section and keeps the hand-written record', async () => {
    await writeFile(file, fullRun);
    await writeReport(file, '# Benchmarks\n\n## 1. Capacity\n\ncapacity from a new run\n');
    const text = await readFile(file, 'utf8');
    assert.ok(text.includes('capacity from a new run') && !text.includes('from the full run'));
    assert.ok(text.endsWith(fixesRecord));
  });

  it('a first full run writes the report alone', async () => {
    await rm(file, { force: true });
    await writeReport(file, '# Benchmarks\n');
    assert.equal(await readFile(file, 'utf8'), '# Benchmarks\n');
  });
});
