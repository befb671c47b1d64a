import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { hashPassword } from '../src/security/password-hash.ts';
import { sealSecret } from '../src/security/secret-box.ts';
import { generateTotpSecret } from '../src/security/totp.ts';

const benchPassword = 'Blue#Harbor42';

/**
 * What every seeded active account shares: one password hash at the server's cost and one
 * authenticator secret. Sharing is harmless here because TOTP replay marks are per account.
 */
export interface Credentials {
  readonly password: string;
  readonly passwordHash: string;
  readonly totpSecret: string;
  readonly totpSealed: string;
}

export async function credentials(secretKey: Buffer, bcryptCost: number): Promise<Credentials> {
  const totpSecret = generateTotpSecret();
  return {
    password: benchPassword,
    passwordHash: await hashPassword(benchPassword, bcryptCost),
    totpSecret,
    totpSealed: sealSecret(secretKey, totpSecret),
  };
}

export const emailOf = (group: string, n: number) => `${group}-${n}@bench.example.com`;

/**
 * Inserts accounts `group-from` … `group-to` in one statement: generate_series in SQL, not rows
 * sent from here, so a million accounts take seconds. Active with the shared credentials and the
 * language of an earlier sign-in, or invited (no password, no authenticator) for first-time login.
 */
export async function seedAccounts(
  knex: Knex,
  group: string,
  range: { from: number; to: number },
  state: { active: Credentials } | 'invited',
): Promise<void> {
  const active = state !== 'invited';
  await knex.raw(
    `insert into accounts (id, email, name, status, invited_at, activated_at, password_hash, password_changed_at, locale, created_at, updated_at)
     select gen_random_uuid(), ? || '-' || n || '@bench.example.com', 'Bench User ' || n, ?, now(),
            case when ? then now() end, ?, case when ? then now() end, case when ? then 'en' end, now(), now()
     from generate_series(?::int, ?::int) as n`,
    // An active account has signed in before, in English (the benchmark's browsers ask for no language).
    [group, active ? 'active' : 'invited', active, active ? state.active.passwordHash : null, active, active, range.from, range.to],
  );
  if (active) {
    // Each active account has the shared authenticator app, as a completed enrollment leaves it.
    await knex.raw(
      `insert into factors (id, account_id, kind, name, secret, created_at)
       select gen_random_uuid(), id, 'authenticator-app', 'Authenticator app', ?, now()
       from accounts where email like ? || '-%@bench.example.com'
         and substring(email from '-([0-9]+)@')::int between ? and ?`,
      [state.active.totpSealed, group, range.from, range.to],
    );
    await knex.raw('analyze factors');
  }
  await knex.raw('analyze accounts');
}

/** How long an account rests between two sign-ins: its TOTP step must not be reused (±1 step of 30 s). */
const restMs = 95_000;

/**
 * Hands out accounts in a shuffled order, so index lookups land all over the table. A reusable
 * pool (sign-in) comes back to an account only after it rested; a single-use pool (first-time
 * login, reset: the flow changes the account) runs out instead.
 */
export class AccountPool {
  private readonly order: Uint32Array;
  private readonly lastUsed = new Map<number, number>();
  private cursor = 0;

  constructor(
    private readonly group: string,
    range: { from: number; to: number },
    private readonly reusable: boolean,
  ) {
    const size = range.to - range.from + 1;
    this.order = new Uint32Array(size);
    for (let i = 0; i < size; i++) this.order[i] = range.from + i;
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
  }

  async next(): Promise<string> {
    if (this.cursor >= this.order.length) {
      if (!this.reusable) throw new Error(`the ${this.group} accounts are used up: seed more`);
      this.cursor = 0;
    }
    const n = this.order[this.cursor++]!;
    const wait = (this.lastUsed.get(n) ?? -Infinity) + restMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (this.reusable) this.lastUsed.set(n, Date.now());
    return emailOf(this.group, n);
  }
}
