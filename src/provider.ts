import type { KoaContextWithOIDC, Configuration, FindAccount } from 'oidc-provider';
import Provider from 'oidc-provider';
import type { AccountRepository } from './accounts/repository.ts';
import type { RecentAccounts } from './accounts/recent-accounts.ts';
import type { ClientMetadata } from './clients.ts';
import { rules, type Config } from './config.ts';
import type { Secrets } from './secrets.ts';

/** Pages the provider itself renders (its errors and the logout confirmation), drawn with our templates. */
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
    clients: clients as unknown as Configuration['clients'],
    jwks: secrets.jwks as Configuration['jwks'],
    cookies: {
      keys: secrets.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
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
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    extraParams: { first_party_offline_access: restoreOfflineAccess },
    loadExistingGrant: loadFirstPartyGrant,
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => pages.logoutConfirm(ctx, form),
        postLogoutSuccessSource: (ctx) => pages.loggedOut(ctx),
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out, error) => pages.error(ctx, out, error),
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: rules.interactionTtlSeconds,
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
  return provider;
}
