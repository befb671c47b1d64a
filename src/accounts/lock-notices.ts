import type { Knex } from 'knex';
import type { AuditLog } from '../audit.ts';
import type { LockReporter, LockStarted } from '../security/attempts.ts';
import { languageOf } from './account.ts';
import type { AccountRepository } from './repository.ts';
import type { AccountTasks } from './tasks.ts';

export interface LockNoticesLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * What a brute-force lock brings (CONTRACT section 8): its audit event and the email that tells the
 * user when it ends, in the language of their last sign-in (never the one of the requests that
 * locked it, which may be an attacker's), written in one transaction. The email is then sent in
 * the background: the sign-in answers without waiting for the mail server, and a mail server that
 * fails leaves the email owed for the housekeeping, never an error on the sign-in page.
 */
export class LockNotices implements LockReporter {
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      readonly knex: Knex;
      readonly accounts: AccountRepository;
      readonly audit: AuditLog;
      readonly tasks: AccountTasks;
      readonly logger: LockNoticesLogger;
      readonly now: () => number;
    },
  ) {}

  async locked({ account, seconds, requester }: LockStarted): Promise<void> {
    const { knex, accounts, audit, tasks } = this.deps;
    const until = new Date(this.deps.now() + seconds * 1000);
    await knex.transaction(async (trx) => {
      await audit.in(trx).record({ event: 'account.locked', outcome: 'failure', accountId: account.id, email: account.email, ...requester, details: { seconds } });
      const locale = languageOf({ locale: await accounts.in(trx).localeOf(account.id) });
      await tasks.add(trx, account.id, { kind: 'email', notice: 'account-locked', to: account.email, locale, params: { until: until.toISOString() } });
    });
    const sent = this.send(account.id);
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }

  /** Resolves once every email started so far has been sent or left owed: for a clean shutdown and for tests. */
  async settled(): Promise<void> {
    await Promise.all([...this.sending]);
  }

  private async send(accountId: string): Promise<void> {
    const { tasks, logger } = this.deps;
    try {
      const run = await tasks.runFor(accountId, { via: 'server', name: 'brute-force lock' });
      for (const owed of run.owed) logger.warn({ accountId, task: owed.task.kind, err: owed.error }, 'lock email left for later');
    } catch (error) {
      logger.error({ accountId, err: (error as Error).message }, 'lock email left for later');
    }
  }
}
