import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locales, translator } from '../../src/i18n/index.ts';
import {
  invitationEmail,
  mfaResetEmail,
  passwordChangedEmail,
  verificationCodeEmail,
  type RenderedEmail,
} from '../../src/mail/messages.ts';

const deadline = new Date('2025-03-12T10:00:00Z');

describe('email messages', () => {
  for (const locale of locales) {
    it(`renders every email in ${locale}, each with the unmonitored-address notice`, () => {
      const emails: RenderedEmail[] = [
        verificationCodeEmail({ locale, brand: 'Fluxys', code: '123456', minutes: 5 }),
        passwordChangedEmail({ locale, brand: 'Fluxys' }),
        mfaResetEmail({ locale, brand: 'Fluxys' }),
        invitationEmail({ locale, brand: 'Fluxys', signInUrl: 'https://sso.example.com/', deadline }),
      ];
      const notice = translator(locale)('mail.unmonitored');
      for (const email of emails) {
        assert.match(email.subject, /Fluxys/);
        assert.ok(email.text.includes(notice), email.subject);
        assert.ok(email.html.includes(`<html lang="${locale}">`), email.subject);
        assert.doesNotMatch(email.text + email.html, /\{\w+\}/, 'a placeholder was left unfilled');
      }
    });
  }

  it('writes the English verification email as the contract words it', () => {
    const email = verificationCodeEmail({ locale: 'en', brand: 'Fluxys', code: '123456', minutes: 5 });
    assert.equal(email.subject, 'Fluxys Extranet Identity Provider account email verification code');
    for (const part of [email.text, email.html]) {
      assert.ok(part.includes('Your code is: 123456'));
      assert.ok(part.includes('This code is valid for 5 minutes.'));
      assert.ok(part.includes('This email was sent from an unmonitored address. Please do not reply.'));
    }
  });

  it('states a validity under a minute in seconds and a single minute in the singular', () => {
    const short = verificationCodeEmail({ locale: 'en', brand: 'Fluxys', code: '123456', minutes: 0.5 });
    assert.ok(short.text.includes('This code is valid for 30 seconds.'));
    const one = verificationCodeEmail({ locale: 'nl', brand: 'Fluxys', code: '123456', minutes: 1 });
    assert.ok(one.text.includes('Deze code is 1 minuut geldig.'));
  });

  it('escapes every value in the HTML part and leaves the text part plain', () => {
    const brand = '<script>alert("x")</script> & Co';
    const signInUrl = 'https://sso.example.com/?a=1&b="2"';
    const email = invitationEmail({ locale: 'en', brand, signInUrl, deadline });
    assert.ok(!email.html.includes('<script>'));
    assert.ok(email.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
    assert.ok(email.html.includes('href="https://sso.example.com/?a=1&amp;b=&quot;2&quot;"'));
    assert.ok(email.text.includes(brand));
    assert.ok(email.text.includes(`Go to the sign-in page: ${signInUrl}`));
  });

  it('gives the invitation deadline as a date of the language', () => {
    const en = invitationEmail({ locale: 'en', brand: 'Fluxys', signInUrl: 'https://sso.example.com/', deadline });
    assert.ok(en.text.includes('Please activate your account by 12 March 2025.'));
    assert.ok(en.text.includes('select “First time login/Forgot Password?”'));
    const de = invitationEmail({ locale: 'de', brand: 'Fluxys', signInUrl: 'https://sso.example.com/', deadline });
    assert.ok(de.text.includes('bis spätestens 12. März 2025'));
    assert.ok(de.text.includes('„Erstanmeldung/Passwort vergessen?“'));
  });
});
