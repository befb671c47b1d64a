import type { Context } from 'koa';
import { isLocale, localeNames, locales, negotiateLocale, type Locale } from '../i18n/index.ts';

/**
 * The language a person picked with the switch on the pages, or the one a client asked for at
 * logout. The cookie's path scopes it: `/interaction/<uid>` holds for that interaction alone, and
 * `/session/end` carries a logout's language from its confirmation to the signed-out page.
 */
const COOKIE = 'sso_lang';

/** Where the cookie is sent; an interaction cookie lives no longer than the interaction itself. */
export interface LanguageScope {
  readonly path: string;
  readonly maxAgeSeconds: number;
}

export function chosenLanguage(ctx: Context): Locale | undefined {
  const value = ctx.cookies.get(COOKIE);
  return isLocale(value) ? value : undefined;
}

export function rememberLanguage(ctx: Context, locale: Locale, scope: LanguageScope): void {
  ctx.cookies.set(COOKIE, locale, {
    path: scope.path,
    maxAge: scope.maxAgeSeconds * 1000,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    overwrite: true,
  });
}

/**
 * The page language: the first supported tag of `wanted` (a choice, `ui_locales`, in the caller's
 * order of precedence), else the browser's Accept-Language, else English.
 */
export function pageLocale(ctx: Context, wanted: ReadonlyArray<string | undefined>): Locale {
  const tags = wanted.filter((tag) => tag !== undefined).join(' ');
  return negotiateLocale(tags || undefined, ctx.get('accept-language') || undefined);
}

/** A `?lang=` choice on a page address, when it names a language we have. */
export function languageRequested(ctx: Context): Locale | undefined {
  const value = ctx.method === 'GET' ? ctx.query.lang : undefined;
  return isLocale(value) ? value : undefined;
}

export interface LanguageLink {
  readonly code: Locale;
  readonly name: string;
  readonly href: string;
  readonly current: boolean;
}

/** The switch: every language named in itself, each link reloading the same page in that language. */
export function languageLinks(pageAddress: string, current: Locale): LanguageLink[] {
  return locales.map((code) => ({ code, name: localeNames[code], href: `${pageAddress}?lang=${code}`, current: code === current }));
}
