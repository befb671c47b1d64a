import { createHash, randomBytes } from 'node:crypto';
import { totpCodeAt } from '../src/security/totp.ts';
import { codeFrom, type MailServer } from '../test/helpers/mail-server.ts';
import { benchClient } from './environment.ts';
import { Browser, type Connection, type Reply } from './http.ts';

/** Told about every request of a flow as it completes; may be async (the per-step round-trip count waits on it). */
export type StepRecorder = (step: Step, reply: Reply) => void | Promise<void>;

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly id_token: string;
}

/**
 * Every request the scenarios make. `page` is an interaction page GET and `check` the submit of an
 * emailed or authenticator code (both under the p99 target); `hash` submits are the bcrypt work.
 */
export const steps = {
  authorize: { label: 'GET /auth (authorization request)', kind: 'protocol' },
  emailPage: { label: 'GET /interaction/:uid (email page)', kind: 'page' },
  emailSubmit: { label: 'POST …/email', kind: 'submit' },
  signInPage: { label: 'GET …/password (sign-in page)', kind: 'page' },
  passwordSubmit: { label: 'POST …/password', kind: 'hash' },
  totpPage: { label: 'GET …/totp', kind: 'page' },
  totpSubmit: { label: 'POST …/totp', kind: 'check' },
  resume: { label: 'GET /auth/:uid (resume)', kind: 'protocol' },
  codeExchange: { label: 'POST /token (code exchange)', kind: 'protocol' },
  helpPage: { label: 'GET …/help (first-time login)', kind: 'page' },
  sendCode: { label: 'POST …/activation/send (emails the code)', kind: 'submit' },
  codePage: { label: 'GET …/activation/code', kind: 'page' },
  codeSubmit: { label: 'POST …/activation/verify', kind: 'check' },
  verifiedPage: { label: 'GET …/activation/verified', kind: 'page' },
  newPasswordPage: { label: 'GET …/new-password', kind: 'page' },
  newPasswordSubmit: { label: 'POST …/new-password', kind: 'hash' },
  enrollPage: { label: 'GET …/enroll (QR code)', kind: 'page' },
  enrollCodePage: { label: 'GET …/enroll/verify', kind: 'page' },
  enrollSubmit: { label: 'POST …/enroll/verify (stores the app and its recovery codes)', kind: 'check' },
  recoveryCodesPage: { label: 'GET …/recovery-codes', kind: 'page' },
  recoveryCodesSubmit: { label: 'POST …/recovery-codes', kind: 'submit' },
  forgotHop: { label: 'GET …/help (redirect to forgot)', kind: 'protocol' },
  forgotPage: { label: 'GET …/forgot', kind: 'page' },
  forgotSubmit: { label: 'POST …/forgot', kind: 'submit' },
} as const;

export type Step = (typeof steps)[keyof typeof steps];

export interface FlowOptions {
  readonly connection: Connection;
  readonly record?: StepRecorder;
}

const mailTimeoutMs = 15_000;
const redirectUri = benchClient.redirect_uris[0];
const newPassword = 'Quiet#Meadow73';

class FlowError extends Error {
  override name = 'FlowError';
}

/** One user's walk through the pages: a browser, the step log and the CSRF token once known. */
class Walk {
  readonly browser: Browser;
  csrf = '';

  constructor(private readonly options: FlowOptions) {
    this.browser = new Browser(options.connection);
  }

  /** Sends one request and checks its status (and, for a redirect, where it leads). */
  async step(step: Step, request: Promise<Reply>, status: number, leadsTo?: RegExp): Promise<Reply> {
    const reply = await request;
    await this.options.record?.(step, reply);
    if (reply.status !== status || (leadsTo !== undefined && !leadsTo.test(reply.location ?? ''))) {
      const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(reply.text)?.[1]?.trim() ?? reply.text.slice(0, 200);
      const error = /error-summary__list[\s\S]*?<li>([\s\S]*?)<\/li>/.exec(reply.text)?.[1]?.replace(/<[^>]+>/g, '').trim();
      throw new FlowError(
        `${step.label}: expected ${status}${leadsTo ? ` to ${leadsTo}` : ''}, got ${reply.status} ${reply.location ?? ''} ${heading}${error ? ` (${error})` : ''}`,
      );
    }
    return reply;
  }

  page(step: Step, path: string): Promise<Reply> {
    return this.step(step, this.browser.get(path), 200);
  }

  submit(step: Step, path: string, fields: Record<string, string>, leadsTo: RegExp): Promise<Reply> {
    return this.step(step, this.browser.post(path, { _csrf: this.csrf, ...fields }), 303, leadsTo);
  }

  /** From the authorization request to the email page of a new interaction; returns its path. */
  async start(pkce: Pkce): Promise<string> {
    const authorize = await this.step(steps.authorize, this.browser.get(authorizationPath(pkce)), 303, /^\/interaction\/[\w-]+$/);
    const interaction = authorize.location!;
    const page = await this.page(steps.emailPage, interaction);
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    return interaction;
  }

