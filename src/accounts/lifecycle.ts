import type { Knex } from 'knex';
import type { AuditEventName, AuditLog } from '../audit.ts';
import type { FactorRepository } from '../factors/repository.ts';
import { summarise, type FactorSummary } from '../factors/record.ts';
import type { Locale } from '../i18n/index.ts';
import type { BruteForceGuard, GuardStatus } from '../security/brute-force.ts';
import { isBackendUnavailable } from '../unavailable.ts';
import type { Account, AccountWithFactors } from './account.ts';
import { activationDeadline, languageOf } from './account.ts';
import { DuplicateEmailError, type AccountRepository } from './repository.ts';
import type { Role, RoleRepository } from './roles.ts';
import type { AccountTask, AccountTasks, TasksRun } from './tasks.ts';

/**
 * The account use cases, shared by the operator CLI, the console and the account page. Each does
 * the whole operation: the database change and its audit event in one transaction, together with
 * what the change owes outside the database (ending sessions, an email) written as account tasks;
 * then those tasks run. When the store or the mail server fails, the change stands and the tasks
 * stay owed: the result says so, and running the same use case again (or an instance's
 * housekeeping) finishes them. Nothing here prints or renders.
 */

/** Who asks for a change: recorded with it in the audit trail. */
export interface Actor {
  /** Where the change was asked for. */
  readonly via: 'cli' | 'console' | 'account';
  /** The operator's login (cli) or the acting account's email. */
  readonly name: string;
  readonly accountId?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** Who made a change, as its audit event's details name them. */
export function actorDetails(actor: Actor): Record<string, string> {
  return { by: actor.via, actor: actor.name, ...(actor.accountId === undefined ? {} : { actorAccountId: actor.accountId }) };
}

/** The account a use case is about: by email (the CLI) or by id (the console). */
export type AccountRef = { readonly email: string } | { readonly id: string };

export type Found<T> = ({ readonly found: true } & T) | { readonly found: false };

/** A change to an account: whether it changed anything, and what it still owes. */
export interface Change {
  readonly account: Account;
  /** False when the account was already in the state asked for (the owed work is still done). */
  readonly changed: boolean;
  readonly tasks: TasksRun;
}

export interface AccountDetails {
  readonly account: Account;
  readonly factors: readonly FactorSummary[];
  readonly roles: readonly Role[];
  /** Undefined when the store, which keeps the counts, does not answer. */
  readonly lock: GuardStatus | undefined;
  readonly owed: readonly AccountTask[];
}

/** An invitation email to send: its language (its link is the lifecycle's own, see invitationLink). */
export interface Invitation {
  readonly locale: Locale;
}

export interface LifecycleDependencies {
  readonly knex: Knex;
  readonly activationDays: number;
  readonly accounts: AccountRepository;
  readonly factors: FactorRepository;
  readonly roles: RoleRepository;
  readonly audit: AuditLog;
  readonly tasks: AccountTasks;
  /** Where the invitation of this email leads (src/accounts/invitation.ts), the same whoever sends it. */
  readonly invitationLink: (email: string) => string;
  /** The brute-force counts live in the store, which a command opens only when it needs it. */
  readonly guard: () => Promise<BruteForceGuard>;
}

/** The repositories of one transaction. */
interface Unit {
  readonly trx: Knex.Transaction;
  readonly accounts: AccountRepository;
  readonly factors: FactorRepository;
  readonly roles: RoleRepository;
  readonly audit: AuditLog;
}

export class AccountLifecycle {
  constructor(private readonly deps: LifecycleDependencies) {}

  /** The account, its factors (never secrets), roles, lock and what it is still owed. Works without the store. */
  async details(ref: AccountRef): Promise<Found<AccountDetails>> {
    const account = await this.find(ref);
    if (account === undefined) return { found: false };
    const [roles, owed, lock] = await Promise.all([
      this.deps.roles.rolesOf(account.id),
      this.deps.tasks.owedFor(account.id),
      this.deps.guard().then((guard) => guard.status(account.id)).catch((error: unknown) => {
        if (isBackendUnavailable(error)) return undefined;
        throw error;
      }),
    ]);
    return { found: true, account, factors: account.factors.map(summarise), roles, lock, owed };
  }

