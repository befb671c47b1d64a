import { z } from 'zod';
import type { AccountWithFactors } from '../src/accounts/account.ts';
import { factorKinds, hasPasskey, hasSecondFactor } from '../src/factors/record.ts';
import type { FactorKind } from '../src/factors/record.ts';
import type { Store } from '../src/store/store.ts';

/**
 * Why the user is in this interaction. `signin` is the ordinary path; `activation` is first-time
 * login through an emailed code; `reset` is a forgotten password proven with a second factor.
 */
export const purposes = ['signin', 'activation', 'reset'] as const;
export type Purpose = (typeof purposes)[number];

/**
 * What the user has proven in this interaction, each with the time (ms) it was proven. `otp` is a
 * code of an authenticator app (or a recovery code); `passkey` proves both factors at once.
 */
const proofsSchema = z.object({
  emailCode: z.number().optional(),
  password: z.number().optional(),
  otp: z.number().optional(),
  passkey: z.number().optional(),
});
export type Proofs = Readonly<z.infer<typeof proofsSchema>>;
export type Proof = keyof Proofs;

/**
 * An interaction's flow state. It is stored as JSON and parsed back through this schema: a record
 * that does not parse (another version's, or altered) is treated as absent, so its steps are refused.
 */
const flowSchema = z.object({
  version: z.literal(2),
  uid: z.string(),
  accountId: z.string(),
  email: z.string(),
  purpose: z.enum(purposes),
  proofs: proofsSchema,
  /** The forgot-password page confirmed the email: the second-factor step may follow. */
  resetConfirmed: z.boolean(),
  /** An emailed code went out in this interaction, so the code page may be shown. */
  codeSent: z.boolean(),
  /** Enrollment in progress: the new authenticator secret, sealed, until its first code verifies. */
  pendingTotpSecret: z.string().optional(),
  /** The recovery codes made with the first authenticator app, sealed, until the user has saved them. */
  pendingRecoveryCodes: z.string().optional(),
  /** The kind of second factor this flow's second-factor proof came from: metrics and the audit trail name it. */
  secondFactor: z.enum(factorKinds).optional(),
  /**
   * The account as the email step read it. Pages that only show a form check their step against
   * these; every step that proves something or changes the account reads the account again.
   */
  hasSecondFactor: z.boolean(),
  /** The account holds a passkey: the sign-in and authenticator code pages offer it. */
  hasPasskey: z.boolean().default(false),
  /** When the account's password last changed (ms), or null: a sign-in's password proof holds for this password only. */
  passwordChangedAt: z.number().nullable(),
  /** The password hash, sealed like an authenticator secret at rest, that the password step checks. */
  sealedPasswordHash: z.string().nullable(),
});
export type FlowState = Readonly<z.infer<typeof flowSchema>>;

/** The facts about the account that decide which steps are open. */
export interface AccountFacts {
  readonly hasSecondFactor: boolean;
  readonly hasPasskey: boolean;
  readonly passwordChangedAt: number | null;
}

/** The account as this flow last read it (see FlowState). */
export function factsOf(flow: FlowState): AccountFacts {
  return { hasSecondFactor: flow.hasSecondFactor, hasPasskey: flow.hasPasskey, passwordChangedAt: flow.passwordChangedAt };
}

/** The account as just read. */
export function factsOfAccount(account: AccountWithFactors): AccountFacts {
  return {
    hasSecondFactor: hasSecondFactor(account.factors),
    hasPasskey: hasPasskey(account.factors),
    passwordChangedAt: account.passwordChangedAt?.getTime() ?? null,
  };
}

/**
 * A sign-in's password was checked against the hash the email step read: it proves something only
 * while that is still the account's password.
 */
const samePassword = (f: FlowState, a: AccountFacts) => f.purpose !== 'signin' || f.passwordChangedAt === a.passwordChangedAt;

const secondFactorProven = (f: FlowState) => f.proofs.otp !== undefined || f.proofs.passkey !== undefined;

/**
 * What must already be true to enter each step. The router checks a route's requirement before its
 * handler runs (interactions/steps.ts), so a step cannot be reached by typing its URL: skipping is
 * impossible by construction.
 */
