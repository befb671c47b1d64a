import {
  accountDeactivatedEmail,
  accountLockedEmail,
  accountResetEmail,
  factorAddedEmail,
  factorRemovedEmail,
  invitationEmail,
  mfaResetEmail,
  passwordChangedEmail,
  recoveryCodesCreatedEmail,
  recoveryCodeUsedEmail,
  type EmailBasics,
  type NamedFactorKind,
  type RenderedEmail,
} from './messages.ts';

/**
 * The emails an account change owes its user, by name: an account task (src/accounts/tasks.ts)
 * names one with its parameters, so the email can be sent later, by another process, in the
 * user's language. A notice given parameters it cannot use throws, and the task stays owed.
 */
export const notices = {
  'password-changed': (basics) => passwordChangedEmail(basics),
  'mfa-reset': (basics) => mfaResetEmail(basics),
  'recovery-code-used': (basics, params) => recoveryCodeUsedEmail({ ...basics, left: count(required(params, 'left')) }),
  'recovery-codes-created': (basics) => recoveryCodesCreatedEmail(basics),
  invitation: (basics, params) => invitationEmail({ ...basics, signInUrl: required(params, 'signInUrl'), deadline: date(required(params, 'deadline')) }),
  'factor-added': (basics, params) => factorAddedEmail({ ...basics, kind: namedKind(required(params, 'kind')), name: required(params, 'name') }),
  'factor-removed': (basics, params) => {
    const kind = required(params, 'kind');
    return kind === 'recovery-codes' ? factorRemovedEmail({ ...basics, kind }) : factorRemovedEmail({ ...basics, kind: namedKind(kind), name: required(params, 'name') });
  },
  'account-locked': (basics, params) => accountLockedEmail({ ...basics, until: date(required(params, 'until')) }),
  'account-reset': (basics, params) => accountResetEmail({ ...basics, deadline: date(required(params, 'deadline')) }),
  'account-deactivated': (basics) => accountDeactivatedEmail(basics),
} satisfies Record<string, (basics: EmailBasics, params: Readonly<Record<string, string>>) => RenderedEmail>;

export type NoticeName = keyof typeof notices;

function required(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined) throw new Error(`the notice needs its ${name}`);
  return value;
}

function count(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${text}`);
  return n;
}

function date(text: string): Date {
  const value = new Date(text);
  if (Number.isNaN(value.getTime())) throw new Error(`not a date: ${text}`);
  return value;
}

function namedKind(text: string): NamedFactorKind {
  if (text === 'authenticator-app' || text === 'passkey') return text;
  throw new Error(`not a factor added or removed by name: ${text}`);
}
