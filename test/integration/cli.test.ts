import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dropSchema } from '../helpers/databases.ts';
import { SMTPServer } from 'smtp-server';
import type { Knex } from 'knex';
import type { AccountWithFactors } from '../../src/accounts/account.ts';
import { AccountRepository } from '../../src/accounts/repository.ts';
import { FactorRepository } from '../../src/factors/repository.ts';
import { openDatabase } from '../../src/db/knex.ts';
import { formatMoment, translator } from '../../src/i18n/index.ts';
import { generateSigningKey } from '../../src/secrets.ts';
import { BruteForceGuard } from '../../src/security/brute-force.ts';
import { createOidcAdapter } from '../../src/store/oidc-adapter.ts';
import { createRedisStore } from '../../src/store/redis.ts';
import { cleanEnvironment, runCli, runCliInProcess, type CliRun } from '../helpers/cli-process.ts';
import { enrollAuthenticatorApp } from '../helpers/flows.ts';
import { readMail } from '../helpers/mime.ts';
import { deleteKeys } from '../../harness/redis-keys.ts';

/**
 * The operator CLI against a fresh embedded database (or a fresh PostgreSQL schema with
 * TEST_DATABASE_URL, and Redis with TEST_REDIS_URL) and a real SMTP server. Most commands run in
 * process, through the CLI's own entry; the checks of exit codes and one-line errors, `migrate`
 * and one `users add` run the real binary as an operator does.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/cli');
const activationDays = 30;
const dayMs = 24 * 60 * 60 * 1000;

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const schema = `cli_${randomBytes(6).toString('hex')}`;
const redisPrefix = `test:cli:${randomBytes(6).toString('hex')}:`;

type Run = CliRun;

interface Email {
  readonly to: string[];
  readonly text: string;
  readonly raw: string;
}

let dataDir: string;
let smtp: SMTPServer;
const inbox: Email[] = [];
/** The CLI's whole configuration; runCli keeps the developer's own out of it. */
let env: Record<string, string>;

/** The headers unfolded and quoted-printable undone, enough to search the message for its text. */
function readable(raw: string): string {
  return raw
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function startSmtp(): Promise<number> {
  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), text: readable(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return (smtp.server.address() as net.AddressInfo).port;
}

function configured(extraEnv: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...env, ...extraEnv }).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Runs the CLI in process with the suite's configuration; an extra variable set to undefined is left out. */
function cli(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runCliInProcess(args, configured(extraEnv));
}

/** Runs the real binary, as an operator does. */
function binary(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runCli(args, configured(extraEnv));
}

/** Succeeds quietly on stderr; returns the lines of stdout. */
function succeeded(run: Run): string[] {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return run.stdout.split('\n').filter((line) => line !== '');
}

/** stdout without the progress lines a slow import prints now and then. */
function report(run: Run): string[] {
  return run.stdout.split('\n').filter((line) => line !== '' && !/^\d+ rows read: /.test(line));
}

/** Exit code 1 and exactly one line on stderr, never a stack trace. */
function failedWith(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 1, `exit ${run.code}: ${run.stdout}${run.stderr}`);
  assert.match(run.stderr, /^[^\n]+\n$/, `not one line: ${JSON.stringify(run.stderr)}`);
  assert.doesNotMatch(run.stderr, /\bat .+:\d+:\d+/);
  assert.match(run.stderr.trimEnd(), pattern);
}

async function withDatabase<T>(use: (knex: Knex, accounts: AccountRepository) => Promise<T>): Promise<T> {
  // Between CLI runs only: the embedded database admits one opener at a time.
  const db = await openDatabase({ databaseUrl, databaseSchema: databaseUrl === undefined ? undefined : schema, dataDir });
  try {
    return await use(db.knex, new AccountRepository(db.knex, { activationDays }));
  } finally {
    await db.close();
  }
}

function withAccounts<T>(use: (accounts: AccountRepository) => Promise<T>): Promise<T> {
  return withDatabase((_knex, accounts) => use(accounts));
}

async function account(email: string): Promise<AccountWithFactors> {
  const found = await withAccounts((accounts) => accounts.findByEmail(email));
  assert.ok(found, `no account ${email}`);
  return found;
}

