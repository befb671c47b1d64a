import {
  factorChangedEmail,
  invitationEmail,
  mfaResetEmail,
  passwordChangedEmail,
  recoveryCodesCreatedEmail,
  recoveryCodeUsedEmail,
  type EmailBasics,
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
  'factor-added': (basics, params) => factorChangedEmail({ ...basics, change: 'added', kind: factorKind(required(params, 'kind')), name: required(params, 'name') }),
  'factor-removed': (basics, params) => factorChangedEmail({ ...basics, change: 'removed', kind: factorKind(required(params, 'kind')), name: required(params, 'name') }),
  invitation: (basics, params) => invitationEmail({ ...basics, signInUrl: required(params, 'signInUrl'), deadline: new Date(required(params, 'deadline')) }),
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

function factorKind(text: string): 'authenticator-app' | 'passkey' {
  if (text !== 'authenticator-app' && text !== 'passkey') throw new Error(`not a factor kind: ${text}`);
  return text;
}