  /**
   * Provisions an account in the invited state, with its activation window starting at
   * `invitedAt` (now by default); with `invitation`, the invitation email is owed with it.
   */
  async invite(
    actor: Actor,
    input: { readonly email: string; readonly name?: string | null; readonly invitedAt?: Date; readonly invitation?: Invitation },
  ): Promise<{ readonly created: false } | ({ readonly created: true } & Omit<Change, 'changed'>)> {
    const created = await this.deps.knex.transaction(async (trx) => {
      const unit = this.unit(trx);
      const account = await unit.accounts.create({ email: input.email, name: input.name ?? null, invitedAt: input.invitedAt }).catch((error: unknown) => {
        if (error instanceof DuplicateEmailError) return undefined;
        throw error;
      });
      if (account === undefined) return undefined;
      await unit.audit.record(this.event(actor, account, 'account.created', { invitation: input.invitation !== undefined }));
      if (input.invitation !== undefined) await this.oweInvitation(trx, account, input.invitation);
      return account;
    });
    if (created === undefined) {
      await this.deps.audit.record({ event: 'account.created', outcome: 'failure', email: input.email, ip: actor.ip, userAgent: actor.userAgent, details: { ...this.by(actor), reason: 'already exists' } });
      return { created: false };
    }
    return { created: true, account: created, tasks: await this.deps.tasks.runFor(created.id, actor) };
  }

