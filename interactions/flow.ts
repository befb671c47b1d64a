import type { Account } from '../src/accounts/account.ts';
import type { Store } from '../src/store/store.ts';

/**
 * Why the user is in this interaction. `signin` is the ordinary path; `activation` is first-time
 * login through an emailed code; `reset` is a forgotten password proven with the authenticator.
 */
export type Purpose = 'signin' | 'activation' | 'reset';

/** What the user has proven in this interaction, each with the time (ms) it was proven. */
export interface Proofs {
  readonly emailCode?: number;
  readonly password?: number;
  readonly totp?: number;
}
export type Proof = keyof Proofs;

export interface FlowState {
  readonly uid: string;
  readonly accountId: string;
  readonly email: string;
  readonly purpose: Purpose;
  readonly proofs: Proofs;
  /** The forgot-password page confirmed the email: the authenticator step may follow. */
  readonly resetConfirmed: boolean;
  /** An emailed code went out in this interaction, so the code page may be shown. */
  readonly codeSent: boolean;
  /** Enrollment in progress: the new secret, sealed, until its first code verifies. */
  readonly pendingTotpSecret?: string;
  /**
   * The account as the email step read it. Pages that only show a form check their step against
   * these; every step that proves something or changes the account reads the account again.
   */
  readonly hasTotp: boolean;
  /** When the account's password last changed (ms), or null: a sign-in's password proof holds for this password only. */
  readonly passwordChangedAt: number | null;
  /** The password hash, sealed like an authenticator secret at rest, that the password step checks. */
  readonly sealedPasswordHash: string | null;
}

/** The facts about the account that decide which steps are open. */
export interface AccountFacts {
  readonly hasTotp: boolean;
  readonly passwordChangedAt: number | null;
}

/** The account as this flow last read it (see FlowState). */
export function factsOf(flow: FlowState): AccountFacts {
  return { hasTotp: flow.hasTotp, passwordChangedAt: flow.passwordChangedAt };
}

/**
 * A sign-in's password was checked against the hash the email step read: it proves something only
 * while that is still the account's password.
 */
const samePassword = (f: FlowState, a: AccountFacts) => f.purpose !== 'signin' || f.passwordChangedAt === a.passwordChangedAt;

/**
 * Every step and what must already be true to enter it. Handlers call `requireStep` first, so a
 * step cannot be reached by typing its URL: skipping is impossible by construction.
 */
export const steps = {
  password: (f: FlowState) => f.purpose === 'signin',
  help: () => true,
  forgot: (_f: FlowState, a: AccountFacts) => a.hasTotp,
  activationSend: (_f: FlowState, a: AccountFacts) => !a.hasTotp,
  activationCode: (f: FlowState, a: AccountFacts) => !a.hasTotp && f.purpose === 'activation' && f.codeSent,
  activationVerified: (f: FlowState, a: AccountFacts) => !a.hasTotp && f.purpose === 'activation' && f.proofs.emailCode !== undefined,
  totp: (f: FlowState, a: AccountFacts) =>
    a.hasTotp &&
    samePassword(f, a) &&
    ((f.purpose === 'signin' && f.proofs.password !== undefined) || (f.purpose === 'reset' && f.resetConfirmed)),
  // Each proof counts only while the account is still in the situation it was gathered for: an emailed
  // code stands in for an authenticator the account lacks, and a reset's code for the one it has.
  newPassword: (f: FlowState, a: AccountFacts) =>
    (f.purpose === 'activation' && !a.hasTotp && f.proofs.emailCode !== undefined) ||
    (f.purpose === 'reset' && a.hasTotp && f.proofs.totp !== undefined),
  enroll: (f: FlowState, a: AccountFacts) =>
    !a.hasTotp &&
    samePassword(f, a) &&
    f.proofs.password !== undefined &&
    (f.purpose === 'signin' || (f.purpose === 'activation' && f.proofs.emailCode !== undefined)),
  finish: (f: FlowState, a: AccountFacts) => samePassword(f, a) && f.proofs.password !== undefined && f.proofs.totp !== undefined,
} satisfies Record<string, (flow: FlowState, account: AccountFacts) => boolean>;

export type Step = keyof typeof steps;

export class StepRefused extends Error {
  override name = 'StepRefused';
  constructor(readonly step: Step) {
    super(`step ${step} is not open in this interaction`);
  }
}

export function requireStep(step: Step, flow: FlowState | undefined, account: AccountFacts): FlowState {
  if (flow === undefined || !steps[step](flow, account)) throw new StepRefused(step);
  return flow;
}

export function withProof(flow: FlowState, proof: Proof, at: number): FlowState {
  return { ...flow, proofs: { ...flow.proofs, [proof]: at } };
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

  async load(uid: string): Promise<FlowState | undefined> {
    const raw = await this.store.get(this.key(uid));
    return raw === undefined ? undefined : (JSON.parse(raw) as FlowState);
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
  begin(uid: string, account: Account, sealedPasswordHash: string | null): FlowState {
    return {
      uid,
      accountId: account.id,
      email: account.email,
      purpose: 'signin',
      proofs: {},
      resetConfirmed: false,
      codeSent: false,
      hasTotp: account.totpSecretEncrypted !== null,
      passwordChangedAt: account.passwordChangedAt?.getTime() ?? null,
      sealedPasswordHash,
    };
  }
}
