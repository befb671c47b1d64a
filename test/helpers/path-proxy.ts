import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward } from './forward.ts';

/**
 * A reverse proxy that publishes a server under a path, as a company's gateway does: only requests
 * under `prefix` go through, to the server's port. `keep` forwards the path as it came
 * (`/sso/auth` stays `/sso/auth`, nginx's `proxy_pass http://app;`); `strip` removes the prefix
 * (`/sso/auth` becomes `/auth`, nginx's `proxy_pass http://app/;`). The Host header goes through
 * untouched.
 */
export interface PathProxy {
  readonly url: string;
  /** Every path the server received, in order. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

export async function startPathProxy(prefix: string, mode: 'keep' | 'strip', upstreamPort: () => number): Promise<PathProxy> {
  const forwarded: string[] = [];
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    if (url !== prefix && !url.startsWith(`${prefix}/`) && !url.startsWith(`${prefix}?`)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not published');
      return;
    }
    const path = mode === 'keep' ? url : url.slice(prefix.length) || '/';
    forwarded.push(path);
    forward(request, response, { port: upstreamPort(), path });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
