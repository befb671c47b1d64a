import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createMailer, MailDeliveryError, type MailLogger } from '../../src/mail/mailer.ts';
import { verificationCodeEmail } from '../../src/mail/messages.ts';

const FROM = 'Fluxys Extranet Identity Provider <no-reply@sso.example.com>';
const TO = 'user@example.com';
const CODE = '123456';
const email = {
  to: TO,
  ...verificationCodeEmail({ locale: 'en', brand: 'Fluxys', support: 'please contact your Fluxys point of contact.', code: CODE, minutes: 5 }),
};

interface Received {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  readonly raw: string;
}

/** A real SMTP server on 127.0.0.1 and a free port that keeps every message it accepts. */
async function startSmtpServer(t: TestContext, options: SMTPServerOptions = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    // Without STARTTLS the client stays in plain text; the TLS upgrade itself is nodemailer's business.
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as net.AddressInfo;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received };
}

function rejection(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

function recordingLogger(): MailLogger & { readonly lines: Array<{ obj: object; msg: string }> } {
  const lines: Array<{ obj: object; msg: string }> = [];
  return { lines, info: (obj, msg) => lines.push({ obj, msg }) };
}

/** The header block of a message or part, unfolded (RFC 5322 section 2.2.3). */
function headerBlock(raw: string): string {
  const end = raw.indexOf('\r\n\r\n');
  return (end === -1 ? raw : raw.slice(0, end)).replace(/\r\n(?=[ \t])/g, '');
}

function header(raw: string, name: string): string | undefined {
  const line = headerBlock(raw)
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case 'quoted-printable': {
      const bytes = body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    case 'base64':
      return Buffer.from(body, 'base64').toString('utf8');
    default:
      return body;
  }
}

/** The decoded parts of a multipart message, by content type; enough MIME for what nodemailer writes. */
function parts(raw: string): Map<string, string> {
  const boundary = /boundary="?([^";]+)"?/.exec(header(raw, 'Content-Type') ?? '')?.[1];
  assert.ok(boundary !== undefined, 'the message is not multipart');
  const found = new Map<string, string>();
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const trimmed = part.replace(/^\r\n/, '');
    const body = trimmed.slice(trimmed.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
    const type = (header(trimmed, 'Content-Type') ?? '').split(';')[0]!.trim();
    found.set(type, decodeBody(body, header(trimmed, 'Content-Transfer-Encoding')));
  }
  return found;
}

function assertVerificationEmail(raw: string): void {
  assert.equal(header(raw, 'Subject'), 'Fluxys Extranet Identity Provider account email verification code');
  assert.equal(header(raw, 'From'), FROM);
  assert.equal(header(raw, 'To'), TO);
  assert.equal(header(raw, 'Auto-Submitted'), 'auto-generated');
  const found = parts(raw);
  assert.deepEqual([...found.keys()].sort(), ['text/html', 'text/plain']);
  for (const [type, body] of found) {
    assert.ok(body.includes('Your code is: 123456'), type);
    assert.ok(body.includes('This code is valid for 5 minutes.'), type);
    assert.ok(body.includes('This email was sent from an unmonitored address. Please do not reply.'), type);
  }
  assert.match(found.get('text/html')!, /^<!DOCTYPE html>/);
}

