import Bowser from 'bowser';
import type { Translate } from '../../i18n/index.ts';

/**
 * A session's browser as a person recognises it ("Chrome 120 on Linux"), from the User-Agent its
 * last request sent; the raw string when the library does not recognise it.
 */
export function browserSummary(t: Translate, userAgent: string): string {
  const parsed = Bowser.parse(userAgent);
  const name = parsed.browser.name ?? '';
  if (name === '') return userAgent === '' ? t('account.sessions.unknownBrowser') : userAgent;
  const major = (parsed.browser.version ?? '').split('.')[0] ?? '';
  const browser = major === '' ? name : `${name} ${major}`;
  return parsed.os.name === undefined || parsed.os.name === '' ? browser : t('account.sessions.browserOn', { browser, os: parsed.os.name });
}
