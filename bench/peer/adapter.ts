import type { Redis } from 'ioredis';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';

/** Models oidc-provider marks as used: kept in a hash whose `consumed` field is set apart from the payload. */
const consumable = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
/** Models whose payload names the grant that revocation finds them by. */
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** Counts the adapter's calls to Redis: each sends one command (a MULTI is one) and waits for it. */
export type CommandCounter = (command: string) => void;

/**
 * The peer's store: a Redis adapter of the shape oidc-provider's documentation gives as its example,
 * written for the benchmark. One command per lookup, one MULTI per save, a grant's tokens listed
 * under the grant. Nothing of the product's own store is used, so the peer is the bare engine.
 */
export function peerAdapter(redis: Redis, prefix: string, count: CommandCounter): AdapterConstructor {
  const recordKey = (model: string, id: string) => `${prefix}${model}:${id}`;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;
  const uidKey = (uid: string) => `${prefix}uid:${uid}`;
  const userCodeKey = (userCode: string) => `${prefix}userCode:${userCode}`;

  async function read(model: string, id: string): Promise<AdapterPayload | undefined> {
    const key = recordKey(model, id);
    if (consumable.has(model)) {
      count('hgetall');
      const { payload, consumed } = await redis.hgetall(key);
      if (payload === undefined) return undefined;
      return { ...(JSON.parse(payload) as AdapterPayload), ...(consumed === undefined ? {} : { consumed: Number(consumed) }) };
    }
    count('get');
    const json = await redis.get(key);
    return json === null ? undefined : (JSON.parse(json) as AdapterPayload);
  }

  return class PeerAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const key = recordKey(this.model, id);
      const json = JSON.stringify(payload);
      const multi = redis.multi();
      if (consumable.has(this.model)) multi.hset(key, 'payload', json);
      else multi.set(key, json);
      if (expiresIn !== undefined) multi.expire(key, expiresIn);
      if (grantable.has(this.model) && payload.grantId !== undefined) {
        const list = grantKey(payload.grantId);
        multi.rpush(list, key);
        // The list lives as long as its longest-lived token: set when it has no expiry, lengthened otherwise.
        if (expiresIn !== undefined) multi.expire(list, expiresIn, 'NX').expire(list, expiresIn, 'GT');
      }
      if (payload.uid !== undefined && expiresIn !== undefined) multi.set(uidKey(payload.uid), id, 'EX', expiresIn);
      if (payload.userCode !== undefined && expiresIn !== undefined) multi.set(userCodeKey(payload.userCode), id, 'EX', expiresIn);
      count('multi');
      await multi.exec();
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return read(this.model, id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      count('get');
      const id = await redis.get(uidKey(uid));
      return id === null ? undefined : read(this.model, id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      count('get');
      const id = await redis.get(userCodeKey(userCode));
      return id === null ? undefined : read(this.model, id);
    }

    async consume(id: string): Promise<void> {
      count('hset');
      await redis.hset(recordKey(this.model, id), 'consumed', Math.floor(Date.now() / 1000));
    }

    async destroy(id: string): Promise<void> {
      count('del');
      await redis.del(recordKey(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const list = grantKey(grantId);
      count('lrange');
      const keys = await redis.lrange(list, 0, -1);
      count('del');
      await redis.del(...keys, list);
    }
  };
}
