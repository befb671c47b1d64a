import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import pLimit from 'p-limit';

/**
 * bcrypt runs on libuv's thread pool, which the image sizes at 16 threads for I/O. Left alone, a
 * burst of sign-ins would run 16 hashes at once, and the event loop would get a seventeenth of the
 * CPU: every page waits behind the hashes. Queued to one hash per core, hashing keeps the same
 * throughput and the pages keep their share.
 */
const hashing = pLimit(availableParallelism());

/**
 * A well-formed bcrypt hash body (salt and digest) that no password produces in practice. Only the
 * cost in front of it changes, so comparing against it costs exactly as much as a real check.
 */
const DUMMY_HASH_BODY = 'qN4hYHTtCnWbdzMFhPIlNeJ8cyFOsCdUsaqJkS9IzXEg5vG1wSk6W';

export function hashPassword(password: string, cost: number): Promise<string> {
  return hashing(() => bcrypt.hash(password, cost));
}

/**
 * Checks a password against its stored hash. Without a hash (unknown account, or no password set
 * yet) it still spends one bcrypt comparison at `cost` and returns false, so response times do not
 * reveal which accounts exist or have a password.
 *
 * @param cost the configured bcrypt cost, spent on the dummy comparison when `hash` is null
 */
export async function verifyPassword(password: string, hash: string | null, cost: number): Promise<boolean> {
  if (hash === null) {
    await hashing(() => bcrypt.compare(password, `$2b$${String(cost).padStart(2, '0')}$${DUMMY_HASH_BODY}`));
    return false;
  }
  return hashing(() => bcrypt.compare(password, hash));
}
