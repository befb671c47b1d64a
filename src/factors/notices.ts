import type { Knex } from 'knex';
import type { Locale } from '../i18n/index.ts';
import type { NoticeName } from '../mail/notices.ts';
import type { Requester } from '../security/attempts.ts';
import type { FactorOwner, StoredFactor } from './record.ts';

/**
 * Where the emails a change of factors owes are written, in the transaction of the change, and
 * then sent: the account tasks of src/accounts/tasks.ts, seen from here. A mail server that does
 * not answer leaves the email owed, not lost, and the change stands.
 */
export interface OwedNotices {
  add(trx: Knex.Transaction, accountId: string, task: { kind: 'email'; notice: NoticeName; to: string; locale: Locale; params?: Record<string, string> }): Promise<void>;
  runFor(accountId: string, by: { via: string; name: string }): Promise<unknown>;
}

/** Who changes a factor: for the audit trail, and the language of the email the change brings. */
export interface FactorRequest {
  readonly requester: Requester;
  readonly locale: Locale;
}

type Owner = Pick<FactorOwner, 'id' | 'email'>;

/** Owes the "second factor added" email of an authenticator app or a passkey. */
export async function oweFactorAdded(tasks: OwedNotices, trx: Knex.Transaction, owner: Owner, factor: StoredFactor, locale: Locale): Promise<void> {
  await tasks.add(trx, owner.id, { kind: 'email', notice: 'factor-added', to: owner.email, locale, params: { kind: factor.kind, name: factor.name ?? '' } });
}

/** Owes the "second factor removed" email; recovery codes have no name. */
export async function oweFactorRemoved(tasks: OwedNotices, trx: Knex.Transaction, owner: Owner, factor: StoredFactor, locale: Locale): Promise<void> {
  const params: Record<string, string> = { kind: factor.kind };
  if (factor.name !== null) params.name = factor.name;
  await tasks.add(trx, owner.id, { kind: 'email', notice: 'factor-removed', to: owner.email, locale, params });
}

/**
 * Sends what the account is owed, after the change was committed. Whatever fails stays owed (the
 * task records why) and an instance's housekeeping sends it later: the change stands either way,
 * so nothing here fails the operation that made it.
 */
export async function sendOwed(tasks: OwedNotices, owner: Owner): Promise<void> {
  await tasks.runFor(owner.id, { via: 'account', name: owner.email }).catch(() => undefined);
}
