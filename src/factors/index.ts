import { AuthenticatorApps, type AuthenticatorAppsDependencies } from './authenticator-apps.ts';
import { summarise, type FactorSummary } from './record.ts';
import type { FactorRepository } from './repository.ts';

export { hasSecondFactor, type FactorKind, type FactorSummary, type StoredFactor } from './record.ts';
export type { FactorCheck } from './outcome.ts';

/**
 * An account's second factors: one module per kind (authenticator apps today) behind what every
 * kind shares, listing, renaming and removing, which the `factors` table does alike for all kinds.
 */
export class Factors {
  readonly authenticatorApps: AuthenticatorApps;
  private readonly repository: FactorRepository;

  constructor(deps: AuthenticatorAppsDependencies) {
    this.repository = deps.repository;
    this.authenticatorApps = new AuthenticatorApps(deps);
  }

  async list(accountId: string): Promise<FactorSummary[]> {
    return (await this.repository.listFor(accountId)).map(summarise);
  }

  rename(accountId: string, factorId: string, name: string): Promise<boolean> {
    return this.repository.rename(accountId, factorId, name);
  }

  /** Refused ('last') for the account's last authenticator app or passkey. */
  remove(accountId: string, factorId: string): Promise<'removed' | 'last' | 'missing'> {
    return this.repository.remove(accountId, factorId);
  }
}