  /** From the step that finishes the interaction to the tokens, as the client would. */
  async finish(finishing: Reply, pkce: Pkce): Promise<Tokens> {
    const resume = await this.step(steps.resume, this.browser.get(finishing.location!), 303, /^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    const code = new URL(resume.location!).searchParams.get('code')!;
    const reply = await this.step(
      steps.codeExchange,
      this.browser.post('/token', {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        client_id: benchClient.client_id,
      }),
      200,
    );
    const tokens = JSON.parse(reply.text) as Tokens;
    if (typeof tokens.refresh_token !== 'string') throw new FlowError('the code exchange returned no refresh token');
    return tokens;
  }
}

interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationPath(pkce: Pkce): string {
  const query = new URLSearchParams({
    client_id: benchClient.client_id,
    response_type: 'code',
    scope: 'openid email profile offline_access',
    redirect_uri: redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
  });
  return `/auth?${query}`;
}

const to = (interaction: string, path: string) => new RegExp(`^${interaction}${path}$`);

/** The ordinary sign-in: authorization request, email, password, authenticator code, code exchange. */
export async function signIn(options: FlowOptions, account: { email: string; password: string; totpSecret: string }): Promise<Tokens> {
  const walk = new Walk(options);
  const pkce = newPkce();
  const at = await walk.start(pkce);
  await walk.submit(steps.emailSubmit, `${at}/email`, { email: account.email }, to(at, '/password'));
  await walk.page(steps.signInPage, `${at}/password`);
  await walk.submit(steps.passwordSubmit, `${at}/password`, { password: account.password }, to(at, '/totp'));
  await walk.page(steps.totpPage, `${at}/totp`);
  const done = await walk.submit(steps.totpSubmit, `${at}/totp`, { code: totpCodeAt(account.totpSecret, Date.now()) }, /^\/auth\//);
  return walk.finish(done, pkce);
}

/** First-time login of an invited account: emailed code, new password, authenticator enrollment, recovery codes. */
export async function firstTimeLogin(options: FlowOptions & { mail: MailServer }, email: string): Promise<Tokens> {
  const walk = new Walk(options);
  const pkce = newPkce();
  const at = await walk.start(pkce);
  await walk.submit(steps.emailSubmit, `${at}/email`, { email }, to(at, '/password'));
  await walk.page(steps.signInPage, `${at}/password`);
  await walk.page(steps.helpPage, `${at}/help`);
  await walk.submit(steps.sendCode, `${at}/activation/send`, {}, to(at, '/activation/code'));
  await walk.page(steps.codePage, `${at}/activation/code`);
  const code = codeFrom(await withTimeout(options.mail.waitFor((m) => m.to.includes(email)), mailTimeoutMs, `the code email to ${email}`));
  await walk.submit(steps.codeSubmit, `${at}/activation/verify`, { code }, to(at, '/activation/verified'));
  await walk.page(steps.verifiedPage, `${at}/activation/verified`);
  await walk.page(steps.newPasswordPage, `${at}/new-password`);
  await walk.submit(steps.newPasswordSubmit, `${at}/new-password`, { password: newPassword, confirmation: newPassword }, to(at, '/enroll'));
  const enroll = await walk.page(steps.enrollPage, `${at}/enroll`);
  const secret = (/<code class="secret">([^<]+)<\/code>/.exec(enroll.text)?.[1] ?? '').replace(/\s+/g, '');
  await walk.page(steps.enrollCodePage, `${at}/enroll/verify`);
  await walk.submit(steps.enrollSubmit, `${at}/enroll/verify`, { code: totpCodeAt(secret, Date.now()) }, to(at, '/recovery-codes'));
  await walk.page(steps.recoveryCodesPage, `${at}/recovery-codes`);
  const done = await walk.submit(steps.recoveryCodesSubmit, `${at}/recovery-codes`, { saved: 'yes' }, /^\/auth\//);
  return walk.finish(done, pkce);
}

/** Forgotten password of an account with an authenticator: confirm the email, authenticator code, new password. */
export async function passwordReset(options: FlowOptions, account: { email: string; totpSecret: string }): Promise<Tokens> {
  const walk = new Walk(options);
  const pkce = newPkce();
  const at = await walk.start(pkce);
  await walk.submit(steps.emailSubmit, `${at}/email`, { email: account.email }, to(at, '/password'));
  await walk.page(steps.signInPage, `${at}/password`);
  await walk.step(steps.forgotHop, walk.browser.get(`${at}/help`), 303, to(at, '/forgot'));
  await walk.page(steps.forgotPage, `${at}/forgot`);
  await walk.submit(steps.forgotSubmit, `${at}/forgot`, { email: account.email }, to(at, '/totp'));
  await walk.page(steps.totpPage, `${at}/totp`);
  await walk.submit(steps.totpSubmit, `${at}/totp`, { code: totpCodeAt(account.totpSecret, Date.now()) }, to(at, '/new-password'));
  await walk.page(steps.newPasswordPage, `${at}/new-password`);
  const done = await walk.submit(steps.newPasswordSubmit, `${at}/new-password`, { password: newPassword, confirmation: newPassword }, /^\/auth\//);
  return walk.finish(done, pkce);
}

/** One refresh-token grant; the answer carries the next refresh token of the chain (rotation). */
export async function refresh(connection: Connection, refreshToken: string): Promise<{ tokens: Tokens; ms: number }> {
  const reply = await new Browser(connection).post('/token', {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: benchClient.client_id,
  });
  if (reply.status !== 200) throw new FlowError(`refresh grant: expected 200, got ${reply.status} ${reply.text.slice(0, 200)}`);
  return { tokens: JSON.parse(reply.text) as Tokens, ms: reply.ms };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FlowError(`${what} did not arrive within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
