import { defaultLocale, isLocale, type Locale } from './locale.ts';

/** The supported language of a BCP 47 tag, judged by its primary subtag alone: `nl-BE` is Dutch. */
function supportedLanguage(tag: string): Locale | undefined {
  const primary = tag.trim().split(/[-_]/)[0]?.toLowerCase();
  return isLocale(primary) ? primary : undefined;
}

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The language ranges of an Accept-Language header, most wanted first (by weight, then by their
 * order in the header); ranges with weight 0 or a malformed weight are left out.
 *
 * Hand-written rather than taken from `negotiator`: that package ranks an exact match above a
 * regional one of the same weight, so `fr-BE, nl` would choose Dutch for a French speaker.
 */
function rangesByPreference(header: string): string[] {
  return header
    .split(',')
    .map((item, order) => {
      const [range = '', ...params] = item.split(';');
      let weight = 1;
      for (const param of params) {
        const [name = '', value = ''] = param.split('=').map((part) => part.trim());
        if (name.toLowerCase() === 'q') weight = QVALUE.test(value) ? Number(value) : 0;
      }
      return { range: range.trim(), weight, order };
    })
    .filter((entry) => entry.range !== '' && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order)
    .map((entry) => entry.range);
}

/**
 * The page language: the first supported tag of the OIDC `ui_locales` parameter (space-separated),
 * else the most wanted supported language of the Accept-Language header, else English. A `*` range
 * accepts any language, so it settles on the default.
 */
export function negotiateLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): Locale {
  for (const tag of (uiLocales ?? '').split(/\s+/)) {
    const locale = supportedLanguage(tag);
    if (locale !== undefined) return locale;
  }
  for (const range of rangesByPreference(acceptLanguage ?? '')) {
    if (range === '*') return defaultLocale;
    const locale = supportedLanguage(range);
    if (locale !== undefined) return locale;
  }
  return defaultLocale;
}
