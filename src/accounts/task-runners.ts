import type { Config } from '../config.ts';
import type { Mailer } from '../mail/mailer.ts';
import { emailBasics } from '../mail/messages.ts';
import { notices } from '../mail/notices.ts';
import { revokeAccountAccess } from '../store/oidc-adapter.ts';
import type { Store } from '../store/store.ts';
import type { TaskRunners } from './tasks.ts';

/** How account tasks reach outside the database: the store for sessions, the mailer for notices. */
export function createTaskRunners({ store, mailer, config }: { store: () => Promise<Store>; mailer: () => Promise<Mailer>; config: Pick<Config, 'brand' | 'supportText'> }): TaskRunners {
  return {
    async endSessions(accountId) {
      return revokeAccountAccess(await store(), accountId);
    },
    async sendNotice(task) {
      const message = notices[task.notice](emailBasics(config, task.locale), task.params);
      await (await mailer()).send({ to: task.to, ...message });
    },
  };
}
