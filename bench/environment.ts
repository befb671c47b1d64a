import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { openDatabase, type Database } from '../src/db/knex.ts';
import { migrate } from '../src/db/migrate.ts';
import { MailServer } from '../harness/mail.ts';
import { deleteKeys } from '../harness/redis-keys.ts';
import { benchClients } from './client.ts';
import type { PeerEnvironment } from './peer/settings.ts';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The benchmark floods what it talks to: anything but this machine is refused before a byte is sent. */
function requireLoopback(name: string, url: string): string {
  const host = new URL(url).hostname;
  if (!loopbackHosts.has(host)) throw new Error(`${name} must point at this machine (loopback), not ${host}`);
  return url;
}

/**
 * One bench run's private places: PostgreSQL schemas and a Redis prefix named after the run, a
 * temporary data directory, and a loopback SMTP server. cleanup() removes all of them, so runs
 * never see each other's data and leave nothing behind.
 */
export class BenchEnvironment {
  readonly runId = randomBytes(4).toString('hex');
  readonly secretKey = randomBytes(32);
  private readonly cookieKey = randomBytes(32).toString('base64url');
  private readonly schemas = new Set<string>();
  private readonly databases: Database[] = [];

  private constructor(
    readonly databaseUrl: string,
    readonly redisUrl: string,
    readonly dataDir: string,
    readonly clientsFile: string,
    readonly mail: MailServer,
  ) {}

  static async create(env: NodeJS.ProcessEnv = process.env): Promise<BenchEnvironment> {
    const databaseUrl = requireLoopback('BENCH_DATABASE_URL', env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    const redisUrl = requireLoopback('BENCH_REDIS_URL', env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-bench-'));
    const clientsFile = path.join(dataDir, 'clients.json');
    await writeFile(clientsFile, JSON.stringify(benchClients));
    return new BenchEnvironment(databaseUrl, redisUrl, dataDir, clientsFile, await MailServer.start());
  }

  get redisPrefix(): string {
    return `bench:${this.runId}:`;
  }

  schemaName(part: string): string {
    return `bench_${this.runId}_${part}`;
  }

  /** A migrated database in this run's schema for `part`, for seeding; the server shares the schema. */
  async database(part: string): Promise<Database> {
    const schema = this.schemaName(part);
    this.schemas.add(schema);
    const db = await openDatabase({ databaseUrl: this.databaseUrl, databaseSchema: schema, dataDir: this.dataDir });
    this.databases.push(db);
    await migrate(db);
    return db;
  }

  /** The environment of a server (or CLI) process working in the schema and Redis namespace of `part`. */
  serverEnv(part: string, port: number, bcryptCost: number): Record<string, string> {
    return {
      PORT: String(port),
      SSO_ISSUER: `http://127.0.0.1:${port}`,
      SSO_DATA_DIR: this.dataDir,
      SSO_CLIENTS_FILE: this.clientsFile,
      DATABASE_URL: this.databaseUrl,
      SSO_DATABASE_SCHEMA: this.schemaName(part),
      REDIS_URL: this.redisUrl,
      SSO_REDIS_PREFIX: `${this.redisPrefix}${part}:`,
      SMTP_URL: this.mail.url,
      SSO_SECRET_KEY: this.secretKey.toString('base64'),
      SSO_COOKIE_KEYS: this.cookieKey,
      SSO_BCRYPT_COST: String(bcryptCost),
      // Production's level: the cost of a log line per request belongs in the measurement.
      SSO_LOG_LEVEL: 'info',
      // Behind a proxy, as in production: each simulated browser comes from an address of its own
      // (bench/http.ts), so the per-address limits count users, not the one load generator.
      SSO_TRUST_PROXY: 'true',
    };
  }

  /** The environment of the peer (bare oidc-provider) in the Redis namespace of `part`. */
  peerEnv(part: string, port: number): PeerEnvironment & Record<string, string> {
    return {
      PORT: String(port),
      PEER_ISSUER: `http://127.0.0.1:${port}`,
      REDIS_URL: this.redisUrl,
      PEER_REDIS_PREFIX: `${this.redisPrefix}${part}:`,
      PEER_COOKIE_KEY: this.cookieKey,
    };
  }

  /**
   * The environment of the floor (bench/peer/floor.ts): the tables of `part`'s schema, a Redis
   * namespace of its own beside `part`'s, and the account `email` its forms name.
   */
  floorEnv(part: string, port: number, email: string): Record<string, string> {
    return {
      PORT: String(port),
      REDIS_URL: this.redisUrl,
      FLOOR_REDIS_PREFIX: `${this.redisPrefix}${part}-floor:`,
      DATABASE_URL: this.databaseUrl,
      FLOOR_DATABASE_SCHEMA: this.schemaName(part),
      FLOOR_EMAIL: email,
    };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.databases.splice(0).map((db) => db.close().catch(() => undefined)));
    const admin: Knex = knexFactory({ client: 'pg', connection: this.databaseUrl, pool: { min: 0, max: 1 } });
    try {
      for (const schema of this.schemas) await admin.raw('drop schema if exists ?? cascade', [schema]);
    } finally {
      await admin.destroy();
    }
    await deleteKeys(this.redisUrl, this.redisPrefix);
    await this.mail.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
