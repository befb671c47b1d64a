import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { NewAccount } from '../accounts/repository.ts';
import { parseEmail, parseInvitedAt, parseName } from './account-input.ts';
import type { CliContext } from './context.ts';
import { readLines, splitFields, type Line } from './csv-lines.ts';
import { CliError, errorLine } from './errors.ts';
import { createProgress, type Tally } from './progress.ts';

/** Far above any valid row (email 254, name 200, date 30 characters), far below a memory problem. */
const maxLineBytes = 4096;
const batchSize = 1000;
const listedProblems = 20;
const headers = [['email', 'name'], ['email', 'name', 'invited_at']];
const readFailures: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};
const expectedHeader = headers.map((h) => `"${h.join(',')}"`).join(' or ');

interface Header {
  readonly delimiter: string;
  readonly columns: number;
}

export function importCommand(users: Command, ctx: CliContext): void {
  users
    .command('import')
    .description(
      `provision the accounts of a CSV file: a header row ${expectedHeader}, then one account a line; ` +
        'accounts already there are skipped, so rerunning an import adds nothing twice',
    )
    .argument('<file>')
    .action((file: string) => importFile(ctx, path.resolve(ctx.cwd, file)));
}

async function importFile(ctx: CliContext, file: string): Promise<void> {
  const lines = readLines(chunksOf(file), maxLineBytes);
  try {
    const header = await readHeader(lines, file);
    const tally = await importRows(ctx, file, header, lines);
    ctx.print(`added ${tally.added}, skipped ${tally.skipped}, invalid ${tally.invalid}`);
    if (tally.invalid > 0) {
      throw new CliError(`${tally.invalid} invalid rows were not imported (listed above); fix them and run the import again`);
    }
  } finally {
    await lines.return(undefined);
  }
}

/**
 * Imports in batches as it reads, so memory stays flat however long the file. A batch is one
 * transaction: a failure midway leaves whole batches, which a rerun skips.
 */
async function importRows(ctx: CliContext, file: string, header: Header, lines: AsyncIterable<Line>): Promise<Tally> {
  const { accounts } = await ctx.services();
  const now = new Date();
  const tally: Tally = { rows: 0, added: 0, skipped: 0, invalid: 0 };
  const problems: string[] = [];
  const progress = createProgress(ctx.stdout, (await stat(file)).size);
  let batch: NewAccount[] = [];
  let lineNumber = 0;
  const flush = async () => {
    const result = await accounts.createMany(batch);
    tally.added += result.added;
    tally.skipped += result.skipped;
    batch = [];
  };
  try {
    for await (const line of lines) {
      lineNumber = line.number;
      const row = readRow(line, header, now);
      if (row === undefined) continue;
      tally.rows += 1;
      if ('problem' in row) {
        tally.invalid += 1;
        if (problems.length < listedProblems) problems.push(`line ${line.number}: ${row.problem}`);
      } else {
        batch.push(row);
        if (batch.length >= batchSize) await flush();
      }
      progress.update(line.bytesRead, tally);
    }
    if (batch.length > 0) await flush();
  } catch (error) {
    progress.stop();
    const details = { file, ...tally, stoppedAtLine: lineNumber };
    await ctx.record({ command: 'cli.users.import', outcome: 'failure', details }).catch(() => undefined);
    throw new CliError(
      `Import stopped at line ${lineNumber} after adding ${tally.added} accounts (rerunning it skips them): ${errorLine(error)}`,
    );
  }
  progress.stop();
  await ctx.record({ command: 'cli.users.import', outcome: 'success', details: { file, ...tally } });
  for (const problem of problems) ctx.print(problem);
  if (tally.invalid > problems.length) ctx.print(`… and ${tally.invalid - problems.length} more invalid rows`);
  return tally;
}

/** The file's bytes, with a read failure turned into one line naming the file. */
async function* chunksOf(file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file)) yield chunk as Buffer;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = readFailures[code] ?? errorLine(error);
    throw new CliError(`Cannot read ${file}: ${reason}`);
  }
}

/**
 * The first line that is not blank must be the header; it also tells the delimiter, since
 * spreadsheets in Dutch, French and German locales save CSV with semicolons.
 */
async function readHeader(lines: AsyncIterator<Line>, file: string): Promise<Header> {
  for (let next = await lines.next(); next.done !== true; next = await lines.next()) {
    const line = next.value;
    if ('text' in line && line.text.trim() === '') continue;
    for (const delimiter of [',', ';']) {
      const names = 'text' in line ? fieldsOrNothing(line.text, delimiter).map((f) => f.toLowerCase()) : [];
      if (headers.some((h) => h.length === names.length && h.every((name, i) => name === names[i]))) {
        return { delimiter, columns: names.length };
      }
    }
    throw new CliError(`${file}: line ${line.number} must be the header ${expectedHeader}; nothing was imported`);
  }
  throw new CliError(`${file} is empty: expected the header ${expectedHeader}`);
}

function fieldsOrNothing(text: string, delimiter: string): string[] {
  try {
    return splitFields(text, delimiter);
  } catch {
    return [];
  }
}

/** The account of a line, what is wrong with it, or undefined for a line without data. */
function readRow(line: Line, header: Header, now: Date): NewAccount | { problem: string } | undefined {
  if ('problem' in line) return { problem: line.problem };
  try {
    const fields = splitFields(line.text, header.delimiter);
    // Spreadsheets save empty rows as a line of bare delimiters.
    if (fields.every((f) => f === '')) return undefined;
    if (fields.length > header.columns) return { problem: `${fields.length} columns where the header has ${header.columns}` };
    const [email = '', name, invitedAt] = fields;
    return { email: parseEmail(email), name: parseName(name) ?? null, invitedAt: parseInvitedAt(invitedAt, now) };
  } catch (error) {
    if (error instanceof CliError) return { problem: error.message };
    throw error;
  }
}