async function refusedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('mailer over SMTP', () => {
  it('delivers the verification email with both parts, logging no content', async (t) => {
    const smtp = await startSmtpServer(t, {
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 's3cr:t@pass') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
    });
    const logger = recordingLogger();
    const mailer = createMailer(
      { smtpUrl: `smtp://mailer:s3cr%3At%40pass@127.0.0.1:${smtp.port}`, mailFrom: FROM, dataDir: '/nonexistent' },
      logger,
    );
    t.after(() => mailer.close());

    assert.equal(mailer.describe(), `emails are sent through smtp://127.0.0.1:${smtp.port}`);
    await mailer.verify();
    await mailer.send(email);

    assert.equal(smtp.received.length, 1);
    const [message] = smtp.received;
    assert.equal(message!.user, 'mailer');
    assert.equal(message!.from, 'no-reply@sso.example.com');
    assert.deepEqual(message!.to, [TO]);
    assertVerificationEmail(message!.raw);

    assert.equal(logger.lines.length, 1);
    assert.equal(logger.lines[0]!.msg, 'email sent');
    assert.ok(!JSON.stringify(logger.lines).includes(CODE));
  });

  it('rejects with MailDeliveryError when the server refuses the recipient', async (t) => {
    const smtp = await startSmtpServer(t, {
      onRcptTo(_address, _session, callback) {
        callback(rejection('Mailbox unavailable', 550));
      },
    });
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: FROM, dataDir: '/nonexistent' });
    t.after(() => mailer.close());

    const error = await mailer.send(email).then(
      () => assert.fail('send resolved'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof MailDeliveryError);
    assert.equal(error.responseCode, 550);
    assert.equal(error.code, 'EENVELOPE');
    const target = `smtp://127\\.0\\.0\\.1:${smtp.port}`;
    assert.match(error.message, new RegExp(`^Email could not be delivered through ${target}: `));
    assert.ok(!error.message.includes('\n'));
    assert.ok(!error.message.includes(CODE));
    assert.equal(smtp.received.length, 0);
  });

  it('rejects with MailDeliveryError when the server refuses the message', async (t) => {
    const smtp = await startSmtpServer(t, {
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(rejection('Message rejected as spam', 554)));
      },
    });
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: FROM, dataDir: '/nonexistent' });
    t.after(() => mailer.close());

    await assert.rejects(mailer.send(email), (error: unknown) => {
      assert.ok(error instanceof MailDeliveryError);
      assert.equal(error.responseCode, 554);
      assert.match(error.message, /Message rejected as spam/);
      return true;
    });
  });

  it('fails verify() on a wrong password without naming it', async (t) => {
    const smtp = await startSmtpServer(t, {
      onAuth(_auth, _session, callback) {
        callback(rejection('Authentication failed', 535));
      },
    });
    const mailer = createMailer({
      smtpUrl: `smtp://mailer:wrong-password@127.0.0.1:${smtp.port}`,
      mailFrom: FROM,
      dataDir: '/nonexistent',
    });
    t.after(() => mailer.close());

    await assert.rejects(mailer.verify(), (error: unknown) => {
      assert.ok(error instanceof MailDeliveryError);
      assert.equal(error.code, 'EAUTH');
      assert.ok(!error.message.includes('wrong-password'));
      return true;
    });
    assert.ok(!mailer.describe().includes('wrong-password'));
  });

  it('describes an smtps server by its default port, without the credentials', (t) => {
    const smtpUrl = 'smtps://mailer:hunter2@mail.example.com';
    const mailer = createMailer({ smtpUrl, mailFrom: FROM, dataDir: '/nonexistent' });
    t.after(() => mailer.close());
    assert.equal(mailer.describe(), 'emails are sent through smtps://mail.example.com:465');
  });

  it('fails at once when nothing listens on the port', async (t) => {
    const port = await refusedPort();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: FROM, dataDir: '/nonexistent' });
    t.after(() => mailer.close());
    await assert.rejects(mailer.send(email), MailDeliveryError);
  });

  it('gives up within seconds on a server that never greets', async (t) => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as net.AddressInfo;
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: FROM, dataDir: '/nonexistent' });
    t.after(() => mailer.close());

    const started = Date.now();
    await assert.rejects(mailer.send(email), MailDeliveryError);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});

describe('mailer without SMTP (outbox)', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sso-mail-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('writes a readable .eml file and logs its path, never the code', async () => {
    const logger = recordingLogger();
    const mailer = createMailer({ smtpUrl: undefined, mailFrom: FROM, dataDir }, logger);
    const outbox = path.join(dataDir, 'outbox');
    assert.equal(mailer.describe(), `emails are written to ${outbox}`);

    await mailer.verify();
    await mailer.send(email);
    await mailer.send(email);
    mailer.close();

    const files = (await readdir(outbox)).sort();
    assert.equal(files.length, 2, 'each email gets its own file');
    const file = path.join(outbox, files[0]!);
    assert.match(files[0]!, /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]{8}\.eml$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assertVerificationEmail(await readFile(file, 'utf8'));

    assert.equal(logger.lines.length, 2);
    const logged = logger.lines.map((line) => line.obj as { file?: string });
    assert.deepEqual(logged.map((o) => o.file).sort(), files.map((f) => path.join(outbox, f)));
    assert.ok(!JSON.stringify(logger.lines).includes(CODE));
  });

  it('rejects with MailDeliveryError when the outbox cannot be written', async () => {
    const blocked = path.join(dataDir, 'not-a-directory');
    await writeFile(blocked, '');
    const mailer = createMailer({ smtpUrl: undefined, mailFrom: FROM, dataDir: blocked });
    await assert.rejects(mailer.verify(), MailDeliveryError);
    await assert.rejects(mailer.send(email), (error: unknown) => {
      assert.ok(error instanceof MailDeliveryError);
      assert.equal(error.code, 'ENOTDIR');
      assert.ok(error.message.includes(path.join(blocked, 'outbox')));
      return true;
    });
    mailer.close();
  });
});
