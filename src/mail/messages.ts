import { formatDate, formatWait, translator, type Locale, type Translate } from '../i18n/index.ts';
import { renderEmail, type EmailBlock, type RenderedEmail } from './render.ts';

export type { RenderedEmail } from './render.ts';

interface EmailBasics {
  readonly locale: Locale;
  /** SSO_BRAND_NAME. */
  readonly brand: string;
}

/** Every email opens with the greeting and closes with the unmonitored-address notice. */
function compose(t: Translate, brand: string, subject: string, blocks: readonly EmailBlock[]): RenderedEmail {
  return renderEmail({
    locale: t.locale,
    subject,
    heading: t('layout.serviceName', { brand }),
    blocks: [{ text: t('mail.greeting') }, ...blocks],
    footer: t('mail.unmonitored'),
  });
}

/** The emailed code of first-time login; `minutes` may be fractional for a TTL under a minute. */
export function verificationCodeEmail({
  locale,
  brand,
  code,
  minutes,
}: EmailBasics & { readonly code: string; readonly minutes: number }): RenderedEmail {
  const t = translator(locale);
  return compose(t, brand, t('mail.code.subject', { brand }), [
    { text: t('mail.code.intro', { brand }) },
    { text: t('mail.code.code', { code }), prominent: true },
    { text: t('mail.code.validity', { validity: formatWait(t, minutes * 60) }) },
    { text: t('mail.code.ignore') },
  ]);
}

export function passwordChangedEmail({ locale, brand }: EmailBasics): RenderedEmail {
  const t = translator(locale);
  return compose(t, brand, t('mail.passwordChanged.subject', { brand }), [
    { text: t('mail.passwordChanged.body', { brand }) },
    { text: t('mail.passwordChanged.notYou') },
  ]);
}

export function mfaResetEmail({ locale, brand }: EmailBasics): RenderedEmail {
  const t = translator(locale);
  return compose(t, brand, t('mail.mfaReset.subject', { brand }), [
    { text: t('mail.mfaReset.body', { brand }) },
    { text: t('mail.mfaReset.next') },
    { text: t('mail.mfaReset.notYou') },
  ]);
}

/** Sent by the operator CLI (`--send-invite`); `deadline` is when the activation window closes. */
export function invitationEmail({
  locale,
  brand,
  signInUrl,
  deadline,
}: EmailBasics & { readonly signInUrl: string; readonly deadline: Date }): RenderedEmail {
  const t = translator(locale);
  return compose(t, brand, t('mail.invitation.subject', { brand }), [
    { text: t('mail.invitation.intro', { brand }) },
    { text: t('mail.invitation.steps', { link: t('signIn.forgotLink') }) },
    { text: t('mail.invitation.button'), href: signInUrl },
    { text: t('mail.invitation.deadline', { date: formatDate(t, deadline) }) },
  ]);
}
