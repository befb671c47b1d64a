import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit.ts';
import { parseEmail, parseInvitedAt, parseName, type InputProblem } from './account-input.ts';
import { readLines, splitFields, type Line } from './csv-lines.ts';
import { actorDetails, type Actor } from './lifecycle.ts';
import type { AccountRepository } from './repository.ts';

/**
 * Provisioning many accounts from a CSV file (`email,name[,invited_at]`), shared by the CLI's
 * `users import` and the console's Import users page. `check` reads the file and tells each row's
 * fate without changing anything; `apply` does exactly that in one transaction: every account of
 * the file is added, or none is. An account already there is skipped, so an import run twice (or
 * twice at once) adds each account once.
 */

/** A file's limit: far above any real list of users (some 200,000 rows), far below a memory problem. */
export const maxImportBytes = 10 * 1024 * 1024;
/** Far above any valid row (email 254, name 200, date 30 characters). */
const maxLineBytes = 4096;
const chunkSize = 1000;

export const importHeaders = [
  ['email', 'name'],
  ['email', 'name', 'invited_at'],
] as const;

/** Why a whole file is refused: nothing of it is imported. */
export type FileProblem =
  | { readonly code: 'too-large'; readonly maxBytes: number }
  | { readonly code: 'empty' }
  | { readonly code: 'binary'; readonly line: number }
  | { readonly code: 'header'; readonly line: number };

/** What becomes of one row of the file. */
export type RowFate =
  | { readonly line: number; readonly fate: 'add'; readonly email: string; readonly name: string | null; readonly invitedAt: string | null }
  /** An account has the email already, or an earlier row of the file (`repeatsLine`) adds it. */
  | { readonly line: number; readonly fate: 'exists'; readonly email: string; readonly repeatsLine?: number }
  | { readonly line: number; readonly fate: 'invalid'; readonly problem: InputProblem };

export interface ImportCounts {
  readonly add: number;
  readonly exists: number;
  readonly invalid: number;
}

/** A checked file: its rows' fates and the SHA-256 of the bytes they were read from. */
export interface CheckedImport {
  readonly digest: string;
  readonly rows: readonly RowFate[];
  readonly counts: ImportCounts;
}

export type ImportCheck = { readonly ok: true; readonly checked: CheckedImport } | { readonly ok: false; readonly problem: FileProblem };

export interface AppliedImport {
  readonly added: number;
  /** Rows whose account was already there, including any added by someone else since the check. */
  readonly skipped: number;
  readonly invalid: number;
  /** The fates as applied: a row checked as 'add' whose account appeared meanwhile is 'exists'. */
  readonly rows: readonly RowFate[];
}

export interface ImportDependencies {
  readonly accounts: AccountRepository;
  readonly audit: AuditLog;
  readonly now?: () => Date;
}

interface Header {
  readonly delimiter: string;
  readonly columns: number;
}

export function importDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A file read, before the database is asked: rows to add (each email once), repeats and invalid rows. */
export interface ImportFile {
  readonly digest: string;
  readonly rows: readonly RowFate[];
}

/** Reads the file without the database: a refusal of the whole file, or its rows. */
export function readImportFile(bytes: Uint8Array, now: Date): { readonly ok: true; readonly file: ImportFile } | { readonly ok: false; readonly problem: FileProblem } {
  if (bytes.length > maxImportBytes) return { ok: false, problem: { code: 'too-large', maxBytes: maxImportBytes } };
  const lines = readLines([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)], maxLineBytes);
  const header = readHeader(lines);
  if ('code' in header) return { ok: false, problem: header };
  const rows: RowFate[] = [];
  const firstLine = new Map<string, number>();
  for (const line of lines) {
    if ('problem' in line) {
      rows.push({ line: line.number, fate: 'invalid', problem: line.problem });
      continue;
    }
    if (line.text.trim() === '') continue;
    const row = readRow(line.number, line.text, header, now);
    if (row === undefined) continue;
    if (row.fate === 'add') {
      const earlier = firstLine.get(row.email);
      if (earlier !== undefined) {
        rows.push({ line: row.line, fate: 'exists', email: row.email, repeatsLine: earlier });
        continue;
      }
      firstLine.set(row.email, row.line);
    }
    rows.push(row);
  }
  return { ok: true, file: { digest: importDigest(bytes), rows } };
}

export class AccountImport {
  private readonly now: () => Date;

