export const locales = ['en', 'nl', 'fr', 'de'] as const;

export type Locale = (typeof locales)[number];

export const defaultLocale: Locale = 'en';

/** Each language named in itself, as a language switch shows it. */
export const localeNames: Readonly<Record<Locale, string>> = {
  en: 'English',
  nl: 'Nederlands',
  fr: 'Français',
  de: 'Deutsch',
};

/**
 * The regional variant Intl formats dates and plurals with: the users are in Belgium, and British
 * English writes dates day first like the other three.
 */
export const intlTags: Readonly<Record<Locale, string>> = {
  en: 'en-GB',
  nl: 'nl-BE',
  fr: 'fr-BE',
  de: 'de-BE',
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
