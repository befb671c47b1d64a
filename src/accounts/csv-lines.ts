import { parse } from 'csv-parse/sync';
import type { InputProblem, Parsed } from './account-input.ts';

export type Line =
  | { readonly number: number; readonly text: string; readonly bytesRead: number }
  | { readonly number: number; readonly problem: InputProblem; readonly bytesRead: number };

const newline = 0x0a;
const carriageReturn = 0x0d;
const bom = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a byte stream into numbered lines (LF or CRLF, a BOM dropped), never holding more than
 * `maxBytes` of one line: the rest of a longer line is skipped and the line reported as a problem,
 * so arbitrary input runs in bounded memory. `bytesRead` counts the input consumed, for progress.
 *
 * Records are lines, not csv-parse's streaming records: with skip_records_with_error, csv-parse
 * drops the rest of its buffer after an oversize record without reporting it, and an unbalanced
 * quote swallows every later line into one field. Line by line, a bad line only spoils itself,
 * at the price of quoted fields spanning lines, which email, name and date never need.
 */
export function* readLines(source: Iterable<Buffer>, maxBytes: number): Generator<Line> {
  let parts: Buffer[] = [];
  let length = 0;
  let oversize = false;
  let number = 0;
  let bytesRead = 0;
  const take = (): Line => {
    number += 1;
    const line = oversize ? { problem: { code: 'line-length' as const, max: maxBytes } } : decode(Buffer.concat(parts, length), number === 1);
    parts = [];
    length = 0;
    oversize = false;
    return { number, bytesRead, ...line };
  };
  for (const chunk of source) {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(newline, start);
      const stop = end === -1 ? chunk.length : end;
      if (!oversize && length + stop - start > maxBytes) {
        oversize = true;
        parts = [];
      } else if (!oversize) {
        parts.push(chunk.subarray(start, stop));
        length += stop - start;
      }
      bytesRead += stop - start + (end === -1 ? 0 : 1);
      if (end === -1) break;
      yield take();
      start = end + 1;
    }
  }
  if (length > 0 || oversize) yield take();
}

function decode(bytes: Buffer, first: boolean): { text: string } | { problem: InputProblem } {
  let body = first && bytes.subarray(0, 3).equals(bom) ? bytes.subarray(3) : bytes;
  if (body.at(-1) === carriageReturn) body = body.subarray(0, -1);
  try {
    return { text: utf8.decode(body) };
  } catch {
    return { problem: { code: 'not-utf8' } };
  }
}

/** The fields of one line, trimmed, or the quoting problem. */
export function splitFields(text: string, delimiter: string): Parsed<string[]> {
  try {
    const [fields] = parse(text, { delimiter, trim: true, relax_column_count: true }) as string[][];
    return { ok: true, value: fields ?? [] };
  } catch {
    return { ok: false, problem: { code: 'quotes' } };
  }
}
