import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { dropSchema } from './databases.ts';
import type { DestinationStream } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { buildServer, type Server } from '../../src/server.ts';
import { deleteKeys } from '../../harness/redis-keys.ts';
import { MailServer } from '../../harness/mail.ts';

export const publicClient = {
  client_id: 'test-public',
  client_name: 'Test public client',
  redirect_uris: ['http://127.0.0.1:9/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9/logged-out'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
} as const;

export const confidentialClient = {
  client_id: 'test-confidential',
  client_secret: 'test-confidential-secret-0123456789abcdef',
  client_name: 'Test confidential client',
  redirect_uris: ['http://127.0.0.1:9/confidential/callback'],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
} as const;

/** Where the backends of a test server live: everything embedded, or PostgreSQL and Redis. */
export interface Backend {
  readonly name: 'embedded' | 'postgres+redis';
  readonly skip: string | false;
  /** Environment variables that point the server at this backend's own fresh schema and prefix. */
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

export function backends(): Backend[] {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  return [
    { name: 'embedded', skip: false, env: {}, cleanup: async () => {} },
    {
      name: 'postgres+redis',
      skip:
        databaseUrl === undefined || redisUrl === undefined
          ? 'set TEST_DATABASE_URL and TEST_REDIS_URL to run on PostgreSQL and Redis'
          : false,
      env: databaseUrl && redisUrl ? { DATABASE_URL: databaseUrl, SSO_DATABASE_SCHEMA: schema, REDIS_URL: redisUrl, SSO_REDIS_PREFIX: prefix } : {},
      async cleanup() {
        if (databaseUrl === undefined || redisUrl === undefined) return;
        await dropSchema(databaseUrl, schema);
        await deleteKeys(redisUrl, prefix);
      },
    },
  ];
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface TestServer {
  readonly issuer: string;
  readonly server: Server;
  readonly config: Config;
  readonly mail: MailServer;
  readonly dataDir: string;
  /** The server's clock; tests move it forward instead of sleeping. */
  readonly clock: { offsetMs: number };
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Receives the server's log lines (JSON), for tests that read them; by default they go to stdout. */
  readonly logDestination?: DestinationStream;
  /** Registered beside the public and confidential test clients. */
  readonly clients?: readonly object[];
  /**
   * The issuer's host name: 127.0.0.1 by default; `localhost` for passkeys, whose RP ID is never
   * an IP address. The server listens on 127.0.0.1 either way.
   */
  readonly host?: '127.0.0.1' | 'localhost';
}

/**
 * A whole server on loopback with a real SMTP server, on the given backend. bcrypt runs at its
 * minimum cost so suites stay fast; the cost itself is covered by the password-hash tests.
 */
export async function startTestServer(backend: Backend, env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  // Whatever started is stopped again if a later part of the start fails, so a failed start
  // leaves no listener or folder behind to keep the test process alive.
  const started: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-test-server-'));
    started.push(() => rm(dataDir, { recursive: true, force: true }));
    const mail = await MailServer.start();
    started.push(() => mail.close());
    const clientsFile = path.join(dataDir, 'clients.json');
    await writeFile(clientsFile, JSON.stringify([publicClient, confidentialClient, ...(options.clients ?? [])]));
    const port = await freePort();
    const issuer = `http://${options.host ?? '127.0.0.1'}:${port}`;
    const config = loadConfig({
      PORT: String(port),
      SSO_ISSUER: issuer,
      SSO_DATA_DIR: dataDir,
      SSO_CLIENTS_FILE: clientsFile,
      SMTP_URL: mail.url,
      SSO_BCRYPT_COST: '4',
      SSO_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...backend.env,
      ...env,
    });
    const clock = { offsetMs: 0 };
    const server = await buildServer(config, { logger: createLogger(config.logLevel, options.logDestination), now: () => Date.now() + clock.offsetMs });
    started.push(() => server.close());
    const http: HttpServer = server.app.listen(port, '127.0.0.1');
    // As src/main.ts sets it: a client's pooled connection is never closed under a request it is sending.
    http.keepAliveTimeout = 65_000;
    started.push(async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('listening', resolve);
      http.once('error', reject);
    });
    return { issuer, server, config, mail, dataDir, clock, close: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Runs a test server on the backend for the enclosing `describe`: started before its tests, closed
 * after them along with the backend's schema and key prefix. `use` receives the server once started.
 */
export function serveDuring(backend: Backend, use: (server: TestServer) => void, env: Record<string, string> = {}, options: TestServerOptions = {}): void {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer(backend, env, options);
    use(server);
  });
  after(async () => {
    await server?.close();
    await backend.cleanup();
  });
}
