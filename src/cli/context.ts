import os from 'node:os';
import type { Actor, AccountLifecycle } from '../accounts/lifecycle.ts';
import type { AccountRepository } from '../accounts/repository.ts';
import type { AccountImport } from '../accounts/import.ts';
import type { AuditDetails, AuditEventName, AuditLog } from '../audit.ts';
import { loadConfig, rules, type Config } from '../config.ts';
import type Provider from 'oidc-provider';
import type { Database } from '../db/knex.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SessionServices } from '../sessions.ts';
import type { Store } from '../store/index.ts';

/** The backends of the server a command runs inside. */
export interface HostBackends {
  readonly config: Config;
  readonly provider: Provider;
  readonly database: Database;
  readonly store: Store;
  readonly mailer: Mailer;
}

/** Where the CLI prints: a terminal (with a progress bar) or a pipe. */
export type CliOutput = NodeJS.WritableStream & { readonly isTTY?: boolean };

export interface Services {
  readonly accounts: AccountRepository;
  readonly imports: AccountImport;
  readonly audit: AuditLog;
  readonly lifecycle: AccountLifecycle;
}

type CliEvent = Extract<AuditEventName, `cli.${string}`>;

export interface Change {
  readonly command: CliEvent;
  readonly outcome: 'success' | 'failure';
  readonly email?: string;
  readonly details?: AuditDetails;
}

/**
 * What a command needs, opened on first use and closed once at the end, so `clients check` never
 * touches the database and a bad variable only fails the commands that read it. The backends'
 * modules are imported on first use too: loading them takes longer than most commands' work, and
 * a usage error should be reported at once.
 */
