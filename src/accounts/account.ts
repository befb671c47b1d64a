import type { StoredFactor } from '../factors/record.ts';
import { defaultLocale, type Locale } from '../i18n/index.ts';

export const accountStatuses = ['invited', 'active', 'deactivated'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

export type DeactivationReason = 'activation-expired' | 'operator';

export interface Account {
  readonly id: string;
  /** Normalised: trimmed and lowercased. */
  readonly email: string;
  readonly name: string | null;
  readonly status: AccountStatus;
  readonly invitedAt: Date;
  readonly activatedAt: Date | null;
  readonly deactivatedAt: Date | null;
  readonly deactivationReason: DeactivationReason | null;
  readonly passwordHash: string | null;
  readonly passwordChangedAt: Date | null;
  /** The language of the last sign-in; null before the first. */
  readonly locale: Locale | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An account read with its second factors, in one query: what a sign-in step needs. */
export interface AccountWithFactors extends Account {
  readonly factors: readonly StoredFactor[];
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** When an invitation's activation window closes. */
export function activationDeadline(account: Pick<Account, 'invitedAt'>, activationDays: number): Date {
  return new Date(account.invitedAt.getTime() + activationDays * 24 * 60 * 60 * 1000);
}

/**
 * The language of an email no page of the user's caused (an operator's change, a lock): the
 * language they last signed in with, else the server's default, English.
 */
export function languageOf(account: Pick<Account, 'locale'>): Locale {
  return account.locale ?? defaultLocale;
}
