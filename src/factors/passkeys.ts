import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { AuditLog } from '../audit.ts';
import { rules } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import type { Attempts, Requester } from '../security/attempts.ts';
import type { Store } from '../store/store.ts';
import { oweFactorAdded, sendOwed, type FactorRequest, type OwedNotices } from './notices.ts';
import type { FactorCheck } from './outcome.ts';
import type { FactorOwner, StoredFactor } from './record.ts';
import type { FactorRepository } from './repository.ts';

/** Who the passkeys are for: the RP ID is the issuer's host, the origin the issuer's origin. */
export interface RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origin: string;
}

/** The relying party of an issuer URL (an issuer with a path keeps its origin and host). */
export function relyingPartyOf(issuer: string, name: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, name, origin: url.origin };
}

export interface PasskeysDependencies {
  readonly repository: FactorRepository;
  readonly tasks: OwedNotices;
  readonly store: Store;
  readonly attempts: Attempts;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly relyingParty: RelyingParty;
}

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/).max(4096);
const transports = z.array(z.string().max(32)).max(10);

/** What a browser's navigator.credentials.get() answers, as @simplewebauthn/browser hands it over. */
const authenticationResponse = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** What navigator.credentials.create() answers. */
const registrationResponse = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().optional(),
    publicKey: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** What the `factors` row of a passkey keeps besides its credential id: never a private key. */
const passkeyData = z.object({
  publicKey: base64url,
  counter: z.number().int().min(0),
  transports: transports.default([]),
  deviceType: z.enum(['singleDevice', 'multiDevice']),
  backedUp: z.boolean(),
  aaguid: z.string(),
});

/** Why a passkey was not accepted, for the audit trail. */
export type PasskeyRefusal =
  /** The assertion is not one (malformed, or not signed by the key). */
  | 'invalid'
  /** No challenge of this ceremony is waiting: expired, or already answered. */
  | 'expired'
  /** Not a passkey of this account: another account's, or one removed. */
  | 'unknown-credential'
  /** The signature counter did not move forward: the sign of a cloned authenticator. */
  | 'counter';

export type RegisterCheck =
  | { readonly status: 'added'; readonly value: StoredFactor }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'full' };

/**
 * Passkeys (WebAuthn, through SimpleWebAuthn): discoverable credentials with user verification
 * required, bound to the issuer's host. A passkey proves both factors: possession of the
 * authenticator and the user's PIN or biometric. Each ceremony's challenge waits in the store under
 * a key of the caller's (the interaction, the account page's session) and is taken when the answer
 * comes, so an answer is checked at most once. Every check is an attempt the brute-force limits
 * count, like a code.
 */
export class Passkeys {
  readonly kind = 'passkey';

  constructor(private readonly deps: PasskeysDependencies) {}

  passkeysOf(owner: Pick<FactorOwner, 'factors'>): StoredFactor[] {
    return owner.factors.filter((factor) => factor.kind === this.kind && factor.credentialId !== null);
  }

