import { Redis } from 'ioredis';

/** Deletes every key under the prefix (a test's or a benchmark run's); SCAN rather than KEYS so a shared Redis is never blocked. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (found.length > 0) await client.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}
