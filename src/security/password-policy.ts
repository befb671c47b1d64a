import { createRequire } from 'node:module';
import { rules } from '../config.ts';

/** The symbols CONTRACT.md section 7 allows, in its order. */
export const PASSWORD_SYMBOLS = '@#$%^&*-_!+=[]{}|\\:\',.?/`~"();';

/** Every rule a new password can break, in the order a page should list them. */
export const PASSWORD_PROBLEMS = [
  'required',
  'too-short',
  'too-long',
  'invalid-characters',
  'dot-before-at',
  'composition',
  'common',
  'contains-email',
  'mismatch',
] as const;

export type PasswordProblem = (typeof PASSWORD_PROBLEMS)[number];

const symbols = new Set(PASSWORD_SYMBOLS);

/** An email local part shorter than this is not checked: see containsEmailLocalPart. */
const MIN_LOCAL_PART_LENGTH = 3;

const require = createRequire(import.meta.url);
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The most common passwords, lowercased. Required on first use rather than imported, because the
 * package decompresses its whole dictionary when loaded and most processes (the CLI, a server that
 * sees no password change) never need it.
 */
function common(): ReadonlySet<string> {
  if (commonPasswords === undefined) {
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    commonPasswords = new Set(
      dictionary['passwords-common'].slice(0, rules.commonPasswordCount).map((p) => p.toLowerCase()),
    );
  }
  return commonPasswords;
}

/**
 * Local parts of one or two characters are ignored: refusing every password that contains "jo" or
 * "a" would reject most good passwords while protecting nothing, since such a fragment adds no
 * guessable structure to the password.
 */
function containsEmailLocalPart(lowerPassword: string, email: string): boolean {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  const localPart = at === -1 ? address : address.slice(0, at);
  return localPart.length >= MIN_LOCAL_PART_LENGTH && lowerPassword.includes(localPart);
}

interface CharacterScan {
  readonly invalid: boolean;
  readonly classes: number;
}

function scanCharacters(password: string): CharacterScan {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  let invalid = false;
  for (const c of password) {
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else if (symbols.has(c)) symbol = true;
    else invalid = true;
  }
  return { invalid, classes: [lower, upper, digit, symbol].filter(Boolean).length };
}

/**
 * Checks a new password against CONTRACT.md section 7 and returns every rule it breaks (none when
 * it is acceptable), so the page can list them all at once.
 */
export function checkPassword(password: string, confirmation: string, email: string): PasswordProblem[] {
  if (password === '') return ['required'];
  const problems = new Set<PasswordProblem>();
  // Counted in code points so that a character outside the BMP counts once, as the user sees it.
  const length = Array.from(password).length;
  if (length < rules.passwordMinLength) problems.add('too-short');
  if (length > rules.passwordMaxLength) problems.add('too-long');
  const scan = scanCharacters(password);
  if (scan.invalid) problems.add('invalid-characters');
  if (password.includes('.@')) problems.add('dot-before-at');
  if (scan.classes < 3) problems.add('composition');
  // An overlong input is refused anyway; skipping the copies and lookups keeps huge inputs cheap.
  if (length <= rules.passwordMaxLength) {
    const lowerPassword = password.toLowerCase();
    if (common().has(lowerPassword)) problems.add('common');
    if (containsEmailLocalPart(lowerPassword, email)) problems.add('contains-email');
  }
  if (password !== confirmation) problems.add('mismatch');
  return PASSWORD_PROBLEMS.filter((p) => problems.has(p));
}