export class CliContext {
  private loadedConfig: Config | undefined;
  private database: Promise<Database> | undefined;
  private opened: Promise<Services> | undefined;
  private openedStore: Promise<Store> | undefined;
  private openedMailer: Mailer | undefined;
  private openedSessions: Promise<SessionServices> | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly stdout: CliOutput,
    private readonly stderr: NodeJS.WritableStream,
    /** Relative paths in arguments are relative to this folder: the operator's. */
    readonly cwd: string,
    /**
     * The running server's own backends, when the command runs inside it (src/cli/control-socket.ts):
     * used as they are and left open.
     */
    private readonly backends?: HostBackends,
    private readonly operatorName = operatorOf(env),
  ) {
    if (backends !== undefined) {
      this.loadedConfig = backends.config;
      this.database = Promise.resolve(backends.database);
      this.openedStore = Promise.resolve(backends.store);
      this.openedMailer = backends.mailer;
      this.openedSessions = Promise.resolve({ provider: backends.provider, store: backends.store });
    }
  }

  print(line: string): void {
    this.stdout.write(`${line}\n`);
  }

  get config(): Config {
    this.loadedConfig ??= loadConfig(this.env);
    return this.loadedConfig;
  }

  /** Opened but not migrated: the `migrate` command reports what it applies itself. */
  db(): Promise<Database> {
    // After opening, knex only warns about replaced connections; stderr keeps stdout parseable.
    this.database ??= import('../db/knex.ts').then(({ openDatabase }) =>
      openDatabase(this.config, { warn: (message) => this.stderr.write(`warning: ${message}\n`) }),
    );
    return this.database;
  }

  /** Migrated first, as the server does at start, so the CLI works on a fresh data directory. */
  services(): Promise<Services> {
    this.opened ??= this.db().then(async (db) => {
      const [{ migrate }, { AccountRepository }, { AuditLog }, lifecycle, roles, tasks, runners, factors, bruteForce, { AccountImport }, invitation] = await Promise.all([
        import('../db/migrate.ts'),
        import('../accounts/repository.ts'),
        import('../audit.ts'),
        import('../accounts/lifecycle.ts'),
        import('../accounts/roles.ts'),
        import('../accounts/tasks.ts'),
        import('../accounts/task-runners.ts'),
        import('../factors/repository.ts'),
        import('../security/brute-force.ts'),
        import('../accounts/import.ts'),
        import('../accounts/invitation.ts'),
      ]);
      await migrate(db);
      const accounts = new AccountRepository(db.knex, { activationDays: this.config.activationDays });
      const audit = new AuditLog(db.knex);
      const runTasks = runners.createTaskRunners({ sessions: () => this.sessionServices(), mailer: () => this.mailer(), config: this.config });
      return {
        accounts,
        audit,
        imports: new AccountImport({ accounts, audit }),
        lifecycle: new lifecycle.AccountLifecycle({
          knex: db.knex,
          activationDays: this.config.activationDays,
          accounts,
          factors: new factors.FactorRepository(db.knex),
          roles: new roles.RoleRepository(db.knex),
          audit,
          tasks: new tasks.AccountTasks(db.knex, runTasks, audit),
          invitationLink: (email) => invitation.invitationLink(this.config, email),
          guard: async () => new bruteForce.BruteForceGuard({ store: await this.store() }),
        }),
      };
    });
    return this.opened;
  }

  /**
   * Opened only by the commands that need it. Unreachable, it is an outage like any other
   * (StoreUnavailableError): a change stands, and what it owes the store waits for the store.
   */
  store(): Promise<Store> {
    this.openedStore ??= import('../store/index.ts').then(({ createStore, StoreUnavailableError }) =>
      createStore(this.config).catch((error: unknown) => {
        throw new StoreUnavailableError(error instanceof Error ? error.message : String(error));
      }),
    );
    return this.openedStore;
  }

  /** Who runs the command, for the audit trail. */
  get actor(): Actor {
    return { via: 'cli', name: this.operatorName };
  }

  /**
   * The provider over the server's store, keys and clients, for what must be signed as the server
   * signs: the logout tokens sent when a command ends an account's sessions.
   */
  sessionServices(): Promise<SessionServices> {
    this.openedSessions ??= (async () => {
      const [store, { accounts }, { createProvider, loadProviderSetup }, { createOidcAdapter }, { RecentAccounts }, { createProviderPages }, { createRenderer }, { interactionViews }] =
        await Promise.all([
          this.store(),
          this.services(),
          withoutRuntimeWarning(() => import('../provider.ts')),
          import('../store/oidc-adapter.ts'),
          import('../accounts/recent-accounts.ts'),
          import('../../interactions/provider-pages.ts'),
          import('../web/render.ts'),
          import('../../interactions/views.ts'),
        ]);
      const { clients, secrets } = await loadProviderSetup(this.config);
      const provider = createProvider({
        config: this.config,
        secrets,
        clients,
        adapter: createOidcAdapter(store),
        accounts,
        recentAccounts: new RecentAccounts({ ttlMs: rules.recentAccountSeconds * 1000, maxEntries: rules.recentAccountsMax, now: Date.now }),
        pages: createProviderPages(createRenderer(this.config, [interactionViews])),
      });
      return { provider, store };
    })();
    return this.openedSessions;
  }

  /** Without a logger: the command itself says where the email went. */
  async mailer(): Promise<Mailer> {
    const { createMailer } = await import('../mail/mailer.ts');
    this.openedMailer ??= createMailer(this.config);
    return this.openedMailer;
  }

  /** Records a command that is not an account change (those record themselves), with who ran it. */
  async record(change: Change): Promise<void> {
    const { audit } = await this.services();
    await audit.record({
      event: change.command,
      outcome: change.outcome,
      email: change.email ?? null,
      details: { operator: this.operatorName, ...change.details },
    });
  }

  /** Closes whatever was opened; a failure to open was already reported by the command. */
  async close(): Promise<void> {
    if (this.backends !== undefined) return;
    this.openedMailer?.close();
    const store = await this.openedStore?.catch(() => undefined);
    await store?.close().catch(() => undefined);
    const db = await this.database?.catch(() => undefined);
    await db?.close().catch(() => undefined);
  }
}

/**
 * oidc-provider warns on stderr when it is imported on a Node.js older than 22, which this project
 * supports (package.json's engines): an operator's command that succeeded must not look as if it
 * had not. Only that one line is left out.
 */
async function withoutRuntimeWarning<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}

/** The login behind the command, for the audit trail; sudo keeps the name of who invoked it. */
export function operatorOf(env: NodeJS.ProcessEnv): string {
  try {
    return env.SUDO_USER ?? os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
