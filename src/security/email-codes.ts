import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { rules } from '../config.ts';
import type { Store } from '../store/store.ts';
import { normaliseCode } from './code-input.ts';

const HOUR_SECONDS = 60 * 60;
const CODE_SPACE = 1_000_000;
const CODE_DIGITS = 6;

export type IssueResult =
  | {
      readonly ok: true;
      /** The code to email; it exists nowhere else in clear. */
      readonly code: string;
      /**
       * Call when the email could not be sent: puts back the code this one replaced (with its tries
       * and remaining life) and gives the send back to the rate limits, so a mail outage costs the
       * user nothing.
       */
      release(): Promise<void>;
    }
  | { readonly ok: false; readonly reason: 'too-soon' | 'hourly-limit'; readonly retryAfterSeconds: number };

export type VerifyResult = 'ok' | 'wrong' | 'expired' | 'dead';

export interface EmailCodesOptions {
  readonly store: Store;
  /** Keys the MAC under which codes are stored, so a copy of the store does not reveal them. */
  readonly secretKey: Buffer;
  readonly ttlSeconds: number;
  readonly now?: () => number;
}

/**
 * Emailed verification codes (CONTRACT.md section 7), one live code per account.
 *
 * Store keys, all per account:
 * - `email-code:<id>`: `<nonce>.<mac>.<expiry ms, base 36>` of the live code; a new code overwrites it.
 * - `email-code-tries:<id>:<nonce>`: tries at that code. Keyed by the code's nonce, so a new code
 *   starts with no tries and the tries of a code put back by release() are still there.
 * - `email-code-resend:<id>`: present for a while after each send.
 * - `email-code-send:<id>:<slot>`: one of `emailCodeSendsPerHour` slots, each held for an hour after
 *   a send. Slots rather than a counter make the limit hold over any sliding hour, and let release()
 *   hand a send back, which a counter could not without a decrement.
 *
 * Issuing stores the new code before it is mailed rather than after, so the code works the moment
 * the mail can arrive; release() is the undo for a failed send.
 */
export class EmailCodes {
  private readonly store: Store;
  private readonly secretKey: Buffer;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor({ store, secretKey, ttlSeconds, now = Date.now }: EmailCodesOptions) {
    this.store = store;
    this.secretKey = secretKey;
    this.ttlSeconds = ttlSeconds;
    this.now = now;
  }

  /** A new code replacing the previous one, unless the account has had one too recently or too often. */
  async issue(accountId: string): Promise<IssueResult> {
    const resendKey = `email-code-resend:${accountId}`;
    if (!(await this.store.setIfAbsent(resendKey, '1', rules.emailCodeResendSeconds))) {
      return { ok: false, reason: 'too-soon', retryAfterSeconds: await this.secondsLeft(resendKey) };
    }
    const slotKey = await this.claimSendSlot(accountId);
    if (slotKey === undefined) {
      // Nothing is sent, so the short resend pause must not start either.
      await this.store.del(resendKey);
      return { ok: false, reason: 'hourly-limit', retryAfterSeconds: await this.soonestFreeSlot(accountId) };
    }

    // The rate checks above come first so a refused request never disturbs the live code.
    const codeKey = `email-code:${accountId}`;
    const [previous, previousTtl] = await Promise.all([this.store.get(codeKey), this.store.ttl(codeKey)]);
    const code = String(randomInt(0, CODE_SPACE)).padStart(CODE_DIGITS, '0');
    const nonce = randomBytes(12).toString('base64url');
    const issuedAt = this.now();
    // The expiry is also checked on the injected clock, not only by the store's TTL, so that
    // every instance agrees on it and tests can move time instead of waiting.
    const value = `${nonce}.${this.mac(accountId, nonce, code)}.${(issuedAt + this.ttlSeconds * 1000).toString(36)}`;
    await this.store.set(codeKey, value, this.ttlSeconds);

    const release = async (): Promise<void> => {
      // The code goes back before the rate marks are freed, so no new issue can interleave, and
      // only if it is still ours and nothing took its place.
      if ((await this.store.takeIfEquals(codeKey, value)) && previous !== undefined && previousTtl !== undefined) {
        const left = previousTtl - Math.ceil((this.now() - issuedAt) / 1000);
        if (left > 0) await this.store.setIfAbsent(codeKey, previous, left);
      }
      await this.store.del(resendKey, slotKey);
    };
    return { ok: true, code, release };
  }

  /**
   * Checks a submitted code. The try is counted before the comparison, so concurrent guesses can
   * never get more comparisons than allowed, and the code is consumed with an atomic take, so of
   * concurrent correct submissions exactly one gets 'ok'. The wrong try that uses up the last
   * allowed one already answers 'dead', so the page can say so at once.
   */
  async verify(accountId: string, input: string): Promise<VerifyResult> {
    const codeKey = `email-code:${accountId}`;
    const stored = await this.store.get(codeKey);
    if (stored === undefined) return 'expired';
    const [nonce = '', storedMac = '', expiresAt = '0'] = stored.split('.');
    if (this.now() >= parseInt(expiresAt, 36)) return 'expired';
    const triesKey = `email-code-tries:${accountId}:${nonce}`;
    const tries = await this.store.increment(triesKey, this.ttlSeconds);
    if (tries > rules.emailCodeMaxTries) return 'dead';

    const code = normaliseCode(input);
    const expected = Buffer.from(storedMac, 'hex');
    const given = code === undefined ? undefined : Buffer.from(this.mac(accountId, nonce, code), 'hex');
    const matches = given !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
    if (!matches) return tries >= rules.emailCodeMaxTries ? 'dead' : 'wrong';

    if (!(await this.store.takeIfEquals(codeKey, stored))) return 'expired';
    await this.store.del(triesKey);
    return 'ok';
  }

  /** Bound to the account and the code's nonce, and labelled, so no other MAC under this key equals it. */
  private mac(accountId: string, nonce: string, code: string): string {
    return createHmac('sha256', this.secretKey)
      .update(`email-code\0${accountId}\0${nonce}\0${code}`)
      .digest('hex');
  }

  private slotKeys(accountId: string): string[] {
    return Array.from({ length: rules.emailCodeSendsPerHour }, (_, slot) => `email-code-send:${accountId}:${slot}`);
  }

  private async claimSendSlot(accountId: string): Promise<string | undefined> {
    for (const key of this.slotKeys(accountId)) {
      if (await this.store.setIfAbsent(key, '1', HOUR_SECONDS)) return key;
    }
    return undefined;
  }

  private async soonestFreeSlot(accountId: string): Promise<number> {
    const left = await Promise.all(this.slotKeys(accountId).map((key) => this.store.ttl(key)));
    return Math.max(1, Math.min(...left.map((s) => s ?? 0)));
  }

  private async secondsLeft(key: string): Promise<number> {
    return Math.max(1, (await this.store.ttl(key)) ?? 0);
  }
}
