import type { Knex } from 'knex';
import type { AccountPool, Credentials } from './accounts.ts';
import type { BenchAlgorithm } from './client.ts';
import type { BenchEnvironment } from './environment.ts';
import { signIn, type StepRecorder, type Tokens } from './flows.ts';
import type { Connection } from './http.ts';
import type { ServerHandle } from './server-handle.ts';

export interface BenchContext {
  readonly env: BenchEnvironment;
  /** A shorter run with fewer samples, for trying the harness out; its numbers are rougher. */
  readonly quick: boolean;
  /** Where the servers write V8 CPU profiles, when profiling. */
  readonly profileDir: string | undefined;
  readonly log: (line: string) => void;
}

/** A server with seeded sign-in accounts, and the means to sign them in. */
export interface SignInTarget {
  readonly server: ServerHandle;
  /** The server's own schema, for seeding more accounts. */
  readonly knex: Knex;
  readonly connection: Connection;
  readonly credentials: Credentials;
  readonly accounts: AccountPool;
  readonly bcryptCost: number;
  /** The server's environment (its port aside), for the bare bcrypt baseline to run in. */
  readonly environment: Record<string, string>;
}

/** Signs in the next account of the pool, to the client whose ID tokens use `alg` (RS256 unless told). */
export async function signInNext(target: SignInTarget, record?: StepRecorder, alg?: BenchAlgorithm): Promise<Tokens> {
  const { credentials } = target;
  const email = await target.accounts.next();
  return signIn({ connection: target.connection, record, alg }, { email, password: credentials.password, totpSecret: credentials.totpSecret });
}
