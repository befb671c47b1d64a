import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { z } from 'zod';

/**
 * The embedded database belongs to one process, and the in-process store lives in the server's
 * memory: while `npm start` runs on the embedded default, an operator's command must run inside the
 * server to see and change what the server sees. The server listens on a Unix socket in
 * SSO_DATA_DIR that only the owner of that folder can open (mode 0600, like the database files
 * beside it); the CLI sends its arguments there and prints what comes back.
 *
 * The protocol is JSON lines: one request `{ argv, cwd, operator }`, then `{ out }` and `{ err }`
 * chunks as the command prints them, and a last `{ exit }`.
 */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'control.sock');
}

const requestSchema = z.object({
  argv: z.array(z.string().max(4096)).max(64),
  cwd: z.string().max(4096),
  operator: z.string().max(256),
});
export type ControlRequest = z.infer<typeof requestSchema>;

const replySchema = z.union([z.object({ out: z.string() }), z.object({ err: z.string() }), z.object({ exit: z.number().int() })]);

/** Runs one command inside the server, writing its output to the streams; resolves with its exit code. */
export type ControlRunner = (request: ControlRequest, stdout: Writable, stderr: Writable) => Promise<number>;

export interface ControlSocket {
  close(): Promise<void>;
}

/** Listens for commands; a socket file left by a server that died is replaced. */
export async function serveControlSocket(dataDir: string, run: ControlRunner): Promise<ControlSocket> {
  const file = controlSocketPath(dataDir);
  await rm(file, { force: true });
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    const send = (reply: z.infer<typeof replySchema>) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
    };
    const lines = createInterface({ input: socket });
    lines.once('line', (line) => {
      lines.close();
      const parsed = requestSchema.safeParse(safeJson(line));
      if (!parsed.success) {
        send({ err: 'The server could not read the command\n' });
        send({ exit: 1 });
        socket.end();
        return;
      }
      const stream = (key: 'out' | 'err') =>
        new Writable({
          write(chunk: Buffer | string, _encoding, done) {
            send(key === 'out' ? { out: String(chunk) } : { err: String(chunk) });
            done();
          },
        });
      void run(parsed.data, stream('out'), stream('err'))
        .catch(() => 1)
        .then((exit) => {
          send({ exit });
          socket.end();
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Created owner-only from the start: no moment when another user could connect.
    const previous = process.umask(0o177);
    try {
      server.listen(file, () => resolve());
    } finally {
      process.umask(previous);
    }
  });
  await chmod(file, 0o600);
  return {
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(file, { force: true });
    },
  };
}

/**
 * Sends a command to the server and relays its output; resolves with its exit code, or undefined
 * when no server answers on the socket (then the command runs here).
 */
export async function sendToServer(dataDir: string, request: ControlRequest, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number | undefined> {
  const socket = net.connect(controlSocketPath(dataDir));
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (!connected) return undefined;
  // A server that stops mid-command ends the stream; the exit code stays 1.
  socket.on('error', () => undefined);
  socket.write(`${JSON.stringify(request)}\n`);
  let exit = 1;
  for await (const line of createInterface({ input: socket })) {
    const reply = replySchema.safeParse(safeJson(line));
    if (!reply.success) continue;
    if ('out' in reply.data) stdout.write(reply.data.out);
    else if ('err' in reply.data) stderr.write(reply.data.err);
    else exit = reply.data.exit;
  }
  return exit;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
