import type Koa from 'koa';
import Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { FlowStore } from '../interactions/flow.ts';
import type { InteractionServices } from '../interactions/context.ts';
import { createProviderPages } from '../interactions/provider-pages.ts';
import { interactionViews } from '../interactions/views.ts';
import { createRenderer } from './web/render.ts';
import { SignedInSurface, surfaceClient } from './web/signed-in-surface.ts';
import { accountSurface, consoleSurface } from './web/surfaces.ts';
import { accountPageRoutes, accountViews } from './web/account/account-page.ts';
import { OwnAccount } from './accounts/own-account.ts';
import { AccountDirectory } from './accounts/directory.ts';
import { AccountImport } from './accounts/import.ts';
import { invitationLink } from './accounts/invitation.ts';
import { AccountRepository } from './accounts/repository.ts';
import { consoleViews, createConsole } from './console/index.ts';
import { CheckedImports } from './console/checked-imports.ts';
import { RecentAccounts } from './accounts/recent-accounts.ts';
import { createApp, type Readiness } from './app.ts';
import { AuditLog } from './audit.ts';
import { AuditSearch } from './audit-search.ts';
import { rules, type Config } from './config.ts';
import { openDatabase, type Database } from './db/knex.ts';
import { migrate } from './db/migrate.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';
import { createMetrics } from './metrics.ts';
import { createProvider, loadProviderSetup } from './provider.ts';
import { AccountLifecycle } from './accounts/lifecycle.ts';
import { RoleRepository } from './accounts/roles.ts';
import { createTaskRunners } from './accounts/task-runners.ts';
import { AccountTasks } from './accounts/tasks.ts';
import { LockNotices } from './accounts/lock-notices.ts';
import { Factors, relyingPartyOf } from './factors/index.ts';
import { translator } from './i18n/index.ts';
import { FactorRepository } from './factors/repository.ts';
import { Attempts } from './security/attempts.ts';
import { BruteForceGuard } from './security/brute-force.ts';
import { EmailCodes } from './security/email-codes.ts';
import { currentSessionActivity } from './session-activity.ts';
import { createStore } from './store/index.ts';
import { createOidcAdapter } from './store/oidc-adapter.ts';
import { RequestWrites } from './store/request-writes.ts';
import { isBackendUnavailable } from './unavailable.ts';
import type { Store } from './store/store.ts';

export interface Server {
  readonly app: Koa;
  readonly provider: Provider;
  readonly services: InteractionServices;
  readonly database: Database;
  readonly store: Store;
  readonly mailer: Mailer;
  readonly readiness: Readiness;
  readonly lifecycle: AccountLifecycle;
  /** The emails of brute-force locks, sent in the background. */
  readonly lockNotices: LockNotices;
  /** The signed-in web surfaces: the account page and the console. */
  readonly surfaces: { readonly account: SignedInSurface; readonly console: SignedInSurface };
  /** Runs the periodic housekeeping once: stale invitations, old audit events. */
  housekeeping(): Promise<void>;
  /** Finishes what account changes still owe (sessions to end, emails), e.g. after a store outage. */
  finishOwedTasks(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly logger: Logger;
  /** The clock of every rule that counts time; tests move it instead of waiting. */
  readonly now?: () => number;
}

/**
 * Builds the whole server from a Config: the backends it needs (opened and migrated), the
 * provider, and the Koa app. Fails with a ConfigError naming the cause when a backend is missing.
 */
export async function buildServer(config: Config, options: ServerOptions): Promise<Server> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const { clients, secrets } = await loadProviderSetup(config);
  const database = await openDatabase(config, { warn: (message) => logger.warn(message) });
  const opened: Array<() => Promise<void>> = [() => database.close()];
  const closeAll = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    // Set once the account tasks exist: what an outage left owed is finished as soon as the store is back.
    let storeBack = () => {};
    const store = await createStore(config, {
      onConnectionChange: (connected, error) => {
        if (!connected) return logger.error({ err: error?.message }, 'store connection lost');
        logger.info('store connection restored');
        storeBack();
      },
    });
    opened.push(() => store.close());
    const mailer = createMailer(config, logger);
    opened.push(async () => mailer.close());

