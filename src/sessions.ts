import type Provider from 'oidc-provider';
import { accountAccess, endAccountSession, revokeAccountAccess, revokeClientAccess, type AccountApplication, type AccountSession, type AdapterPayload } from './store/oidc-adapter.ts';
import type { Store } from './store/store.ts';

/**
 * Ending an account's sessions from the server's side: deactivation, resets, "sign out
 * everywhere". Every session and grant of the account ends with all its tokens, and each client
 * of each ended session that registered a `backchannel_logout_uri` receives a logout token
 * (OpenID Connect Back-Channel Logout 1.0) naming the account (`sub`) and that client's `sid`.
 * A logout through the end-session endpoint is oidc-provider's own, and sends the same tokens.
 */

export interface SessionServices {
  /** Signs the logout tokens with the server's keys and knows the clients' logout URIs. */
  readonly provider: Provider;
  readonly store: Store;
}

/** A client that could not be told: its endpoint failed or did not answer within 2.5 s. */
export interface LogoutFailure {
  readonly clientId: string;
  readonly reason: string;
}

export interface EndedSessions {
  readonly sessions: number;
  readonly grants: number;
  /** Logout tokens each client's endpoint acknowledged. */
  readonly logoutTokensSent: number;
  readonly failures: readonly LogoutFailure[];
}

/** oidc-provider's client model, with the one method of it that its types leave out. */
interface LoggingOutClient {
  readonly backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

/** The clients a stored session signed in, each with the `sid` its ID tokens carried. */
function authorizationsOf(session: AdapterPayload): Array<{ clientId: string; sid: string | undefined }> {
  const authorizations = session.authorizations;
  if (typeof authorizations !== 'object' || authorizations === null) return [];
  return Object.entries(authorizations as Record<string, { sid?: unknown }>).map(([clientId, authorization]) => ({
    clientId,
    sid: typeof authorization?.sid === 'string' ? authorization.sid : undefined,
  }));
}

async function tellClient(provider: Provider, accountId: string, clientId: string, sid: string | undefined): Promise<'sent' | 'none' | LogoutFailure> {
  const client = (await provider.Client.find(clientId).catch(() => undefined)) as LoggingOutClient | undefined;
  if (client?.backchannelLogoutUri === undefined) return 'none';
  try {
    await client.backchannelLogout(accountId, sid);
    return 'sent';
  } catch (error) {
    return { clientId, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Tells the clients of each ended session, each with that session's `sid`. */
async function tellClients(services: SessionServices, accountId: string, sessions: readonly AdapterPayload[]): Promise<{ sent: number; failures: LogoutFailure[] }> {
  const outcomes = await Promise.all(
    sessions.flatMap((session) => authorizationsOf(session).map(({ clientId, sid }) => tellClient(services.provider, accountId, clientId, sid))),
  );
  return {
    sent: outcomes.filter((outcome) => outcome === 'sent').length,
    failures: outcomes.filter((outcome): outcome is LogoutFailure => typeof outcome === 'object'),
  };
}

/**
 * Ends every session and grant of the account, then tells their clients. The sessions are gone
 * before any client is told, so a client that checks back finds nothing; a client that cannot be
 * reached is reported, never retried, and does not stop the others. `keepSessionUid` spares one
 * session and the grants of its sign-ins (the browser that changed the password).
 */
export async function endAccountSessions(services: SessionServices, accountId: string, keepSessionUid?: string): Promise<EndedSessions> {
  const revoked = await revokeAccountAccess(services.store, accountId, keepSessionUid);
  const told = await tellClients(services, accountId, revoked.sessions);
  return { sessions: revoked.sessions.length, grants: revoked.grants, logoutTokensSent: told.sent, failures: told.failures };
}

/** Ends one session of the account (by its uid) with the grants of its sign-ins, and tells its clients; false when there was none. */
export async function endOneSession(services: SessionServices, accountId: string, uid: string): Promise<{ ended: boolean; logoutTokensSent: number }> {
  const ended = await endAccountSession(services.store, accountId, uid);
  if (ended === undefined) return { ended: false, logoutTokensSent: 0 };
  const told = await tellClients(services, accountId, [ended]);
  return { ended: true, logoutTokensSent: told.sent };
}

/** Revokes the account's refresh tokens (and every token) of one client; returns how many grants still existed. */
export function endClientAccess(services: SessionServices, accountId: string, clientId: string): Promise<number> {
  return revokeClientAccess(services.store, accountId, clientId);
}

/** Where the account is signed in: its sessions, and the applications holding a refresh token. */
export function signedInPlaces(services: SessionServices, accountId: string): Promise<{ sessions: AccountSession[]; applications: AccountApplication[] }> {
  return accountAccess(services.store, accountId);
}
