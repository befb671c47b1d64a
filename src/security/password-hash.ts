import bcrypt from 'bcrypt';

/**
 * A well-formed bcrypt hash body (salt and digest) that no password produces in practice. Only the
 * cost in front of it changes, so comparing against it costs exactly as much as a real check.
 */
const DUMMY_HASH_BODY = 'qN4hYHTtCnWbdzMFhPIlNeJ8cyFOsCdUsaqJkS9IzXEg5vG1wSk6W';

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
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
    await bcrypt.compare(password, `$2b$${String(cost).padStart(2, '0')}$${DUMMY_HASH_BODY}`);
    return false;
  }
  return bcrypt.compare(password, hash);
}
