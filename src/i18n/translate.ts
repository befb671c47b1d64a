import { de } from './de.ts';
import { en, type MessageKey, type Messages } from './en.ts';
import { fr } from './fr.ts';
import type { Locale } from './locale.ts';
import { nl } from './nl.ts';

const catalogues: Readonly<Record<Locale, Messages>> = { en, nl, fr, de };

/** Values for a message's `{name}` placeholders; plain text, escaped by whoever renders it. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** Looks up and fills in the messages of one language; it carries that language for format.ts. */
export interface Translate {
  (key: MessageKey, params?: MessageParams): string;
  readonly locale: Locale;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Templates call the returned function with keys the type checker never sees, so an unknown key
 * or a missing parameter throws instead of showing a half-filled text to the user.
 */
export function translator(locale: Locale): Translate {
  const messages = catalogues[locale];
  const translate = (key: MessageKey, params: MessageParams = {}): string => {
    if (!Object.hasOwn(messages, key)) throw new Error(`Unknown message key "${key}"`);
    return messages[key].replace(PLACEHOLDER, (_match, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`Message "${key}" needs the parameter {${name}}`);
      return String(value);
    });
  };
  return Object.assign(translate, { locale });
}
