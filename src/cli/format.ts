import { activationDeadline, type Account } from '../accounts/account.ts';


/** ISO 8601 in UTC to the second: sortable, parseable and the same on every operator's machine. */
export function isoTime(date: Date | null | undefined): string {
  return date == null ? '-' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A value for a tab-separated column: never empty, never holding a tab or a line break. */
export function column(value: string | null | undefined): string {
  if (value == null || value === '') return '-';
  return value.replace(/\p{Cc}+/gu, ' ');
}

/** One line of `users list`: email, status, name, invited, activated, deactivated. */
export function accountLine(account: Account): string {
  return [
    account.email,
    account.status,
    column(account.name),
    isoTime(account.invitedAt),
    isoTime(account.activatedAt),
    isoTime(account.deactivatedAt),
  ].join('\t');
}

/** The state in a few words, for the confirmation line of a command that changed it. */
export function describeState(account: Account, activationDays: number): string {
  switch (account.status) {
    case 'invited':
      return `invited, to activate by ${isoTime(activationDeadline(account, activationDays))}`;
    case 'active':
      return 'active';
    case 'deactivated':
      return account.deactivationReason === 'activation-expired'
        ? `deactivated: not activated by ${isoTime(account.deactivatedAt)}`
        : 'deactivated';
  }
}
