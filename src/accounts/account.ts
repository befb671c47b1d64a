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
  /** The TOTP secret encrypted with SSO_SECRET_KEY (see security/secret-box.ts); never the plain secret. */
  readonly totpSecretEncrypted: string | null;
  readonly totpEnrolledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
