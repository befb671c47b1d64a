import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';

/**
 * An email that could not be handed over. The message is one line naming where it was going and
 * why; it never holds the email's content, nor the SMTP credentials.
 */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
  /** Nodemailer's error code (ECONNECTION, ETIMEDOUT, EENVELOPE, EAUTH...) or the file system's. */
  readonly code: string | undefined;
  /** The SMTP server's reply code when it refused the email. */
  readonly responseCode: number | undefined;

  constructor(message: string, code: string | undefined, responseCode: number | undefined) {
    super(message);
    this.code = code;
    this.responseCode = responseCode;
  }
}

export type Delivery =
  | { readonly kind: 'smtp'; readonly messageId: string }
  | { readonly kind: 'outbox'; readonly file: string };

/** Where composed emails go: an SMTP server, or the outbox folder when there is none. */
export interface MailTransport {
  deliver(mail: SendMailOptions): Promise<Delivery>;
  verify(): Promise<void>;
  close(): void;
  describe(): string;
}

/**
 * Nodemailer waits two minutes for a connection and ten on a silent socket by default; a user
 * waiting for a code page needs an answer in seconds. Query parameters of SMTP_URL
 * (`?socketTimeout=30000`) still override these.
 */
const SMTP_TIMEOUTS = {
  connectionTimeout: 5_000,
  greetingTimeout: 5_000,
  socketTimeout: 15_000,
  dnsTimeout: 5_000,
} as const;

// Our emails never carry attachments: refuse any content that would read a file or fetch a URL.
const CONTENT_ACCESS = { disableFileAccess: true, disableUrlAccess: true } as const;

function deliveryError(error: unknown, where: string): MailDeliveryError {
  const details = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const reason = typeof details.message === 'string' ? details.message : String(error);
  return new MailDeliveryError(
    `Email could not be delivered ${where}: ${reason.replace(/\s+/g, ' ').trim().slice(0, 300)}`,
    typeof details.code === 'string' ? details.code : undefined,
    typeof details.responseCode === 'number' ? details.responseCode : undefined,
  );
}

/** The SMTP server as `smtp://host:port`, without the credentials the URL may hold. */
function smtpTarget(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const port = url.port !== '' ? url.port : url.protocol === 'smtps:' ? '465' : '587';
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** smtp:// upgrades with STARTTLS when the server offers it; smtps:// speaks TLS from the start. */
export function smtpTransport(smtpUrl: string): MailTransport {
  const target = smtpTarget(smtpUrl);
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS, ...CONTENT_ACCESS });
  return {
    async deliver(mail) {
      try {
        const info = await transporter.sendMail(mail);
        return { kind: 'smtp', messageId: info.messageId };
      } catch (error) {
        throw deliveryError(error, `through ${target}`);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (error) {
        throw deliveryError(error, `through ${target}`);
      }
    },
    close: () => transporter.close(),
    describe: () => `emails are sent through ${target}`,
  };
}

/** Sorts by time; the random part keeps two emails of the same millisecond apart. */
function outboxFileName(now: Date): string {
  return `${now.toISOString().replace(/:/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
}

/**
 * Writes each email as an .eml file (the same RFC 5322 message SMTP would carry, composed by
 * nodemailer's stream transport), readable by any mail client. Files and folder are owner-only:
 * an email in the outbox may hold a live verification code.
 */
export function outboxTransport(dir: string): MailTransport {
  const outbox = path.resolve(dir);
  const where = `to ${outbox}`;
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    ...CONTENT_ACCESS,
  });
  return {
    async deliver(mail) {
      try {
        const info = await transporter.sendMail(mail);
        await mkdir(outbox, { recursive: true, mode: 0o700 });
        const file = path.join(outbox, outboxFileName(new Date()));
        // With `buffer: true` the stream transport hands back the whole message as a Buffer.
        await writeFile(file, info.message as Buffer, { flag: 'wx', mode: 0o600 });
        return { kind: 'outbox', file };
      } catch (error) {
        throw deliveryError(error, where);
      }
    },
    async verify() {
      try {
        await mkdir(outbox, { recursive: true, mode: 0o700 });
        await access(outbox, constants.W_OK);
      } catch (error) {
        throw deliveryError(error, where);
      }
    },
    close: () => transporter.close(),
    describe: () => `emails are written to ${outbox}`,
  };
}
