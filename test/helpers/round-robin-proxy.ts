import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward } from './forward.ts';

/**
 * The load balancer in front of several instances: one origin (the issuer) whose requests go to
 * each instance in turn, so a browser's consecutive requests land on different processes.
 * Each response says which instance answered (`X-Upstream`: its index); `pin` sends everything to
 * one instance, to make "counted on one, seen on the other" explicit.
 */
export interface RoundRobinProxy {
  readonly port: number;
  readonly url: string;
  /** The index of the instance that served each request, in order. */
  readonly served: number[];
  /** Sends every request to this instance until `unpin`. */
  pin(index: number): void;
  unpin(): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreamPorts: readonly number[], port = 0): Promise<RoundRobinProxy> {
  const served: number[] = [];
  let next = 0;
  let pinned: number | undefined;
  const server = http.createServer((request, response) => {
    const index = pinned ?? next++ % upstreamPorts.length;
    served.push(index);
    // The Host header is passed on untouched: the instances see the public origin, as behind a real balancer.
    forward(request, response, { port: upstreamPorts[index]!, answerHeaders: { 'x-upstream': String(index) } });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    served,
    pin(index) {
      pinned = index;
    },
    unpin() {
      pinned = undefined;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
