import { z } from 'zod';
import { rules } from '../config.ts';
import type { RequestWrites } from './request-writes.ts';
import type { Store, StoreWrite } from './store.ts';

/** What oidc-provider hands the adapter to keep; the fields named here are the ones we index. */
export type AdapterPayload = Record<string, unknown> & {
  readonly uid?: string;
  readonly userCode?: string;
  readonly grantId?: string;
  readonly accountId?: string;
  readonly consumed?: number;
};

/** The type of each field indexed here, when a payload has it. */
const indexedFields = [
  ['uid', 'string'],
  ['userCode', 'string'],
  ['grantId', 'string'],
  ['accountId', 'string'],
  ['consumed', 'number'],
] as const;

/**
 * A stored payload as read back: the fields indexed here are checked, the rest is oidc-provider's
 * and passed through. A record that does not parse (altered, or from another version) is absent.
 * Checked by hand, not by a schema: every token grant reads two records, and a schema's parse
 * copies each one, field by field (BENCHMARKS.md, "Fixes", round 4).
 */
function parsePayload(json: string): AdapterPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const payload = value as Record<string, unknown>;
  return indexedFields.every(([field, type]) => payload[field] === undefined || typeof payload[field] === type) ? (payload as AdapterPayload) : undefined;
}

/** The adapter contract of oidc-provider 9 (its docs, "adapter"); one instance per model name. */
export interface Adapter {
  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The models whose payload carries the grantId that revocation looks them up by. */
const grantable = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const keys = {
  record: (model: string, id: string) => `oidc:${model}:${id}`,
  // Apart from the record, so consuming is one atomic setIfAbsent rather than a read-modify-write.
  consumed: (model: string, id: string) => `oidc:consumed:${model}:${id}`,
  sessionUid: (uid: string) => `oidc:uid:${uid}`,
  userCode: (userCode: string) => `oidc:userCode:${userCode}`,
  grant: (grantId: string) => `oidc:grant:${grantId}`,
  accountSessions: (accountId: string) => `oidc:account-sessions:${accountId}`,
  accountGrants: (accountId: string) => `oidc:account-grants:${accountId}`,
};

/**
 * The models oidc-provider consumes (single-use codes, rotating refresh tokens). Only these carry a
 * consumed mark, so the others (sessions, interactions, grants, access tokens: most reads of a
 * sign-in) are read and written without a second round trip for a mark they never have.
 */
const consumable = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
  'PushedAuthorizationRequest',
]);

/**
 * Grants used once and never again (RFC 6749 4.1.2). oidc-provider reads one, checks its mark and
 * then marks it: requests that present it together all read it unmarked, and only the mark, set if
 * absent, tells them apart. A refresh token is not among them: two uses within the grace both rotate it.
 */
