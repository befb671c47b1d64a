import type { KoaContextWithOIDC, Configuration, FindAccount } from 'oidc-provider';
import Provider, { interactionPolicy } from 'oidc-provider';
import type { AccountRepository } from './accounts/repository.ts';
import type { RecentAccounts } from './accounts/recent-accounts.ts';
import { checkSigningKeys, loadClients, type ClientMetadata } from './clients.ts';
import { rules, type Config } from './config.ts';
import { locales } from './i18n/index.ts';
import { issuerPath, publicPath } from './public-path.ts';
import { CookieSigner } from './security/cookie-signer.ts';
import { idTokenSigningAlgorithms, loadSecrets, signingAlgorithms, type Secrets } from './secrets.ts';

/** Pages the provider itself renders (its errors, the logout confirmation, the signed-out page), drawn with our templates. */
export interface ProviderPages {
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): Promise<void>;
  logoutConfirm(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  loggedOut(ctx: KoaContextWithOIDC): Promise<void>;
}

export interface ProviderDependencies {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly clients: ClientMetadata[];
  readonly adapter: NonNullable<Configuration['adapter']>;
  readonly accounts: AccountRepository;
  /** Accounts a sign-in just read at its gate: the resume and the code exchange need them again. */
  readonly recentAccounts: RecentAccounts;
  readonly pages: ProviderPages;
}

export const amr = ['pwd', 'otp'] as const;

/** clients.json and the key set, checked against each other: every client's ID token algorithm has a key. */
export async function loadProviderSetup(config: Config): Promise<{ clients: ClientMetadata[]; secrets: Secrets }> {
  const clients = await loadClients(config.clientsFile);
  const secrets = await loadSecrets(config);
  checkSigningKeys(clients, signingAlgorithms(secrets.jwks), `SSO_CLIENTS_FILE (${config.clientsFile})`);
  return { clients, secrets };
}

/** The provider's short-lived cookies (the interaction's and its resume cookie): interactions/lifetime.ts sets them again. */
export const shortCookieOptions = { httpOnly: true, sameSite: 'lax', signed: true } as const;

/**
 * The spec lets a provider ignore offline_access unless prompt=consent, and oidc-provider strips
 * it. Our clients are first-party and pre-approved by the operator, so the scope is restored when
 * the client asked for it and may use refresh tokens. oidc-provider runs every extraParams
 * validator on each authorization request, right after the scope check: the one hook there is.
 */
async function restoreOfflineAccess(ctx: KoaContextWithOIDC): Promise<void> {
  const { params, client } = ctx.oidc;
  if (client === undefined || !client.grantTypeAllowed('refresh_token')) return;
  const raw = ctx.method === 'POST' ? (ctx.oidc.body as Record<string, unknown> | undefined)?.scope : ctx.query.scope;
  if (typeof raw !== 'string' || !raw.split(' ').includes('offline_access')) return;
  const scope = typeof params?.scope === 'string' ? params.scope.split(' ') : [];
  if (!scope.includes('offline_access') && String(params?.response_type ?? '').includes('code')) {
    params!.scope = [...scope, 'offline_access'].join(' ');
  }
}

/**
 * `prompt=select_account`: the email step offers the signed-in account and a way to use another
 * one. The choice resolves it (a `select_account` result), and so does a sign-in in the same
 * request, since signing in is choosing an account.
 */
function selectAccountPrompt(): interactionPolicy.Prompt {
  const prompt = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
  prompt.checks.clear();
  prompt.checks.add(
    new interactionPolicy.Check('select_account_prompt', 'select_account prompt was not resolved', 'account_selection_required', ({ oidc }) => {
      if (!oidc.prompts.has('select_account')) return false;
      if (!oidc.route.endsWith('resume')) return true;
      return oidc.result?.select_account === undefined && oidc.result?.login === undefined;
    }),
  );
  return prompt;
}

function interactionsPolicy(): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  policy.add(selectAccountPrompt(), 0);
  return policy;
}

/**
 * Introspection tells who a token belongs to: a client may introspect its own tokens, and only a
 * client the operator marked as a resource server (`sso_resource_server`) those of others.
 */
function mayIntrospect(_ctx: KoaContextWithOIDC, client: { clientId: string; metadata(): Record<string, unknown> }, token: { clientId?: string }): boolean {
  return token.clientId === client.clientId || client.metadata().sso_resource_server === true;
}

