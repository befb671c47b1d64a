import http from 'node:http';

/**
 * Bounded polling, for conditions that announce themselves with no event (a reconnect, a process
 * becoming ready): checked every `intervalMs` until it holds, or rejected once the deadline passes.
 * A check that throws counts as "not yet".
 */
export async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A GET on a connection of its own, as a load balancer's health check makes it: never a pooled
 * keep-alive connection the server may have just closed. Status 0 when the connection failed.
 */
export function probe(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', () => resolve({ status: 0, body: '' }));
    });
    request.on('error', () => resolve({ status: 0, body: '' }));
  });
}

export async function statusOf(url: string): Promise<number> {
  return (await probe(url)).status;
}

/** The promise's value, or a rejection naming what did not happen within `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