export const requirements = {
  password: (f: FlowState) => f.purpose === 'signin',
  help: () => true,
  forgot: (_f: FlowState, a: AccountFacts) => a.hasSecondFactor,
  activationSend: (_f: FlowState, a: AccountFacts) => !a.hasSecondFactor,
  activationCode: (f: FlowState, a: AccountFacts) => !a.hasSecondFactor && f.purpose === 'activation' && f.codeSent,
  activationVerified: (f: FlowState, a: AccountFacts) => !a.hasSecondFactor && f.purpose === 'activation' && f.proofs.emailCode !== undefined,
  secondFactor: (f: FlowState, a: AccountFacts) =>
    a.hasSecondFactor &&
    samePassword(f, a) &&
    ((f.purpose === 'signin' && f.proofs.password !== undefined) || (f.purpose === 'reset' && f.resetConfirmed)),
  // Each proof counts only while the account is still in the situation it was gathered for: an emailed
  // code stands in for a second factor the account lacks, and a reset's second factor for the one it has.
  newPassword: (f: FlowState, a: AccountFacts) =>
    (f.purpose === 'activation' && !a.hasSecondFactor && f.proofs.emailCode !== undefined) ||
    (f.purpose === 'reset' && a.hasSecondFactor && secondFactorProven(f)),
  enroll: (f: FlowState, a: AccountFacts) =>
    !a.hasSecondFactor &&
    samePassword(f, a) &&
    f.proofs.password !== undefined &&
    (f.purpose === 'signin' || (f.purpose === 'activation' && f.proofs.emailCode !== undefined)),
  // The first authenticator app is stored and proven; its recovery codes wait to be saved.
  recoveryCodes: (f: FlowState, a: AccountFacts) =>
    f.pendingRecoveryCodes !== undefined && a.hasSecondFactor && samePassword(f, a) && f.proofs.password !== undefined && f.proofs.otp !== undefined,
  // A passkey stands for both factors at sign-in, and for the second factor of a confirmed reset.
  passkey: (f: FlowState, a: AccountFacts) => a.hasPasskey && (f.purpose === 'signin' || (f.purpose === 'reset' && f.resetConfirmed)),
  // A passkey proves both factors on its own; otherwise a password and a second factor.
  finish: (f: FlowState, a: AccountFacts) =>
    f.proofs.passkey !== undefined || (samePassword(f, a) && f.proofs.password !== undefined && f.proofs.otp !== undefined),
} satisfies Record<string, (flow: FlowState, account: AccountFacts) => boolean>;

export type Requirement = keyof typeof requirements;

export class StepRefused extends Error {
  override name = 'StepRefused';
  constructor(readonly requirement: Requirement) {
    super(`step ${requirement} is not open in this interaction`);
  }
}

export function requireStep(requirement: Requirement, flow: FlowState | undefined, account: AccountFacts): FlowState {
  if (flow === undefined || !requirements[requirement](flow, account)) throw new StepRefused(requirement);
  return flow;
}

export function withProof(flow: FlowState, proof: Proof, at: number): FlowState {
  return { ...flow, proofs: { ...flow.proofs, [proof]: at } };
}

/**
 * A second factor proven: a passkey proves `passkey` (both factors), an authenticator app or a
 * recovery code `otp`; the flow remembers which kind it was.
 */
export function withSecondFactor(flow: FlowState, kind: FactorKind, at: number): FlowState {
  return { ...withProof(flow, kind === 'passkey' ? 'passkey' : 'otp', at), secondFactor: kind };
}

/**
 * RFC 8176 authentication method references, derived from what this interaction proved. A passkey
 * used as the second factor after a password gives `pwd hwk user mfa`: each thing proven is named,
 * and `otp` only when a code was entered.
 */
export function amrOf(proofs: Proofs): string[] {
  return [
    ...(proofs.password === undefined ? [] : ['pwd']),
    ...(proofs.otp === undefined ? [] : ['otp']),
    ...(proofs.passkey === undefined ? [] : ['hwk', 'user']),
    'mfa',
  ];
}

/** Flow states live in the store under the interaction's uid and expire with the interaction. */
export class FlowStore {
  constructor(
    private readonly store: Store,
    private readonly ttlSeconds: number,
  ) {}

  private key(uid: string): string {
    return `flow:${uid}`;
  }

  /** The flow state of the interaction, or undefined when there is none or it does not parse. */
  async load(uid: string): Promise<FlowState | undefined> {
    const raw = await this.store.get(this.key(uid));
    if (raw === undefined) return undefined;
    try {
      const parsed = flowSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async save(flow: FlowState): Promise<void> {
    await this.store.set(this.key(flow.uid), JSON.stringify(flow), this.ttlSeconds);
  }

  async discard(uid: string): Promise<void> {
    await this.store.del(this.key(uid));
  }

  /**
   * A new email starts over: proofs gathered for one account never carry to another.
   *
   * @param sealedPasswordHash the account's password hash sealed with the server's secret key, or null
   */
  begin(uid: string, account: AccountWithFactors, sealedPasswordHash: string | null): FlowState {
    return {
      version: 2,
      uid,
      accountId: account.id,
      email: account.email,
      purpose: 'signin',
      proofs: {},
      resetConfirmed: false,
      codeSent: false,
      hasSecondFactor: hasSecondFactor(account.factors),
      hasPasskey: hasPasskey(account.factors),
      passwordChangedAt: account.passwordChangedAt?.getTime() ?? null,
      sealedPasswordHash,
    };
  }
}
