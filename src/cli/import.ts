import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { importHeaders, maxImportBytes, readImportFile, type CheckedImport, type FileProblem, type RowFate } from '../accounts/import.ts';
import { describeProblem } from './account-input.ts';
import type { CliContext } from './context.ts';
import { CliError, errorLine } from './errors.ts';
import { createProgress } from './progress.ts';

const listedProblems = 20;
const readFailures: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};
const expectedHeader = importHeaders.map((h) => `"${h.join(',')}"`).join(' or ');
const megabytes = maxImportBytes / (1024 * 1024);

export function importCommand(users: Command, ctx: CliContext): void {
  users
    .command('import')
    .description(
      `provision the accounts of a CSV file of up to ${megabytes} MB: a header row ${expectedHeader}, then one account a line; ` +
        'accounts already there are skipped, so rerunning an import adds nothing twice; the valid rows are added all together or not at all',
    )
    .argument('<file>')
    .action((file: string) => importFile(ctx, path.resolve(ctx.cwd, file)));
}

/** The same service as the console's Import users page (src/accounts/import.ts): check, then apply exactly that. */
async function importFile(ctx: CliContext, file: string): Promise<void> {
  // A file refused whole is refused before the database is opened.
  const read = readImportFile(await readBytes(file), new Date());
  if (!read.ok) throw new CliError(describeFileProblem(file, read.problem));
  const { imports } = await ctx.services();
  const result = await imports.check(read.file);
  if (!result.ok) throw new CliError(describeFileProblem(file, result.problem));
  const { checked } = result;
  const applied = await apply(ctx, file, checked);
  const invalid = applied.rows.filter((row) => row.fate === 'invalid');
  for (const row of invalid.slice(0, listedProblems)) ctx.print(problemLine(row));
  if (invalid.length > listedProblems) ctx.print(`… and ${invalid.length - listedProblems} more invalid rows`);
  ctx.print(`added ${applied.added}, skipped ${applied.skipped}, invalid ${applied.invalid}`);
  if (applied.invalid > 0) {
    throw new CliError(`${applied.invalid} invalid rows were not imported (listed above); fix them and run the import again`);
  }
}

async function apply(ctx: CliContext, file: string, checked: CheckedImport) {
  const { imports } = await ctx.services();
  const progress = createProgress(ctx.stdout, checked.counts.add);
  const rows = checked.rows.length;
  try {
    const applied = await imports.apply(ctx.actor, checked, {
      onProgress: (done, added) => progress.update(done, { rows, added, skipped: checked.counts.exists + done - added, invalid: checked.counts.invalid }),
    });
    progress.stop();
    await ctx.record({ command: 'cli.users.import', outcome: 'success', details: { file, rows, added: applied.added, skipped: applied.skipped, invalid: applied.invalid } });
    return applied;
  } catch (error) {
    progress.stop();
    await ctx.record({ command: 'cli.users.import', outcome: 'failure', details: { file, rows } }).catch(() => undefined);
    throw new CliError(`Import failed, nothing was imported (run it again): ${errorLine(error)}`);
  }
}

function problemLine(row: Extract<RowFate, { fate: 'invalid' }>): string {
  return `line ${row.line}: ${describeProblem(row.problem)}`;
}

/** The file's bytes; a missing or unreadable file, or one over the limit, is one line naming the file. */
async function readBytes(file: string): Promise<Buffer> {
  try {
    const { size } = await stat(file);
    if (size > maxImportBytes) throw new CliError(describeFileProblem(file, { code: 'too-large', maxBytes: maxImportBytes }));
    return await readFile(file);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new CliError(`Cannot read ${file}: ${readFailures[code] ?? errorLine(error)}`);
  }
}

function describeFileProblem(file: string, problem: FileProblem): string {
  switch (problem.code) {
    case 'too-large':
      return `${file} is larger than ${megabytes} MB: split it into smaller files; nothing was imported`;
    case 'empty':
      return `${file} is empty: expected the header ${expectedHeader}`;
    case 'binary':
      return `${file}: line ${problem.line} must be the header ${expectedHeader} (the file is not CSV text); nothing was imported`;
    case 'header':
      return `${file}: line ${problem.line} must be the header ${expectedHeader}; nothing was imported`;
  }
}
