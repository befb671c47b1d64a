import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/** A logout token as a relying party accepted it: signature verified, every claim checked. */
export interface ReceivedLogout {
  readonly clientId: string;
  readonly alg: string;
  readonly payload: JWTPayload & { sid?: string; events?: Record<string, unknown> };
}

const backchannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A relying party's back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 section
 * 2.6): one path per client, `/logout/<client_id>`. It verifies each logout token's signature
 * against the issuer's /jwks and its claims (iss, aud, iat, exp, jti, the logout event, sub and sid,
 * no nonce), answers 200 to a valid one and 400 to anything else, and keeps both.
 */
export interface LogoutReceiver {
  readonly url: string;
  uriFor(clientId: string): string;
  readonly received: ReceivedLogout[];
  /** Why tokens were refused; a test expects none. */
  readonly refused: string[];
  /** Resolves once `count` tokens in all have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedLogout[]>;
  close(): Promise<void>;
}

export async function startLogoutReceiver(issuer: () => string): Promise<LogoutReceiver> {
  const received: ReceivedLogout[] = [];
  const refused: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  const jtis = new Set<string>();

  async function check(clientId: string, token: string): Promise<ReceivedLogout> {
    keys ??= createRemoteJWKSet(new URL(`${issuer()}/jwks`));
    const { payload, protectedHeader } = await jwtVerify<ReceivedLogout['payload']>(token, keys, {
      issuer: issuer(),
      audience: clientId,
      requiredClaims: ['iat', 'exp', 'jti', 'events', 'sub', 'sid'],
    });
    if (typeof payload.events !== 'object' || payload.events === null || !(backchannelLogoutEvent in payload.events)) {
      throw new Error(`no back-channel logout event in ${JSON.stringify(payload.events)}`);
    }
    if ('nonce' in payload) throw new Error('a logout token must not carry a nonce');
    if (jtis.has(payload.jti!)) throw new Error(`jti ${payload.jti} seen twice`);
    jtis.add(payload.jti!);
    return { clientId, alg: protectedHeader.alg, payload };
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const clientId = decodeURIComponent((request.url ?? '').replace(/^\/logout\//, ''));
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token') ?? '';
      const typeOk = request.method === 'POST' && (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      check(clientId, token)
        .then((logout) => {
          if (!typeOk) throw new Error(`expected a form POST, got ${request.method} ${request.headers['content-type']}`);
          received.push(logout);
          response.writeHead(200, { 'cache-control': 'no-store' }).end();
          for (const waiter of [...waiters]) {
            if (received.length < waiter.count) continue;
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        })
        .catch((error: Error) => {
          refused.push(`${clientId}: ${error.message}`);
          response.writeHead(400).end();
        });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    uriFor: (clientId) => `${url}/logout/${encodeURIComponent(clientId)}`,
    received,
    refused,
    waitFor(count, timeoutMs = 20_000) {
      if (received.length >= count) return Promise.resolve([...received]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${received.length} of ${count} logout tokens within ${timeoutMs} ms; refused: ${refused.join('; ')}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve([...received])) });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
