import type { AuditEvent, AuditLog } from '../audit.ts';
import type { Factors, RecoveryCodeSet, StoredFactor } from '../factors/index.ts';
import type { RegisterCheck } from '../factors/passkeys.ts';
import type { EnrollCheck } from '../factors/authenticator-apps.ts';
import type { Locale } from '../i18n/index.ts';
import type { Attempts, Requester } from '../security/attempts.ts';
import type { Refusal } from '../security/brute-force.ts';
import { hashPassword, verifyPassword } from '../security/password-hash.ts';
import { checkPassword, type PasswordProblem } from '../security/password-policy.ts';
import { endClientAccess, endOneSession, signedInPlaces, type SessionServices } from '../sessions.ts';
import type { AccountApplication, AccountSession } from '../store/oidc-adapter.ts';
import type { AccountWithFactors } from './account.ts';
import type { AccountLifecycle, Change, Found } from './lifecycle.ts';
import type { AccountRepository } from './repository.ts';
import type { AccountTasks } from './tasks.ts';

/**
 * The use cases of the account page: what a signed-in user may change of their own account. Each
 * does the whole change (database, audit, sessions, the email it owes through the account tasks)
 * and returns what happened; the page only parses, calls and renders.
 */

/** The signed-in user making a change, from the browser of one SSO session. */
export interface Owner {
  readonly account: AccountWithFactors;
  /** The SSO session of the browser making the change. */
  readonly sessionUid: string;
  readonly requester: Requester;
  readonly locale: Locale;
}

export type PasswordChange =
  | { readonly status: 'changed' }
  /** Rules the new password breaks, and whether the current one was left out: nothing was checked or counted. */
  | { readonly status: 'invalid'; readonly currentMissing: boolean; readonly problems: readonly PasswordProblem[] }
  /** The current password is wrong; `lockSeconds` is the lock this attempt brought (0 for none). */
  | { readonly status: 'wrong'; readonly lockSeconds: number }
  | { readonly status: 'refused'; readonly refusal: Refusal };

export type FactorRemoval = 'removed' | 'last' | 'missing';

export interface OwnAccountDependencies {
  readonly accounts: AccountRepository;
  readonly factors: Factors;
  readonly attempts: Attempts;
  readonly audit: AuditLog;
  readonly tasks: AccountTasks;
  readonly lifecycle: AccountLifecycle;
  readonly sessions: SessionServices;
  readonly bcryptCost: number;
}

/** Which of an account's factors the page may rename and remove: apps and passkeys. */
const namedKinds = new Set(['authenticator-app', 'passkey']);

export class OwnAccount {
  constructor(private readonly deps: OwnAccountDependencies) {}

  /**
   * Changes the password. The current password is checked like a sign-in's (counted by the
   * brute-force limits before it is compared); the new one against the password rules. The new
   * hash, its audit event and what it owes (every other session and refresh token ended, this
   * browser's session kept; the password-changed email) are stored in one transaction, then run.
   */
  async changePassword(owner: Owner, input: { readonly current: string; readonly password: string; readonly confirmation: string }): Promise<PasswordChange> {
    const { account, requester } = owner;
    const problems = checkPassword(input.password, input.confirmation, account.email);
    if (input.current === '' || problems.length > 0) return { status: 'invalid', currentMissing: input.current === '', problems };
    const tried = await this.deps.attempts.run(
      { kind: 'password', account, requester },
      () => verifyPassword(input.current, account.passwordHash, this.deps.bcryptCost),
      (right) => right,
    );
    if (tried.kind === 'refused') return { status: 'refused', refusal: tried.refusal };
    if (!tried.right) {
      await this.deps.audit.record(this.event(owner, 'password.change-failed', 'failure', { reason: 'wrong current password' }));
      return { status: 'wrong', lockSeconds: tried.lockSeconds };
    }
    const hash = await hashPassword(input.password, this.deps.bcryptCost);
    await this.deps.accounts.transaction(async (trx, accounts) => {
      await accounts.setPassword(account.id, hash);
      await this.deps.audit.in(trx).record(this.event(owner, 'password.changed', 'success'));
      await this.deps.tasks.add(trx, account.id, { kind: 'end-sessions', email: account.email, keepSessionUid: owner.sessionUid });
      await this.deps.tasks.add(trx, account.id, { kind: 'email', notice: 'password-changed', to: account.email, locale: owner.locale });
    });
    await this.runOwed(owner);
    return { status: 'changed' };
  }