  constructor(private readonly deps: ImportDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Each row's fate, read against the accounts as they are now; changes nothing. Takes the file's
   * bytes, or the file already read (readImportFile), which needs no database.
   */
  async check(input: Uint8Array | ImportFile): Promise<ImportCheck> {
    const read = input instanceof Uint8Array ? readImportFile(input, this.now()) : { ok: true as const, file: input };
    if (!read.ok) return read;
    const { digest, rows: fileRows } = read.file;
    const existing = await this.deps.accounts.existingEmails(fileRows.flatMap((row) => (row.fate === 'add' ? [row.email] : [])));
    const rows = fileRows.map((row): RowFate => (row.fate === 'add' && existing.has(row.email) ? { line: row.line, fate: 'exists', email: row.email } : row));
    return { ok: true, checked: { digest, rows, counts: countFates(rows) } };
  }

  /**
   * Adds the accounts the check found to add, in one transaction, each with an `account.imported`
   * event naming who imported it. An account added by someone else since the check is skipped, so
   * concurrent imports of one file add each account once. `onProgress` hears of each chunk.
   */
  async apply(actor: Actor, checked: CheckedImport, options: { readonly onProgress?: (done: number, added: number) => void } = {}): Promise<AppliedImport> {
    const toAdd = checked.rows.filter((row) => row.fate === 'add');
    const added = new Set<string>();
    await this.deps.accounts.transaction(async (trx, accounts) => {
      const audit = this.deps.audit.in(trx);
      for (let start = 0; start < toAdd.length; start += chunkSize) {
        const chunk = toAdd.slice(start, start + chunkSize);
        const inserted = await accounts.insertNew(
          chunk.map((row) => ({ email: row.email, name: row.name, invitedAt: row.invitedAt === null ? undefined : new Date(row.invitedAt) })),
        );
        const lineOf = new Map(chunk.map((row) => [row.email, row.line]));
        await audit.recordMany(
          inserted.map((account) => ({
            event: 'account.imported' as const,
            outcome: 'success' as const,
            accountId: account.id,
            email: account.email,
            ip: actor.ip,
            userAgent: actor.userAgent,
            details: { ...actorDetails(actor), file: checked.digest.slice(0, 16), line: lineOf.get(account.email) ?? null },
          })),
        );
        for (const account of inserted) added.add(account.email);
        options.onProgress?.(start + chunk.length, added.size);
      }
    });
    const rows = checked.rows.map((row): RowFate => (row.fate === 'add' && !added.has(row.email) ? { line: row.line, fate: 'exists', email: row.email } : row));
    const counts = countFates(rows);
    return { added: counts.add, skipped: counts.exists, invalid: counts.invalid, rows };
  }
}

/**
 * The first line that is not blank must be the header; it also tells the delimiter, since
 * spreadsheets in Dutch, French and German locales save CSV with semicolons. A first line that is
 * not text at all (a control character, or not UTF-8) means the file is not CSV.
 */
function readHeader(lines: Iterator<Line>): Header | FileProblem {
  for (let next = lines.next(); next.done !== true; next = lines.next()) {
    const line = next.value;
    if ('text' in line && line.text.trim() === '') continue;
    if (('problem' in line && line.problem.code === 'not-utf8') || ('text' in line && /[\u0000-\u0008\u000e-\u001f\u007f]/.test(line.text))) {
      return { code: 'binary', line: line.number };
    }
    for (const delimiter of [',', ';']) {
      const fields = 'text' in line ? splitFields(line.text, delimiter) : undefined;
      const names = fields?.ok === true ? fields.value.map((f) => f.toLowerCase()) : [];
      if (importHeaders.some((h) => h.length === names.length && h.every((name, i) => name === names[i]))) {
        return { delimiter, columns: names.length };
      }
    }
    return { code: 'header', line: line.number };
  }
  return { code: 'empty' };
}

/** The fate of a line, or undefined for a line without data. */
function readRow(line: number, text: string, header: Header, now: Date): RowFate | undefined {
  const fields = splitFields(text, header.delimiter);
  if (!fields.ok) return { line, fate: 'invalid', problem: fields.problem };
  // Spreadsheets save empty rows as a line of bare delimiters.
  if (fields.value.every((field) => field === '')) return undefined;
  if (fields.value.length > header.columns) return { line, fate: 'invalid', problem: { code: 'columns', found: fields.value.length, expected: header.columns } };
  const [rawEmail = '', rawName, rawInvitedAt] = fields.value;
  const email = parseEmail(rawEmail);
  if (!email.ok) return { line, fate: 'invalid', problem: email.problem };
  const name = parseName(rawName);
  if (!name.ok) return { line, fate: 'invalid', problem: name.problem };
  const invitedAt = parseInvitedAt(rawInvitedAt, now);
  if (!invitedAt.ok) return { line, fate: 'invalid', problem: invitedAt.problem };
  return { line, fate: 'add', email: email.value, name: name.value ?? null, invitedAt: invitedAt.value?.toISOString() ?? null };
}

function countFates(rows: readonly RowFate[]): ImportCounts {
  const counts = { add: 0, exists: 0, invalid: 0 };
  for (const row of rows) counts[row.fate] += 1;
  return counts;
}
