import { intlTags } from './locale.ts';
import type { Translate } from './translate.ts';

type Unit = 'second' | 'minute' | 'day';

function count(t: Translate, unit: Unit, n: number): string {
  const form = new Intl.PluralRules(intlTags[t.locale]).select(n) === 'one' ? 'one' : 'other';
  return t(`unit.${unit}.${form}`, { n });
}

/**
 * A wait or a validity for the `{wait}` and `{validity}` placeholders: seconds under a minute,
 * whole minutes from there on. Both round up, so a user told to wait never comes back too early.
 */
export function formatWait(t: Translate, seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  return whole < 60 ? count(t, 'second', whole) : count(t, 'minute', Math.ceil(whole / 60));
}

/** A number of days for the `{period}` placeholder, e.g. the activation window. */
export function formatDays(t: Translate, days: number): string {
  return count(t, 'day', days);
}

/**
 * A calendar date for the `{date}` placeholder, e.g. "12 March 2025" or "12. März 2025". The
 * server knows no user's time zone, so the date is the one in UTC. French writes the first of the
 * month as an ordinal ("1er mars"), which Intl does not.
 */
export function formatDate(t: Translate, date: Date): string {
  return withFrenchOrdinal(t, new Intl.DateTimeFormat(intlTags[t.locale], { dateStyle: 'long', timeZone: 'UTC' }).formatToParts(date));
}

/**
 * A date and time for a deadline that falls within a day, e.g. "12 March 2025 at 14:05 UTC": the
 * time zone is named, since the server knows none of the reader's.
 */
export function formatMoment(t: Translate, date: Date): string {
  const format = new Intl.DateTimeFormat(intlTags[t.locale], {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  });
  return withFrenchOrdinal(t, format.formatToParts(date));
}

function withFrenchOrdinal(t: Translate, parts: readonly Intl.DateTimeFormatPart[]): string {
  return parts.map((part) => (t.locale === 'fr' && part.type === 'day' && part.value === '1' ? '1er' : part.value)).join('');
}

/**
 * A moment on a page (the account page's sessions, the console's events), e.g. "12 March 2025 at
 * 14:05 UTC": the date and time in UTC, said to be UTC, since the server knows no user's time zone.
 */
export function formatDateTime(t: Translate, date: Date): string {
  const text = new Intl.DateTimeFormat(intlTags[t.locale], { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  return `${text} UTC`;
}

/** A time of day in UTC for the `{time}` placeholder, on the 24-hour clock: "10:42". */
export function formatTime(t: Translate, date: Date): string {
  return new Intl.DateTimeFormat(intlTags[t.locale], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(date);
}