  /** Adds an authenticator app, confirmed by its first code; the user is emailed. */
  addAuthenticatorApp(owner: Owner, pendingSealed: string, code: string, name: string): Promise<EnrollCheck> {
    return this.deps.factors.authenticatorApps.enroll(owner.account, pendingSealed, code, { name, requester: owner.requester, locale: owner.locale });
  }

  /** Adds a passkey from the browser's answer to the registration options; the user is emailed. */
  addPasskey(owner: Owner, response: unknown, scope: string, name: string): Promise<RegisterCheck> {
    return this.deps.factors.passkeys.register(owner.account, response, scope, { name, requester: owner.requester, locale: owner.locale });
  }

  /** One of the account's apps or passkeys, for the page's rename and remove pages. */
  namedFactor(account: AccountWithFactors, factorId: string): StoredFactor | undefined {
    return account.factors.find((factor) => factor.id === factorId && namedKinds.has(factor.kind));
  }

  async renameFactor(owner: Owner, factorId: string, name: string): Promise<boolean> {
    const factor = this.namedFactor(owner.account, factorId);
    if (factor === undefined || !(await this.deps.factors.rename(owner.account.id, factorId, name))) return false;
    await this.deps.audit.record(this.event(owner, factor.kind === 'passkey' ? 'passkey.renamed' : 'totp.renamed', 'success', { name, before: factor.name }));
    return true;
  }

  /**
   * Removes an app or a passkey, unless it is the account's last one: the factor repository decides
   * that under the account's row lock, so removals at once never leave the account without one.
   * The user is emailed.
   */
  async removeFactor(owner: Owner, factorId: string): Promise<FactorRemoval> {
    if (this.namedFactor(owner.account, factorId) === undefined) return 'missing';
    return this.deps.factors.remove(owner.account, factorId, { requester: owner.requester, locale: owner.locale });
  }

  /** New recovery codes in place of the old ones; the user is emailed. Returns the set, to show once. */
  renewRecoveryCodes(owner: Owner): Promise<RecoveryCodeSet> {
    return this.deps.factors.recoveryCodes.renew(owner.account, { requester: owner.requester, locale: owner.locale });
  }

  /** Where the account is signed in. */
  places(account: AccountWithFactors): Promise<{ sessions: AccountSession[]; applications: AccountApplication[] }> {
    return signedInPlaces(this.deps.sessions, account.id);
  }

  /** Ends one session of the account and the refresh tokens of its sign-ins; its clients are told. */
  async endSession(owner: Owner, uid: string): Promise<boolean> {
    const ended = await endOneSession(this.deps.sessions, owner.account.id, uid);
    if (ended.ended) await this.deps.audit.record(this.event(owner, 'session.ended', 'success', { current: uid === owner.sessionUid, logoutTokens: ended.logoutTokensSent }));
    return ended.ended;
  }

  /** Revokes an application's refresh tokens of the account. */
  async endApplication(owner: Owner, clientId: string): Promise<boolean> {
    const grants = await endClientAccess(this.deps.sessions, owner.account.id, clientId);
    if (grants > 0) await this.deps.audit.record({ ...this.event(owner, 'application.ended', 'success', { grants }), clientId });
    return grants > 0;
  }

  /** Ends every session and refresh token of the account, this browser's too. */
  signOutEverywhere(owner: Owner): Promise<Found<Change>> {
    const { account, requester } = owner;
    return this.deps.lifecycle.signOutEverywhere({ via: 'account', name: account.email, accountId: account.id, ip: requester.ip, userAgent: requester.userAgent }, { id: account.id });
  }

  /** Sends what a change owes (emails, session endings); what cannot run now stays owed. */
  private async runOwed(owner: Owner): Promise<void> {
    await this.deps.tasks.runFor(owner.account.id, { via: 'account', name: owner.account.email });
  }

  private event(owner: Owner, event: AuditEvent['event'], outcome: AuditEvent['outcome'], details: Record<string, string | number | boolean | null> = {}): AuditEvent {
    const { account, requester } = owner;
    return { event, outcome, accountId: account.id, email: account.email, ip: requester.ip, userAgent: requester.userAgent, details: { by: 'account', ...details } };
  }
}
