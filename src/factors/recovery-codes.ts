import { createHmac, randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AuditLog } from '../audit.ts';
import { rules } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import type { Attempts, Requester } from '../security/attempts.ts';
import { openSecret, SecretBoxError, sealSecret } from '../security/secret-box.ts';
import { sendOwed, type FactorRequest, type OwedNotices } from './notices.ts';
import type { FactorCheck } from './outcome.ts';
import { recoveryCodesLeft, type FactorOwner } from './record.ts';
import type { FactorRepository } from './repository.ts';

/**
 * Lowercase letters and digits without the ones read as others (i, l, o, 0, 1): 31 symbols, so a
 * code of 10 holds 49 bits, far beyond what the brute-force limits let anyone try.
 */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 10;
const CODE = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);
// Whitespace of any kind and any dash: codes are copied from files, password managers and paper.
const SEPARATORS = /[\s\p{Pd}]/gu;

/** A new code from a CSPRNG, shown in two groups of five: `xxxxx-xxxxx`. */
export function generateRecoveryCode(): string {
  const symbols = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]!).join('');
  return `${symbols.slice(0, CODE_LENGTH / 2)}-${symbols.slice(CODE_LENGTH / 2)}`;
}

/** The ten symbols of a typed or pasted code, in lowercase, or undefined when it cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | undefined {
  const symbols = input.replace(SEPARATORS, '').toLowerCase();
  return CODE.test(symbols) ? symbols : undefined;
}

/** A set of codes just made: the id of its row in the `factors` table, and the plain codes. */
export interface RecoveryCodeSet {
  readonly id: string;
  readonly codes: readonly string[];
}

const sealedSet = z.object({ id: z.uuid(), codes: z.array(z.string()).length(rules.recoveryCodes) });

export interface RecoveryCodesDependencies {
  readonly repository: FactorRepository;
  readonly attempts: Attempts;
  readonly audit: AuditLog;
  readonly tasks: OwedNotices;
  readonly metrics: Metrics;
  /** Keys the hashes under which codes are stored, so a copy of the database does not reveal them. */
  readonly secretKey: Buffer;
}

/**
 * Recovery codes: one set of rules.recoveryCodes codes per account, each usable once, standing in
 * for an authenticator app wherever its code is asked for. Codes are stored only as keyed hashes
 * (HMAC-SHA-256 under SSO_SECRET_KEY): a code is found by its hash in one statement, without
 * comparing it to each of ten slow hashes, and taken out of the set by the same statement, so a
 * code submitted many times at once is accepted once.
 */
export class RecoveryCodes {
  readonly kind = 'recovery-codes';

  constructor(private readonly deps: RecoveryCodesDependencies) {}

  /** How many codes the account has left; 0 when it has no set. */
  left(owner: Pick<FactorOwner, 'factors'>): number {
    const set = owner.factors.find((factor) => factor.kind === this.kind);
    return set === undefined ? 0 : recoveryCodesLeft(set);
  }

  /** The id of the account's current set; a new set gets a new id, so codes shown with an id are void once it changes. */
  currentSetId(owner: Pick<FactorOwner, 'factors'>): string | undefined {
    return owner.factors.find((factor) => factor.kind === this.kind)?.id;
  }

  /**
   * Makes a new set in place of the account's old one, inside `trx` when given (first-time login
   * makes the first set with the first authenticator app), and audits it. Returns the plain codes:
   * they exist nowhere else, and are shown once.
   */
  async create(owner: Pick<FactorOwner, 'id' | 'email'>, requester: Requester, trx?: Knex.Transaction): Promise<string[]> {
    return [...(await this.make(owner, requester, trx)).codes];
  }

  /**
   * New codes void the old ones (the account page's "Create new recovery codes"); the user is
   * emailed. Returns the plain codes, to be shown once, with the id of their set: the page shows
   * them only while that set is the account's current one.
   */
  async renew(owner: Pick<FactorOwner, 'id' | 'email'>, request: FactorRequest): Promise<RecoveryCodeSet> {
    const set = await this.deps.repository.transaction(async (trx) => {
      const made = await this.make(owner, request.requester, trx);
      await this.deps.tasks.add(trx, owner.id, { kind: 'email', notice: 'recovery-codes-created', to: owner.email, locale: request.locale });
      return made;
    });
    await sendOwed(this.deps.tasks, owner);
    return set;
  }

