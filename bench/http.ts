import { Pool } from 'undici';
import { Browser, type Exchange } from '../harness/browser.ts';
import { benchClient } from './client.ts';

/** Keep-alive connections to a server under test, shared by every simulated browser. */
export interface Connection {
  readonly origin: string;
  readonly pool: Pool;
}

export function connect(origin: string, connections: number): Connection {
  return { origin, pool: new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 }) };
}

/** An address of the 10.0.0.0/8 block for each new browser, as users arrive from many networks. */
let browsers = 0;
const nextAddress = () => {
  browsers += 1;
  return `10.${(browsers >> 16) & 255}.${(browsers >> 8) & 255}.${browsers & 255}`;
};

/**
 * A fresh browser (its own cookies and its own client address, reported by the proxy the server
 * trusts) on the connection's pool, that stops at the benchmark client's redirect_uri.
 */
export function browserOn(connection: Connection, onResponse?: (exchange: Exchange) => void | Promise<void>): Browser {
  return new Browser({ dispatcher: connection.pool, stopAt: [benchClient.redirect_uris[0]], userAgent: 'sso-bench', headers: { 'X-Forwarded-For': nextAddress() }, onResponse });
}
