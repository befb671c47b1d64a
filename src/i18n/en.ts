/**
 * The English catalogue. It defines the keys: every other language is typed against it, so a
 * missing or misspelt key fails type-checking. Texts quoted in CONTRACT.md section 6 and 7 are
 * verbatim and must not be reworded.
 *
 * `{name}` marks a parameter. Parameters holding a duration or a date ({wait}, {period},
 * {validity}, {date}) take text already formatted for the language (see format.ts), so plurals and
 * date order stay right in every language.
 */
export const en = {
  'layout.serviceName': '{brand} Extranet Identity Provider',
  'layout.errorPrefix': 'Error:',
  'layout.errorSummaryTitle': 'There is a problem',
  'layout.help': 'If you need help, {support}',
  // SSO_SUPPORT_TEXT's default: with the brand Fluxys it is the contract's text, word for word.
  'layout.supportDefault': 'please contact your {brand} point of contact.',
  'layout.language': 'Language',
  'layout.skipLink': 'Skip to main content',

  'common.continue': 'Continue',
  'common.back': 'Back',
  'common.emailLabel': 'Email Address',
  'common.show': 'Show',
  'common.hide': 'Hide',
  'common.showPassword': 'Show password',
  'common.hidePassword': 'Hide password',

  'unit.second.one': '{n} second',
  'unit.second.other': '{n} seconds',
  'unit.minute.one': '{n} minute',
  'unit.minute.other': '{n} minutes',
  'unit.day.one': '{n} day',
  'unit.day.other': '{n} days',

  'identify.heading': 'Sign in',
  'identify.error.required': 'Enter your email address',
  'identify.error.format': 'Enter an email address in the correct format, like name@example.com',
  'identify.error.unknown': 'An account could not be found for the provided user ID.',
  'identify.error.deactivated': 'Your account has been deactivated.',
  'identify.error.activationExpired':
    'It was not activated within {period} of the invitation, so it must be reactivated before it can be used.',
  'identify.error.deactivatedByOperator': 'It must be reactivated before it can be used.',
  'identify.error.askReactivation': 'Ask your point of contact to reactivate your account.',
  'identify.signedInAs': 'You are signed in as {email}.',
  'identify.continueAs': 'Continue with this account',
  'identify.useAnother': 'Use another account',

  'signIn.heading': 'Sign in',
  'signIn.intro': 'Sign in with your email address',
  'signIn.passwordLabel': 'Password',
  'signIn.forgotLink': 'First time login/Forgot Password?',
  'signIn.submit': 'Sign in',
  'signIn.error.passwordRequired': 'Enter your password',
  'signIn.error.invalid': 'The email address or password is incorrect.',

  'limit.locked': 'Too many failed attempts. Try again in {wait}.',
  'limit.network': 'Too many failed attempts from your network. Try again in {wait}.',

  'activation.heading': 'First time login',
  'activation.intro':
    'We will send a verification code to your email address. Once you have entered it, you can choose your password.',
  'activation.send': 'Send verification code',
  'activation.sent': 'Verification code has been sent. Please copy it to the input box below.',
  'activation.codeLabel': 'Verification Code',
  'activation.codeHint': 'If the email does not arrive within a few minutes, check your spam or junk folder.',
  'activation.codeValidity': 'The code is valid for {validity}.',
  'activation.verify': 'Verify code',
  'activation.resend': 'Send new code',
  'activation.verified': 'The code has been verified. You can now continue.',
  'activation.error.codeRequired': 'Enter the verification code',
  'activation.error.codeFormat': 'Enter the 6-digit code',
  'activation.error.codeWrong': 'The code is incorrect. Check the email and try again.',
  'activation.error.codeExpired': 'This code has expired or can no longer be used. Send a new code.',
  'activation.error.resendTooSoon': 'Wait {wait} before asking for a new code.',
  'activation.error.sendLimit': 'You have asked for too many codes. Try again in {wait}.',
  'activation.error.sendFailed': 'The email could not be sent. Please try again.',

  'password.heading': 'Choose your password',
  'password.newLabel': 'New Password',
  'password.confirmLabel': 'Confirm New Password',
  'password.rulesTitle': 'Your password must:',
  'password.rule.length': 'be {min} to {max} characters long',
  'password.rule.characters':
    'use only letters (A–Z, a–z), digits (0–9) and these symbols, without spaces:',
  'password.rule.dotBeforeAt': 'not have a full stop (.) directly before the @ sign',
  'password.rule.composition':
    'contain at least 3 of these: a lowercase letter, an uppercase letter, a digit, a symbol',
  'password.rule.common': 'not be a commonly used password',
  'password.rule.email': 'not contain the part of your email address before the @ sign',
  'password.error.required': 'Enter a new password',
  'password.error.too-short': 'Your password must be at least {min} characters long',
  'password.error.too-long': 'Your password must be at most {max} characters long',
  'password.error.invalid-characters':
    'Your password can only contain letters (A–Z, a–z), digits (0–9) and the listed symbols, without spaces',
  'password.error.dot-before-at': 'Your password must not have a full stop (.) directly before the @ sign',
  'password.error.composition':
    'Your password must contain at least 3 of these: a lowercase letter, an uppercase letter, a digit, a symbol',
  'password.error.common': 'This password is too common. Choose one that is harder to guess',
  'password.error.contains-email': 'Your password must not contain the part of your email address before the @ sign',
  'password.error.mismatch': 'The passwords do not match',

  'enroll.heading': 'Set up your authenticator app',
  'enroll.intro':
    'To protect your account, you sign in with your password and a code from an authenticator app on your phone.',
  'enroll.install': 'Install Microsoft Authenticator on your phone:',
  'enroll.appStore': 'Microsoft Authenticator on the App Store (iPhone)',
  'enroll.googlePlay': 'Microsoft Authenticator on Google Play (Android)',
  'enroll.scan': 'In the app, add an account, choose “Other account”, and scan this QR code.',
  'enroll.qrAlt': 'QR code',
  'enroll.qrDescription': 'The key in this QR code is also given as text below, under “{trouble}”.',
  'enroll.trouble': 'Still having trouble?',
  'enroll.troubleLabel': '{trouble} Show the key to add the account by hand',
  'enroll.manual': 'If you cannot scan the QR code, add the account by hand with these details:',
  'enroll.accountName': 'Account name',
  'enroll.secretKey': 'Secret key',
  'enroll.algorithm': 'Algorithm',
  'enroll.digits': 'Digits',
  'enroll.period': 'Period',
  'enroll.next': 'When the app shows a 6-digit code, select Continue.',

  'totp.heading': 'Two-step verification',
  'totp.intro': 'Enter the verification code from your authenticator app.',
  'totp.codeLabel': 'Enter your code.',
  'totp.submit': 'Verify',
  'totp.lostDevice': 'Lost your phone and have no recovery code left? Ask your point of contact to reset your authenticator.',
  'totp.error.required': 'Enter the code from your authenticator app',
  'totp.error.format': 'Enter the 6-digit code',
  'totp.error.invalid': 'The code is incorrect or has already been used. Wait for a new code and try again.',

  'totp.otherWays': 'Other ways to verify',
  'totp.useRecoveryCode': 'Use a recovery code',

  'recovery.heading': 'Use a recovery code',
  'recovery.intro':
    'Enter one of the recovery codes you saved when you set up your authenticator app. Each code can be used once.',
  'recovery.codeLabel': 'Recovery code',
  'recovery.useApp': 'Use a code from your authenticator app instead',
  'recovery.error.required': 'Enter a recovery code',
  'recovery.error.format': 'Enter the recovery code as it was given: 10 letters and digits, like abcde-23456',
  'recovery.error.invalid': 'The recovery code is incorrect or has already been used.',

  'recoveryCodes.heading': 'Save your recovery codes',
  'recoveryCodes.intro':
    'If you lose your phone, you can sign in with one of these codes instead of a code from your authenticator app. Each code can be used once.',
  'recoveryCodes.keep': 'Keep them somewhere safe, such as a password manager. They are shown only this once.',
  'recoveryCodes.listLabel': 'Your recovery codes',
  'recoveryCodes.download': 'Download',
  'recoveryCodes.savedLabel': 'I have saved my recovery codes',
  'recoveryCodes.error.notSaved': 'Confirm that you have saved your recovery codes',
  'recoveryCodes.file.title': '{brand} Extranet Identity Provider recovery codes of {email}',
  'recoveryCodes.file.created': 'Created on {date}',

  'passkey.signIn': 'Sign in with a passkey',
  'passkey.use': 'Use a passkey',
  'passkey.error.cancelled': 'The passkey was not used. Try again, or choose another way to sign in.',
  'passkey.error.invalid':
    'This passkey cannot be used to sign in to this account. Try again with another passkey, or choose another way to sign in.',
  'forgot.heading': 'Reset your password',
  'forgot.intro':
    'Confirm your email address. You will then enter a code from your authenticator app and choose a new password.',
  'forgot.error.required': 'Enter your email address',
  'forgot.error.mismatch': 'Enter the email address of the account you are signing in with',

  'error.expired.title': 'Your sign-in session has expired or is no longer valid',
  'error.expired.body': 'Go back to the application and sign in again.',
  'error.badRequest.title': 'Sorry, this request could not be processed',
  'error.badRequest.body': 'Go back and try again. If the problem persists, start again from the application.',
  'error.forbidden.title': 'This form has expired',
  'error.forbidden.body': 'For your security, the form could not be submitted. Start again and submit it once more.',
  'error.notFound.title': 'Page not found',
  'error.notFound.body': 'Check the address, or go back to the application and sign in again.',
  'error.unavailable.title': 'Sorry, the service is temporarily unavailable',
  'error.unavailable.body': 'Please try again in a few minutes.',
  'error.tooMany.title': 'Too many sign-in requests from your network',
  'error.tooMany.body': 'Try again in {wait}.',
  'error.tooLarge.title': 'This request is too large',
  'error.tooLarge.body': 'The application sent more than this service accepts. Go back to the application and try again.',
  'error.generic.title': 'Sorry, something went wrong',
  'error.generic.body': 'Please try again later.',
  'error.returnToApp': 'Return to the application',
  'error.startAgain': 'Start again',
  'error.reference': 'Reference: {id}',
  'error.receivedUri': 'Address received:',
  'error.deactivated.title': 'Your account has been deactivated',
  'error.deactivated.body':
    'It must be reactivated before it can be used. Ask your point of contact to reactivate your account.',
  'error.step.title': 'This page is not available at this point',
  'error.step.body':
    'The steps of signing in must be completed in order. Go back to the application and sign in again.',

  'factors.defaultAppName': 'Authenticator app',
  'factors.defaultAppNameNumbered': 'Authenticator app {n}',
  'factors.error.tooManyApps': 'You already have the largest number of authenticator apps. Remove one before adding another.',
  'done.passwordSet.title': 'Your password has been set',
  'done.passwordSet.body': 'To continue, go back to the application and sign in again with your new password.',
  'done.passwordChanged.title': 'Your password has been changed',
  'done.passwordChanged.body': 'Go back to the application and sign in with your new password.',
  'done.authenticatorAdded.title': 'Your authenticator app has been set up',
  'done.authenticatorAdded.body': 'Go back to the application and sign in with your password and a code from the app.',
  'common.cancelSignIn': 'Cancel sign-in',

  'logout.heading': 'Sign out',
  'logout.confirm': 'Do you want to sign out?',
  'logout.submit': 'Sign out',
  'logout.stay': 'Stay signed in',
  'logout.done': 'You have been signed out.',
  'logout.doneHint': 'You can now close this window.',
  'formPost.heading': 'Returning to the application',
  'formPost.returning': 'You are being sent back to the application.',
  'formPost.signingOut': 'You are being signed out.',
  'formPost.hint': 'If nothing happens, select {button}.',

  'mail.greeting': 'Hello,',
  'mail.link': '{text}: {url}',
  'mail.unmonitored': 'This email was sent from an unmonitored address. Please do not reply.',
  'mail.code.subject': '{brand} Extranet Identity Provider account email verification code',
  'mail.code.intro': 'Use this code to confirm the email address of your {brand} Extranet Identity Provider account.',
  'mail.code.code': 'Your code is: {code}',
  'mail.code.validity': 'This code is valid for {validity}.',
  'mail.code.ignore':
    'If you did not ask for this code, someone may have entered your email address by mistake and you can ignore this email.',
  'mail.passwordChanged.subject': 'Your {brand} Extranet Identity Provider password was changed',
  'mail.passwordChanged.body': 'The password of your {brand} Extranet Identity Provider account has been changed.',
  'mail.passwordChanged.notYou': 'If you did not make this change, contact your point of contact immediately.',
  'mail.mfaReset.subject': 'Your {brand} Extranet Identity Provider authenticator was reset',
  'mail.mfaReset.body': 'The authenticator app linked to your {brand} Extranet Identity Provider account has been removed.',
  'mail.mfaReset.next':
    'The next time you sign in, you will be asked to set up an authenticator app again after entering your password.',
  'mail.mfaReset.notYou': 'If you did not ask for this, contact your point of contact immediately.',
  'mail.recoveryCodeUsed.subject': 'A recovery code of your {brand} Extranet Identity Provider account was used',
  'mail.recoveryCodeUsed.body':
    'One of the recovery codes of your {brand} Extranet Identity Provider account was just used in place of a code from your authenticator app.',
  'mail.recoveryCodeUsed.left.one': 'You have {n} recovery code left.',
  'mail.recoveryCodeUsed.left.other': 'You have {n} recovery codes left.',
  'mail.recoveryCodeUsed.none':
    'You have no recovery codes left: if you lose your phone now, only your point of contact can reset your authenticator.',
  'mail.recoveryCodeUsed.notYou': 'If you did not use it, contact your point of contact immediately.',
  'mail.recoveryCodesCreated.subject': 'New recovery codes for your {brand} Extranet Identity Provider account',
  'mail.recoveryCodesCreated.body':
    'New recovery codes were created for your {brand} Extranet Identity Provider account. The codes you had before can no longer be used.',
  'mail.invitation.subject': 'Activate your {brand} Extranet Identity Provider account',
  'mail.invitation.intro': 'An account has been created for you on the {brand} Extranet Identity Provider.',
  'mail.invitation.steps':
    'To activate it, open the sign-in page, enter your email address and select “{link}”. You will receive a verification code by email, choose a password and set up an authenticator app on your phone.',
  'mail.invitation.button': 'Go to the sign-in page',
  'mail.invitation.deadline':
    'Please activate your account by {date}. After that date it is deactivated, and your point of contact will need to reactivate it.',
  'mail.factorAdded.subject': 'A second factor was added to your {brand} Extranet Identity Provider account',
  'mail.factorAdded.authenticatorApp':
    'The authenticator app “{name}” was added to your {brand} Extranet Identity Provider account. Its codes can now be used to sign in.',
  'mail.factorAdded.passkey': 'The passkey “{name}” was added to your {brand} Extranet Identity Provider account. It can now be used to sign in.',
  'mail.factorRemoved.subject': 'A second factor was removed from your {brand} Extranet Identity Provider account',
  'mail.factorRemoved.authenticatorApp':
    'The authenticator app “{name}” was removed from your {brand} Extranet Identity Provider account. Its codes can no longer be used to sign in.',
  'mail.factorRemoved.passkey':
    'The passkey “{name}” was removed from your {brand} Extranet Identity Provider account. It can no longer be used to sign in.',
  'mail.factorRemoved.recoveryCodes':
    'The recovery codes of your {brand} Extranet Identity Provider account were removed. They can no longer be used to sign in.',
  'mail.locked.subject': 'Your {brand} Extranet Identity Provider account was locked',
  'mail.locked.body': 'Your {brand} Extranet Identity Provider account was locked after too many failed sign-in attempts.',
  'mail.locked.until': 'It unlocks by itself on {date} at {time} (UTC).',
  'mail.locked.you': 'If this was you, wait until then and sign in again. If you have forgotten your password, select “{link}” on the sign-in page.',
  'mail.locked.notYou':
    'If this was not you, someone may be trying to sign in to your account. Change your password once the lock has ended, and tell your point of contact.',
  'mail.accountReset.subject': 'Your {brand} Extranet Identity Provider account was reset',
  'mail.accountReset.body':
    'Your {brand} Extranet Identity Provider account has been reset: its password and second factors were removed and you were signed out everywhere.',
  'mail.accountReset.next':
    'To use it again, open the sign-in page, enter your email address and select “{link}”. You will receive a verification code by email, choose a new password and set up an authenticator app. Please do so by {date}.',
  'mail.deactivated.subject': 'Your {brand} Extranet Identity Provider account was deactivated',
  'mail.deactivated.body':
    'Your {brand} Extranet Identity Provider account has been deactivated: you were signed out everywhere and can no longer sign in with it.',
  'mail.deactivated.next': 'If you still need access, ask your point of contact to reactivate your account.',
} satisfies Record<string, string>;

export type MessageKey = keyof typeof en;

/** The shape every language implements: the same keys as English, any text. */
export type Messages = { readonly [K in MessageKey]: string };
