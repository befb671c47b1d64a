import type { Server as HttpServer, ServerResponse } from 'node:http';

export interface DrainOptions {
  /** How long to keep accepting requests first, while readiness already fails. */
  readonly delayMs: number;
  /** How long requests in flight may take once the listener is closed before their connections are cut. */
  readonly timeoutMs: number;
}

export interface Drainable {
  /** Resolves once the server is closed: 'drained' when every request finished, 'forced' when some were cut. */
  drain(options: DrainOptions): Promise<'drained' | 'forced'>;
}

/**
 * Graceful shutdown of an HTTP server. `server.close()` alone waits for keep-alive connections to
 * time out, and a load balancer's pooled connections never do. So once draining, every response
 * asks its client to close the connection, and once the listener is closed, each connection closes
 * as soon as it is idle. Idle connections are left alone before that: a connection that was just
 * accepted is idle until its request arrives, and closing it would reset a request the balancer
 * sent before it noticed the readiness change.
 * Call before the server receives requests: it tracks the responses in flight from then on.
 */
export function drainable(http: HttpServer): Drainable {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let closed = false;
  http.on('request', (_request, response: ServerResponse) => {
    if (draining) response.setHeader('Connection', 'close');
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      // A response that had sent its headers before the drain began left its connection open.
      if (closed) http.closeIdleConnections();
    });
  });

  return {
    async drain({ delayMs, timeoutMs }) {
      draining = true;
      for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return new Promise((resolve) => {
        let outcome: 'drained' | 'forced' = 'drained';
        const force = setTimeout(() => {
          outcome = 'forced';
          http.closeAllConnections();
        }, timeoutMs);
        closed = true;
        // Also closes the connections idle at this moment (Node 19 and later).
        http.close(() => {
          clearTimeout(force);
          resolve(outcome);
        });
      });
    },
  };
}
