import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { loadConfig } from '../../src/config.ts';
import { locales, translator, type Locale } from '../../src/i18n/index.ts';
import {
  accountDeactivatedEmail,
  accountLockedEmail,
  accountResetEmail,
  emailBasics,
  factorAddedEmail,
  factorRemovedEmail,
  invitationEmail,
  mfaResetEmail,
  passwordChangedEmail,
  recoveryCodesCreatedEmail,
  recoveryCodeUsedEmail,
  verificationCodeEmail,
  type RenderedEmail,
} from '../../src/mail/messages.ts';
import { englishIn, frenchSpacingProblems } from '../helpers/language-checks.ts';

const deadline = new Date('2025-03-12T10:00:00Z');
const config = loadConfig({});

/** Every email the server sends, in one language: a new one belongs in this list. */
function everyEmail(locale: Locale, on = deadline): RenderedEmail[] {
  const basics = emailBasics(config, locale);
  return [
    verificationCodeEmail({ ...basics, code: '123456', minutes: 5 }),
    passwordChangedEmail(basics),
    mfaResetEmail(basics),
    invitationEmail({ ...basics, signInUrl: 'https://sso.example.com/start?client=extranet&x=1', deadline: on }),
    recoveryCodeUsedEmail({ ...basics, left: 9 }),
    recoveryCodeUsedEmail({ ...basics, left: 1 }),
    recoveryCodeUsedEmail({ ...basics, left: 0 }),
    recoveryCodesCreatedEmail(basics),
    factorAddedEmail({ ...basics, kind: 'authenticator-app', name: 'Work phone' }),
    factorAddedEmail({ ...basics, kind: 'passkey', name: 'Laptop' }),
    factorRemovedEmail({ ...basics, kind: 'authenticator-app', name: 'Work phone' }),
    factorRemovedEmail({ ...basics, kind: 'passkey', name: 'Laptop' }),
    factorRemovedEmail({ ...basics, kind: 'recovery-codes' }),
    accountLockedEmail({ ...basics, until: on }),
    accountResetEmail({ ...basics, deadline: on }),
    accountDeactivatedEmail(basics),
  ];
}

/** What a reader of the email sees: subject, plain-text part, and the HTML part's text and alternative texts. */
function readable(email: RenderedEmail): string[] {
  const $ = cheerio.load(email.html);
  const htmlText = $('body *')
    .contents()
    .toArray()
    .filter((node) => node.type === 'text')
    .map((node) => $(node).text());
  const attributes = $('[alt], [title], [aria-label]')
    .toArray()
    .flatMap((el) => ['alt', 'title', 'aria-label'].map((name) => $(el).attr(name) ?? ''));
  return [email.subject, email.text, $('title').text(), ...htmlText, ...attributes].filter((text) => text.trim() !== '');
}

