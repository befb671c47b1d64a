import { z } from 'zod';

export const factorKinds = ['authenticator-app', 'recovery-codes', 'passkey'] as const;
export type FactorKind = (typeof factorKinds)[number];

/** A second factor as the `factors` table keeps it. */
export interface StoredFactor {
  readonly id: string;
  readonly accountId: string;
  readonly kind: FactorKind;
  /** The user's name for an app or a passkey; null for recovery codes. */
  readonly name: string | null;
  /** An authenticator secret sealed with SSO_SECRET_KEY; null for the other kinds. */
  readonly secret: string | null;
  /** A passkey's credential id (base64url); null for the other kinds. */
  readonly credentialId: string | null;
  /** What the kind keeps besides (a passkey's public key and counter, recovery code hashes). */
  readonly data: unknown;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** The account a factor is checked for: its id and email (for the audit trail) and its factors. */
export interface FactorOwner {
  readonly id: string;
  readonly email: string;
  readonly factors: readonly StoredFactor[];
}

/** What may be shown of a factor: never a secret, a key or a hash. */
export interface FactorSummary {
  readonly id: string;
  readonly kind: FactorKind;
  readonly name: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  /** Recovery codes: how many are left unused. */
  readonly left?: number;
}

/** What a set of recovery codes keeps: the keyed hashes of the codes not used yet. */
export const recoveryCodesData = z.object({ unused: z.array(z.string()) });

/** How many codes a set of recovery codes has left; 0 for a record that does not parse. */
export function recoveryCodesLeft(factor: StoredFactor): number {
  const parsed = recoveryCodesData.safeParse(factor.data);
  return parsed.success ? parsed.data.unused.length : 0;
}

export function summarise(factor: StoredFactor): FactorSummary {
  const summary = { id: factor.id, kind: factor.kind, name: factor.name, createdAt: factor.createdAt, lastUsedAt: factor.lastUsedAt };
  return factor.kind === 'recovery-codes' ? { ...summary, left: recoveryCodesLeft(factor) } : summary;
}

/**
 * The kinds that stand on their own as an account's second factor: an account always keeps at least
 * one of them. Recovery codes only stand in for a lost one.
 */
export const primaryKinds: ReadonlySet<FactorKind> = new Set(['authenticator-app', 'passkey']);

/** Whether the account can prove a second factor: an authenticator app or a passkey. */
export function hasSecondFactor(factors: readonly StoredFactor[]): boolean {
  return factors.some((factor) => primaryKinds.has(factor.kind));
}

/** Whether the account holds a passkey: the sign-in pages then offer it. */
export function hasPasskey(factors: readonly StoredFactor[]): boolean {
  return factors.some((factor) => factor.kind === 'passkey');
}
