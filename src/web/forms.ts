import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { rules } from '../config.ts';
import { verifyCsrfToken } from '../security/csrf.ts';
import { PageError } from './errors.ts';

/** Keeps only string fields: arrays and objects where a string belongs are bad input, not data. */
function stringFields(body: unknown): Record<string, string> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') return undefined;
    fields[key] = value;
  }
  return fields;
}

const formParser = bodyParser({
  enableTypes: ['form'],
  formLimit: rules.bodyLimit,
  onError: () => {
    throw new PageError(400, 'badRequest');
  },
});

/**
 * The form a page posted: url-encoded, at most rules.bodyLimit, only string fields, and carrying
 * the CSRF token of `binding` (what the form belongs to: an interaction, a signed-in session);
 * anything else is refused with a 4xx page before any handler runs. Bodies are parsed here only,
 * never globally: the provider parses its own.
 */
export async function readForm(ctx: Context, csrf: { readonly secretKey: Buffer; readonly binding: string }): Promise<Record<string, string>> {
  await formParser(ctx, async () => {});
  const fields = stringFields(ctx.request.body);
  if (fields === undefined) throw new PageError(400, 'badRequest');
  if (!verifyCsrfToken(csrf.secretKey, csrf.binding, fields._csrf)) throw new PageError(403, 'forbidden');
  return fields;
}
