import { Pool } from 'undici';

export interface Reply {
  readonly status: number;
  /** The Location header of a redirect, resolved to a path on the server (or an absolute URL elsewhere). */
  readonly location: string | undefined;
  readonly text: string;
  /** From sending the request to the last byte of the body. */
  readonly ms: number;
}

interface Cookie {
  readonly value: string;
  readonly path: string;
}

/** Keep-alive connections to the server under test, shared by every simulated browser. */
export interface Connection {
  readonly origin: string;
  readonly pool: Pool;
}

export function connect(origin: string, connections: number): Connection {
  return { origin, pool: new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 }) };
}

/**
 * One user's browser, reduced to what the flows need: cookies kept by name and path (the
 * interaction cookies are path-scoped) and redirects left to the caller, which times each hop.
 */
export class Browser {
  private readonly cookies = new Map<string, Cookie>();

  constructor(private readonly connection: Connection) {}

  async get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  async post(path: string, fields: Record<string, string>): Promise<Reply> {
    return this.send('POST', path, new URLSearchParams(fields).toString());
  }

  private async send(method: 'GET' | 'POST', path: string, body?: string): Promise<Reply> {
    const headers: Record<string, string> = { 'accept-language': 'en', 'user-agent': 'sso-bench' };
    const cookie = this.cookieHeader(path);
    if (cookie !== '') headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const started = performance.now();
    const response = await this.connection.pool.request({ method, path, headers, body });
    const text = await response.body.text();
    const ms = performance.now() - started;
    this.remember(response.headers['set-cookie']);
    const location = response.headers.location;
    return { status: response.statusCode, location: typeof location === 'string' ? this.relative(location) : undefined, text, ms };
  }

  /** The server redirects with absolute URLs on its own origin; the pool wants paths. */
  private relative(location: string): string {
    return location.startsWith(`${this.connection.origin}/`) ? location.slice(this.connection.origin.length) : location;
  }

  private cookieHeader(path: string): string {
    const pairs: string[] = [];
    for (const [name, cookie] of this.cookies) {
      if (cookie.path === '/' || path === cookie.path || path.startsWith(`${cookie.path}/`) || path.startsWith(`${cookie.path}?`)) {
        pairs.push(`${name}=${cookie.value}`);
      }
    }
    return pairs.join('; ');
  }

  private remember(header: string | string[] | undefined): void {
    const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const pathAttribute = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttribute === undefined ? '/' : pathAttribute.slice(5);
      const expired = value === '' || attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }
}