  /** Emails the invitation again; only an invited account has one to resend (`changed` is false otherwise). */
  async resendInvitation(actor: Actor, ref: AccountRef, invitation: Invitation): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.invitation-sent', async (unit, before) => {
      if (before.status !== 'invited') return { account: before, changed: false, tasks: [] };
      await this.oweInvitation(unit.trx, before, invitation);
      return { account: before, changed: true, tasks: [] };
    });
  }

  /**
   * Deactivates the account and ends its sessions and refresh tokens. A user who had access is
   * emailed (in `locale`, else their language: see languageOf); an invitation never taken up is
   * deactivated quietly, since its user may never have heard of the account.
   */
  async deactivate(actor: Actor, ref: AccountRef, locale?: Locale): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.deactivated', async (unit, before) => {
      const account = await unit.accounts.deactivate(before.id);
      const tasks: AccountTask[] = [{ kind: 'end-sessions', email: before.email }];
      if (before.status === 'active') tasks.push({ kind: 'email', notice: 'account-deactivated', to: before.email, locale: locale ?? languageOf(before) });
      return { account, changed: before.status !== 'deactivated', tasks };
    });
  }

  /** Reactivates the account; one never activated gets a new activation window. */
  async reactivate(actor: Actor, ref: AccountRef): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.reactivated', async (unit, before) => {
      const account = await unit.accounts.reactivate(before.id);
      return { account, changed: before.status !== 'active', tasks: [] };
    });
  }

  /**
   * Clears the password and every second factor and ends the sessions: first-time login again. An
   * active account's user is emailed how to go through it and by when (in `locale`, else their
   * language); an invitation, or a deactivated account that stays so, has nothing to tell.
   */
  async reset(actor: Actor, ref: AccountRef, locale?: Locale): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.reset', async (unit, before) => {
      await unit.factors.removeAll(before.id);
      const account = await unit.accounts.resetCredentials(before.id);
      const tasks: AccountTask[] = [{ kind: 'end-sessions', email: before.email }];
      if (before.status === 'active' && account.status === 'invited') {
        const deadline = activationDeadline(account, this.deps.activationDays).toISOString();
        tasks.push({ kind: 'email', notice: 'account-reset', to: before.email, locale: locale ?? languageOf(before), params: { deadline } });
      }
      return { account, changed: true, tasks };
    });
  }

  /**
   * Removes every second factor and ends the sessions; the next sign-in enrolls a new authenticator
   * after the password. The user is emailed in `locale`, else their language. Unchanged when there
   * was no factor.
   */
  async resetFactors(actor: Actor, ref: AccountRef, locale?: Locale): Promise<Found<Change>> {
    return this.change(actor, ref, 'mfa.reset', async (unit, before) => {
      if (before.factors.length === 0) return { account: before, changed: false, tasks: [] };
      await unit.factors.removeAll(before.id);
      return {
        account: before,
        changed: true,
        tasks: [{ kind: 'end-sessions', email: before.email }, { kind: 'email', notice: 'mfa-reset', to: before.email, locale: locale ?? languageOf(before) }],
      };
    });
  }

  /** Ends every session and revokes every refresh token of the account. */
  async signOutEverywhere(actor: Actor, ref: AccountRef): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.signed-out', async (_unit, before) => ({ account: before, changed: true, tasks: [{ kind: 'end-sessions', email: before.email }] }));
  }

  /** Lifts a brute-force lock and forgets the failures. Lives in the store only: it fails whole when the store does. */
  async unlock(actor: Actor, ref: AccountRef): Promise<Found<{ account: Account; before: GuardStatus }>> {
    const account = await this.find(ref);
    if (account === undefined) return this.unknown(actor, ref, 'account.unlocked');
    const before = await (await this.deps.guard()).unlock(account.id);
    await this.deps.audit.record(
      this.event(actor, account, 'account.unlocked', { lockedForSeconds: before.lockedForSeconds, failures: before.failures, changed: before.failures > 0 }),
    );
    return { found: true, account, before };
  }

  /** Gives a console role; `changed` is false when the account already held it. */
  async grantRole(actor: Actor, ref: AccountRef, role: Role): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.role-granted', async (unit, before) => ({
      account: before,
      changed: await unit.roles.grant(before.id, role),
      tasks: [],
    }), { role });
  }

  /** Takes a console role; `changed` is false when the account did not hold it. */
  async revokeRole(actor: Actor, ref: AccountRef, role: Role): Promise<Found<Change>> {
    return this.change(actor, ref, 'account.role-revoked', async (unit, before) => ({
      account: before,
      changed: await unit.roles.revoke(before.id, role),
      tasks: [],
    }), { role });
  }

  private async oweInvitation(trx: Knex.Transaction, account: Account, invitation: Invitation): Promise<void> {
    await this.deps.tasks.add(trx, account.id, {
      kind: 'email',
      notice: 'invitation',
      to: account.email,
      locale: invitation.locale,
      params: { signInUrl: this.deps.invitationLink(account.email), deadline: activationDeadline(account, this.deps.activationDays).toISOString() },
    });
  }

  private find(ref: AccountRef): Promise<AccountWithFactors | undefined> {
    return 'id' in ref ? this.deps.accounts.findById(ref.id) : this.deps.accounts.findByEmail(ref.email);
  }

  /**
   * One change: the database change, its audit event and the tasks it owes in one transaction, then
   * the account's tasks run (those of an earlier, unfinished run of the same change too). An
   * unchanged account still gets its event, so a rerun is visible in the trail.
   */
  private async change(
    actor: Actor,
    ref: AccountRef,
    event: AuditEventName,
    apply: (unit: Unit, before: AccountWithFactors) => Promise<{ account: Account; changed: boolean; tasks: AccountTask[] }>,
    details: Record<string, string> = {},
  ): Promise<Found<Change>> {
    const found = await this.find(ref);
    if (found === undefined) return this.unknown(actor, ref, event);
    const { account, changed } = await this.deps.knex.transaction(async (trx) => {
      const unit = this.unit(trx);
      // Changes of one account take turns: each decides from the state the one before it left, so
      // two at once (two operators, a double click) record one change and one rerun.
      const before = (await unit.accounts.findForChange(found.id)) ?? found;
      const applied = await apply(unit, before);
      for (const task of applied.tasks) await this.deps.tasks.add(trx, before.id, task);
      await unit.audit.record(this.event(actor, applied.account, event, { ...details, changed: applied.changed }));
      return applied;
    });
    const tasks = await this.deps.tasks.runFor(account.id, actor);
    return { found: true, account, changed, tasks };
  }

  private async unknown(actor: Actor, ref: AccountRef, event: AuditEventName): Promise<{ found: false }> {
    await this.deps.audit.record({
      event,
      outcome: 'failure',
      email: 'email' in ref ? ref.email : null,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { ...this.by(actor), reason: 'unknown account', ...('id' in ref ? { target: ref.id } : {}) },
    });
    return { found: false };
  }

  private event(actor: Actor, account: Account, event: AuditEventName, details: Record<string, string | number | boolean>) {
    return {
      event,
      outcome: 'success' as const,
      accountId: account.id,
      email: account.email,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { ...this.by(actor), ...details },
    };
  }

  private by(actor: Actor): Record<string, string> {
    return actorDetails(actor);
  }

  private unit(trx: Knex.Transaction): Unit {
    return {
      trx,
      accounts: this.deps.accounts.in(trx),
      factors: this.deps.factors.in(trx),
      roles: this.deps.roles.in(trx),
      audit: this.deps.audit.in(trx),
    };
  }
}
