import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { de } from '../../src/i18n/de.ts';
import { en, type MessageKey, type Messages } from '../../src/i18n/en.ts';
import { fr } from '../../src/i18n/fr.ts';
import {
  formatDate,
  formatDays,
  formatWait,
  localeNames,
  locales,
  negotiateLocale,
  translator,
} from '../../src/i18n/index.ts';
import { nl } from '../../src/i18n/nl.ts';
import { PASSWORD_PROBLEMS } from '../../src/security/password-policy.ts';
import { englishIn, frenchSpacingProblems } from '../helpers/language-checks.ts';

const translations: ReadonlyArray<['nl' | 'fr' | 'de', Messages]> = [
  ['nl', nl],
  ['fr', fr],
  ['de', de],
];

/** Texts that rightly read the same as in English: the product name, French "minute(s)", a link line. */
const sameAsEnglish: ReadonlySet<string> = new Set([
  'nl:layout.serviceName',
  'fr:layout.serviceName',
  'de:layout.serviceName',
  'nl:mail.link',
  'de:mail.link',
  'fr:unit.minute.one',
  'fr:unit.minute.other',
  // German writes it as English does.
  'de:console.invite.name',
]);

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

const enKeys = Object.keys(en) as MessageKey[];

describe('message catalogue', () => {
  for (const [lang, messages] of translations) {
    it(`${lang} has exactly the keys of en, none empty`, () => {
      assert.deepEqual(Object.keys(messages).sort(), [...enKeys].sort());
      for (const key of enKeys) assert.notEqual(messages[key].trim(), '', `${lang}:${key} is empty`);
    });

    it(`${lang} translates every text`, () => {
      const untranslated = enKeys.filter((key) => messages[key] === en[key] && !sameAsEnglish.has(`${lang}:${key}`));
      assert.deepEqual(untranslated, []);
    });

    it(`${lang} uses the same placeholders as en`, () => {
      for (const key of enKeys) {
        assert.deepEqual(placeholders(messages[key]), placeholders(en[key]), `${lang}:${key}`);
      }
    });

    it(`${lang} holds no English sentence of the English catalogue, names aside`, () => {
      const english = enKeys.flatMap((key) => englishIn(messages[key], lang).map((found) => `${lang}:${key} has ${found}`));
      assert.deepEqual(english, []);
    });
  }

  it('finds English where it was left, so the check above can fail', () => {
    assert.deepEqual(englishIn('Als u hulp nodig hebt, please contact your Fluxys point of contact.', 'nl'), [
      'layout.supportDefault: "please contact your"',
      'layout.supportDefault: "point of contact."',
    ]);
    assert.deepEqual(englishIn('Cliquez sur\u00a0Continue', 'fr'), ['common.continue: "Continue"']);
    assert.deepEqual(englishIn('Wacht 30 seconds. Periode: 30 seconden', 'nl'), []);
    assert.deepEqual(englishIn('Période\u00a0: 1 minute, Microsoft Authenticator, Cliquez sur Continuer', 'fr'), []);
  });

  it('gives every French text its no-break spaces', () => {
    const problems = enKeys.flatMap((key) => frenchSpacingProblems(fr[key]).map((problem) => `fr:${key}: ${problem}`));
    assert.deepEqual(problems, []);
  });

  it('finds every missing French no-break space, so the check above can fail', () => {
    const rulesBroken = (text: string) => frenchSpacingProblems(text).map((problem) => problem.split(':')[0]);
    assert.deepEqual(rulesBroken('Erreur : oublié ? Oui ! a ; b « c »'), [
      'U+00A0 before "',
      'U+202F before "?", "!" or ";"',
      'U+202F before "?", "!" or ";"',
      'U+202F before "?", "!" or ";"',
      'U+202F after "«"',
      'U+202F before "»"',
    ]);
    assert.equal(frenchSpacingProblems('Erreur: oublié?').length, 2);
    assert.equal(frenchSpacingProblems('Erreur\u202f: oublié\u00a0?').length, 2, 'each sign has its own width of space');
    assert.deepEqual(rulesBroken('Erreur\u00a0: oublié\u202f? Oui\u202f! «\u202fx » 10:30'), ['U+202F before "»"']);
    assert.deepEqual(frenchSpacingProblems('«\u202fx\u202f» connexion\u00a0: https://sso.example.com/?a=1&b=2;c'), []);
  });

  it('says each thing with one word per language: Microsoft’s words for the code steps and the app', () => {
    const wrong: ReadonlyArray<['nl' | 'fr' | 'de', RegExp]> = [
      ['de', /Bestätigungscode|Code\s+bestätigen|Code wurde bestätigt|Bestätigung in zwei Schritten/],
      ['de', /(?<!Microsoft )Authenticator(?!-App)/],
      ['nl', /(?<!Microsoft )[Aa]uthenticator(?!-app)/],
      ['fr', /authentificateur/i],
    ];
    const found = wrong.flatMap(([lang, pattern]) => {
      const messages = Object.fromEntries(translations)[lang]!;
      return enKeys.filter((key) => pattern.test(messages[key])).map((key) => `${lang}:${key}: ${messages[key]}`);
    });
    assert.deepEqual(found, []);
    assert.deepEqual(
      (['activation.codeLabel', 'activation.verify', 'totp.submit', 'totp.heading'] as const).map((key) => de[key]),
      ['Überprüfungscode', 'Code überprüfen', 'Überprüfen', 'Zweistufige Überprüfung'],
    );
  });

  it('words the password rules as bans that read as bans in Dutch and German', () => {
    assert.equal(de['password.rulesTitle'], 'Anforderungen an Ihr Passwort:');
    for (const [lang, messages] of translations) {
      if (lang === 'fr') continue;
      const rules = enKeys.filter((key) => key.startsWith('password.rule.')).map((key) => messages[key]);
      // A list under "must:" of "not …" items reads "need not" in both languages.
      assert.ok(!/(muss|moet):$/.test(messages['password.rulesTitle']), `${lang} title`);
      assert.deepEqual(rules.filter((rule) => /\b(sein|haben|enthalten|zijn|hebben|bevatten)$/.test(rule)), [], lang);
    }
  });

  it('keeps the allowlist honest: every entry is really the same as English', () => {
    const byLang = Object.fromEntries(translations);
    for (const entry of sameAsEnglish) {
      const [lang, key] = entry.split(':') as [string, MessageKey];
      assert.equal(byLang[lang]![key], en[key], entry);
    }
  });

  it('has no empty English text', () => {
    for (const key of enKeys) assert.notEqual(en[key].trim(), '', key);
  });

  it('has a message for every password policy problem', () => {
    for (const problem of PASSWORD_PROBLEMS) assert.ok(`password.error.${problem}` in en, problem);
  });

  it('keeps the English texts of the contract verbatim', () => {
    const t = translator('en');
    const expected: ReadonlyArray<[MessageKey, string]> = [
      ['common.emailLabel', 'Email Address'],
      ['common.continue', 'Continue'],
      ['identify.error.unknown', 'An account could not be found for the provided user ID.'],
      ['identify.error.deactivated', 'Your account has been deactivated.'],
      ['signIn.heading', 'Sign in'],
      ['signIn.intro', 'Sign in with your email address'],
      ['signIn.passwordLabel', 'Password'],
      ['signIn.forgotLink', 'First time login/Forgot Password?'],
      ['signIn.submit', 'Sign in'],
      ['activation.send', 'Send verification code'],
      ['activation.sent', 'Verification code has been sent. Please copy it to the input box below.'],
      ['activation.codeLabel', 'Verification Code'],
      ['activation.verify', 'Verify code'],
      ['activation.resend', 'Send new code'],
      ['activation.verified', 'The code has been verified. You can now continue.'],
      ['password.newLabel', 'New Password'],
      ['password.confirmLabel', 'Confirm New Password'],
      ['enroll.qrAlt', 'QR code'],
      ['enroll.trouble', 'Still having trouble?'],
      ['totp.intro', 'Enter the verification code from your authenticator app.'],
      ['totp.codeLabel', 'Enter your code.'],
      ['totp.submit', 'Verify'],
      ['layout.errorSummaryTitle', 'There is a problem'],
      ['layout.errorPrefix', 'Error:'],
      ['recoveryCodes.heading', 'Save your recovery codes'],
      ['recoveryCodes.download', 'Download'],
      ['recoveryCodes.savedLabel', 'I have saved my recovery codes'],
      ['totp.useRecoveryCode', 'Use a recovery code'],
      ['recovery.codeLabel', 'Recovery code'],
      ['passkey.use', 'Use a passkey'],
      ['passkey.signIn', 'Sign in with a passkey'],
    ];
    for (const [key, text] of expected) assert.equal(t(key), text, key);
    assert.equal(
      t('mail.code.subject', { brand: 'Fluxys' }),
      'Fluxys Extranet Identity Provider account email verification code',
    );
    assert.equal(t('mail.code.code', { code: '123456' }), 'Your code is: 123456');
    assert.equal(t('layout.help', { support: 'please contact your Fluxys point of contact.' }),
      'If you need help, please contact your Fluxys point of contact.');
    assert.equal(t('layout.supportDefault', { brand: 'Fluxys' }), 'please contact your Fluxys point of contact.');
  });

  it('names every language in itself', () => {
    assert.deepEqual(Object.keys(localeNames).sort(), [...locales].sort());
  });
});

