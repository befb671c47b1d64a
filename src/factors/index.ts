import type { AuditLog } from '../audit.ts';
import { AuthenticatorApps, type AuthenticatorAppsDependencies } from './authenticator-apps.ts';
import { oweFactorRemoved, sendOwed, type FactorRequest, type OwedNotices } from './notices.ts';
import { Passkeys, type PasskeysDependencies } from './passkeys.ts';
import { RecoveryCodes, type RecoveryCodesDependencies } from './recovery-codes.ts';
import { summarise, type FactorOwner, type FactorSummary } from './record.ts';
import type { FactorRepository } from './repository.ts';

export { hasPasskey, hasSecondFactor, type FactorKind, type FactorOwner, type FactorSummary, type StoredFactor } from './record.ts';
export type { FactorCheck } from './outcome.ts';
export type { FactorRequest } from './notices.ts';
export { normaliseRecoveryCode, type RecoveryCodeSet } from './recovery-codes.ts';
export { relyingPartyOf } from './passkeys.ts';

export type FactorsDependencies = AuthenticatorAppsDependencies & RecoveryCodesDependencies & PasskeysDependencies;

/**
 * An account's second factors: one module per kind (authenticator apps, recovery codes, passkeys)
 * behind what every kind shares, listing, renaming and removing, which the `factors` table does
 * alike for all kinds.
 */
export class Factors {
  readonly authenticatorApps: AuthenticatorApps;
  readonly recoveryCodes: RecoveryCodes;
  readonly passkeys: Passkeys;
  private readonly repository: FactorRepository;
  private readonly audit: AuditLog;
  private readonly tasks: OwedNotices;

  constructor(deps: FactorsDependencies) {
    this.repository = deps.repository;
    this.audit = deps.audit;
    this.tasks = deps.tasks;
    this.authenticatorApps = new AuthenticatorApps(deps);
    this.recoveryCodes = new RecoveryCodes(deps);
    this.passkeys = new Passkeys(deps);
  }

  async list(accountId: string): Promise<FactorSummary[]> {
    return (await this.repository.listFor(accountId)).map(summarise);
  }

  rename(accountId: string, factorId: string, name: string): Promise<boolean> {
    return this.repository.rename(accountId, factorId, name);
  }

  /**
   * Removes one of the account's factors, audited, with the email that tells the user (in `locale`)
   * owed in the same transaction and sent after it. Refused ('last') for the account's last
   * authenticator app or passkey.
   */
  async remove(owner: Pick<FactorOwner, 'id' | 'email'>, factorId: string, request: FactorRequest): Promise<'removed' | 'last' | 'missing'> {
    const outcome = await this.repository.transaction(async (trx, factors) => {
      const factor = (await factors.listFor(owner.id)).find((candidate) => candidate.id === factorId);
      if (factor === undefined) return 'missing';
      const removed = await factors.remove(owner.id, factorId);
      if (removed !== 'removed') return removed;
      await this.audit.in(trx).record({
        event: 'factor.removed',
        outcome: 'success',
        accountId: owner.id,
        email: owner.email,
        ...request.requester,
        details: { kind: factor.kind, ...(factor.name === null ? {} : { name: factor.name }) },
      });
      await oweFactorRemoved(this.tasks, trx, owner, factor, request.locale);
      return removed;
    });
    if (outcome === 'removed') await sendOwed(this.tasks, owner);
    return outcome;
  }
}
