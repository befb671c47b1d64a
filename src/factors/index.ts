import type { Knex } from 'knex';
import { AuthenticatorApps, type AuthenticatorAppsDependencies } from './authenticator-apps.ts';
import { Passkeys, type PasskeysDependencies } from './passkeys.ts';
import { RecoveryCodes, type RecoveryCodesDependencies } from './recovery-codes.ts';
import { summarise, type FactorSummary } from './record.ts';
import type { FactorRepository } from './repository.ts';

export { hasPasskey, hasSecondFactor, type FactorKind, type FactorOwner, type FactorSummary, type StoredFactor } from './record.ts';
export type { FactorCheck } from './outcome.ts';
export { normaliseRecoveryCode } from './recovery-codes.ts';
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

  constructor(deps: FactorsDependencies) {
    this.repository = deps.repository;
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
   * Refused ('last') for the account's last authenticator app or passkey; `alongside` runs in the
   * removal's transaction.
   */
  remove(accountId: string, factorId: string, alongside?: (trx: Knex.Transaction) => Promise<void>): Promise<'removed' | 'last' | 'missing'> {
    return this.repository.remove(accountId, factorId, alongside);
  }
}