describe('translator', () => {
  it('fills in parameters, numbers included', () => {
    const t = translator('en');
    assert.equal(t('layout.serviceName', { brand: 'Acme' }), 'Acme Extranet Identity Provider');
    assert.equal(t('password.error.too-short', { min: 8 }), 'Your password must be at least 8 characters long');
  });

  it('inserts parameter values as they are, without reading placeholders inside them', () => {
    const t = translator('en');
    assert.equal(t('layout.serviceName', { brand: '<b>{brand}</b>' }), '<b>{brand}</b> Extranet Identity Provider');
  });

  it('throws on a missing parameter rather than showing a placeholder', () => {
    assert.throws(() => translator('nl')('limit.locked'), /needs the parameter \{wait\}/);
  });

  it('throws on a key that does not exist, including inherited object properties', () => {
    const t = translator('fr') as (key: string) => string;
    assert.throws(() => t('no.such.key'), /Unknown message key/);
    assert.throws(() => t('constructor'), /Unknown message key/);
  });

  it('carries its language', () => {
    assert.equal(translator('de').locale, 'de');
  });
});

describe('formatting', () => {
  const t = { en: translator('en'), nl: translator('nl'), fr: translator('fr'), de: translator('de') };

  it('gives waits in seconds under a minute, singular where the language wants it', () => {
    assert.equal(formatWait(t.en, 1), '1 second');
    assert.equal(formatWait(t.en, 30), '30 seconds');
    assert.equal(formatWait(t.nl, 30), '30 seconden');
    assert.equal(formatWait(t.fr, 1), '1 seconde');
    assert.equal(formatWait(t.de, 1), '1 Sekunde');
  });

  it('rounds waits up, so nobody comes back too early', () => {
    assert.equal(formatWait(t.en, 0), '1 second');
    assert.equal(formatWait(t.en, 0.2), '1 second');
    assert.equal(formatWait(t.en, 59.5), '1 minute');
    assert.equal(formatWait(t.en, 60), '1 minute');
    assert.equal(formatWait(t.en, 61), '2 minutes');
    assert.equal(formatWait(t.de, 900), '15 Minuten');
    assert.equal(formatWait(t.nl, 60), '1 minuut');
  });

  it('counts days', () => {
    assert.equal(formatDays(t.en, 1), '1 day');
    assert.equal(formatDays(t.en, 30), '30 days');
    assert.equal(formatDays(t.fr, 30), '30 jours');
    assert.equal(
      t.en('identify.error.activationExpired', { period: formatDays(t.en, 30) }),
      'It was not activated within 30 days of the invitation, so it must be reactivated before it can be used.',
    );
  });

  it('writes dates the way each language does, in UTC', () => {
    const date = new Date('2025-03-12T23:30:00Z');
    assert.equal(formatDate(t.en, date), '12 March 2025');
    assert.equal(formatDate(t.nl, date), '12 maart 2025');
    assert.equal(formatDate(t.fr, date), '12 mars 2025');
    assert.equal(formatDate(t.de, date), '12. März 2025');
  });

  it('writes the first of the month as French does, and only the first', () => {
    const first = new Date('2025-03-01T12:00:00Z');
    assert.equal(formatDate(t.fr, first), '1er mars 2025');
    assert.equal(formatDate(t.fr, new Date('2025-03-11T12:00:00Z')), '11 mars 2025');
    assert.equal(formatDate(t.fr, new Date('2025-03-21T12:00:00Z')), '21 mars 2025');
    assert.equal(formatDate(t.en, first), '1 March 2025');
    assert.equal(formatDate(t.nl, first), '1 maart 2025');
    assert.equal(formatDate(t.de, first), '1. März 2025');
  });
});

