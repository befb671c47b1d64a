import { generateSecret, generateSync, verify } from 'otplib';
import { rules } from '../config.ts';
import type { Store } from '../store/store.ts';
import { normaliseCode } from './code-input.ts';

export { normaliseCode };

/**
 * Pinned rather than configurable: Microsoft Authenticator computes wrong codes for anything else,
 * and the enrollment page shows these values next to the secret.
 */
export const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

const otpOptions = {
  algorithm: 'sha1',
  digits: TOTP_PARAMETERS.digits,
  period: TOTP_PARAMETERS.period,
} as const;

const SECRET_BYTES = 20;

/** A stored TOTP secret otplib refuses; the message never quotes the secret, unlike otplib's own. */
export class TotpSecretError extends Error {
  override name = 'TotpSecretError';
}

function malformedSecret(): never {
  throw new TotpSecretError('TOTP secret is malformed');
}

/**
 * How long the last accepted step must be remembered: a step is acceptable for (2w + 1) periods from
 * the start of the earliest one that accepts it; one more period absorbs clock skew between instances.
 */
const REPLAY_MARK_SECONDS = (2 * rules.totpWindow + 2) * TOTP_PARAMETERS.period;

/** A new 160-bit secret, base32 without padding (32 characters). */
export function generateTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/** The otpauth:// URI an authenticator app scans, in the exact form of CONTRACT.md section 7. */
export function totpUri({ brand, email, secret }: { brand: string; email: string; secret: string }): string {
  const issuer = encodeURIComponent(brand);
  const label = `${issuer}:${encodeURIComponent(email)}`;
  const { algorithm, digits, period } = TOTP_PARAMETERS;
  return (
    `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${issuer}` +
    `&algorithm=${algorithm}&digits=${digits}&period=${period}`
  );
}

/** The secret in groups of four, for users who type it in instead of scanning the QR code. */
export function formatSecretForDisplay(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(' ');
}

/** The code an authenticator shows for this secret at `timeMs`. */
export function totpCodeAt(secret: string, timeMs: number): string {
  try {
    return generateSync({ ...otpOptions, secret, epoch: Math.floor(timeMs / 1000) });
  } catch {
    return malformedSecret();
  }
}

function lastStepKey(accountKey: string): string {
  return `totp-last-step:${accountKey}`;
}

/**
 * The time step whose code `code` is for this secret, within one step either side of `nowMs`, or
 * undefined when it matches none. Spaces and hyphens in the code are ignored.
 */
export async function matchTotp(secret: string, code: string, nowMs: number): Promise<number | undefined> {
  const token = normaliseCode(code);
  if (token === undefined) return undefined;
  const epoch = Math.floor(nowMs / 1000);
  const result = await verify({
    ...otpOptions,
    secret,
    token,
    epoch,
    epochTolerance: rules.totpWindow * TOTP_PARAMETERS.period,
  }).catch(malformedSecret);
  return result.valid ? Math.floor(epoch / TOTP_PARAMETERS.period) + result.delta : undefined;
}

/**
 * Marks the step used for the account, whichever of its authenticators produced it. RFC 6238
 * section 5.2: only a step after the last accepted one; a code older than one already accepted is
 * refused too, since whoever presents it is not reading the authenticator now. Raising the
 * account's last step is atomic, so of two concurrent submissions exactly one wins.
 */
export function claimTotpStep(store: Store, accountKey: string, step: number): Promise<boolean> {
  return store.raise(lastStepKey(accountKey), step, REPLAY_MARK_SECONDS);
}

export interface VerifyTotpOptions {
  readonly store: Store;
  /** Identifies whose steps are marked used; the account id. */
  readonly accountKey: string;
  readonly secret: string;
  /** The code as typed; spaces and hyphens are ignored. */
  readonly code: string;
  readonly now?: () => number;
}

/** Accepts a code of one secret from the current time step or one step either side, never twice. */
export async function verifyTotp({ store, accountKey, secret, code, now = Date.now }: VerifyTotpOptions): Promise<'ok' | 'invalid' | 'replayed'> {
  const step = await matchTotp(secret, code, now());
  if (step === undefined) return 'invalid';
  return (await claimTotpStep(store, accountKey, step)) ? 'ok' : 'replayed';
}
