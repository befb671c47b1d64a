import * as input from '../accounts/account-input.ts';
import type { InputProblem, Parsed } from '../accounts/account-input.ts';
import { CliError } from './errors.ts';

/** Quoted and shortened, so a garbage value cannot flood the one line it appears in. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** A problem with a value or a line, as the CLI words it. */
export function describeProblem(problem: InputProblem): string {
  switch (problem.code) {
    case 'email':
      return `Invalid email address ${quote(problem.value)}`;
    case 'name-length':
      return `Name longer than ${problem.max} characters`;
    case 'name-control':
      return `Name ${quote(problem.value)} contains control characters`;
    case 'date':
      return `Invalid invitation date ${quote(problem.value)}: expected an ISO date such as 2024-05-01 or 2024-05-01T09:00:00Z`;
    case 'future-date':
      return `Invitation date ${problem.value} is in the future`;
    case 'columns':
      return `${problem.found} columns where the header has ${problem.expected}`;
    case 'quotes':
      return 'malformed CSV (unbalanced or misplaced quotes)';
    case 'not-utf8':
      return 'not UTF-8 text (save the file as "CSV UTF-8")';
    case 'line-length':
      return `line longer than ${problem.max} bytes`;
  }
}

function orThrow<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new CliError(describeProblem(parsed.problem));
  return parsed.value;
}

export const parseEmail = (value: string): string => orThrow(input.parseEmail(value));
export const parseName = (value: string | undefined): string | undefined => orThrow(input.parseName(value));
export const parseInvitedAt = (value: string | undefined, now: Date): Date | undefined => orThrow(input.parseInvitedAt(value, now));