const singleUse = new Set(['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** Grant index members name the model too, since one grant holds tokens of several models. */
const grantMember = (model: string, id: string) => `${model}:${id}`;

function parseGrantMember(member: string): [model: string, id: string] {
  const colon = member.indexOf(':');
  return [member.slice(0, colon), member.slice(colon + 1)];
}

/**
 * The models whose every read by the provider's token endpoint is followed by a read of their grant
 * (a code exchange, a refresh grant): the grant comes along in the same round trip.
 */
const readWithGrant = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * Grants read along with a code or refresh token in the request being answered, by grant id, until
 * the provider asks for them (once) or the request changes them. Undefined: the grant did not exist.
 */
type GrantsRead = Map<string, string | undefined>;

async function readRecord(store: Store, model: string, id: string, now: () => number, grantsRead?: GrantsRead): Promise<AdapterPayload | undefined> {
  if (!consumable.has(model)) {
    const json = await store.get(keys.record(model, id));
    return json === undefined ? undefined : parsePayload(json);
  }
  const recordKeys = [keys.record(model, id), keys.consumed(model, id)];
  let json: string | undefined;
  let consumed: string | undefined;
  let grant: { json: string | undefined } | undefined;
  if (grantsRead !== undefined && readWithGrant.has(model)) {
    const read = await store.getManyWithReference(recordKeys, 'grantId', keys.record('Grant', ''));
    [json, consumed] = read.values;
    grant = { json: read.referenced };
  } else {
    [json, consumed] = await store.getMany(recordKeys);
  }
  const payload = json === undefined ? undefined : parsePayload(json);
  if (payload === undefined) return undefined;
  if (grant !== undefined && payload.grantId !== undefined) grantsRead!.set(payload.grantId, grant.json);
  if (consumed === undefined) return payload;
  // Milliseconds since the epoch (a mark from before the grace, in seconds, reads as long past: still consumed).
  const consumedAt = Number(consumed);
  // Two tabs or two instances of an application refresh with the same token at once: the one that
  // comes second, within the grace, rotates it too instead of being taken for a thief. Later, a
  // rotated token is reuse, and the provider revokes the whole grant.
  if (model === 'RefreshToken' && now() - consumedAt < rules.refreshTokenGraceSeconds * 1000) return payload;
  return { ...payload, consumed: Math.floor(consumedAt / 1000) };
}

/** Deletes a record and the lookups pointing at it; returns what it held, when it still existed. */
async function destroyRecord(store: Store, model: string, id: string): Promise<AdapterPayload | undefined> {
  const [json] = await Promise.all([
    store.take(keys.record(model, id)),
    consumable.has(model) ? store.del(keys.consumed(model, id)) : undefined,
  ]);
  if (json === undefined) return undefined;
  const payload = parsePayload(json) ?? {};
  // Only when they still point here: a newer record may have taken the uid or user code over.
  await Promise.all([
    model === 'Session' && payload.uid !== undefined ? store.takeIfEquals(keys.sessionUid(payload.uid), id) : undefined,
    payload.userCode !== undefined ? store.takeIfEquals(keys.userCode(payload.userCode), id) : undefined,
  ]);
  return payload;
}

/** Grant-index members left by tokens that already expired or were destroyed are simply not found. */
async function revokeGrantTokens(store: Store, grantId: string): Promise<void> {
  const members = await store.members(keys.grant(grantId));
  await Promise.all(members.map((member) => destroyRecord(store, ...parseGrantMember(member))));
  await store.del(keys.grant(grantId));
}

export interface OidcAdapterOptions {
  /** Milliseconds since the epoch, for the consumed time and the refresh grace; injectable so tests can move it. */
  readonly now?: () => number;
  /**
   * Where the request saving a session comes from (its browser and address), when known: stamped on
   * the stored session with the time, so the account page can say where and when each session was
   * last active without a write of its own on the sign-in path.
   */
  readonly sessionActivity?: () => SessionActivity | undefined;
  /**
   * An object standing for the request the provider is answering, when there is one: a code or
   * refresh token read in it brings its grant along in the same round trip, for the provider's
   * read of that grant right after. Without it every record is read on its own.
   */
  readonly requestScope?: () => object | undefined;
  /**
   * Where the writes of a request in its `during` are held until its answer (the token endpoint).
   * Every other operation of that request sends what is held first, so the store sees them in order.
   */
  readonly requestWrites?: RequestWrites;
}

/** The browser and address of the request that last saved a session. */
export interface SessionActivity {
  readonly ip: string;
  readonly userAgent: string;
}

/** The stamp a stored session carries besides oidc-provider's own fields (see OidcAdapterOptions). */
const activityStamp = z.object({ ip: z.string(), userAgent: z.string(), at: z.number() });
export type SessionStamp = z.infer<typeof activityStamp>;

/**
 * An oidc-provider Adapter class on the Store interface, so sessions and tokens live in Redis or in
 * process exactly like the rest of the short-lived state. Pass it as the provider's `adapter` option.
 */
export function createOidcAdapter(store: Store, options: OidcAdapterOptions = {}): new (name: string) => Adapter {
  const now = options.now ?? Date.now;
  const grantsReadIn = new WeakMap<object, GrantsRead>();
  /** The grants read along in the current request, made when `create` is true; undefined outside a request. */
  const grantsRead = (create: boolean): GrantsRead | undefined => {
    const scope = options.requestScope?.();
    if (scope === undefined) return undefined;
    let read = grantsReadIn.get(scope);
    if (read === undefined && create) grantsReadIn.set(scope, (read = new Map()));
    return read;
  };
  const { requestWrites } = options;
  /** What the current request holds goes out before anything that must see it. */
  const sendHeld = async () => {
    if (requestWrites !== undefined) await requestWrites.flush(options.requestScope?.());
  };
  /** Holds the writes when the current request gathers them; false when they are to be written now. */
  const held = (writes: readonly StoreWrite[]) => requestWrites !== undefined && requestWrites.hold(options.requestScope?.(), writes);
  /** A grant the request changes is read anew the next time. */
  const forgetGrant = (model: string, id: string) => {
    if (model === 'Grant') grantsRead(false)?.delete(id);
  };
  return class StoreAdapter implements Adapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (typeof expiresIn !== 'number') {
        throw new TypeError(`oidc-provider saved a ${this.model} without an expiry; configure ttl.${this.model}`);
      }
      // Interactions and sessions re-save with the time they have left: zero or less means already expired.
      forgetGrant(this.model, id);
      if (expiresIn <= 0) {
        await sendHeld();
        await destroyRecord(store, this.model, id);
        return;
      }
      const ttl = Math.ceil(expiresIn);
      const { uid, userCode, grantId, accountId } = payload;
      const writes: StoreWrite[] = [];
      if (this.model === 'Session' && uid !== undefined) writes.push({ op: 'set', key: keys.sessionUid(uid), value: id, ttlSeconds: ttl });
      if (userCode !== undefined) writes.push({ op: 'set', key: keys.userCode(userCode), value: id, ttlSeconds: ttl });
      if (grantable.has(this.model) && grantId !== undefined) {
        writes.push({ op: 'addToSet', key: keys.grant(grantId), member: grantMember(this.model, id), ttlSeconds: ttl });
      }
      if (this.model === 'Session' && accountId !== undefined) {
        writes.push({ op: 'addToSet', key: keys.accountSessions(accountId), member: id, ttlSeconds: ttl });
      }
      if (this.model === 'Grant' && accountId !== undefined) {
        writes.push({ op: 'addToSet', key: keys.accountGrants(accountId), member: id, ttlSeconds: ttl });
      }
      // Once consumed, always consumed: the mark lives as long as the record it belongs to.
      if (consumable.has(this.model)) writes.push({ op: 'expire', key: keys.consumed(this.model, id), ttlSeconds: ttl });
      const activity = this.model === 'Session' ? options.sessionActivity?.() : undefined;
      const stored = activity === undefined ? payload : { ...payload, activity: { ...activity, at: now() } };
      writes.push({ op: 'set', key: keys.record(this.model, id), value: JSON.stringify(stored), ttlSeconds: ttl });
      // One transaction: a token is never saved without its grant-index entry, which revocation needs.
      if (held(writes)) return;
      await store.write(writes);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      await sendHeld();
      if (this.model === 'Grant') {
        const read = grantsRead(false);
        if (read?.has(id)) {
          const json = read.get(id);
          read.delete(id);
          return json === undefined ? undefined : parsePayload(json);
        }
      }
      return readRecord(store, this.model, id, now, readWithGrant.has(this.model) ? grantsRead(true) : undefined);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      await sendHeld();
      const id = await store.get(keys.sessionUid(uid));
      if (id === undefined) return undefined;
      const payload = await readRecord(store, this.model, id, now);
      return payload?.uid === uid ? payload : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      await sendHeld();
      const id = await store.get(keys.userCode(userCode));
      if (id === undefined) return undefined;
      const payload = await readRecord(store, this.model, id, now);
      return payload?.userCode === userCode ? payload : undefined;
    }

    async consume(id: string): Promise<void> {
      if (!consumable.has(this.model)) throw new TypeError(`oidc-provider consumed a ${this.model}, which the adapter does not mark`);
      // The mark expires with the record; a record already gone gets no mark. The first mark stays:
      // the refresh grace counts from the first use.
      const mark = { op: 'setIfAbsentWhile', owner: keys.record(this.model, id), key: keys.consumed(this.model, id), value: String(now()) } as const;
      // A refresh token's mark may wait for the request's other writes: the first use counts from now
      // whenever it is written, and a second use within the grace rotates it anyway.
      if (!singleUse.has(this.model) && held([mark])) return;
      await sendHeld();
      const marked = await store.setIfAbsentWhile(mark.owner, mark.key, mark.value);
      if (!marked && singleUse.has(this.model)) {
        // Loaded here, not with this module: the CLI revokes sessions through it without the provider.
        const { errors } = await import('oidc-provider');
        throw new errors.InvalidGrant(`${this.model} already consumed`);
      }
    }

    async destroy(id: string): Promise<void> {
      forgetGrant(this.model, id);
      await sendHeld();
      await destroyRecord(store, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forgetGrant('Grant', grantId);
      await sendHeld();
      await revokeGrantTokens(store, grantId);
    }
  };
}

export interface RevokedAccess {
  /** The sessions that still existed, as they were stored: src/sessions.ts tells their clients. */
  readonly sessions: AdapterPayload[];
  /** How many grants still existed. */
  readonly grants: number;
}

/**
 * Ends every session of the account and revokes every grant with all its tokens, so a deactivated
 * or reset account keeps no way in. Use src/sessions.ts, which also sends the logout tokens.
 * With `keepSessionUid` (a password changed on the account page), that one session and the grants
 * of its sign-ins stay: the browser that made the change stays signed in, every other way in ends.
 */
export async function revokeAccountAccess(store: Store, accountId: string, keepSessionUid?: string, now: () => number = Date.now): Promise<RevokedAccess> {
  const [sessionIds, grantIds] = await Promise.all([
    store.members(keys.accountSessions(accountId)),
    store.members(keys.accountGrants(accountId)),
  ]);
  const kept = keepSessionUid === undefined ? undefined : (await accountSessionRecords(store, accountId, now)).find(({ payload }) => payload.uid === keepSessionUid);
  const keptGrants = new Set(kept === undefined ? [] : grantsOfSession(kept.payload));
  const [sessionsEnded, grantsRevoked] = await Promise.all([
    Promise.all(sessionIds.filter((id) => id !== kept?.id).map((id) => destroyRecord(store, 'Session', id))),
    Promise.all(
      grantIds
        .filter((id) => !keptGrants.has(id))
        .map(async (id) => {
          await revokeGrantTokens(store, id);
          return destroyRecord(store, 'Grant', id);
        }),
    ),
  ]);
  await store.del(keys.accountSessions(accountId), keys.accountGrants(accountId));
  if (kept !== undefined) {
    // The indexes were cleared whole: the session kept goes back in, for as long as it lives.
    const lifeOf = async (model: string, id: string) => Math.max(1, (await store.ttl(keys.record(model, id))) ?? 1);
    const grantLives = await Promise.all([...keptGrants].map(async (grantId) => ({ grantId, ttl: await lifeOf('Grant', grantId) })));
    await store.write([
      { op: 'addToSet', key: keys.accountSessions(accountId), member: kept.id, ttlSeconds: await lifeOf('Session', kept.id) },
      ...grantLives.map(({ grantId, ttl }) => ({ op: 'addToSet' as const, key: keys.accountGrants(accountId), member: grantId, ttlSeconds: ttl })),
    ]);
  }
  return {
    sessions: sessionsEnded.filter((session) => session !== undefined),
    grants: grantsRevoked.filter((grant) => grant !== undefined).length,
  };
}

/** A session of an account as the account page shows it: never its id, which is its cookie's value. */
export interface AccountSession {
  readonly uid: string;
  /** When the user signed in (seconds since the epoch). */
  readonly loginTs: number | undefined;
  /** The browser and address that last used the session, and when (milliseconds). */
  readonly activity: SessionStamp | undefined;
  /** The clients the session signed in to. */
  readonly clientIds: readonly string[];
}

/** An application holding a refresh token of the account. */
export interface AccountApplication {
  readonly clientId: string;
  /** When the application was first given access (seconds since the epoch). */
  readonly since: number | undefined;
  /** When its refresh token was last issued, by a sign-in or a refresh (seconds since the epoch). */
  readonly lastIssued: number | undefined;
}

function numberField(payload: AdapterPayload, name: string): number | undefined {
  const value = payload[name];
  return typeof value === 'number' ? value : undefined;
}

/** The grant ids a stored session's authorizations hold. */
function grantsOfSession(session: AdapterPayload): string[] {
  const authorizations = session.authorizations;
  if (typeof authorizations !== 'object' || authorizations === null) return [];
  return Object.values(authorizations as Record<string, { grantId?: unknown }>).flatMap((authorization) =>
    typeof authorization?.grantId === 'string' ? [authorization.grantId] : [],
  );
}

async function accountSessionRecords(store: Store, accountId: string, now: () => number): Promise<Array<{ id: string; payload: AdapterPayload }>> {
  const ids = await store.members(keys.accountSessions(accountId));
  const payloads = await Promise.all(ids.map((id) => readRecord(store, 'Session', id, now)));
  return ids.flatMap((id, i) => {
    const payload = payloads[i];
    return payload?.accountId === accountId ? [{ id, payload }] : [];
  });
}

/**
 * Where the account is signed in: its sessions, and the applications that hold a refresh token
 * of it (one not yet used up: a rotated token no longer counts). Read only.
 */
export async function accountAccess(store: Store, accountId: string, now: () => number = Date.now): Promise<{ sessions: AccountSession[]; applications: AccountApplication[] }> {
  const [sessions, grantIds] = await Promise.all([accountSessionRecords(store, accountId, now), store.members(keys.accountGrants(accountId))]);
  const grants = await Promise.all(
    grantIds.map(async (grantId) => {
      const grant = await readRecord(store, 'Grant', grantId, now);
      if (grant?.accountId !== accountId || typeof grant.clientId !== 'string') return undefined;
      const members = (await store.members(keys.grant(grantId))).map(parseGrantMember).filter(([model]) => model === 'RefreshToken');
      const tokens = (await Promise.all(members.map(([model, id]) => readRecord(store, model, id, now)))).filter(
        (token): token is AdapterPayload => token !== undefined && token.consumed === undefined,
      );
      if (tokens.length === 0) return undefined;
      const issued = tokens.map((token) => numberField(token, 'iat') ?? 0);
      return { clientId: grant.clientId, since: numberField(grant, 'iat'), lastIssued: Math.max(...issued) || undefined };
    }),
  );
  const byClient = new Map<string, AccountApplication>();
  for (const grant of grants) {
    if (grant === undefined) continue;
    const known = byClient.get(grant.clientId);
    byClient.set(
      grant.clientId,
      known === undefined
        ? grant
        : { clientId: grant.clientId, since: Math.min(known.since ?? Infinity, grant.since ?? Infinity), lastIssued: Math.max(known.lastIssued ?? 0, grant.lastIssued ?? 0) },
    );
  }
  return {
    sessions: sessions.map(({ payload }) => {
      const stamp = activityStamp.safeParse(payload.activity);
      const authorizations = payload.authorizations;
      return {
        uid: payload.uid ?? '',
        loginTs: numberField(payload, 'loginTs'),
        activity: stamp.success ? stamp.data : undefined,
        clientIds: typeof authorizations === 'object' && authorizations !== null ? Object.keys(authorizations) : [],
      };
    }),
    applications: [...byClient.values()],
  };
}

/**
 * Ends one session of the account (found by its uid) and revokes the grants its sign-ins made,
 * with their tokens. Returns the session as it was stored (src/sessions.ts tells its clients), or
 * undefined when the account has no such session.
 */
export async function endAccountSession(store: Store, accountId: string, uid: string, now: () => number = Date.now): Promise<AdapterPayload | undefined> {
  const id = await store.get(keys.sessionUid(uid));
  if (id === undefined) return undefined;
  const session = await readRecord(store, 'Session', id, now);
  if (session?.accountId !== accountId || session.uid !== uid) return undefined;
  const ended = await destroyRecord(store, 'Session', id);
  if (ended === undefined) return undefined;
  await Promise.all(
    grantsOfSession(ended).map(async (grantId) => {
      await revokeGrantTokens(store, grantId);
      await destroyRecord(store, 'Grant', grantId);
    }),
  );
  return ended;
}

/** Revokes every grant of the account to one client, with its tokens; returns how many still existed. */
export async function revokeClientAccess(store: Store, accountId: string, clientId: string, now: () => number = Date.now): Promise<number> {
  const grantIds = await store.members(keys.accountGrants(accountId));
  const revoked = await Promise.all(
    grantIds.map(async (grantId) => {
      const grant = await readRecord(store, 'Grant', grantId, now);
      if (grant?.accountId !== accountId || grant.clientId !== clientId) return false;
      await revokeGrantTokens(store, grantId);
      return (await destroyRecord(store, 'Grant', grantId)) !== undefined;
    }),
  );
  return revoked.filter(Boolean).length;
}
