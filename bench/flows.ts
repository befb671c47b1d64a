import { createHash, randomBytes } from 'node:crypto';
import type { Exchange, Page } from '../harness/browser.ts';
import { BrowserDriver, firstTimeLogin as walkFirstTimeLogin, JourneyError, passwordReset as walkPasswordReset, signIn as walkSignIn, type PageDriver } from '../harness/journeys.ts';
import type { MailServer } from '../harness/mail.ts';
import { totpCodeAt } from '../src/security/totp.ts';
import { benchClient, benchClientFor, type BenchAlgorithm } from './client.ts';
import { browserOn, type Connection } from './http.ts';

/** Told about every request of a flow as it completes; may be async (the per-step round-trip count waits on it). */
export type StepRecorder = (step: Step, exchange: Exchange) => void | Promise<void>;

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
  completesItself: { label: 'GET /interaction/:uid (completes itself)', kind: 'protocol' },
} as const;

export type Step = (typeof steps)[keyof typeof steps];

/** The requests of an interaction's steps, by method and the path after /interaction/:uid. */
const interactionSteps: Record<string, Step> = {
  'POST /email': steps.emailSubmit,
  'GET /password': steps.signInPage,
  'POST /password': steps.passwordSubmit,
  'GET /totp': steps.totpPage,
  'POST /totp': steps.totpSubmit,
  'POST /activation/send': steps.sendCode,
  'GET /activation/code': steps.codePage,
  'POST /activation/verify': steps.codeSubmit,
  'GET /activation/verified': steps.verifiedPage,
  'GET /new-password': steps.newPasswordPage,
  'POST /new-password': steps.newPasswordSubmit,
  'GET /enroll': steps.enrollPage,
  'GET /enroll/verify': steps.enrollCodePage,
  'POST /enroll/verify': steps.enrollSubmit,
  'GET /recovery-codes': steps.recoveryCodesPage,
  'POST /recovery-codes': steps.recoveryCodesSubmit,
  'GET /forgot': steps.forgotPage,
  'POST /forgot': steps.forgotSubmit,
};

const redirected = (exchange: Exchange) => exchange.status >= 300 && exchange.status < 400;

/** Which step a request was, from its method, path and (where one path serves two steps) its status. */
function stepOf(exchange: Exchange): Step {
  const { pathname } = new URL(exchange.url);
  if (pathname === '/auth') return steps.authorize;
  if (pathname.startsWith('/auth/')) return steps.resume;
  if (pathname === '/token') return steps.codeExchange;
  const within = /^\/interaction\/[^/]+(\/.*)?$/.exec(pathname);
  if (within !== null) {
    const path = within[1] ?? '';
    if (path === '') return redirected(exchange) ? steps.completesItself : steps.emailPage;
    if (path === '/help') return redirected(exchange) ? steps.forgotHop : steps.helpPage;
    const step = interactionSteps[`${exchange.method} ${path}`];
    if (step !== undefined) return step;
  }
  throw new JourneyError(`the benchmark knows no step for ${exchange.method} ${pathname}`);
}

export interface FlowOptions {
  readonly connection: Connection;
  readonly record?: StepRecorder;
  /** The ID token algorithm of the client the flow signs in to; RS256 unless told. */
  readonly alg?: BenchAlgorithm;
}

const redirectUri = benchClient.redirect_uris[0];
const newPassword = 'Quiet#Meadow73';

interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationPath(clientId: string, pkce: Pkce, extra: Record<string, string>): string {
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid email profile offline_access',
    redirect_uri: redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    ...extra,
  });
  return `/auth?${query}`;
}

/**
 * The benchmark's client around a journey: an authorization request with PKCE in a fresh browser,
 * the journey (or nothing, for an interaction that completes itself), and the code exchange.
 */
async function codeFlow(options: FlowOptions, journey: (driver: PageDriver) => Promise<unknown>, extra: Record<string, string> = {}): Promise<Tokens> {
  const record = options.record;
  const browser = browserOn(options.connection, record === undefined ? undefined : (exchange) => record(stepOf(exchange), exchange));
  const pkce = newPkce();
  const clientId = benchClientFor(options.alg ?? 'RS256').client_id;
  const driver = new BrowserDriver(browser, await browser.get(`${options.connection.origin}${authorizationPath(clientId, pkce, extra)}`));
  await journey(driver);
  const code = new URL(driver.url()).searchParams.get('code');
  if (code === null || !driver.url().startsWith(redirectUri)) throw new JourneyError(`the flow ended at ${driver.url()}, not at the client with a code`);
  const answer = await browser.send(`${options.connection.origin}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier, client_id: clientId }),
  });
  return tokensFrom(answer, 'code exchange');
}

function tokensFrom(answer: Page, what: string): Tokens {
  if (answer.status !== 200) throw new JourneyError(`${what}: expected 200, got ${answer.status} ${answer.html.slice(0, 200)}`);
  const tokens = JSON.parse(answer.html) as Tokens;
  if (typeof tokens.refresh_token !== 'string') throw new JourneyError(`${what}: no refresh token in the answer`);
  return tokens;
}

/** The ordinary sign-in: authorization request, email, password, authenticator code, code exchange. */
export function signIn(options: FlowOptions, account: { email: string; password: string; totpSecret: string }): Promise<Tokens> {
  return codeFlow(options, (driver) => walkSignIn(driver, { email: account.email, password: account.password, code: () => totpCodeAt(account.totpSecret, Date.now()) }));
}

/** First-time login of an invited account: emailed code, new password, authenticator enrollment. */
export function firstTimeLogin(options: FlowOptions & { mail: MailServer }, email: string): Promise<Tokens> {
  return codeFlow(options, (driver) => walkFirstTimeLogin(driver, { email, mail: options.mail, newPassword, code: (secret) => totpCodeAt(secret, Date.now()) }));
}

/** Forgotten password of an account with an authenticator: confirm the email, authenticator code, new password. */
export function passwordReset(options: FlowOptions, account: { email: string; totpSecret: string }): Promise<Tokens> {
  return codeFlow(options, (driver) => walkPasswordReset(driver, { email: account.email, newPassword, code: () => totpCodeAt(account.totpSecret, Date.now()) }));
}

/**
 * The peer's code flow: its interaction signs in the account named in login_hint and grants at once,
 * so the flow is four requests. prompt=consent, as oidc-provider asks before it grants offline_access.
 */
export function peerCodeFlow(options: FlowOptions, accountId: string): Promise<Tokens> {
  return codeFlow(options, async () => undefined, { prompt: 'consent', login_hint: accountId });
}

/**
 * One refresh-token grant for the client of `alg` (the one the chain signed in to); the answer
 * carries the next refresh token of the chain (rotation).
 */
export async function refresh(connection: Connection, refreshToken: string, alg: BenchAlgorithm = 'RS256'): Promise<{ tokens: Tokens; ms: number }> {
  const answer = await browserOn(connection).send(`${connection.origin}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: benchClientFor(alg).client_id }),
  });
  return { tokens: tokensFrom(answer, 'refresh grant'), ms: answer.ms };
}
