import type { Knex } from 'knex';
import { z } from 'zod';
import type { AuditLog } from '../audit.ts';
import { locales } from '../i18n/index.ts';
import { notices, type NoticeName } from '../mail/notices.ts';

/**
 * What an account change still owes outside the database: ending the account's sessions and
 * refresh tokens in the store, or an email. A change writes its tasks in the same transaction as
 * itself (CONTRACT: a change that fails half-way is finished, not left half made); they are then
 * run at once, and whatever could not run (the store or the mail server down) stays in the table
 * until the same command is run again or an instance's housekeeping runs it.
 */
const taskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('end-sessions'), email: z.string(), keepSessionUid: z.string().optional() }),
  z.object({
    kind: z.literal('email'),
    notice: z.enum(Object.keys(notices) as [NoticeName, ...NoticeName[]]),
    to: z.string(),
    locale: z.enum(locales),
    params: z.record(z.string(), z.string()).default({}),
  }),
]);
export type AccountTask = z.input<typeof taskSchema>;
type ParsedTask = z.infer<typeof taskSchema>;

/** What a task needs from outside the database. */
export interface TaskRunners {
  /**
   * Ends every session and revokes every grant of the account but the session `keepSessionUid`
   * and its grants, when given; counts what still existed and the logout tokens sent.
   */
  endSessions(accountId: string, keepSessionUid?: string): Promise<{ sessions: number; grants: number; logoutTokens: number }>;
  sendNotice(task: Extract<ParsedTask, { kind: 'email' }>): Promise<void>;
}

export interface TaskFailure {
  readonly task: AccountTask;
  readonly error: string;
}

/** What running an account's tasks came to: what was ended, and what is still owed (with why). */
export interface TasksRun {
  readonly endedSessions: { sessions: number; grants: number } | undefined;
  readonly noticesSent: number;
  readonly owed: readonly TaskFailure[];
}

interface TaskRow {
  id: string | number;
  account_id: string;
  kind: string;
  payload: unknown;
}

const table = 'account_tasks';
/** A claimed task whose runner died is taken up again after this. */
const claimSeconds = 60;

/** Who runs owed tasks, named in the audit event of what they finish. */
export interface TaskRunner {
  readonly via: string;
  readonly name: string;
}

export class AccountTasks {
  constructor(
    private readonly knex: Knex,
    private readonly runners: TaskRunners,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Owes the task, inside the caller's transaction. */
  async add(trx: Knex.Transaction, accountId: string, task: AccountTask): Promise<void> {
    const { kind, ...payload } = task;
    await trx(table).insert({ account_id: accountId, kind, payload: JSON.stringify(payload), created_at: this.now() });
  }

  /** Runs what the account is owed; a task that fails stays owed, with its error. */
  async runFor(accountId: string, by: TaskRunner): Promise<TasksRun> {
    return this.run(by, (query) => query.where('account_id', accountId));
  }

  /** Runs what any account is owed (housekeeping), a batch at a time. */
  async runAll(by: TaskRunner, limit = 100): Promise<TasksRun> {
    return this.run(by, (query) => query, limit);
  }

  /** How many tasks are owed, for readiness-style reporting and tests. */
  async owedFor(accountId: string): Promise<AccountTask[]> {
    const rows = await this.knex<TaskRow>(table).where('account_id', accountId).orderBy('id');
    return rows.flatMap((row) => parseTask(row) ?? []);
  }

  private async run(by: TaskRunner, scope: (query: Knex.QueryBuilder) => Knex.QueryBuilder, limit = 100): Promise<TasksRun> {
    let endedSessions: TasksRun['endedSessions'];
    let noticesSent = 0;
    const owed: TaskFailure[] = [];
    for (const row of await this.claim(scope, limit)) {
      const task = parseTask(row);
      if (task === undefined) {
        // A task this version cannot read is not run, and not kept forever either.
        await this.knex(table).where('id', row.id).del();
        continue;
      }
      try {
        if (task.kind === 'end-sessions') {
          const ended = await this.runners.endSessions(row.account_id, task.keepSessionUid);
          endedSessions = {
            sessions: (endedSessions?.sessions ?? 0) + ended.sessions,
            grants: (endedSessions?.grants ?? 0) + ended.grants,
          };
          await this.audit.record({
            event: 'account.sessions-ended',
            outcome: 'success',
            accountId: row.account_id,
            email: task.email,
            details: { by: by.via, actor: by.name, ...ended },
          });
        } else {
          await this.runners.sendNotice(task);
          noticesSent += 1;
        }
        await this.knex(table).where('id', row.id).del();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        owed.push({ task, error: message });
        await this.knex(table).where('id', row.id).update({ claimed_until: null, last_error: message.slice(0, 500) });
      }
    }
    return { endedSessions, noticesSent, owed };
  }

  /**
   * Takes the tasks for running: marked claimed in one statement, so a command and an instance
   * running at once never both run one (`skip locked` passes over rows another is claiming).
   */
  private async claim(scope: (query: Knex.QueryBuilder) => Knex.QueryBuilder, limit: number): Promise<TaskRow[]> {
    const now = this.now();
    const ids = scope(this.knex(table).select('id'))
      .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', now))
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    const rows: TaskRow[] = await this.knex(table)
      .whereIn('id', ids)
      .update({ claimed_until: new Date(now.getTime() + claimSeconds * 1000), attempts: this.knex.raw('attempts + 1') })
      .returning(['id', 'account_id', 'kind', 'payload']);
    // An update returns its rows in no set order: tasks run (and emails go out) in the order they were owed.
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }
}

function parseTask(row: TaskRow): ParsedTask | undefined {
  const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload;
  const parsed = taskSchema.safeParse({ ...(payload as object), kind: row.kind });
  return parsed.success ? parsed.data : undefined;
}
