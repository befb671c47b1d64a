import { timingSafeEqual } from 'node:crypto';
import busboy from 'busboy';
import type { Context } from 'koa';
import { PageError } from '../web/errors.ts';
import type { Operator } from './kit.ts';

export interface Upload {
  readonly fields: Readonly<Record<string, string>>;
  /** The file's bytes, or undefined when no file was chosen. */
  readonly file: Buffer | undefined;
  /** The file was cut at `maxFileBytes`: it is larger than allowed. */
  readonly tooLarge: boolean;
}

/** What a form may carry beside its one file: the CSRF token and a few short fields. */
const fieldLimits = { fields: 8, fieldSize: 1024, parts: 10 };
/** The multipart envelope around the file: boundaries, part headers, the short fields. */
const envelopeBytes = 64 * 1024;

/**
 * A multipart form with one file (`fileField`), read through busboy. The file is kept in memory up
 * to `maxFileBytes` (it is checked whole anyway); a larger one is cut and reported as too large, the
 * rest of the body drained. A body announced larger than that is refused (413) before it is read.
 * The form must carry the CSRF token of the operator's console session (403 otherwise), as every
 * other form of the console; any other malformed body is a 400, never a 500.
 */
export async function readUpload(ctx: Context, operator: Operator, options: { readonly fileField: string; readonly maxFileBytes: number; readonly tooLargeMessage: string }): Promise<Upload> {
  const announced = Number(ctx.get('content-length'));
  if (Number.isFinite(announced) && announced > options.maxFileBytes + envelopeBytes) throw new PageError(413, 'tooLarge', options.tooLargeMessage);
  if (!ctx.is('multipart/form-data')) throw new PageError(400, 'badRequest');
  const upload = await new Promise<Upload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: ctx.req.headers, limits: { ...fieldLimits, files: 1, fileSize: options.maxFileBytes } });
    } catch {
      return reject(new PageError(400, 'badRequest'));
    }
    const fields: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let chosen = false;
    let tooLarge = false;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      // A form posted with no file chosen still sends the part, with an empty name and no bytes.
      if (name !== options.fileField || !info.filename) return stream.resume();
      chosen = true;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        tooLarge = true;
      });
    });
    parser.on('error', () => reject(new PageError(400, 'badRequest')));
    parser.on('close', () => resolve({ fields, file: chosen ? Buffer.concat(chunks) : undefined, tooLarge }));
    ctx.req.on('error', () => reject(new PageError(400, 'badRequest')));
    ctx.req.pipe(parser);
  });
  if (!sameToken(upload.fields._csrf, operator.signedIn.csrf)) throw new PageError(403, 'forbidden');
  if (upload.tooLarge) throw new PageError(413, 'tooLarge', options.tooLargeMessage);
  return upload;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