    const metrics = createMetrics();
    const views = createRenderer(config, [interactionViews, accountViews, consoleViews]);
    const accounts = new AccountRepository(database.knex, { activationDays: config.activationDays, now: () => new Date(now()) });
    const audit = new AuditLog(database.knex);
    const requestWrites = new RequestWrites(store);
    const recentAccounts = new RecentAccounts({ ttlMs: rules.recentAccountSeconds * 1000, maxEntries: rules.recentAccountsMax, now });
    const provider = createProvider({
      config,
      secrets,
      // The account page and the console are first-party clients the server registers itself.
      clients: [...clients, ...[accountSurface, consoleSurface].map((surface) => surfaceClient(config, surface))],
      adapter: createOidcAdapter(store, { now, sessionActivity: currentSessionActivity, requestScope: () => Provider.ctx, requestWrites }),
      accounts,
      recentAccounts,
      pages: createProviderPages(views),
    });
    provider.on('server_error', (ctx: { state: { requestId?: string; backendUnavailable?: boolean } }, error: Error) => {
      if (isBackendUnavailable(error)) {
        ctx.state.backendUnavailable = true;
        logger.error({ reqId: ctx.state.requestId, err: error.message }, 'backend unavailable');
        return;
      }
      logger.error({ reqId: ctx.state.requestId, err: error }, 'provider error');
    });
    provider.on('end_session.success', (ctx: { ip: string; get(h: string): string; oidc?: { session?: { accountId?: string }; client?: { clientId: string } } }) => {
      void audit
        .record({
          event: 'logout',
          outcome: 'success',
          accountId: ctx.oidc?.session?.accountId,
          ip: ctx.ip,
          userAgent: ctx.get('user-agent').slice(0, 300),
          clientId: ctx.oidc?.client?.clientId,
        })
        .catch((error: Error) => logger.error({ err: error.message }, 'audit of logout failed'));
    });
    const roles = new RoleRepository(database.knex, () => new Date(now()));
    const factorRepository = new FactorRepository(database.knex, () => new Date(now()));
    const accountTasks = new AccountTasks(
      database.knex,
      createTaskRunners({ sessions: async () => ({ provider, store }), mailer: async () => mailer, config }),
      audit,
      () => new Date(now()),
    );
    const lockNotices = new LockNotices({ knex: database.knex, accounts, audit, tasks: accountTasks, logger, now });
    // Closed before the database: a lock email being sent finishes, or stays owed, first.
    opened.push(() => lockNotices.settled());
    const guard = new BruteForceGuard({ store, now });
    const attempts = new Attempts({ guard, locks: lockNotices, metrics });
    const factors = new Factors({
      repository: factorRepository,
      store,
      attempts,
      audit,
      tasks: accountTasks,
      metrics,
      secretKey: secrets.secretKey,
      relyingParty: relyingPartyOf(config.issuer, translator('en')('layout.serviceName', { brand: config.brand.name })),
      now,
    });
    const lifecycle = new AccountLifecycle({
      knex: database.knex,
      activationDays: config.activationDays,
      accounts,
      factors: factorRepository,
      roles,
      audit,
      tasks: accountTasks,
      invitationLink: (email) => invitationLink(config, email),
      guard: async () => guard,
    });
    const finishOwedTasks = async () => {
      const run = await accountTasks.runAll({ via: 'server', name: 'housekeeping' });
      if (run.endedSessions !== undefined || run.noticesSent > 0) logger.info({ ...run.endedSessions, notices: run.noticesSent }, 'owed account tasks finished');
      if (run.owed.length > 0) logger.warn({ owed: run.owed.length, err: run.owed[0]!.error }, 'account tasks still owed');
    };
    storeBack = () => void finishOwedTasks().catch((error: Error) => logger.error({ err: error.message }, 'owed account tasks failed'));
    const services: InteractionServices = {
      config,
      provider,
      accounts,
      accountTasks,
      factors,
      recentAccounts,
      audit,
      flows: new FlowStore(store, rules.interactionTtlSeconds),
      emailCodes: new EmailCodes({ store, secretKey: secrets.secretKey, ttlSeconds: config.emailCodeTtlSeconds, now }),
      guard,
      attempts,
      mailer,
      store,
      secretKey: secrets.secretKey,
      views,
      logger,
      metrics,
      now,
    };
    const readiness: Readiness = {
      accepting: true,
      async check() {
        await Promise.all([database.ping(), store.ping()]);
      },
    };
    const surfaceDependencies = { config, provider, store, accounts, secretKey: secrets.secretKey, now };
    const surfaces = { account: new SignedInSurface(surfaceDependencies, accountSurface), console: new SignedInSurface(surfaceDependencies, consoleSurface) };
    const ownAccount = new OwnAccount({
      accounts,
      factors,
      attempts,
      audit,
      tasks: accountTasks,
      lifecycle,
      sessions: { provider, store },
      bcryptCost: config.bcryptCost,
    });
    const app = createApp({
      config,
      provider,
      clients,
      services,
      views,
      logger,
      metrics,
      readiness,
      cookieKeys: secrets.cookieKeys,
      requestWrites,
      surfaceRoutes: [
        {
          path: surfaces.account.definition.path,
          routers: [surfaces.account.routes(), accountPageRoutes({ config, surface: surfaces.account, ownAccount, factors, provider, store, views, now })],
        },
        {
          path: surfaces.console.definition.path,
          routers: [
            surfaces.console.routes(),
            createConsole(
              { config, surface: surfaces.console, views, rolesOf: (accountId) => roles.rolesOf(accountId) },
              {
                lifecycle,
                directory: new AccountDirectory({ knex: database.knex, accounts, audit, guard: async () => guard, now: () => new Date(now()) }),
                audit,
                activationDays: config.activationDays,
                imports: new AccountImport({ accounts, audit }),
                checkedImports: new CheckedImports(store, rules.consoleFreshSeconds),
                auditSearch: new AuditSearch(database.knex),
              },
            ),
          ],
        },
      ],
    });
    return {
      app,
      provider,
      services,
      database,
      store,
      mailer,
      readiness,
      lifecycle,
      lockNotices,
      surfaces,
      finishOwedTasks,
      async housekeeping() {
        const expired = await accounts.expireStaleInvitations();
        if (expired > 0) logger.info({ accounts: expired }, 'invitations expired: accounts deactivated');
        const purged = await audit.purgeOlderThan(config.auditRetentionDays);
        if (purged > 0) logger.info({ events: purged }, 'old audit events purged');
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
