import type { Config } from '../config.ts';
import { formatDate, formatMoment, formatTime, formatWait, translator, type Locale, type Translate } from '../i18n/index.ts';
import type { FactorKind } from '../factors/record.ts';
import { intlTags } from '../i18n/locale.ts';
import { renderEmail, type EmailBlock, type RenderedEmail } from './render.ts';

export type { RenderedEmail } from './render.ts';

export interface EmailBasics {
  readonly locale: Locale;
  /** SSO_BRAND_NAME. */
  readonly brand: string;
  /** The help line's text in this language (Config.supportText). */
  readonly support: string;
}

/** What every email takes from the configuration, in the recipient's language. */
export function emailBasics(config: Pick<Config, 'brand' | 'supportText'>, locale: Locale): EmailBasics {
  return { locale, brand: config.brand.name, support: config.supportText[locale] };
}

/**
 * Every email opens with the greeting and closes with the unmonitored-address notice and, since
 * nobody reads replies, the help line the pages show.
 */
function compose(t: Translate, basics: EmailBasics, subject: string, blocks: readonly EmailBlock[]): RenderedEmail {
  return renderEmail({
    locale: t.locale,
    subject,
    heading: t('layout.serviceName', { brand: basics.brand }),
    blocks: [{ text: t('mail.greeting') }, ...blocks],
    footer: [t('mail.unmonitored'), t('layout.help', { support: basics.support })],
  });
}

function link(t: Translate, text: string, url: string): EmailBlock {
  return { text, href: url, line: t('mail.link', { text, url }) };
}

/** The emailed code of first-time login; `minutes` may be fractional for a TTL under a minute. */
export function verificationCodeEmail({
  code,
  minutes,
  ...basics
}: EmailBasics & { readonly code: string; readonly minutes: number }): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.code.subject', { brand }), [
    { text: t('mail.code.intro', { brand }) },
    { text: t('mail.code.code', { code }), prominent: true },
    { text: t('mail.code.validity', { validity: formatWait(t, minutes * 60) }) },
    { text: t('mail.code.ignore') },
  ]);
}

export function passwordChangedEmail(basics: EmailBasics): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.passwordChanged.subject', { brand }), [
    { text: t('mail.passwordChanged.body', { brand }) },
    { text: t('mail.passwordChanged.notYou') },
  ]);
}

export function mfaResetEmail(basics: EmailBasics): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.mfaReset.subject', { brand }), [
    { text: t('mail.mfaReset.body', { brand }) },
    { text: t('mail.mfaReset.next') },
    { text: t('mail.mfaReset.notYou') },
  ]);
}

/**
 * A recovery code was used (sign-in or password reset): says how many are left, so the user knows
 * when to make new ones, and warns when none are.
 */
export function recoveryCodeUsedEmail({ left, ...basics }: EmailBasics & { readonly left: number }): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  const remaining =
    left === 0
      ? t('mail.recoveryCodeUsed.none')
      : t(new Intl.PluralRules(intlTags[t.locale]).select(left) === 'one' ? 'mail.recoveryCodeUsed.left.one' : 'mail.recoveryCodeUsed.left.other', { n: left });
  return compose(t, basics, t('mail.recoveryCodeUsed.subject', { brand }), [
    { text: t('mail.recoveryCodeUsed.body', { brand }) },
    { text: remaining, prominent: true },
    { text: t('mail.recoveryCodeUsed.notYou') },
  ]);
}

export function recoveryCodesCreatedEmail(basics: EmailBasics): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.recoveryCodesCreated.subject', { brand }), [
    { text: t('mail.recoveryCodesCreated.body', { brand }) },
    { text: t('mail.passwordChanged.notYou') },
  ]);
}

/**
 * Sent by the operator CLI (`--send-invite`) and the console alike; `signInUrl` starts first-time
 * login with the email filled in (src/accounts/invitation.ts), `deadline` is when the activation
 * window closes, given to the minute.
 */
export function invitationEmail({
  signInUrl,
  deadline,
  ...basics
}: EmailBasics & { readonly signInUrl: string; readonly deadline: Date }): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.invitation.subject', { brand }), [
    { text: t('mail.invitation.intro', { brand }) },
    { text: t('mail.invitation.steps', { link: t('signIn.forgotLink') }) },
    link(t, t('mail.invitation.button'), signInUrl),
    { text: t('mail.invitation.deadline', { date: formatMoment(t, deadline) }) },
  ]);
}

/** The second factors an account names and adds one at a time (recovery codes come as a set, with emails of their own). */
export type NamedFactorKind = Exclude<FactorKind, 'recovery-codes'>;

const addedSentence = { 'authenticator-app': 'mail.factorAdded.authenticatorApp', passkey: 'mail.factorAdded.passkey' } as const;
const removedSentence = {
  'authenticator-app': 'mail.factorRemoved.authenticatorApp',
  passkey: 'mail.factorRemoved.passkey',
  'recovery-codes': 'mail.factorRemoved.recoveryCodes',
} as const;

/** An authenticator app or a passkey was added to an account already in use (not during its activation). */
export function factorAddedEmail({ kind, name, ...basics }: EmailBasics & { readonly kind: NamedFactorKind; readonly name: string }): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.factorAdded.subject', { brand }), [
    { text: t(addedSentence[kind], { brand, name }) },
    { text: t('mail.passwordChanged.notYou') },
  ]);
}

/** A second factor was removed; recovery codes have no name. */
export function factorRemovedEmail({
  kind,
  name,
  ...basics
}: EmailBasics & ({ readonly kind: NamedFactorKind; readonly name: string } | { readonly kind: 'recovery-codes'; readonly name?: undefined })): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.factorRemoved.subject', { brand }), [
    { text: t(removedSentence[kind], { brand, name: name ?? '' }) },
    { text: t('mail.passwordChanged.notYou') },
  ]);
}

/**
 * The brute-force lock started (once per lock): when it ends, in UTC since the server knows no
 * user's time zone, and what to do whether or not the attempts were the user's.
 */
export function accountLockedEmail({ until, ...basics }: EmailBasics & { readonly until: Date }): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.locked.subject', { brand }), [
    { text: t('mail.locked.body', { brand }) },
    { text: t('mail.locked.until', { date: formatDate(t, until), time: formatTime(t, until) }), prominent: true },
    { text: t('mail.locked.you', { link: t('signIn.forgotLink') }) },
    { text: t('mail.locked.notYou') },
  ]);
}

/** An operator reset the account: first-time login again, by `deadline` (the new activation window). */
export function accountResetEmail({ deadline, ...basics }: EmailBasics & { readonly deadline: Date }): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.accountReset.subject', { brand }), [
    { text: t('mail.accountReset.body', { brand }) },
    { text: t('mail.accountReset.next', { link: t('signIn.forgotLink'), date: formatDate(t, deadline) }) },
    { text: t('mail.mfaReset.notYou') },
  ]);
}

export function accountDeactivatedEmail(basics: EmailBasics): RenderedEmail {
  const { brand } = basics;
  const t = translator(basics.locale);
  return compose(t, basics, t('mail.deactivated.subject', { brand }), [
    { text: t('mail.deactivated.body', { brand }) },
    { text: t('mail.deactivated.next') },
  ]);
}
