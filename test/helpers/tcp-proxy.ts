import { once } from 'node:events';
import net from 'node:net';

/**
 * A TCP relay in front of a real service, so a test can take the service away and bring it back
 * (an outage as the application sees it) without touching the service other tests share.
 */
export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  /**
   * Stops passing bytes either way while keeping every connection open, and accepts new ones without
   * answering them: a service that hangs (a stopped process), as the application sees it.
   */
  pause(): void;
  /** Passes the held bytes on, and everything after them. */
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<Pair>();
  let paused = false;
  const flow = ({ client, upstream }: Pair) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = ({ client, upstream }: Pair) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        pairs.delete(pair);
      });
      // Either end failing ends the pair, as a broken network path would.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    if (paused) hold(pair);
    else flow(pair);
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;

  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    port,
    cut,
    async restore() {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    pause() {
      paused = true;
      for (const pair of pairs) hold(pair);
    },
    resume() {
      paused = false;
      for (const pair of pairs) flow(pair);
    },
    async close() {
      if (server.listening) await cut();
    },
  };
}
