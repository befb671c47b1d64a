import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import ClientPgLite from 'knex-pglite';
import { ConfigError, defaultDatabaseTimeoutSeconds, type Config } from '../config.ts';
import { acquireDirectoryLock, DirectoryLockedError, type DirectoryLock } from './embedded-lock.ts';

/** The durable store: PostgreSQL in production, PGlite (PostgreSQL compiled to WebAssembly) otherwise. */
export interface Database {
  readonly knex: Knex;
  readonly kind: 'postgres' | 'embedded';
  /** Resolves when the database answers a query within SSO_DATABASE_TIMEOUT; used by readiness. */
  ping(): Promise<void>;
  /**
   * Runs `work` on connections free of SSO_DATABASE_TIMEOUT, closed when it ends: for migrations,
   * which may rewrite a large table. Requests never wait on these connections.
   */
  withoutTimeouts<T>(work: (knex: Knex) => Promise<T>): Promise<T>;
  /** Closes every connection; safe to call more than once. */
  close(): Promise<void>;
}

export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'> & Partial<Pick<Config, 'databaseTimeoutSeconds'>>;

/** Where knex's own warnings (e.g. a dropped connection being replaced) go, one line each; console by default. */
export interface DatabaseLog {
  warn(message: string): void;
}

/**
 * Knex warns with a stack trace on every failed connection attempt. Until the database has opened,
 * the error thrown by openDatabase says it all, so those warnings are dropped; afterwards each is
 * passed on as its first line.
 */
class KnexWarnings {
  opened = false;
  constructor(private readonly log: DatabaseLog) {}

  config(): Knex.Config['log'] {
    const warn = (message: unknown) => {
      if (this.opened) this.log.warn(String(message).split('\n', 1)[0]!);
    };
    return { warn, error: warn, deprecate: warn };
  }
}

/** The database cannot be used at start; the message is one line naming the variable to check. */
export class DatabaseUnavailableError extends ConfigError {
  override name = 'DatabaseUnavailableError';
}

/** Beyond the statement timeout, so that a server that answers cancels the statement itself and the connection stays usable. */
const clientTimeoutMarginMs = 1_000;
/**
 * PGlite compiles its WebAssembly and, on a fresh directory, initialises a cluster before its first
 * answer: seconds on a quiet machine, many more on a loaded one. A start is not a hang until this.
 */
const embeddedStartTimeoutMs = 60_000;

export async function openDatabase(config: DatabaseConfig, log: DatabaseLog = console): Promise<Database> {
  const warnings = new KnexWarnings(log);
  const timeoutMs = (config.databaseTimeoutSeconds ?? defaultDatabaseTimeoutSeconds) * 1000;
  const db =
    config.databaseUrl === undefined
      ? await openEmbedded(config.dataDir, warnings, timeoutMs)
      : await openPostgres(config.databaseUrl, config.databaseSchema, warnings, timeoutMs);
  warnings.opened = true;
  return db;
}

/** A pg connection that still awaits the answer to a query its caller gave up on. */
type PgConnection = { readyForQuery?: boolean };

/**
 * Every wait on PostgreSQL is bounded by `timeoutMs`, so a database that stops answering (a stopped
 * process, a network path that drops packets) turns a page into a 503 within seconds rather than
 * hanging it: connecting, waiting for a pooled connection, and each statement, which the server
 * cancels itself, and which the client gives up on shortly after when the server does not even
 * say so. `timeoutMs` undefined: none of these bounds, for withoutTimeouts().
 */
function postgresKnex(url: string, schema: string | undefined, warnings: KnexWarnings, timeoutMs: number | undefined, maxConnections: number): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: url,
      connectionTimeoutMillis: timeoutMs ?? 30_000,
      ...(timeoutMs === undefined ? {} : { statement_timeout: timeoutMs, query_timeout: timeoutMs + clientTimeoutMarginMs }),
      // Lets the OS notice a silently dropped connection instead of a query hanging on it.
      keepAlive: true,
      application_name: 'fluxys-sso',
    },
    searchPath: schema === undefined ? undefined : [schema],
    // min 0 lets idle connections go, so one dropped by a proxy or a restart is never handed out
    // stale; a connection that errored is discarded by knex and replaced on the next query. One
    // whose query the client gave up on still waits for that answer: it is replaced rather than
    // lent out again, where every query would queue behind the lost one.
    pool: {
      min: 0,
      max: maxConnections,
      idleTimeoutMillis: 30_000,
      validate: (connection: PgConnection) => connection.readyForQuery !== false,
    },
    acquireConnectionTimeout: timeoutMs ?? 60_000,
    log: warnings.config(),
  });
}