describe('email messages', () => {
  for (const locale of locales) {
    it(`renders every email in ${locale}, each with the unmonitored-address notice and the help line`, () => {
      const t = translator(locale);
      const notice = t('mail.unmonitored');
      const help = t('layout.help', { support: config.supportText[locale] });
      for (const email of everyEmail(locale)) {
        assert.match(email.subject, /Fluxys/);
        for (const part of [email.text, email.html]) {
          assert.ok(part.includes(notice), `${email.subject}: ${notice}`);
          assert.ok(part.includes(help), `${email.subject}: ${help}`);
        }
        assert.ok(email.html.includes(`<html lang="${locale}">`), email.subject);
        assert.doesNotMatch(email.text + email.html, /\{\w+\}/, 'a placeholder was left unfilled');
      }
    });
  }

  for (const locale of ['nl', 'fr', 'de'] as const) {
    it(`writes every ${locale} email without an English sentence of the catalogue`, () => {
      for (const email of everyEmail(locale)) {
        assert.deepEqual(readable(email).flatMap((text) => englishIn(text, locale)), [], email.subject);
      }
    });
  }

  it('notices English in an email, so the check above can fail', () => {
    const english = emailBasics(loadConfig({ SSO_SUPPORT_TEXT: 'please contact your Fluxys point of contact.' }), 'nl');
    const found = readable(passwordChangedEmail(english)).flatMap((text) => englishIn(text, 'nl'));
    assert.ok(found.includes('layout.supportDefault: "please contact your"'), found.join(' | '));
  });

  it('spaces French emails the French way, the plain-text link line and the 1er of the month included', () => {
    for (const email of everyEmail('fr', new Date('2025-03-01T10:00:00Z'))) {
      assert.deepEqual(readable(email).flatMap((text) => frenchSpacingProblems(text)), [], email.subject);
    }
    const invitation = everyEmail('fr', new Date('2025-03-01T10:00:00Z'))[3]!;
    assert.ok(invitation.text.includes('Accéder à la page de connexion\u00a0: https://sso.example.com/start?client=extranet&x=1'));
    assert.ok(invitation.text.includes('au plus tard le 1er mars 2025 à 10:00 UTC.'));
    assert.equal(frenchSpacingProblems('Accéder à la page de connexion: https://sso.example.com/').length, 1, 'the check can fail');
  });

  it('ends each email with the help line the operator chose for its language', () => {
    const custom = loadConfig({ SSO_SUPPORT_TEXT: 'call +32 2 000 00 00.', SSO_SUPPORT_TEXT_DE: 'rufen Sie +32 2 000 00 00 an.' });
    assert.ok(mfaResetEmail(emailBasics(custom, 'de')).text.includes('Wenn Sie Hilfe benötigen, rufen Sie +32 2 000 00 00 an.'));
    assert.ok(mfaResetEmail(emailBasics(custom, 'en')).text.includes('If you need help, call +32 2 000 00 00.'));
  });

  it('writes the English verification email as the contract words it', () => {
    const email = verificationCodeEmail({ ...emailBasics(config, 'en'), code: '123456', minutes: 5 });
    assert.equal(email.subject, 'Fluxys Extranet Identity Provider account email verification code');
    for (const part of [email.text, email.html]) {
      assert.ok(part.includes('Your code is: 123456'));
      assert.ok(part.includes('This code is valid for 5 minutes.'));
      assert.ok(part.includes('This email was sent from an unmonitored address. Please do not reply.'));
    }
  });

  it('states a validity under a minute in seconds and a single minute in the singular', () => {
    const short = verificationCodeEmail({ ...emailBasics(config, 'en'), code: '123456', minutes: 0.5 });
    assert.ok(short.text.includes('This code is valid for 30 seconds.'));
    const one = verificationCodeEmail({ ...emailBasics(config, 'nl'), code: '123456', minutes: 1 });
    assert.ok(one.text.includes('Deze code is 1 minuut geldig.'));
  });

  it('escapes every value in the HTML part and leaves the text part plain', () => {
    const brand = '<script>alert("x")</script> & Co';
    const signInUrl = 'https://sso.example.com/?a=1&b="2"';
    const email = invitationEmail({ locale: 'en', brand, support: 'please contact us.', signInUrl, deadline });
    assert.ok(!email.html.includes('<script>'));
    assert.ok(email.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
    assert.ok(email.html.includes('href="https://sso.example.com/?a=1&amp;b=&quot;2&quot;"'));
    assert.ok(email.text.includes(brand));
    assert.ok(email.text.includes(`Go to the sign-in page: ${signInUrl}`));
  });

  it('gives the invitation deadline to the minute, in UTC, as the language writes it', () => {
    const en = invitationEmail({ ...emailBasics(config, 'en'), signInUrl: 'https://sso.example.com/', deadline });
    assert.ok(en.text.includes('Please activate your account by 12 March 2025 at 10:00 UTC.'), en.text);
    assert.ok(en.text.includes('select “First time login/Forgot Password?”'));
    const de = invitationEmail({ ...emailBasics(config, 'de'), signInUrl: 'https://sso.example.com/', deadline });
    assert.ok(de.text.includes('bis spätestens 12. März 2025 um 10:00 UTC'), de.text);
    const fr = invitationEmail({ ...emailBasics(config, 'fr'), signInUrl: 'https://sso.example.com/', deadline: new Date('2025-03-01T09:30:00Z') });
    assert.ok(fr.text.includes('1er mars 2025 à 09:30 UTC'), fr.text);
    assert.ok(de.text.includes('„Erstanmeldung/Passwort vergessen?“'));
  });

  it('tells how many recovery codes are left, one in the singular, and what none means', () => {
    const left = (locale: Locale, n: number) => recoveryCodeUsedEmail({ ...emailBasics(config, locale), left: n }).text;
    assert.ok(left('en', 7).includes('You have 7 recovery codes left.'));
    assert.ok(left('en', 1).includes('You have 1 recovery code left.'));
    assert.ok(left('en', 0).includes('You have no recovery codes left'));
    assert.ok(left('nl', 1).includes('U hebt nog 1 herstelcode over.'));
    assert.ok(left('fr', 2).includes('Il vous reste 2 codes de récupération.'));
    assert.ok(left('de', 3).includes('Sie haben noch 3 Wiederherstellungscodes.'));
  });

  /** Subject and the sentences that carry each new notice, per language: what a user reads first. */
  const worded: Record<Locale, { added: string; app: string; passkey: string; removed: string; codesRemoved: string; locked: string; until: string; reset: string; resetNext: string; deactivated: string }> = {
    en: {
      added: 'A second factor was added to your Fluxys Extranet Identity Provider account',
      app: 'The authenticator app “Work phone” was added to your Fluxys Extranet Identity Provider account.',
      passkey: 'The passkey “Laptop” was removed from your Fluxys Extranet Identity Provider account.',
      removed: 'A second factor was removed from your Fluxys Extranet Identity Provider account',
      codesRemoved: 'The recovery codes of your Fluxys Extranet Identity Provider account were removed.',
      locked: 'Your Fluxys Extranet Identity Provider account was locked',
      until: 'It unlocks by itself on 12 March 2025 at 10:00 (UTC).',
      reset: 'Your Fluxys Extranet Identity Provider account was reset',
      resetNext: 'select “First time login/Forgot Password?”',
      deactivated: 'Your Fluxys Extranet Identity Provider account was deactivated',
    },
    nl: {
      added: 'Er werd een tweede factor toegevoegd aan uw account bij Fluxys Extranet Identity Provider',
      app: 'De authenticator-app “Work phone” werd toegevoegd aan uw account bij Fluxys Extranet Identity Provider.',
      passkey: 'De toegangssleutel “Laptop” werd verwijderd uit uw account bij Fluxys Extranet Identity Provider.',
      removed: 'Er werd een tweede factor verwijderd uit uw account bij Fluxys Extranet Identity Provider',
      codesRemoved: 'De herstelcodes van uw account bij Fluxys Extranet Identity Provider werden verwijderd.',
      locked: 'Uw account bij Fluxys Extranet Identity Provider werd geblokkeerd',
      until: 'De blokkering wordt vanzelf opgeheven op 12 maart 2025 om 10:00 (UTC).',
      reset: 'Uw account bij Fluxys Extranet Identity Provider werd opnieuw ingesteld',
      resetNext: 'kiest u “Eerste aanmelding/Wachtwoord vergeten?”',
      deactivated: 'Uw account bij Fluxys Extranet Identity Provider werd gedeactiveerd',
    },
    fr: {
      added: 'Un second facteur a été ajouté à votre compte Fluxys Extranet Identity Provider',
      app: 'L’application d’authentification «\u202fWork phone\u202f» a été ajoutée à votre compte Fluxys Extranet Identity Provider.',
      passkey: 'La clé d’accès «\u202fLaptop\u202f» a été retirée de votre compte Fluxys Extranet Identity Provider.',
      removed: 'Un second facteur a été retiré de votre compte Fluxys Extranet Identity Provider',
      codesRemoved: 'Les codes de récupération de votre compte Fluxys Extranet Identity Provider ont été supprimés.',
      locked: 'Votre compte Fluxys Extranet Identity Provider a été bloqué',
      until: 'Il sera débloqué automatiquement le 12 mars 2025 à 10:00 (UTC).',
      reset: 'Votre compte Fluxys Extranet Identity Provider a été réinitialisé',
      resetNext: 'sélectionnez «\u202fPremière connexion/Mot de passe oublié\u202f?\u202f»',
      deactivated: 'Votre compte Fluxys Extranet Identity Provider a été désactivé',
    },
    de: {
      added: 'Ihrem Konto beim Fluxys Extranet Identity Provider wurde ein zweiter Faktor hinzugefügt',
      app: 'Die Authenticator-App „Work phone“ wurde Ihrem Konto beim Fluxys Extranet Identity Provider hinzugefügt.',
      passkey: 'Der Passkey „Laptop“ wurde aus Ihrem Konto beim Fluxys Extranet Identity Provider entfernt.',
      removed: 'Aus Ihrem Konto beim Fluxys Extranet Identity Provider wurde ein zweiter Faktor entfernt',
      codesRemoved: 'Die Wiederherstellungscodes Ihres Kontos beim Fluxys Extranet Identity Provider wurden entfernt.',
      locked: 'Ihr Konto beim Fluxys Extranet Identity Provider wurde gesperrt',
      until: 'Die Sperre endet automatisch am 12. März 2025 um 10:00 Uhr (UTC).',
      reset: 'Ihr Konto beim Fluxys Extranet Identity Provider wurde zurückgesetzt',
      resetNext: 'wählen Sie „Erstanmeldung/Passwort vergessen?“',
      deactivated: 'Ihr Konto beim Fluxys Extranet Identity Provider wurde deaktiviert',
    },
  };

  for (const locale of locales) {
    it(`words the factor, lock, reset and deactivation emails in ${locale}, in both parts`, () => {
      const basics = emailBasics(config, locale);
      const w = worded[locale];
      const check = (email: RenderedEmail, subject: string, ...sentences: string[]) => {
        assert.equal(email.subject, subject);
        for (const sentence of sentences) {
          assert.ok(email.text.includes(sentence), `${subject}: ${sentence}`);
          const $ = cheerio.load(email.html);
          assert.ok($('body').text().includes(sentence), `HTML of ${subject}: ${sentence}`);
        }
      };
      check(factorAddedEmail({ ...basics, kind: 'authenticator-app', name: 'Work phone' }), w.added, w.app);
      check(factorRemovedEmail({ ...basics, kind: 'passkey', name: 'Laptop' }), w.removed, w.passkey);
      check(factorRemovedEmail({ ...basics, kind: 'recovery-codes' }), w.removed, w.codesRemoved);
      check(accountLockedEmail({ ...basics, until: deadline }), w.locked, w.until);
      check(accountResetEmail({ ...basics, deadline }), w.reset, w.resetNext);
      check(accountDeactivatedEmail(basics), w.deactivated);
    });
  }

  it('escapes the name a user gave a factor in the HTML part', () => {
    const email = factorAddedEmail({ ...emailBasics(config, 'en'), kind: 'passkey', name: '<b>Key</b>' });
    assert.ok(!email.html.includes('<b>Key</b>'));
    assert.ok(email.html.includes('&lt;b&gt;Key&lt;/b&gt;'));
  });
});