/**
 * Outgoing requests (back-channel logout, a client's jwks_uri) go only to addresses an operator
 * registered in clients.json: there is no dynamic registration. Extranet applications commonly
 * live on private networks, which oidc-provider's guard against server-side request forgery would
 * refuse, so its dispatcher is left out; its time limit stays.
 */
const operatorFetch: NonNullable<Configuration['fetch']> = (url, options) => {
  const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
  return fetch(url, rest);
};

/** First-party clients never see a consent screen: the grant covers whatever they ask for. */
async function loadFirstPartyGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  if (oidc.client === undefined || accountId === undefined) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(oidc.client.clientId);
  const existing = grantId === undefined ? undefined : await oidc.provider.Grant.find(grantId);
  const grant =
    existing !== undefined && existing.accountId === accountId
      ? existing
      : new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId });
  const scope = [...oidc.requestParamScopes].join(' ');
  if (scope !== '') grant.addOIDCScope(scope);
  const claims = [...oidc.requestParamClaims];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

export function createProvider(deps: ProviderDependencies): Provider {
  const { config, secrets, clients, adapter, accounts, recentAccounts, pages } = deps;
  const sessionSeconds = config.sessionHours * 3600;

  const findAccount: FindAccount = async (_ctx, sub) => {
    const account = recentAccounts.recall(sub) ?? (await accounts.findActiveClaims(sub));
    if (account === undefined || account.status !== 'active') return undefined;
    return {
      accountId: account.id,
      async claims() {
        return { sub: account.id, email: account.email, email_verified: true, name: account.name ?? account.email };
      },
    };
  };

  const provider = new Provider(config.issuer, {
    adapter,
    clients: clients.map(providerMetadata) as unknown as Configuration['clients'],
    jwks: secrets.jwks as Configuration['jwks'],
    cookies: {
      // interactionDetails() reads the interaction cookie through the provider's own app and its keys.
      keys: new CookieSigner(secrets.cookieKeys),
      // The session belongs to the issuer's path alone, not to every application on its host.
      long: { httpOnly: true, sameSite: 'lax', signed: true, path: issuerPath(config) || '/' },
      short: shortCookieOptions,
    },
    findAccount,
    claims: {
      // Every ID token says when and how the user signed in, whatever the client asked for.
      openid: ['sub', 'auth_time', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    responseTypes: ['code'],
    // What clients.json accepts, and nothing else (src/clients.ts).
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: {
      idTokenSigningAlgValues: [...idTokenSigningAlgorithms],
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    },
    extraClientMetadata: {
      properties: ['sso_resource_server'],
      validator: (_ctx, key, value) => {
        if (key === 'sso_resource_server' && value !== undefined && typeof value !== 'boolean') {
          throw new TypeError('sso_resource_server must be true or false');
        }
      },
    },
    discovery: { ui_locales_supported: [...locales] },
    fetch: operatorFetch,
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    extraParams: { first_party_offline_access: restoreOfflineAccess },
    loadExistingGrant: loadFirstPartyGrant,
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true, allowedPolicy: mayIntrospect },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => pages.logoutConfirm(ctx, form),
        postLogoutSuccessSource: (ctx) => pages.loggedOut(ctx),
      },
    },
    interactions: { url: (_ctx, interaction) => publicPath(config, `/interaction/${interaction.uid}`), policy: interactionsPolicy() },
    renderError: (ctx, out, error) => pages.error(ctx, out, error),
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      // Extended to interactionTtlSeconds by the email step (interactions/lifetime.ts).
      Interaction: rules.anonymousInteractionSeconds,
      // Absolute lifetime: counted from sign-in, whatever the session's later activity.
      Session: (_ctx, session) => {
        const login = session.loginTs;
        if (login === undefined) return sessionSeconds;
        return Math.max(1, login + sessionSeconds - Math.floor(Date.now() / 1000));
      },
      Grant: 30 * 24 * 3600,
      RefreshToken: 30 * 24 * 3600,
    },
  });
  provider.proxy = config.trustProxy;
  // oidc-provider puts `sid` only in the ID tokens of clients that asked for it in a logout token;
  // every client gets it, so that any of them can tie a session to its logout.
  provider.Client.prototype.includeSid = () => true;
  return provider;
}

/**
 * The metadata oidc-provider gets for a client of clients.json: a logout token always carries the
 * session's `sid`, as every ID token does, whatever `backchannel_logout_session_required` says.
 */
function providerMetadata(client: ClientMetadata): ClientMetadata {
  return client.backchannel_logout_uri === undefined ? client : { ...client, backchannel_logout_session_required: true };
}
