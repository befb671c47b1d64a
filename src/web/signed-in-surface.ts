import { createHash, randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { normaliseEmail, type AccountWithFactors } from '../accounts/account.ts';
import type { AccountRepository } from '../accounts/repository.ts';
import { parseClients, type ClientMetadata } from '../clients.ts';
import type { Config } from '../config.ts';
import type { Locale } from '../i18n/index.ts';
import { csrfTokenFor } from '../security/csrf.ts';
import { publicPath } from '../public-path.ts';
import type { Store } from '../store/store.ts';
import { PageError } from './errors.ts';
import { readForm } from './forms.ts';

/**
 * A web surface for a signed-in user (the account page, the console). It signs the user in through
 * the server's own OIDC flow, as a first-party client the server registers itself (not in
 * clients.json): an authorization request with PKCE, the hosted pages, a code back at its callback.
 * The code is redeemed in the process, against the provider's own record of it, rather than over
 * HTTP to the token endpoint, which the server may not reach at its public address. The surface then
 * keeps its own session, in the store under a cookie scoped to its path, tied to the SSO session the
 * sign-in made: when that ends (signing out, "sign out everywhere", deactivation), so does this one.
 * A change may ask for a recent sign-in: the user is sent through the sign-in again (`max_age`)
 * and brought back to the page they were on.
 */
export interface SurfaceDefinition {
  /** Names the client (`sso-<name>`) and the cookies. */
  readonly name: string;
  /** Where the surface lives, without the issuer's path ('/account'). */
  readonly path: string;
  /** How recent a sign-in a change needs, in seconds. */
  readonly freshSeconds: number;
  readonly clientName: string;
}

export interface SignedIn {
  /** The surface's session, which its forms' CSRF tokens are bound to. */
  readonly sessionId: string;
  readonly account: AccountWithFactors;
  /** When the user last proved who they are (seconds since the epoch). */
  readonly authTime: number;
  readonly amr: readonly string[];
  /** The SSO session the sign-in made, so a page can tell it from the user's others. */
  readonly ssoSessionUid: string;
  /** Whether the sign-in is recent enough for a change. */
  readonly fresh: boolean;
  readonly csrf: string;
}

export interface SurfaceDependencies {
  readonly config: Config;
  readonly provider: Provider;
  readonly store: Store;
  readonly accounts: AccountRepository;
  readonly secretKey: Buffer;
  readonly now: () => number;
}

/** The client a surface is to the provider: public, PKCE, back to its own callback only. */
export function surfaceClient(config: Pick<Config, 'issuer'>, surface: SurfaceDefinition): ClientMetadata {
  const [client] = parseClients(
    [
      {
        client_id: `sso-${surface.name}`,
        client_name: surface.clientName,
        redirect_uris: [`${config.issuer}${surface.path}/callback`],
        post_logout_redirect_uris: [`${config.issuer}${surface.path}`],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    'the server',
  );
  return client!;
}

const sessionSchema = z.object({
  accountId: z.string(),
  authTime: z.number(),
  amr: z.array(z.string()),
  ssoSessionUid: z.string(),
});

const pendingSchema = z.object({ verifier: z.string(), returnTo: z.string() });

/** The email an invitation's link fills in (src/accounts/invitation.ts); anything else is ignored. */
const hintSchema = z.email().max(254);

function loginHint(value: unknown): string | undefined {
  const parsed = hintSchema.safeParse(typeof value === 'string' ? normaliseEmail(value) : undefined);
  return parsed.success ? parsed.data : undefined;
}

/** The life of an unfinished sign-in of a surface. */
const pendingSeconds = 10 * 60;

const base64url = (bytes: Buffer) => bytes.toString('base64url');

export class SignedInSurface {
  readonly client: ClientMetadata;
  private readonly home: string;

  constructor(
    private readonly deps: SurfaceDependencies,
    readonly definition: SurfaceDefinition,
  ) {
    this.client = surfaceClient(deps.config, definition);
    this.home = publicPath(deps.config, definition.path);
  }

  /** The routes of signing in and out: `<path>/signin`, `<path>/callback`, `<path>/signout`. */
  routes(): Router {
    const router = new Router();
    const { path } = this.definition;
    router.get(`${path}/signin`, (ctx) =>
      this.startSignIn(ctx, typeof ctx.query.return === 'string' ? ctx.query.return : this.home, false, undefined, loginHint(ctx.query.login_hint)),
    );
    router.get(`${path}/callback`, (ctx) => this.callback(ctx));
    router.post(`${path}/signout`, (ctx) => this.signOut(ctx));
    return router;
  }

  /**
   * The signed-in user, or a redirect through the sign-in (then undefined): a fresh one when the
   * page changes something. `returnTo` is where the user comes back to, a path of this surface.
   */
  async require(ctx: Context, options: { readonly fresh: boolean; readonly returnTo: string; readonly locale: Locale }): Promise<SignedIn | undefined> {
    const signedIn = await this.current(ctx);
    if (signedIn !== undefined && (!options.fresh || signedIn.fresh)) return signedIn;
    await this.startSignIn(ctx, options.returnTo, options.fresh, options.locale);
    return undefined;
  }

  /** The signed-in user, if any: their surface session, SSO session and account all still hold. */
  async current(ctx: Context): Promise<SignedIn | undefined> {
    const sessionId = ctx.cookies.get(this.cookie, { signed: true });
    if (sessionId === undefined) return undefined;
    const stored = sessionSchema.safeParse(safeJson(await this.deps.store.get(this.sessionKey(sessionId))));
    if (!stored.success) return undefined;
    const { accountId, authTime, amr, ssoSessionUid } = stored.data;
    const [ssoSession, account] = await Promise.all([this.deps.provider.Session.findByUid(ssoSessionUid), this.deps.accounts.findById(accountId)]);
    if (ssoSession === undefined || ssoSession.accountId !== accountId || account === undefined || account.status !== 'active') {
      await this.deps.store.del(this.sessionKey(sessionId));
      return undefined;
    }
    const fresh = Math.floor(this.deps.now() / 1000) - authTime <= this.definition.freshSeconds;
    return { sessionId, account, authTime, amr, ssoSessionUid, fresh, csrf: csrfTokenFor(this.deps.secretKey, sessionId) };
  }

  /** The form a page of this surface posted, refused unless it carries the session's CSRF token. */
  readForm(ctx: Context, signedIn: SignedIn): Promise<Record<string, string>> {
    return readForm(ctx, { secretKey: this.deps.secretKey, binding: signedIn.sessionId });
  }

  private get cookie(): string {
    return `sso_${this.definition.name}`;
  }

  private get pendingCookie(): string {
    return `sso_${this.definition.name}_signin`;
  }

  private sessionKey(id: string): string {
    return `surface:${this.definition.name}:${id}`;
  }

  private pendingKey(state: string): string {
    return `surface-signin:${this.definition.name}:${state}`;
  }

  private cookieOptions(maxAgeSeconds: number) {
    return { path: this.home, httpOnly: true, sameSite: 'lax' as const, signed: true, secure: this.deps.config.issuer.startsWith('https://'), overwrite: true, maxAge: maxAgeSeconds * 1000 };
  }

  /**
   * Only a path of this surface, read as the browser will resolve it: nothing else may be reached
   * from its sign-in (no open redirect, no `..` out of it).
   */
  private safeReturn(returnTo: string): string {
    const issuer = new URL(this.deps.config.issuer);
    const url = URL.canParse(returnTo, issuer) ? new URL(returnTo, issuer) : undefined;
    if (url === undefined || url.origin !== issuer.origin || returnTo.includes('\\')) return this.home;
    const within = url.pathname === this.home || url.pathname.startsWith(`${this.home}/`);
    return within ? `${url.pathname}${url.search}` : this.home;
  }

  private async startSignIn(ctx: Context, returnTo: string, fresh: boolean, locale?: Locale, hint?: string): Promise<void> {
    const state = base64url(randomBytes(24));
    const verifier = base64url(randomBytes(32));
    await this.deps.store.set(this.pendingKey(state), JSON.stringify({ verifier, returnTo: this.safeReturn(returnTo) }), pendingSeconds);
    ctx.cookies.set(this.pendingCookie, state, this.cookieOptions(pendingSeconds));
    const authorization = new URL(`${this.deps.config.issuer}${this.deps.provider.pathFor('authorization', { mountPath: '' })}`);
    const params: Record<string, string> = {
      client_id: this.client.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: this.client.redirect_uris[0]!,
      state,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
      ...(locale === undefined ? {} : { ui_locales: locale }),
      ...(hint === undefined ? {} : { login_hint: hint }),
      // This surface found the sign-in too old for a change: prompt=login has the provider ask for a
      // new one whatever it counts itself, max_age says how recent the next change needs it.
      ...(fresh ? { max_age: String(this.definition.freshSeconds), prompt: 'login' } : {}),
    };
    for (const [key, value] of Object.entries(params)) authorization.searchParams.set(key, value);
    ctx.status = 303;
    ctx.redirect(authorization.toString());
  }

  /**
   * The code comes back: it must answer this browser's own pending sign-in (state in its cookie,
   * taken once), be the provider's code for this client and redirect URI, and match the PKCE
   * verifier. It is consumed like the token endpoint would, and the surface's session starts.
   */
  private async callback(ctx: Context): Promise<void> {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    const expected = ctx.cookies.get(this.pendingCookie, { signed: true });
    if (state === undefined || state !== expected) throw new PageError(400, 'expired');
    const pending = pendingSchema.safeParse(safeJson(await this.deps.store.take(this.pendingKey(state))));
    ctx.cookies.set(this.pendingCookie, null, { ...this.cookieOptions(0), maxAge: undefined });
    if (!pending.success) throw new PageError(400, 'expired');
    // The user cancelled, or could not sign in: the surface starts again from its first page.
    if (typeof ctx.query.error === 'string') throw new PageError(400, 'expired', undefined, this.home);
    const value = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const code = await this.deps.provider.AuthorizationCode.find(value);
    const challenge = base64url(createHash('sha256').update(pending.data.verifier).digest());
    if (
      code === undefined ||
      (code as { consumed?: unknown }).consumed !== undefined ||
      code.clientId !== this.client.client_id ||
      code.redirectUri !== this.client.redirect_uris[0] ||
      code.codeChallenge !== challenge ||
      code.accountId === undefined ||
      code.sessionUid === undefined ||
      code.authTime === undefined
    ) {
      throw new PageError(400, 'expired');
    }
    await code.consume();
    const sessionId = base64url(randomBytes(32));
    const ttl = this.deps.config.sessionHours * 3600;
    await this.deps.store.set(
      this.sessionKey(sessionId),
      JSON.stringify({ accountId: code.accountId, authTime: code.authTime, amr: code.amr ?? [], ssoSessionUid: code.sessionUid }),
      ttl,
    );
    ctx.cookies.set(this.cookie, sessionId, this.cookieOptions(ttl));
    ctx.status = 303;
    ctx.redirect(pending.data.returnTo);
  }

  /** Ends the surface's session, then the SSO session through the provider's own logout. */
  private async signOut(ctx: Context): Promise<void> {
    const signedIn = await this.current(ctx);
    if (signedIn !== undefined) {
      await this.readForm(ctx, signedIn);
      await this.deps.store.del(this.sessionKey(signedIn.sessionId));
    }
    ctx.cookies.set(this.cookie, null, { ...this.cookieOptions(0), maxAge: undefined });
    const logout = new URL(`${this.deps.config.issuer}${this.deps.provider.pathFor('end_session', { mountPath: '' })}`);
    logout.searchParams.set('client_id', this.client.client_id);
    logout.searchParams.set('post_logout_redirect_uri', this.client.post_logout_redirect_uris![0]!);
    ctx.status = 303;
    ctx.redirect(logout.toString());
  }
}

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