  /**
   * Checks a code (already normalised) as a second factor: counted by the brute-force limits
   * before it is looked up, like any code. A right code is used up, audited with how many are left
   * and emailed to the user, all in one transaction; a wrong or spent one is audited.
   */
  async verify(owner: FactorOwner, code: string, request: FactorRequest): Promise<FactorCheck<{ left: number }>> {
    const { requester } = request;
    const who = { accountId: owner.id, email: owner.email, ...requester };
    const tried = await this.deps.attempts.run(
      { kind: 'recovery_code', account: owner, requester },
      () =>
        this.deps.repository.transaction(async (trx, factors) => {
          const left = await factors.takeFromList(owner.id, this.kind, 'unused', this.mac(owner.id, code));
          if (left === undefined) return undefined;
          await this.deps.audit.in(trx).record({ event: 'recovery-code.used', outcome: 'success', ...who, details: { left } });
          await this.deps.tasks.add(trx, owner.id, { kind: 'email', notice: 'recovery-code-used', to: owner.email, locale: request.locale, params: { left: String(left) } });
          return left;
        }),
      (left) => left !== undefined,
    );
    if (tried.kind === 'refused') {
      this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'refused' });
      return { status: 'refused', refusal: tried.refusal };
    }
    if (tried.verdict !== undefined) {
      this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'right' });
      await sendOwed(this.deps.tasks, owner);
      return { status: 'right', value: { left: tried.verdict } };
    }
    this.deps.metrics.factorChecks.inc({ kind: this.kind, outcome: 'wrong' });
    await this.deps.audit.record({ event: 'recovery-code.failure', outcome: 'failure', ...who, details: { reason: 'invalid' } });
    return { status: 'wrong', reason: 'invalid', lockSeconds: tried.lockSeconds };
  }

  /** The plain codes sealed under SSO_SECRET_KEY, to wait in a flow state until the user has saved them. */
  seal(codes: readonly string[]): string {
    return sealSecret(this.deps.secretKey, codes.join(' '));
  }

  open(sealed: string): string[] {
    return openSecret(this.deps.secretKey, sealed).split(' ');
  }

  /** A new set sealed with its id, to wait in the store or ride in a form until the user has saved it. */
  sealSet(set: RecoveryCodeSet): string {
    return sealSecret(this.deps.secretKey, JSON.stringify({ id: set.id, codes: set.codes }));
  }

  /** What sealSet sealed; undefined for anything else (altered, under another key, not a set). */
  openSet(sealed: string): RecoveryCodeSet | undefined {
    try {
      const parsed = sealedSet.safeParse(JSON.parse(openSecret(this.deps.secretKey, sealed)));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof SecretBoxError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  private async make(owner: Pick<FactorOwner, 'id' | 'email'>, requester: Requester, trx?: Knex.Transaction): Promise<RecoveryCodeSet> {
    const codes = Array.from({ length: rules.recoveryCodes }, generateRecoveryCode);
    const store = async (repository: FactorRepository, audit: AuditLog) => {
      const unused = codes.map((code) => this.mac(owner.id, normaliseRecoveryCode(code)!));
      const stored = await repository.replace({ accountId: owner.id, kind: this.kind, name: null, data: { unused } });
      if (stored === undefined) throw new Error('no such account');
      await audit.record({ event: 'recovery-codes.created', outcome: 'success', accountId: owner.id, email: owner.email, ...requester });
      return stored.id;
    };
    const id =
      trx === undefined
        ? await this.deps.repository.transaction((inner, repository) => store(repository, this.deps.audit.in(inner)))
        : await store(this.deps.repository.in(trx), this.deps.audit.in(trx));
    this.deps.metrics.factorEnrollments.inc({ kind: this.kind });
    return { id, codes };
  }

  /** Bound to the account and labelled, so no other MAC under this key equals it. */
  private mac(accountId: string, code: string): string {
    return createHmac('sha256', this.deps.secretKey).update(`recovery-code\0${accountId}\0${code}`).digest('hex');
  }
}
