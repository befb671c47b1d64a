import type { Knex } from 'knex';
import type { AuditLog } from '../audit.ts';
import { rules } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import type { Attempts, Requester } from '../security/attempts.ts';
import { openSecret, sealSecret } from '../security/secret-box.ts';
import { claimTotpStep, generateTotpSecret, matchTotp } from '../security/totp.ts';
import type { Store } from '../store/store.ts';
import type { FactorCheck } from './outcome.ts';
import type { FactorOwner, StoredFactor } from './record.ts';
import type { FactorRepository } from './repository.ts';
import { oweFactorAdded, sendOwed, type FactorRequest, type OwedNotices } from './notices.ts';

export interface AuthenticatorAppsDependencies {
  readonly repository: FactorRepository;
  readonly tasks: OwedNotices;
  readonly store: Store;
  readonly attempts: Attempts;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly secretKey: Buffer;
  readonly now: () => number;
}

/** An enrollment's outcome: the app stored, or why not. */
export type EnrollCheck = FactorCheck<StoredFactor> | { readonly status: 'full' };

/**
 * Authenticator apps (TOTP, RFC 6238): up to rules.maxAuthenticatorApps an account, each with a
 * name. A code from any of the account's apps is accepted, and a time step accepted once is refused
 * afterwards whichever app produced it. Every check is an attempt the brute-force limits count.
 */
export class AuthenticatorApps {
  readonly kind = 'authenticator-app';

  constructor(private readonly deps: AuthenticatorAppsDependencies) {}

  /** A new secret for an enrollment, sealed: it lives only in the enrollment's state until its first code verifies. */
  newPendingSecret(): string {
    return sealSecret(this.deps.secretKey, generateTotpSecret());
  }

  /** The plain secret of a pending enrollment, for the QR code and the "Still having trouble?" panel. */
  openPendingSecret(sealed: string): string {
    return openSecret(this.deps.secretKey, sealed);
  }

  /** The apps of the account, oldest first. */
  appsOf(owner: FactorOwner): StoredFactor[] {
    return owner.factors.filter((factor) => factor.kind === this.kind && factor.secret !== null);
  }

  /** Checks a code against every app of the account (sign-in, password reset). */
  async verify(owner: FactorOwner, code: string, requester: Requester): Promise<FactorCheck<StoredFactor>> {
    const apps = this.appsOf(owner);
    const checked = await this.check(owner, requester, async () => {
      const now = this.deps.now();
      for (const app of apps) {
        const step = await matchTotp(openSecret(this.deps.secretKey, app.secret!), code, now);
        if (step !== undefined) return { app, step };
      }
      return undefined;
    });
    if (checked.status !== 'right') return checked;
    await this.deps.repository.touch(checked.value.id);
    return checked;
  }

  /**
   * Confirms an enrollment with the first code of the new app, then stores the app under `name`,
   * audited, with the email that tells the user (in `locale`) owed in the same transaction and sent
   * after it. `activation` marks the account's first app, added while the account is activated:
   * the activation is the news then, so no separate email. `alongside` runs in the same
   * transaction (first-time login activates the account with it), so the app and what comes with
   * it are stored together or not at all.
   */
  async enroll(
    owner: FactorOwner,
    pendingSealed: string,
    code: string,
    options: FactorRequest & { readonly name: string; readonly activation?: boolean; readonly alongside?: (trx: Knex.Transaction) => Promise<void> },
  ): Promise<EnrollCheck> {
    const secret = this.openPendingSecret(pendingSealed);
    const checked = await this.check(owner, options.requester, async () => {
      const step = await matchTotp(secret, code, this.deps.now());
      return step === undefined ? undefined : { app: undefined, step };
    });
    if (checked.status !== 'right') return checked;
    const stored = await this.deps.repository.transaction(async (trx, factors) => {
      const app = await factors.add({ accountId: owner.id, kind: this.kind, name: options.name, secret: pendingSealed }, rules.maxAuthenticatorApps);
      if (app === undefined) return undefined;
      await this.deps.audit.in(trx).record({ event: 'totp.enrolled', outcome: 'success', accountId: owner.id, email: owner.email, ...options.requester, details: { name: options.name } });
      if (options.activation !== true) await oweFactorAdded(this.deps.tasks, trx, owner, app, options.locale);
      await options.alongside?.(trx);
      return app;
    });
    if (stored === undefined) return { status: 'full' };
    this.deps.metrics.enrollments.inc();
    this.deps.metrics.factorEnrollments.inc({ kind: this.kind });
    if (options.activation !== true) await sendOwed(this.deps.tasks, owner);
    return { status: 'right', value: stored };
  }

  /** The name a new app gets unless the user gives one: "Authenticator app", then "Authenticator app 2"... */
  defaultName(owner: FactorOwner, base: string, numbered: (n: number) => string): string {
    const taken = new Set(this.appsOf(owner).map((app) => app.name));
    if (!taken.has(base)) return base;
    for (let n = 2; ; n += 1) if (!taken.has(numbered(n))) return numbered(n);
  }

  /**
   * One attempt at a code: counted before the comparison, then the matched step claimed for the
   * account so no code is accepted twice. A wrong or replayed code is audited.
   */
  private async check<A extends StoredFactor | undefined>(
    owner: FactorOwner,
    requester: Requester,
    match: () => Promise<{ app: A; step: number } | undefined>,
  ): Promise<FactorCheck<A>> {
    const tried = await this.deps.attempts.run(
      { kind: 'totp', account: owner, requester },
      async () => {
        const matched = await match();
        if (matched === undefined) return { verdict: 'invalid' as const };
        const claimed = await claimTotpStep(this.deps.store, owner.id, matched.step);
        return claimed ? { verdict: 'ok' as const, app: matched.app } : { verdict: 'replayed' as const };
      },
      (result) => result.verdict === 'ok',
    );
    if (tried.kind === 'refused') {
      this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'refused' });
      return { status: 'refused', refusal: tried.refusal };
    }
    if (tried.right && tried.verdict.verdict === 'ok') {
      this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'right' });
      return { status: 'right', value: tried.verdict.app };
    }
    this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'wrong' });
    await this.deps.audit.record({
      event: 'totp.failure',
      outcome: 'failure',
      accountId: owner.id,
      email: owner.email,
      ip: requester.ip,
      userAgent: requester.userAgent,
      clientId: requester.clientId,
      details: { reason: tried.verdict.verdict },
    });
    return { status: 'wrong', reason: tried.verdict.verdict, lockSeconds: tried.lockSeconds };
  }
}
