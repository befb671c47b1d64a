import { z } from 'zod';
import { normaliseEmail } from '../accounts/account.ts';
import { CliError } from './errors.ts';

/** The sign-in page's own rule: an address it would refuse must never be provisioned. */
const emailSchema = z.email().max(254);
const isoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const maxNameLength = 200;
/** Clock skew tolerated between the operator's machine and the one that wrote the date. */
const futureToleranceMs = 5 * 60 * 1000;

/** Quoted and shortened, so a garbage value cannot flood the one line it appears in. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

export function parseEmail(value: string): string {
  const email = normaliseEmail(value);
  if (!emailSchema.safeParse(email).success) throw new CliError(`Invalid email address ${quote(value)}`);
  return email;
}

export function parseName(value: string | undefined): string | undefined {
  const name = value?.trim();
  if (name === undefined || name === '') return undefined;
  if (name.length > maxNameLength) throw new CliError(`Name longer than ${maxNameLength} characters`);
  // A tab or newline would break the one-account-a-line output of `users list`.
  if (/\p{Cc}/u.test(name)) throw new CliError(`Name ${quote(name)} contains control characters`);
  return name;
}

/**
 * A date alone is midnight UTC. A future date is refused: it would stretch the activation window
 * beyond SSO_ACTIVATION_DAYS.
 */
export function parseInvitedAt(value: string | undefined, now: Date): Date | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (!isoDate.safeParse(text).success) {
    throw new CliError(`Invalid invitation date ${quote(text)}: expected an ISO date such as 2024-05-01 or 2024-05-01T09:00:00Z`);
  }
  const date = new Date(text);
  if (date.getTime() > now.getTime() + futureToleranceMs) throw new CliError(`Invitation date ${text} is in the future`);
  return date;
}
