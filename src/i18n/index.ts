export type { MessageKey, Messages } from './en.ts';
export { formatDate, formatDateTime, formatDays, formatMoment, formatTime, formatWait } from './format.ts';
export { defaultLocale, isLocale, localeNames, locales, type Locale } from './locale.ts';
export { negotiateLocale } from './negotiate.ts';
export { translator, type MessageParams, type Translate } from './translate.ts';