  /**
   * Starts adding a passkey to the account (the account page): the options for
   * navigator.credentials.create(). The account's passkeys are excluded, so one authenticator is not
   * registered twice. `scope` names the ceremony's challenge until register() takes it.
   */
  async registrationOptions(owner: FactorOwner & { readonly name: string | null }, scope: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { relyingParty } = this.deps;
    const options = await generateRegistrationOptions({
      rpName: relyingParty.name,
      rpID: relyingParty.id,
      userName: owner.email,
      userDisplayName: owner.name ?? owner.email,
      // The user handle is the account id: opaque, and checked again on every sign-in.
      userID: new TextEncoder().encode(owner.id),
      attestationType: 'none',
      excludeCredentials: this.passkeysOf(owner).map((passkey) => ({ id: passkey.credentialId!, transports: dataOf(passkey)?.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      timeout: rules.passkeyCeremonySeconds * 1000,
    });
    await this.remember(scope, options.challenge);
    return options;
  }

  /**
   * Checks the authenticator's answer to registrationOptions() and stores the passkey under `name`,
   * audited, with the email that tells the user (in `locale`) owed in the same transaction and sent
   * after it.
   */
  async register(owner: FactorOwner, response: unknown, scope: string, options: FactorRequest & { readonly name: string }): Promise<RegisterCheck> {
    const challenge = await this.deps.store.take(challengeKey(scope));
    const parsed = registrationResponse.safeParse(response);
    if (challenge === undefined || !parsed.success) return { status: 'invalid', reason: challenge === undefined ? 'expired' : 'malformed' };
    const { relyingParty } = this.deps;
    const verified = await verifyRegistrationResponse({
      response: parsed.data as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: relyingParty.origin,
      expectedRPID: relyingParty.id,
      requireUserVerification: true,
    }).catch(() => undefined);
    if (verified?.verified !== true) return { status: 'invalid', reason: 'invalid' };
    const { credential, credentialDeviceType, credentialBackedUp, aaguid } = verified.registrationInfo;
    const data: z.infer<typeof passkeyData> = {
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      aaguid,
    };
    const stored = await this.deps.repository
      .transaction(async (trx, factors) => {
        const passkey = await factors.add({ accountId: owner.id, kind: this.kind, name: options.name, credentialId: credential.id, data }, rules.maxPasskeys);
        if (passkey === undefined) return undefined;
        await this.deps.audit.in(trx).record({ event: 'passkey.added', outcome: 'success', accountId: owner.id, email: owner.email, ...options.requester, details: { name: options.name } });
        await oweFactorAdded(this.deps.tasks, trx, owner, passkey, options.locale);
        return passkey;
      })
      .catch((error: unknown) => {
        // The credential id is unique: the same authenticator's credential is stored once.
        if ((error as { code?: string }).code === '23505') return 'duplicate' as const;
        throw error;
      });
    if (stored === 'duplicate') return { status: 'invalid', reason: 'duplicate' };
    if (stored === undefined) return { status: 'full' };
    this.deps.metrics.factorEnrollments.inc({ kind: this.kind });
    await sendOwed(this.deps.tasks, owner);
    return { status: 'added', value: stored };
  }

  /**
   * The options for navigator.credentials.get(): no list of credentials, so the authenticator
   * offers the passkeys it holds for this host (discoverable credentials), and user verification.
   */
  async authenticationOptions(scope: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({
      rpID: this.deps.relyingParty.id,
      userVerification: 'required',
      timeout: rules.passkeyCeremonySeconds * 1000,
    });
    await this.remember(scope, options.challenge);
    return options;
  }

  /**
   * Checks an answer to authenticationOptions() for the account: the challenge is taken first (an
   * answer is checked once), then the credential must be one of the account's passkeys, its user
   * handle the account's, its signature valid with user verification, and its counter must move
   * forward, raised in one conditional statement.
   */
  async verify(owner: FactorOwner, response: unknown, scope: string, requester: Requester): Promise<FactorCheck<StoredFactor>> {
    const tried = await this.deps.attempts.run(
      { kind: 'passkey', account: owner, requester },
      () => this.check(owner, response, scope),
      (verdict) => verdict.passkey !== undefined,
    );
    if (tried.kind === 'refused') {
      this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'refused' });
      return { status: 'refused', refusal: tried.refusal };
    }
    const { passkey, refusal } = tried.verdict;
    if (passkey !== undefined) {
      this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'right' });
      return { status: 'right', value: passkey };
    }
    this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'wrong' });
    await this.deps.audit.record({
      event: 'passkey.failure',
      outcome: 'failure',
      accountId: owner.id,
      email: owner.email,
      ...requester,
      details: { reason: refusal ?? 'invalid' },
    });
    return { status: 'wrong', reason: refusal ?? 'invalid', lockSeconds: tried.lockSeconds };
  }

  private async check(owner: FactorOwner, response: unknown, scope: string): Promise<{ passkey?: StoredFactor; refusal?: PasskeyRefusal }> {
    const challenge = await this.deps.store.take(challengeKey(scope));
    if (challenge === undefined) return { refusal: 'expired' };
    const parsed = authenticationResponse.safeParse(response);
    if (!parsed.success) return { refusal: 'invalid' };
    const assertion = parsed.data as AuthenticationResponseJSON;
    const passkey = this.passkeysOf(owner).find((factor) => factor.credentialId === assertion.id);
    const data = passkey === undefined ? undefined : dataOf(passkey);
    if (passkey === undefined || data === undefined) return { refusal: 'unknown-credential' };
    const handle = assertion.response.userHandle;
    if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== owner.id) return { refusal: 'unknown-credential' };
    const { relyingParty } = this.deps;
    let newCounter: number;
    try {
      const verified = await verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: challenge,
        expectedOrigin: relyingParty.origin,
        expectedRPID: relyingParty.id,
        credential: {
          id: passkey.credentialId!,
          publicKey: Buffer.from(data.publicKey, 'base64url'),
          counter: data.counter,
          transports: data.transports as AuthenticatorTransport[],
        },
        requireUserVerification: true,
      });
      if (!verified.verified) return { refusal: 'invalid' };
      newCounter = verified.authenticationInfo.newCounter;
    } catch (error) {
      return { refusal: /counter/i.test((error as Error).message) ? 'counter' : 'invalid' };
    }
    // Checked again where it is stored: of two answers with the same counter, one moves it.
    if (!(await this.deps.repository.advanceCounter(passkey.id, newCounter))) return { refusal: 'counter' };
    return { passkey };
  }

  private async remember(scope: string, challenge: string): Promise<void> {
    await this.deps.store.set(challengeKey(scope), challenge, rules.passkeyCeremonySeconds);
  }
}

function challengeKey(scope: string): string {
  return `passkey-challenge:${scope}`;
}

/** A passkey's stored data, or undefined when it does not parse (such a passkey is never accepted). */
function dataOf(passkey: StoredFactor): z.infer<typeof passkeyData> | undefined {
  const parsed = passkeyData.safeParse(passkey.data);
  return parsed.success ? parsed.data : undefined;
}
