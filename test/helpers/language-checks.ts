import { en, type MessageKey } from '../../src/i18n/en.ts';
import type { Locale } from '../../src/i18n/index.ts';

/**
 * Two checks that read a text as a native reader would, used on the catalogue, on every page state
 * the browser tests visit and on every email. Both are built from the whole English catalogue, so a
 * text another developer adds later is checked without anyone updating a list.
 */

/** Names stay as they are in every language; they are not English sentences. */
const names: readonly string[] = [
  'Extranet Identity Provider',
  'Microsoft Authenticator',
  'App Store',
  'Google Play',
  'iPhone',
  'Android',
];

/**
 * Labels of one word that the contract gives in English and that are words of another language
 * too, spelled alike: German writes "Name" and "Import" as English does.
 */
const sharedWords: Partial<Record<Exclude<Locale, 'en'>, readonly string[]>> = {
  de: ['Name', 'Import'],
};

interface EnglishPiece {
  readonly key: MessageKey;
  readonly text: string;
  readonly pattern: RegExp;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const letter = /\p{L}/u;

/**
 * What an English text says in words: the runs between its placeholders and names, trimmed, that
 * hold a letter. "please contact your {brand} point of contact." gives "please contact your" and
 * "point of contact.". A lone word between them ("{n} minute", "{brand} … account") is left out:
 * French has "minute" and Dutch "account" too. A text that is one word alone ("Continue") counts.
 */
function piecesOf(text: string): string[] {
  const splitter = new RegExp(`\\{\\w+\\}|${names.map(escape).join('|')}`, 'g');
  const pieces = text
    .split(splitter)
    .map((piece) => piece.trim())
    .filter((piece) => letter.test(piece));
  return pieces.length === 1 && pieces[0] === text.trim() ? pieces : pieces.filter((piece) => /\S\s+\S/.test(piece));
}

const englishPieces: readonly EnglishPiece[] = (Object.keys(en) as MessageKey[]).flatMap((key) =>
  piecesOf(en[key]).map((text) => ({
    key,
    text,
    // Whole words only: "Period" is no English in Dutch "Periode".
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(text).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`, 'u'),
  })),
);

/** Spaces of any width, no-break ones included, as one plain space. */
function plain(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ');
}

/**
 * The English sentences of the catalogue found in a text meant for `locale` (never English), each
 * as `key: "words"`. Empty when the text speaks only its own language.
 */
export function englishIn(text: string, locale: Exclude<Locale, 'en'>): string[] {
  const flat = plain(text);
  return englishPieces
    .filter((piece) => !(sharedWords[locale] ?? []).includes(piece.text) && piece.pattern.test(flat))
    .map((piece) => `${piece.key}: "${piece.text}"`);
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;

/**
 * Where a French text misses a no-break space: U+00A0 before ":" (when it ends a phrase, not in
 * "10:30"), U+202F before "?", "!" and ";", and inside « ». Each problem is shown in its context,
 * the spaces made visible. Addresses are left out: "https://…?a=1" is no sentence.
 */
export function frenchSpacingProblems(text: string): string[] {
  const prose = text.replace(URL_PATTERN, ' ');
  const rules: ReadonlyArray<[RegExp, string]> = [
    [/(?<!\u00a0):(?=\s|$)/gu, 'U+00A0 before ":"'],
    [/(?<!\u202f)[?!;]/gu, 'U+202F before "?", "!" or ";"'],
    [/«(?!\u202f)/gu, 'U+202F after "«"'],
    [/(?<!\u202f)»/gu, 'U+202F before "»"'],
  ];
  const shown = (excerpt: string) => excerpt.replace(/\u00a0/g, '⍽').replace(/\u202f/g, '·');
  return rules.flatMap(([pattern, rule]) =>
    [...prose.matchAll(pattern)].map((m) => `${rule}: "${shown(prose.slice(Math.max(0, m.index - 25), m.index + 5))}"`),
  );
}