describe('negotiateLocale', () => {
  const cases: ReadonlyArray<[string, string | undefined, string | undefined, string]> = [
    ['nothing asked', undefined, undefined, 'en'],
    ['empty values', '', '', 'en'],
    ['ui_locales with a region', 'nl-BE', undefined, 'nl'],
    ['ui_locales in any case', 'FR-be', undefined, 'fr'],
    ['the first supported ui_locale', 'es it de fr', undefined, 'de'],
    ['ui_locales before Accept-Language', 'fr', 'de', 'fr'],
    ['Accept-Language when no ui_locale is supported', 'es ja', 'de-DE,de;q=0.9', 'de'],
    ['Accept-Language with a region', undefined, 'nl-BE', 'nl'],
    ['the heaviest supported language', undefined, 'ja, nl;q=0.5, fr;q=0.7', 'fr'],
    ['header order among equal weights', undefined, 'de;q=0.500, nl;q=0.5', 'de'],
    ['a regional tag first among equal weights', undefined, 'fr-BE, nl', 'fr'],
    ['a typical browser header', undefined, 'en-US,en;q=0.9,nl;q=0.8', 'en'],
    ['a refused language (q=0)', undefined, 'nl;q=0, de', 'de'],
    ['only refused languages', undefined, 'nl;q=0', 'en'],
    ['a wildcard before any supported language', undefined, 'ja, *;q=0.5, de;q=0.4', 'en'],
    ['an unsupported language', undefined, 'zh-CN', 'en'],
    ['malformed weights and empty items', undefined, ';;,, q=abc, nl;q=2, fr;q=0.5', 'fr'],
    ['spaces around weights', undefined, 'nl ; q = 0.2 , de ; q=0.3', 'de'],
  ];
  for (const [name, uiLocales, acceptLanguage, expected] of cases) {
    it(name, () => assert.equal(negotiateLocale(uiLocales, acceptLanguage), expected));
  }
});
