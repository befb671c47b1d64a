import { readFile, writeFile } from 'node:fs/promises';
import type { Machine } from './machine.ts';
import { imageRuntime } from './image-runtime.ts';

export interface Table {
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

export interface Section {
  readonly title: string;
  /** The machine's 1-minute load average when the section began and ended: other work skews what it measured. */
  readonly load?: string;
  /** How this section measured, in a sentence or two. */
  readonly method: string;
  readonly tables: readonly Table[];
  readonly notes?: readonly string[];
}

export const pass = (ok: boolean) => (ok ? 'pass' : '**miss**');

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

export function whole(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';
}

function renderTable(table: Table): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(table.headers), line(table.headers.map(() => '---')), ...table.rows.map(line)].join('\n');
}

/** Kept from the previous BENCHMARKS.md: the record of fixes is written by hand, not by the run. */
const handWrittenHeading = '## Fixes made from these measurements';

function renderSection(section: Section): string[] {
  const parts = ['', `## ${section.title}`, '', section.method];
  if (section.load !== undefined) parts.push('', `Load average during this section: ${section.load}.`);
  for (const table of section.tables) parts.push('', renderTable(table));
  for (const note of section.notes ?? []) parts.push('', note);
  return parts;
}

export function renderReport(machine: Machine, mode: string, durationS: number, sections: readonly Section[]): string {
  const runtime = imageRuntime();
  const settings = [...Object.entries(runtime.environment).map(([key, value]) => `${key}=${value}`), ...runtime.nodeFlags];
  const parts = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (see `bench/`, about 17 minutes); rerun it to refresh every number below.',
    '`npm run bench -- --quick` is a shorter run that prints its report instead of writing this file, `--only=capacity,token,peer`',
    'picks sections and `--profile` writes V8 CPU profiles of the servers. It needs PostgreSQL and Redis on loopback',
    '(`BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`; `BENCH_REDIS_URL`, default',
    '`redis://127.0.0.1:6379`); each run works in its own schemas and Redis prefix and removes them afterwards. The',
    'server under test runs compiled (`npm run build`) in a child process, so its CPU time and memory are its own, with',
    `the Dockerfile's runtime settings (${settings.map((setting) => `\`${setting}\``).join(', ')});`,
    'the load generator shares the machine with it, PostgreSQL and Redis.',
    '',
    '## Machine',
    '',
    renderTable({
      headers: ['CPU', 'cores', 'memory', 'Node.js', 'OS', 'date', 'load average at start', 'run'],
      rows: [[machine.cpu, String(machine.cores), `${machine.memoryGiB} GiB`, machine.node, machine.os, machine.date, String(machine.loadAtStart), `${mode}, ${Math.round(durationS)} s`]],
    }),
  ];
  for (const section of sections) parts.push(...renderSection(section));
  return `${parts.join('\n')}\n`;
}

/** Writes the report, carrying over the hand-written record of fixes from the file it replaces. */
export async function writeReport(file: string, report: string): Promise<void> {
  const previous = await readFile(file, 'utf8').catch(() => '');
  const kept = previous.indexOf(handWrittenHeading);
  await writeFile(file, kept === -1 ? report : `${report}\n${previous.slice(kept)}`);
}

/**
 * Replaces the given sections of the report in place (`--only=… --update`), each from its heading
 * to the next; a section the file does not have yet goes before the hand-written record of fixes.
 * Each says when it was rerun, as the machine table dates the run of the others.
 */
export async function updateSections(file: string, sections: readonly Section[], rerun: { date: string; only: string }): Promise<void> {
  let text = await readFile(file, 'utf8');
  for (const section of sections) {
    const load = `${section.load ?? 'not taken'}, in a rerun of this section alone (\`--only=${rerun.only} --update\`) at ${rerun.date}, after the run of the machine table`;
    const rendered = `${renderSection({ ...section, load }).slice(1).join('\n')}\n\n`;
    const start = text.indexOf(`\n## ${section.title}\n`);
    if (start !== -1) {
      const next = text.indexOf('\n## ', start + 1);
      text = `${text.slice(0, start + 1)}${rendered}${next === -1 ? '' : text.slice(next + 1)}`;
      continue;
    }
    const fixes = text.indexOf(handWrittenHeading);
    text = fixes === -1 ? `${text}\n${rendered}` : `${text.slice(0, fixes)}${rendered}${text.slice(fixes)}`;
  }
  await writeFile(file, text);
}
