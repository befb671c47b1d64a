import { z } from 'zod';
import { rules } from '../config.ts';
import type { Store, StoreWrite } from './store.ts';

/** What oidc-provider hands the adapter to keep; the fields named here are the ones we index. */
export type AdapterPayload = Record<string, unknown> & {
  readonly uid?: string;
  readonly userCode?: string;
  readonly grantId?: string;
  readonly accountId?: string;
  readonly consumed?: number;
};

/**
 * A stored payload as read back: the fields indexed here are checked, the rest is oidc-provider's
 * and passed through. A record that does not parse (altered, or from another version) is absent.
 */
const payloadSchema = z.looseObject({
  uid: z.string().optional(),
  userCode: z.string().optional(),
  grantId: z.string().optional(),
  accountId: z.string().optional(),
  consumed: z.number().optional(),
});

function parsePayload(json: string): AdapterPayload | undefined {
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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

/** Grant index members name the model too, since one grant holds tokens of several models. */
const grantMember = (model: string, id: string) => `${model}:${id}`;

function parseGrantMember(member: string): [model: string, id: string] {
  const colon = member.indexOf(':');
  return [member.slice(0, colon), member.slice(colon + 1)];
}

async function readRecord(store: Store, model: string, id: string, now: () => number): Promise<AdapterPayload | undefined> {
  if (!consumable.has(model)) {
    const json = await store.get(keys.record(model, id));
    return json === undefined ? undefined : parsePayload(json);
  }
  const [json, consumed] = await store.getMany([keys.record(model, id), keys.consumed(model, id)]);
  const payload = json === undefined ? undefined : parsePayload(json);
  if (payload === undefined) return undefined;
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
}

/**
 * An oidc-provider Adapter class on the Store interface, so sessions and tokens live in Redis or in
 * process exactly like the rest of the short-lived state. Pass it as the provider's `adapter` option.
 */
export function createOidcAdapter(store: Store, options: OidcAdapterOptions = {}): new (name: string) => Adapter {
  const now = options.now ?? Date.now;
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
      if (expiresIn <= 0) {
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
      writes.push({ op: 'set', key: keys.record(this.model, id), value: JSON.stringify(payload), ttlSeconds: ttl });
      // One transaction: a token is never saved without its grant-index entry, which revocation needs.
      await store.write(writes);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return readRecord(store, this.model, id, now);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await store.get(keys.sessionUid(uid));
      if (id === undefined) return undefined;
      const payload = await readRecord(store, this.model, id, now);
      return payload?.uid === uid ? payload : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await store.get(keys.userCode(userCode));
      if (id === undefined) return undefined;
      const payload = await readRecord(store, this.model, id, now);
      return payload?.userCode === userCode ? payload : undefined;
    }

    async consume(id: string): Promise<void> {
      if (!consumable.has(this.model)) throw new TypeError(`oidc-provider consumed a ${this.model}, which the adapter does not mark`);
      // The mark expires with the record; a record already gone gets no mark. The first mark stays:
      // the refresh grace counts from the first use.
      await store.setIfAbsentWhile(keys.record(this.model, id), keys.consumed(this.model, id), String(now()));
    }

    async destroy(id: string): Promise<void> {
      await destroyRecord(store, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
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
 */
export async function revokeAccountAccess(store: Store, accountId: string): Promise<RevokedAccess> {
  const [sessionIds, grantIds] = await Promise.all([
    store.members(keys.accountSessions(accountId)),
    store.members(keys.accountGrants(accountId)),
  ]);
  const [sessionsEnded, grantsRevoked] = await Promise.all([
    Promise.all(sessionIds.map((id) => destroyRecord(store, 'Session', id))),
    Promise.all(
      grantIds.map(async (id) => {
        await revokeGrantTokens(store, id);
        return destroyRecord(store, 'Grant', id);
      }),
    ),
  ]);
  await store.del(keys.accountSessions(accountId), keys.accountGrants(accountId));
  return {
    sessions: sessionsEnded.filter((session) => session !== undefined),
    grants: grantsRevoked.filter((grant) => grant !== undefined).length,
  };
}