/** `users show` as a map from field to value. */
function fields(lines: readonly string[]): Map<string, string> {
  return new Map(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
}

describe('operator CLI', { timeout: 360_000 }, () => {
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sso-cli-test-'));
    const port = await startSmtp();
    env = {
      SSO_DATA_DIR: dataDir,
      SSO_CLIENTS_FILE: path.join(fixtures, 'clients.json'),
      SSO_ACTIVATION_DAYS: String(activationDays),
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl, SSO_DATABASE_SCHEMA: schema }),
      ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl, SSO_REDIS_PREFIX: redisPrefix }),
    };
  });

  after(async () => {
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    if (databaseUrl !== undefined) await dropSchema(databaseUrl, schema);
    if (redisUrl !== undefined) await deleteKeys(redisUrl, redisPrefix);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrate applies the migrations, then finds nothing left to do', async () => {
    assert.match(succeeded(await binary(['migrate']))[0]!, /^Applied \d+ migrations: 001_accounts, /);
    assert.deepEqual(succeeded(await binary(['migrate'])), ['The database is up to date']);
  });

  it('refuses bad arguments and bad configuration with one line, before changing anything', async () => {
    const cases: Array<[args: string[], pattern: RegExp, extraEnv?: NodeJS.ProcessEnv]> = [
      [[], /^Missing command/],
      [['users', 'lst'], /^Unknown command 'lst' \(Did you mean list\?\)$/m],
      [['users', 'show'], /^Missing required argument 'email'/],
      [['users', 'show', 'a@example.com', 'b@example.com'], /^Too many arguments/],
      [['users', 'list', '--verbose'], /^Unknown option '--verbose'/],
      [['users', 'list', '--status', 'gone'], /Allowed choices are invited, active, deactivated/],
      [['users', 'grant', 'a@example.com'], /^Required option '--role <role>' not specified$/],
      [['users', 'grant', 'a@example.com', '--role', 'root'], /Allowed choices are admin, helpdesk/],
      [['users', 'add', 'not-an-email'], /^Invalid email address "not-an-email"$/m],
      [['users', 'add', 'x@example.com', '--invited-at', 'yesterday'], /^Invalid invitation date "yesterday"/],
      [['users', 'add', 'x@example.com', '--invited-at', '2999-01-01'], /^Invitation date 2999-01-01 is in the future/],
      [['audit', '--limit', '0'], /^Option '--limit <n>' argument '0' is invalid\. Use a whole number from 1 to 10000\.$/],
      [['users', 'list'], /^Invalid SSO_ACTIVATION_DAYS="soon": expected a whole number$/m, { SSO_ACTIVATION_DAYS: 'soon' }],
      [['users', 'list'], /^NODE_ENV=production requires DATABASE_URL/, { NODE_ENV: 'production', DATABASE_URL: undefined }],
    ];
    const runs = await Promise.all(cases.map(([args, , extraEnv]) => binary(args, extraEnv)));
    runs.forEach((run, i) => failedWith(run, cases[i]![1]));
    assert.deepEqual(await withAccounts((accounts) => accounts.list()), []);
  });

  it('users add provisions invited accounts, trimmed and lowercased; list and show read them back', async () => {
    assert.match(
      succeeded(await binary(['users', 'add', '  Alice@Example.COM ', '--name', ' Alice Doe ']))[0]!,
      /^Added alice@example\.com: invited, to activate by \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    // An invitation older than the window is deactivated at once, as the server would find it.
    assert.match(
      succeeded(await cli(['users', 'add', 'old@example.com', '--invited-at', '2020-01-01']))[0]!,
      /^Added old@example\.com: deactivated: not activated by 2020-01-31T00:00:00Z$/,
    );
    failedWith(await cli(['users', 'add', 'ALICE@example.com']), /^An account with the email alice@example\.com already exists$/);

    const list = succeeded(await cli(['users', 'list'])).map((line) => line.split('\t'));
    assert.deepEqual(
      list.map((columns) => columns.slice(0, 3)),
      [
        ['alice@example.com', 'invited', 'Alice Doe'],
        ['old@example.com', 'deactivated', '-'],
      ],
    );
    assert.ok(list.every((columns) => columns.length === 6));
    assert.deepEqual(list[1]!.slice(3), ['2020-01-01T00:00:00Z', '-', '2020-01-31T00:00:00Z']);
    assert.deepEqual(succeeded(await cli(['users', 'list', '--status', 'deactivated'])).map((l) => l.split('\t')[0]), [
      'old@example.com',
    ]);

    const shown = fields(succeeded(await cli(['users', 'show', ' ALICE@example.com'])));
    assert.equal(shown.get('email'), 'alice@example.com');
    assert.equal(shown.get('name'), 'Alice Doe');
    assert.equal(shown.get('status'), 'invited');
    assert.equal(shown.get('password'), 'not set');
    assert.equal(shown.get('authenticator'), 'not set');
    assert.match(shown.get('lock')!, /^not locked/);
    assert.equal(shown.get('language'), 'en (not signed in yet)');
    const alice = await account('alice@example.com');
    assert.equal(shown.get('activate by'), new Date(alice.invitedAt.getTime() + activationDays * dayMs).toISOString().replace(/\.\d+Z$/, 'Z'));
  });

  it('users add --send-invite emails the invitation with the link to first-time login and the activation deadline', async () => {
    const invitedAt = new Date(Date.now() - 2 * dayMs);
    invitedAt.setUTCMilliseconds(0);
    const deadline = new Date(invitedAt.getTime() + activationDays * dayMs);
    const issuer = 'https://sso.example.com/extranet';
    const lines = succeeded(
      await cli(['users', 'add', 'bob@example.com', '--name', 'Bob', '--invited-at', invitedAt.toISOString(), '--send-invite'], { SSO_ISSUER: issuer }),
    );
    const link = `${issuer}/account/signin?login_hint=bob%40example.com`;
    assert.ok(lines[1]!.startsWith(`Invitation emailed to bob@example.com, linking to ${link} `), lines[1]);
    const invitation = inbox.find((email) => email.to.includes('bob@example.com'));
    assert.ok(invitation, 'no invitation received');
    assert.match(invitation.text, /^Subject: Activate your Fluxys Extranet Identity Provider account$/m);
    assert.ok(invitation.text.includes(formatMoment(translator('en'), deadline)), 'the deadline is missing');
    assert.ok(invitation.text.includes(link), 'the sign-in link is missing');
    assert.equal((await account('bob@example.com')).invitedAt.getTime(), invitedAt.getTime());
  });

  it('names an unknown email in one line', async () => {
    failedWith(await cli(['users', 'show', 'nobody@example.com']), /^No account with email nobody@example\.com$/);
    failedWith(await cli(['users', 'deactivate', ' Nobody@Example.com']), /^No account with email nobody@example\.com$/);
  });

  it('reset-mfa, unlock, deactivate, reactivate, signout, grant, revoke and reset change the account and end its access', async () => {
    succeeded(await cli(['users', 'add', 'carol@example.com', '--name', 'Carol']));
    const carol = await withDatabase(async (knex, accounts) => {
      const { id } = (await accounts.findByEmail('carol@example.com'))!;
      await accounts.setPassword(id, '$2b$04$not.a.real.hash');
      await enrollAuthenticatorApp(knex, id, 'not-a-real-secret', 'Phone');
      await enrollAuthenticatorApp(knex, id, 'not-a-real-secret-either', 'Tablet');
      await new FactorRepository(knex).replace({ accountId: id, kind: 'recovery-codes', name: null, data: { unused: ['hash-1', 'hash-2', 'hash-3'] } });
      return accounts.activate(id);
    });
    const redis = redisUrl === undefined ? undefined : await createRedisStore(redisUrl, redisPrefix);
    try {
      const Adapter = redis === undefined ? undefined : createOidcAdapter(redis);
      /** A session and a refresh token of Carol's in the store, to see a command end them. */
      const signIn = async (n: number) => {
        if (Adapter === undefined) return;
        await new Adapter('Session').upsert(`session-${n}`, { uid: `uid-${n}`, accountId: carol.id }, 3600);
        await new Adapter('Grant').upsert(`grant-${n}`, { accountId: carol.id }, 3600);
        await new Adapter('RefreshToken').upsert(`refresh-${n}`, { grantId: `grant-${n}`, accountId: carol.id }, 3600);
      };
      const assertSignedOut = async (n: number, what: string) => {
        if (Adapter === undefined) return;
        assert.equal(await new Adapter('Session').find(`session-${n}`), undefined, `${what}: the session ended`);
        assert.equal(await new Adapter('RefreshToken').find(`refresh-${n}`), undefined, `${what}: the refresh token revoked`);
      };
      if (redis !== undefined) {
        const guard = new BruteForceGuard({ store: redis });
        for (let i = 0; i < 10; i += 1) await guard.reserve({ accountId: carol.id, ip: '192.0.2.1' });
      }
      await signIn(1);

      const before = fields(succeeded(await cli(['users', 'show', 'carol@example.com'])));
      assert.equal(before.get('status'), 'active');
      assert.match(before.get('password')!, /^set \d{4}-/);
      assert.equal(before.get('authenticator'), 'enrolled');
      assert.match(before.get('lock')!, redis === undefined ? /^not locked/ : /^locked for \d+ s more \(10 failed attempts\)$/);
      const factorLines = succeeded(await cli(['users', 'show', 'carol@example.com'])).filter((line) => line.startsWith('factor:'));
      assert.deepEqual(
        factorLines.map((line) => line.slice('factor:'.length).trim().split('\t').slice(0, 2)),
        [
          ['authenticator-app', 'Phone'],
          ['authenticator-app', 'Tablet'],
          ['recovery-codes', '3 left'],
        ],
        'users show lists every factor, by kind and name, and how many recovery codes are left',
      );
      assert.ok(factorLines.every((line) => !line.includes('not-a-real-secret') && !line.includes('hash-1')), 'never a secret');

      const unlocked = succeeded(await cli(['users', 'unlock', 'carol@example.com']));
      assert.match(unlocked[0]!, redis === undefined ? /was not locked/ : /^Unlocked carol@example\.com/);

      // Carol last signed in in German: the operator's changes email her in German unless told otherwise.
      await withAccounts((accounts) => accounts.rememberLocale(carol.id, 'de'));
      assert.equal(fields(succeeded(await cli(['users', 'show', 'carol@example.com']))).get('language'), 'de');
      /** The one email the command sent Carol, read as her mail client shows it. */
      const onlyEmailOf = async (args: string[]) => {
        const before = inbox.length;
        const lines = succeeded(await cli(args));
        const sent = inbox.slice(before);
        assert.equal(sent.length, 1, `${args.join(' ')}: exactly one email`);
        assert.deepEqual(sent[0]!.to, ['carol@example.com']);
        assert.ok(lines.includes(`Notified carol@example.com by email (emails are sent through ${env.SMTP_URL})`), lines.join('\n'));
        return { lines, ...readMail(sent[0]!) };
      };
      const mfaReset = await onlyEmailOf(['users', 'reset-mfa', 'Carol@example.com']);
      assert.deepEqual(mfaReset.lines.slice(0, 1), ['Removed the second factors of carol@example.com']);
      assert.equal(mfaReset.subject, 'Die Authenticator-App Ihres Kontos beim Fluxys Extranet Identity Provider wurde zurückgesetzt');
      const afterMfa = await account('carol@example.com');
      assert.deepEqual(afterMfa.factors, [], 'every authenticator app is removed');
      assert.notEqual(afterMfa.passwordHash, null);
      await assertSignedOut(1, 'reset-mfa');
      const quiet = inbox.length;
      assert.deepEqual(succeeded(await cli(['users', 'reset-mfa', 'carol@example.com'])), ['carol@example.com has no second factor: nothing to reset']);
      assert.equal(inbox.length, quiet, 'nothing reset, nothing emailed');

      await signIn(2);
      const deactivated = await onlyEmailOf(['users', 'deactivate', 'carol@example.com']);
      assert.equal(deactivated.lines[0], 'Deactivated carol@example.com');
      assert.equal(deactivated.subject, 'Ihr Konto beim Fluxys Extranet Identity Provider wurde deaktiviert');
      assert.ok(deactivated.text.includes('bitten Sie Ihre Kontaktperson, Ihr Konto zu reaktivieren.'), deactivated.text);
      assert.ok(deactivated.text.includes('Diese E-Mail wurde von einer Adresse gesendet, die nicht überwacht wird.'), deactivated.text);
      assert.equal((await account('carol@example.com')).status, 'deactivated');
      await assertSignedOut(2, 'deactivate');
      const again = inbox.length;
      assert.match(succeeded(await cli(['users', 'deactivate', 'carol@example.com']))[0]!, /^carol@example\.com was already deactivated/);
      assert.equal(inbox.length, again, 'already deactivated, not emailed again');

      // Carol had activated, so she returns to active rather than to a new invitation.
      assert.deepEqual(succeeded(await cli(['users', 'reactivate', 'carol@example.com'])), ['Reactivated carol@example.com: active']);

      await signIn(3);
      assert.equal(succeeded(await cli(['users', 'signout', 'carol@example.com']))[0], 'Signed carol@example.com out everywhere');
      await assertSignedOut(3, 'signout');

      assert.deepEqual(succeeded(await cli(['users', 'grant', 'carol@example.com', '--role', 'helpdesk'])), ['Gave carol@example.com the helpdesk role']);
      assert.deepEqual(succeeded(await cli(['users', 'grant', 'carol@example.com', '--role', 'helpdesk'])), ['carol@example.com already has the helpdesk role']);
      succeeded(await cli(['users', 'grant', 'carol@example.com', '--role', 'admin']));
      assert.equal(fields(succeeded(await cli(['users', 'show', 'carol@example.com']))).get('roles'), 'admin, helpdesk');
      assert.deepEqual(succeeded(await cli(['users', 'revoke', 'carol@example.com', '--role', 'admin'])), ['Took the admin role from carol@example.com']);
      assert.deepEqual(succeeded(await cli(['users', 'revoke', 'carol@example.com', '--role', 'admin'])), ['carol@example.com does not have the admin role']);

      await signIn(4);
      const reset = await onlyEmailOf(['users', 'reset', 'carol@example.com', '--locale', 'fr']);
      assert.match(reset.lines[0]!, /^Reset carol@example\.com: password and second factors cleared; invited, to activate by /);
      assert.equal(reset.subject, 'Votre compte Fluxys Extranet Identity Provider a été réinitialisé');
      assert.ok(reset.text.includes('sélectionnez «\u202fPremière connexion/Mot de passe oublié\u202f?\u202f»'), reset.text);
      assert.match(reset.text, /Veuillez le faire au plus tard le \d+(er)? \p{L}+ \d{4}\./u);
      await assertSignedOut(4, 'reset');
      const shown = fields(succeeded(await cli(['users', 'show', 'carol@example.com'])));
      assert.equal(shown.get('status'), 'invited');
      assert.equal(shown.get('password'), 'not set');
      assert.equal(shown.get('authenticator'), 'not set');
      assert.equal(shown.get('roles'), 'helpdesk', 'a reset keeps the roles');
      assert.equal(shown.get('lock'), 'not locked (0 failed attempts)');
    } finally {
      await redis?.close();
    }
  });

  it('audit lists the recorded changes, one a line, oldest first, with who made them', async () => {
    const all = succeeded(await cli(['audit', '--limit', '1000'])).map((line) => line.split('\t'));
    assert.ok(all.every((columns) => columns.length === 8));
    const times = all.map((columns) => columns[0]!);
    assert.deepEqual([...times].sort(), times);
    const carol = all.filter((columns) => columns[3] === 'carol@example.com' && columns[2] === 'success').map((columns) => columns[1]);
    const ended = ['account.sessions-ended'];
    assert.deepEqual(carol, [
      'account.created',
      'account.unlocked',
      'mfa.reset',
      ...ended,
      'mfa.reset',
      'account.deactivated',
      ...ended,
      // Deactivated again: nothing changes, but its sessions are ended once more.
      'account.deactivated',
      ...ended,
      'account.reactivated',
      'account.signed-out',
      ...ended,
      'account.role-granted',
      'account.role-granted',
      'account.role-granted',
      'account.role-revoked',
      'account.role-revoked',
      'account.reset',
      ...ended,
    ]);
    const unknown = all.find((columns) => columns[3] === 'nobody@example.com');
    assert.deepEqual(unknown?.slice(1, 3), ['account.deactivated', 'failure']);
    const by = JSON.parse(all.find((columns) => columns[1] === 'account.created')![7]!) as { by?: string; actor?: string };
    assert.equal(by.by, 'cli');
    assert.equal(typeof by.actor, 'string', 'the operator who ran the command');

    const recent = succeeded(await cli(['audit', '--email', ' CAROL@example.com', '--limit', '1']));
    assert.deepEqual(recent.map((line) => line.split('\t')[1]), ['account.sessions-ended']);
  });

  it('clients check validates clients.json, naming the client and field at fault', async () => {
    const [good, bad, missing] = await Promise.all([
      cli(['clients', 'check']),
      cli(['clients', 'check'], { SSO_CLIENTS_FILE: path.join(fixtures, 'clients-invalid.json') }),
      cli(['clients', 'check'], { SSO_CLIENTS_FILE: path.join(fixtures, 'no-such-file.json') }),
    ]);
    const [, ...listed] = succeeded(good);
    assert.deepEqual(listed.slice(0, 2), [
      'extranet\tpublic\thttps://extranet.example.com/callback',
      'portal\tconfidential\thttps://portal.example.com/oidc/callback https://portal.example.com/alt',
    ]);
    assert.equal(listed.length, 4, 'then the warnings, the file still valid');
    assert.match(listed[2]!, /^warning: client "extranet": post_logout_redirect_uris "https:\/\/extranet\.example\.com\/" ends with a slash: /);
    assert.match(listed[3]!, /^warning: client "portal": no post_logout_redirect_uris: /);
    failedWith(bad, /client "broken": redirect_uris\.0 must be an absolute http\(s\) URL/);
    failedWith(missing, /^Cannot read SSO_CLIENTS_FILE \(.*no-such-file\.json\): ENOENT$/m);

    const rsaOnly = path.join(dataDir, 'rsa-only-jwks.json');
    const elliptic = path.join(dataDir, 'elliptic-clients.json');
    await writeFile(rsaOnly, JSON.stringify({ keys: [generateSigningKey('RS256')] }));
    await writeFile(elliptic, JSON.stringify([{ client_id: 'curve', redirect_uris: ['https://curve.example.com/cb'], token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'ES256' }]));
    failedWith(
      await cli(['clients', 'check'], { SSO_CLIENTS_FILE: elliptic, SSO_JWKS_FILE: rsaOnly }),
      /client "curve": id_token_signed_response_alg ES256 has no signing key in the key set \(it signs RS256\)/,
    );
  });

  it('keys rotate puts a new signing key for each algorithm in front of SSO_JWKS_FILE and keeps the old ones', async () => {
    const jwksFile = path.join(dataDir, 'configured-jwks.json');
    const old = generateSigningKey();
    await writeFile(jwksFile, JSON.stringify({ keys: [old] }));
    const lines = succeeded(await cli(['keys', 'rotate'], { SSO_JWKS_FILE: jwksFile }));
    const kids = /^New signing keys (\S+) (\S+) (\S+) added in front of (.+) \(4 keys in the set\)$/.exec(lines[0]!);
    assert.ok(kids, lines[0]);
    assert.equal(kids[4], jwksFile);
    assert.match(lines[1]!, /^Restart every server instance/);
    const { keys } = JSON.parse(await readFile(jwksFile, 'utf8')) as { keys: Array<{ kid: string; alg?: string; d?: string }> };
    assert.deepEqual(keys.map((key) => key.kid), [kids[1], kids[2], kids[3], old.kid]);
    assert.deepEqual(keys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA', 'RS256']);
    assert.ok(keys.slice(0, 3).every((key) => key.d), 'the new keys are private keys');
  });

  it('users import provisions good rows, lists the invalid ones by line, and adds nothing on a rerun', async () => {
    const recent = new Date(Date.now() - 3 * dayMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const csv = [
      '\ufeffemail,name,invited_at',
      'dave@example.com,Dave',
      '',
      '  ERIN@Example.com , "Erin, E." ,',
      `frank@example.com,Frank,${recent}`,
      'dave@example.com,Dave again',
      'not-an-email,Nobody',
      'grace@example.com,Grace,31/12/2024',
      'heidi@example.com,Heidi,2024-01-01,extra',
      '"ivan@example.com,Ivan',
      ',,',
      'judy@example.com',
      'kim@example.com,Kim',
    ].join('\r\n');
    const file = path.join(dataDir, 'accounts.csv');
    await writeFile(file, csv);

    const invalid = [
      'line 7: Invalid email address "not-an-email"',
      'line 8: Invalid invitation date "31/12/2024": expected an ISO date such as 2024-05-01 or 2024-05-01T09:00:00Z',
      'line 9: 4 columns where the header has 3',
      'line 10: malformed CSV (unbalanced or misplaced quotes)',
    ];
    const first = await cli(['users', 'import', file]);
    failedWith(first, /^4 invalid rows were not imported \(listed above\)/);
    assert.deepEqual(report(first), [...invalid, 'added 5, skipped 1, invalid 4']);

    const second = await cli(['users', 'import', file]);
    failedWith(second, /^4 invalid rows were not imported/);
    assert.deepEqual(report(second), [...invalid, 'added 0, skipped 6, invalid 4']);

    const imported = await withAccounts((accounts) => accounts.list());
    const byEmail = new Map(imported.map((a) => [a.email, a]));
    for (const email of ['dave', 'erin', 'frank', 'judy', 'kim']) assert.ok(byEmail.has(`${email}@example.com`), email);
    for (const email of ['grace', 'heidi', 'ivan']) assert.ok(!byEmail.has(`${email}@example.com`), email);
    assert.equal(byEmail.get('dave@example.com')!.name, 'Dave');
    assert.equal(byEmail.get('erin@example.com')!.name, 'Erin, E.');
    assert.equal(byEmail.get('judy@example.com')!.name, null);
    assert.equal(byEmail.get('frank@example.com')!.invitedAt.toISOString().replace(/\.\d+Z$/, 'Z'), recent);
    assert.ok(imported.every((a) => a.status !== 'active'));
  });

  it('users import refuses a wrong header or a garbage file without importing anything', async () => {
    const wrongHeader = path.join(dataDir, 'wrong-header.csv');
    const garbage = path.join(dataDir, 'garbage.bin');
    const empty = path.join(dataDir, 'empty.csv');
    await writeFile(wrongHeader, 'mail,full name\r\nzed@example.com,Zed\r\n');
    await writeFile(garbage, randomBytes(3 * 1024 * 1024));
    await writeFile(empty, '\r\n\r\n');
    const before = (await withAccounts((accounts) => accounts.list())).length;
    const [header, binary, blank, missing] = await Promise.all([
      cli(['users', 'import', wrongHeader]),
      cli(['users', 'import', garbage]),
      cli(['users', 'import', empty]),
      cli(['users', 'import', path.join(dataDir, 'missing.csv')]),
    ]);
    failedWith(header, /wrong-header\.csv: line 1 must be the header "email,name" or "email,name,invited_at"; nothing was imported$/m);
    failedWith(binary, /garbage\.bin: line \d+ must be the header .*; nothing was imported$/m);
    failedWith(blank, /empty\.csv is empty: expected the header/);
    failedWith(missing, /^Cannot read .*missing\.csv: no such file$/m);
    for (const run of [header, binary, blank, missing]) assert.equal(run.stdout, '');
    assert.equal((await withAccounts((accounts) => accounts.list())).length, before);
  });

  it('users import of megabytes of garbage after a valid header skips each bad line and stays brief', async () => {
    // No "@" in the noise, so no random line can pass for an email address by chance.
    const noise = randomBytes(3 * 1024 * 1024).map((byte) => (byte === 0x40 ? 0x20 : byte));
    const file = path.join(dataDir, 'noisy.csv');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('email;name\nfirst@example.com;First\n'),
        noise,
        Buffer.from(`\n${'x'.repeat(100_000)}\nlast@example.com;"Last; L."\n`),
      ]),
    );
    const run = await cli(['users', 'import', file]);
    failedWith(run, /^\d+ invalid rows were not imported/);
    const lines = report(run);
    assert.ok(run.stdout.length < 10_000, `${run.stdout.length} characters of output`);
    assert.equal(lines.filter((line) => /^line \d+: /.test(line)).length, 20);
    assert.match(lines.at(-2)!, /^… and \d+ more invalid rows$/);
    const summary = /^added 2, skipped 0, invalid (\d+)$/.exec(lines.at(-1)!);
    assert.ok(summary, lines.at(-1));
    assert.ok(Number(summary[1]) > 1000);
    const last = await account('last@example.com');
    assert.equal(last.name, 'Last; L.');
    assert.ok(await account('first@example.com'));
  });
  it('stops quietly, with exit code 0, when the reader of its output goes away (users list | head)', async () => {
    const csv = ['email,name', ...Array.from({ length: 5000 }, (_, i) => `piped.${i}@example.com,Piped ${i}`)].join('\n');
    const file = path.join(dataDir, 'piped.csv');
    await writeFile(file, csv);
    assert.equal((await cli(['users', 'import', file])).code, 0);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'users', 'list'], { cwd: root, env: cleanEnvironment(configured({})), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Like `head -1`: the first chunk, then the pipe is closed while hundreds of kilobytes are still to come.
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|at .+:\d+:\d+/, 'no stack trace');
  });
});
