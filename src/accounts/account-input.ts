import { z } from 'zod';
import { normaliseEmail } from './account.ts';

/**
 * The rules an account's email, name and invitation date must meet wherever they come from (the
 * CLI's arguments, an imported file, the console's forms). A value is parsed or its problem named,
 * never thrown: each surface words the problem in its own way and language.
 */

/** What is wrong with one value or one line of an imported file. */
export type InputProblem =
  | { readonly code: 'email'; readonly value: string }
  | { readonly code: 'name-length'; readonly max: number }
  | { readonly code: 'name-control'; readonly value: string }
  | { readonly code: 'date'; readonly value: string }
  | { readonly code: 'future-date'; readonly value: string }
  | { readonly code: 'columns'; readonly found: number; readonly expected: number }
  | { readonly code: 'quotes' }
  | { readonly code: 'not-utf8' }
  | { readonly code: 'line-length'; readonly max: number };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: InputProblem };

/** The sign-in page's own rule: an address it would refuse must never be provisioned. */
const emailSchema = z.email().max(254);
const isoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
export const maxNameLength = 200;
/** Clock skew tolerated between the operator's machine and the one that wrote the date. */
const futureToleranceMs = 5 * 60 * 1000;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = (found: InputProblem): Parsed<never> => ({ ok: false, problem: found });

/** Trimmed and lowercased. */
export function parseEmail(value: string): Parsed<string> {
  const email = normaliseEmail(value);
  return emailSchema.safeParse(email).success ? ok(email) : problem({ code: 'email', value });
}

/** Trimmed; empty is no name. */
export function parseName(value: string | undefined): Parsed<string | undefined> {
  const name = value?.trim();
  if (name === undefined || name === '') return ok(undefined);
  if (name.length > maxNameLength) return problem({ code: 'name-length', max: maxNameLength });
  // A tab or newline would break the one-account-a-line output of `users list`.
  if (/\p{Cc}/u.test(name)) return problem({ code: 'name-control', value: name });
  return ok(name);
}

/**
 * A date alone is midnight UTC; empty is none (now). A future date is refused: it would stretch the
 * activation window beyond SSO_ACTIVATION_DAYS.
 */
export function parseInvitedAt(value: string | undefined, now: Date): Parsed<Date | undefined> {
  const text = value?.trim();
  if (text === undefined || text === '') return ok(undefined);
  if (!isoDate.safeParse(text).success) return problem({ code: 'date', value: text });
  const date = new Date(text);
  if (date.getTime() > now.getTime() + futureToleranceMs) return problem({ code: 'future-date', value: text });
  return ok(date);
}
