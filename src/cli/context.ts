import os from 'node:os';
import type { Account } from '../accounts/account.ts';
import type { AccountRepository } from '../accounts/repository.ts';
import type { AuditDetails, AuditEventName, AuditLog } from '../audit.ts';
import { loadConfig, rules, type Config } from '../config.ts';
import type { Database } from '../db/knex.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SessionServices } from '../sessions.ts';
import type { Store } from '../store/index.ts';
import { CliError } from './errors.ts';

export interface Services {
  readonly accounts: AccountRepository;
  readonly audit: AuditLog;
}

type CliEvent = Extract<AuditEventName, `cli.${string}`>;

export interface Change {
  readonly command: CliEvent;
  readonly outcome: 'success' | 'failure';
  readonly email?: string;
  readonly account?: Account;
  /** The account.* event recorded beside the command, when the command changed the account. */
  readonly accountEvent?: AuditEventName;
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
    readonly stdout: NodeJS.WriteStream,
  ) {}

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
      openDatabase(this.config, { warn: (message) => process.stderr.write(`warning: ${message}\n`) }),
    );
    return this.database;
  }

  /** Migrated first, as the server does at start, so the CLI works on a fresh data directory. */
  services(): Promise<Services> {
    this.opened ??= this.db().then(async (db) => {
      const [{ migrate }, { AccountRepository }, { AuditLog }] = await Promise.all([
        import('../db/migrate.ts'),
        import('../accounts/repository.ts'),
        import('../audit.ts'),
      ]);
      await migrate(db);
      return {
        accounts: new AccountRepository(db.knex, { activationDays: this.config.activationDays }),
        audit: new AuditLog(db.knex),
      };
    });
    return this.opened;
  }

  store(): Promise<Store> {
    this.openedStore ??= import('../store/index.ts').then(({ createStore }) =>
      // Its one-line error names REDIS_URL: a problem of configuration, not of the CLI.
      createStore(this.config).catch((error: unknown) => {
        throw new CliError(error instanceof Error ? error.message : String(error));
      }),
    );
    return this.openedStore;
  }

  /**
   * The provider over the server's store, keys and clients, for what must be signed as the server
   * signs: the logout tokens sent when a command ends an account's sessions.
   */
  sessionServices(): Promise<SessionServices> {
    this.openedSessions ??= (async () => {
      const [store, { accounts }, { createProvider, loadProviderSetup }, { createOidcAdapter }, { RecentAccounts }, { createProviderPages }, { createRenderer }] =
        await Promise.all([
          this.store(),
          this.services(),
          withoutRuntimeWarning(() => import('../provider.ts')),
          import('../store/oidc-adapter.ts'),
          import('../accounts/recent-accounts.ts'),
          import('../../interactions/provider-pages.ts'),
          import('../../interactions/render.ts'),
        ]);
      const { clients, secrets } = await loadProviderSetup(this.config);
      const provider = createProvider({
        config: this.config,
        secrets,
        clients,
        adapter: createOidcAdapter(store),
        accounts,
        recentAccounts: new RecentAccounts({ ttlMs: rules.recentAccountSeconds * 1000, maxEntries: rules.recentAccountsMax, now: Date.now }),
        pages: createProviderPages(createRenderer(this.config)),
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

  /** The account with this email, or a CliError naming it; the failed attempt of a change is audited. */
  async requireAccount(email: string, command?: CliEvent): Promise<Account> {
    const { accounts } = await this.services();
    const account = await accounts.findByEmail(email);
    if (account !== undefined) return account;
    if (command !== undefined) await this.record({ command, outcome: 'failure', email, details: { reason: 'unknown email' } });
    throw new CliError(`No account with email ${email}`);
  }

  /** Records the command, with who ran it, and the account.* change it caused, if any. */
  async record(change: Change): Promise<void> {
    const { audit } = await this.services();
    const who = { accountId: change.account?.id ?? null, email: change.account?.email ?? change.email ?? null };
    await audit.record({
      event: change.command,
      outcome: change.outcome,
      ...who,
      details: { operator: operator(this.env), ...change.details },
    });
    if (change.accountEvent !== undefined) {
      await audit.record({ event: change.accountEvent, outcome: change.outcome, ...who, details: { by: 'cli' } });
    }
  }

  /** Closes whatever was opened; a failure to open was already reported by the command. */
  async close(): Promise<void> {
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
function operator(env: NodeJS.ProcessEnv): string {
  try {
    return env.SUDO_USER ?? os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
