import path from 'node:path';
import type { Config } from '../config.ts';
import { outboxTransport, smtpTransport } from './transport.ts';

export { MailDeliveryError } from './transport.ts';

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailLogger {
  info(obj: object, msg: string): void;
}

export interface Mailer {
  /** Rejects with MailDeliveryError when the email could not be handed over. */
  send(message: OutgoingEmail): Promise<void>;
  /** Checks that emails can go out (SMTP reachable and accepting the login, or outbox writable). */
  verify(): Promise<void>;
  close(): void;
  /** Where emails go, for the start-up line; never includes the SMTP credentials. */
  describe(): string;
}

export type MailConfig = Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>;

/** Sends through SMTP_URL when it is set, else writes each email to `<dataDir>/outbox`. */
export function createMailer(config: MailConfig, logger?: MailLogger): Mailer {
  const transport =
    config.smtpUrl === undefined
      ? outboxTransport(path.join(config.dataDir, 'outbox'))
      : smtpTransport(config.smtpUrl);
  return {
    async send({ to, subject, text, html }) {
      const delivery = await transport.deliver({
        from: config.mailFrom,
        to,
        subject,
        text,
        html,
        // RFC 3834: out-of-office replies must not bounce back to the unmonitored sender.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      // The path or message id only: the content may hold a verification code.
      if (delivery.kind === 'outbox') logger?.info({ to, file: delivery.file }, 'email written to the outbox');
      else logger?.info({ to, messageId: delivery.messageId }, 'email sent');
    },
    verify: () => transport.verify(),
    close: () => transport.close(),
    describe: () => transport.describe(),
  };
}
