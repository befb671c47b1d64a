import type { Config } from '../config.ts';
import type { Mailer } from '../mail/mailer.ts';
import { emailBasics } from '../mail/messages.ts';
import { notices } from '../mail/notices.ts';
import { endAccountSessions, type SessionServices } from '../sessions.ts';
import type { TaskRunners } from './tasks.ts';

/**
 * How account tasks reach outside the database: the provider and the store to end sessions (with
 * their back-channel logout tokens), the mailer for notices.
 */
export function createTaskRunners({
  sessions,
  mailer,
  config,
}: {
  sessions: () => Promise<SessionServices>;
  mailer: () => Promise<Mailer>;
  config: Pick<Config, 'brand' | 'supportText'>;
}): TaskRunners {
  return {
    async endSessions(accountId, keepSessionUid) {
      const ended = await endAccountSessions(await sessions(), accountId, keepSessionUid);
      return { sessions: ended.sessions, grants: ended.grants, logoutTokens: ended.logoutTokensSent };
    },
    async sendNotice(task) {
      const message = notices[task.notice](emailBasics(config, task.locale), task.params);
      await (await mailer()).send({ to: task.to, ...message });
    },
  };
}