async function openPostgres(url: string, schema: string | undefined, warnings: KnexWarnings, timeoutMs: number): Promise<Database> {
  const knex = postgresKnex(url, schema, warnings, timeoutMs, 10);
  const db = wrap(knex, 'postgres', timeoutMs, {
    async withoutTimeouts(work) {
      // Two connections: the migrations' advisory lock holds one while they run on the other.
      const unbounded = postgresKnex(url, schema, warnings, undefined, 2);
      try {
        return await work(unbounded);
      } finally {
        await unbounded.destroy();
      }
    },
    afterClose: async () => {},
  });
  try {
    await db.ping();
  } catch (err) {
    await knex.destroy();
    throw new DatabaseUnavailableError(`Cannot connect to the database at DATABASE_URL=${redact(url)}: ${describe(err)}`);
  }
  if (schema !== undefined) {
    try {
      await ensureSchema(knex, schema);
    } catch (err) {
      await knex.destroy();
      throw new DatabaseUnavailableError(`Cannot create the schema SSO_DATABASE_SCHEMA=${schema}: ${describe(err)}`);
    }
  }
  return db;
}

/** Checked first because CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database. */
async function ensureSchema(knex: Knex, schema: string): Promise<void> {
  const exists = async () => (await knex('pg_catalog.pg_namespace').where('nspname', schema).first('oid')) !== undefined;
  if (await exists()) return;
  try {
    await knex.raw('create schema if not exists ??', [schema]);
  } catch (err) {
    // Instances starting together race past IF NOT EXISTS; losing that race is fine.
    if (!(await exists())) throw err;
  }
}

/** PGlite runs in this process: it cannot stop answering while the process runs, so it has no timeouts. */
async function openEmbedded(dataDir: string, warnings: KnexWarnings, pingTimeoutMs: number): Promise<Database> {
  const directory = path.join(dataDir, 'db');
  const where = `the embedded database in SSO_DATA_DIR (${directory})`;
  let lock: DirectoryLock;
  try {
    await mkdir(directory, { recursive: true });
    lock = await acquireDirectoryLock(path.join(dataDir, 'db.lock'));
  } catch (err) {
    const hint = err instanceof DirectoryLockedError ? '; stop that process first, or set DATABASE_URL to use PostgreSQL' : '';
    throw new DatabaseUnavailableError(`Cannot open ${where}: ${describe(err)}${hint}`);
  }
  // knex-pglite fixes the pool at one connection itself (PGlite is single-connection) and refuses a pool setting.
  // pg_trgm is loaded for the console's account search (migrations/007_account_search.ts).
  const pglite = new PGlite(directory, { extensions: { pg_trgm } });
  // knex-pglite takes a ready PGlite as `connection.pglite`, which knex's own connection types do not name.
  const connection = { pglite } as unknown as Knex.StaticConnectionConfig;
  const knex = knexFactory({ client: ClientPgLite, connection, log: warnings.config() });
  const db = wrap(knex, 'embedded', pingTimeoutMs, { withoutTimeouts: (work) => work(knex), afterClose: () => lock.release() });
  try {
    await withTimeout(knex.raw('select 1'), embeddedStartTimeoutMs);
  } catch (err) {
    // The open error is the one worth reporting, not a failure to shut down what never started.
    await db.close().catch(() => {});
    throw new DatabaseUnavailableError(`Cannot open ${where}: ${describe(err)}`);
  }
  return db;
}

function wrap(
  knex: Knex,
  kind: Database['kind'],
  pingTimeoutMs: number,
  { withoutTimeouts, afterClose }: Pick<Database, 'withoutTimeouts'> & { afterClose: () => Promise<void> },
): Database {
  let closing: Promise<void> | undefined;
  return {
    knex,
    kind,
    ping: () => withTimeout(knex.raw('select 1'), pingTimeoutMs),
    withoutTimeouts,
    close() {
      closing ??= knex.destroy().finally(afterClose);
      return closing;
    },
  };
}

async function withTimeout(query: PromiseLike<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password, so the message can be logged. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** One line from whatever was thrown; a refused connection to a dual-stack host is an AggregateError with no message. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message !== '' ? err.message : (code ?? err.name);
    return text.replace(/\s+/g, ' ').trim();
  }
  return String(err).replace(/\s+/g, ' ').trim();
}
