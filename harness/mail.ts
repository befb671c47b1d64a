import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly to: string[];
  readonly raw: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives. `waitFor` resolves on the next
 * message matching the predicate (or one already received), so tests await events, not time.
 */
export class MailServer {
  readonly messages: ReceivedMail[] = [];
  private readonly waiters: Array<{ match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }> = [];
  private server!: SMTPServer;
  /** When set, every message is refused with this SMTP reply, as a mail server with a problem would. */
  refuse: string | undefined;
  private held: { arrived: (m: ReceivedMail) => void; released: Promise<void> } | undefined;
  port = 0;

  static async start(): Promise<MailServer> {
    const mail = new MailServer();
    mail.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (mail.refuse !== undefined) {
            const error = Object.assign(new Error(mail.refuse), { responseCode: 554 });
            return callback(error);
          }
          const message = {
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            raw: Buffer.concat(chunks).toString('utf8'),
          };
          mail.messages.push(message);
          for (const waiter of [...mail.waiters]) {
            if (waiter.match(message)) {
              mail.waiters.splice(mail.waiters.indexOf(waiter), 1);
              waiter.resolve(message);
            }
          }
          const held = mail.held;
          mail.held = undefined;
          if (held === undefined) return callback();
          held.arrived(message);
          void held.released.then(() => callback());
        });
      },
    });
    await new Promise<void>((resolve) => mail.server.listen(0, '127.0.0.1', resolve));
    mail.port = (mail.server.server.address() as AddressInfo).port;
    return mail;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  waitFor(match: (m: ReceivedMail) => boolean, after = 0): Promise<ReceivedMail> {
    const existing = this.messages.slice(after).find(match);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next message to this address after the first `after` messages. */
  next(to: string, after = this.messages.length): Promise<ReceivedMail> {
    return this.waitFor((m) => m.to.includes(to.toLowerCase()), after);
  }

  /**
   * Holds the next message: it is kept at once (`arrived`), but answered only on `release`, so its
   * sender waits in between, as behind a slow mail server. Every hold must be released.
   */
  hold(): { arrived: Promise<ReceivedMail>; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrived = new Promise<ReceivedMail>((resolve) => (this.held = { arrived: resolve, released }));
    return { arrived, release };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The verification code in a received email (the text part says "Your code is: NNNNNN"). */
export function codeFrom(mail: ReceivedMail): string {
  const match = /Your code is: (\d{6})/.exec(mail.raw);
  if (match === null) throw new Error('no verification code in the email');
  return match[1]!;
}
