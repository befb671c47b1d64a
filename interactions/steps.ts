import { sendCode, showCode, showHelp, showVerified, verifyCode } from './activation.ts';
import type { StepRoute } from './context.ts';
import { showStart, submitEmail } from './email.ts';
import { showEnroll, showEnrollCode, verifyEnrollment } from './enroll.ts';
import { cancel } from './finish.ts';
import { passkeyOptions, passkeyPage, submitPasskey } from './passkey.ts';
import { showNewPassword, submitNewPassword } from './password.ts';
import { showRecovery, submitRecovery } from './recovery.ts';
import { confirmRecoveryCodes, downloadRecoveryCodes, showRecoveryCodes } from './recovery-codes.ts';
import { confirmForgot, showForgot } from './reset.ts';
import { showSignIn, submitPassword } from './signin.ts';
import { keepAccount } from './select-account.ts';
import { showSecondFactor, submitSecondFactor } from './totp.ts';

/**
 * Every route of the hosted sign-in pages, in the order a user meets them. The router is built from
 * this list and checks each route's requirement before its handler runs; the language switch
 * reloads a page from its route's `again`; the tests take their lists of routes from here. Adding a
 * step is adding its routes here, with their handlers and view.
 */
export const steps: readonly StepRoute[] = [
  { step: 'email', method: 'get', path: '', again: '', reads: 'nothing', handler: showStart, next: [] },
  { step: 'email', method: 'post', path: '/email', again: '', reads: 'nothing', handler: submitEmail, next: ['/password'] },
  // prompt=select_account: keep the account this browser is signed in with (the email page offers it).
  { step: 'email', method: 'post', path: '/continue', again: '', reads: 'nothing', handler: keepAccount },

  { step: 'password', method: 'get', path: '/password', again: '/password', reads: 'flow', requires: 'password', handler: showSignIn },
  {
    step: 'password',
    method: 'post',
    path: '/password',
    again: '/password',
    reads: 'flow',
    requires: 'password',
    proves: 'password',
    handler: submitPassword,
    next: ['/totp', '/enroll'],
  },

  { step: 'secondFactor', method: 'get', path: '/totp', again: '/totp', reads: 'flow', requires: 'secondFactor', handler: showSecondFactor },
  {
    step: 'secondFactor',
    method: 'post',
    path: '/totp',
    again: '/totp',
    reads: 'account',
    requires: 'secondFactor',
    proves: 'otp',
    handler: submitSecondFactor,
    next: ['/new-password'],
  },
  { step: 'secondFactor', method: 'get', path: '/recovery', again: '/recovery', reads: 'flow', requires: 'secondFactor', handler: showRecovery },
  {
    step: 'secondFactor',
    method: 'post',
    path: '/recovery',
    again: '/recovery',
    reads: 'account',
    requires: 'secondFactor',
    proves: 'otp',
    handler: submitRecovery,
    next: ['/new-password'],
  },

  // The passkey buttons of the sign-in and code pages (with JavaScript): the prompt's options, then its answer.
  { step: 'passkey', method: 'post', path: '/passkey/options', reads: 'flow', requires: 'passkey', handler: passkeyOptions },
  {
    step: 'passkey',
    method: 'post',
    path: '/passkey',
    again: passkeyPage,
    reads: 'account',
    requires: 'passkey',
    proves: 'passkey',
    handler: submitPasskey,
    next: ['/new-password'],
  },

  { step: 'help', method: 'get', path: '/help', again: '/help', reads: 'account', requires: 'help', handler: showHelp, next: ['/forgot'] },
  { step: 'forgot', method: 'get', path: '/forgot', again: '/forgot', reads: 'account', requires: 'forgot', handler: showForgot },
  { step: 'forgot', method: 'post', path: '/forgot', again: '/forgot', reads: 'account', requires: 'forgot', handler: confirmForgot, next: ['/totp'] },

  {
    step: 'activationSend',
    method: 'post',
    path: '/activation/send',
    again: (flow) => (flow?.codeSent === true ? '/activation/code' : '/help'),
    reads: 'account',
    requires: 'activationSend',
    handler: sendCode,
    next: ['/activation/code'],
  },
  { step: 'activationCode', method: 'get', path: '/activation/code', again: '/activation/code', reads: 'account', requires: 'activationCode', handler: showCode },
  {
    step: 'activationCode',
    method: 'post',
    path: '/activation/verify',
    again: '/activation/code',
    reads: 'account',
    requires: 'activationCode',
    proves: 'emailCode',
    handler: verifyCode,
    next: ['/activation/verified'],
  },
  {
    step: 'activationVerified',
    method: 'get',
    path: '/activation/verified',
    again: '/activation/verified',
    reads: 'account',
    requires: 'activationVerified',
    handler: showVerified,
  },

  { step: 'newPassword', method: 'get', path: '/new-password', again: '/new-password', reads: 'account', requires: 'newPassword', handler: showNewPassword },
  {
    step: 'newPassword',
    method: 'post',
    path: '/new-password',
    again: '/new-password',
    reads: 'account',
    requires: 'newPassword',
    proves: 'password',
    handler: submitNewPassword,
    next: ['/enroll'],
  },

  { step: 'enroll', method: 'get', path: '/enroll', again: '/enroll', reads: 'account', requires: 'enroll', handler: showEnroll },
  { step: 'enroll', method: 'get', path: '/enroll/verify', again: '/enroll/verify', reads: 'account', requires: 'enroll', handler: showEnrollCode, next: ['/enroll'] },
  {
    step: 'enroll',
    method: 'post',
    path: '/enroll/verify',
    again: '/enroll/verify',
    reads: 'account',
    requires: 'enroll',
    proves: 'otp',
    handler: verifyEnrollment,
    next: ['/enroll', '/recovery-codes'],
  },
  { step: 'recoveryCodes', method: 'get', path: '/recovery-codes', again: '/recovery-codes', reads: 'account', requires: 'recoveryCodes', handler: showRecoveryCodes },
  { step: 'recoveryCodes', method: 'get', path: '/recovery-codes/download', reads: 'account', requires: 'recoveryCodes', handler: downloadRecoveryCodes },
  {
    step: 'recoveryCodes',
    method: 'post',
    path: '/recovery-codes',
    again: '/recovery-codes',
    reads: 'account',
    requires: 'recoveryCodes',
    handler: confirmRecoveryCodes,
  },

  // A link on every page: the uid in its address is the interaction's own secret, so no other site can aim it.
  { step: 'cancel', method: 'get', path: '/cancel', reads: 'nothing', handler: cancel },
];
