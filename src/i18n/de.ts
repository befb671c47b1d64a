import type { Messages } from './en.ts';

/** German as used in Belgium (the same as in Germany), formal ("Sie"). */
export const de: Messages = {
  // The service name is a product name and stays as it is in every language.
  'layout.serviceName': '{brand} Extranet Identity Provider',
  'layout.errorPrefix': 'Fehler:',
  'layout.errorSummaryTitle': 'Es ist ein Problem aufgetreten',
  'layout.help': 'Wenn Sie Hilfe benötigen, {support}',
  'layout.supportDefault': 'wenden Sie sich an Ihre Kontaktperson bei {brand}.',
  'layout.language': 'Sprache',
  'layout.skipLink': 'Zum Hauptinhalt springen',

  'common.continue': 'Weiter',
  'common.back': 'Zurück',
  'common.emailLabel': 'E-Mail-Adresse',
  'common.show': 'Anzeigen',
  'common.hide': 'Ausblenden',
  'common.showPassword': 'Passwort anzeigen',
  'common.hidePassword': 'Passwort ausblenden',

  'unit.second.one': '{n} Sekunde',
  'unit.second.other': '{n} Sekunden',
  'unit.minute.one': '{n} Minute',
  'unit.minute.other': '{n} Minuten',
  // Dative plural: days only appear after "innerhalb von".
  'unit.day.one': '{n} Tag',
  'unit.day.other': '{n} Tagen',

  'identify.heading': 'Anmelden',
  'identify.error.required': 'Geben Sie Ihre E-Mail-Adresse ein',
  'identify.error.format': 'Geben Sie eine E-Mail-Adresse im richtigen Format ein, zum Beispiel name@example.com',
  'identify.error.unknown': 'Für die angegebene Benutzerkennung wurde kein Konto gefunden.',
  'identify.error.deactivated': 'Ihr Konto wurde deaktiviert.',
  'identify.error.activationExpired':
    'Es wurde nicht innerhalb von {period} nach der Einladung aktiviert und muss daher reaktiviert werden, bevor es genutzt werden kann.',
  'identify.error.deactivatedByOperator': 'Es muss reaktiviert werden, bevor es genutzt werden kann.',
  'identify.error.askReactivation': 'Bitten Sie Ihre Kontaktperson, Ihr Konto zu reaktivieren.',
  'identify.signedInAs': 'Sie sind als {email} angemeldet.',
  'identify.continueAs': 'Mit diesem Konto fortfahren',
  'identify.useAnother': 'Ein anderes Konto verwenden',

  'signIn.heading': 'Anmelden',
  'signIn.intro': 'Melden Sie sich mit Ihrer E-Mail-Adresse an',
  'signIn.passwordLabel': 'Passwort',
  'signIn.forgotLink': 'Erstanmeldung/Passwort vergessen?',
  'signIn.submit': 'Anmelden',
  'signIn.error.passwordRequired': 'Geben Sie Ihr Passwort ein',
  'signIn.error.invalid': 'Die E-Mail-Adresse oder das Passwort ist falsch.',

  'limit.locked': 'Zu viele fehlgeschlagene Versuche. Versuchen Sie es in {wait} erneut.',
  'limit.network': 'Zu viele fehlgeschlagene Versuche aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut.',

  'activation.heading': 'Erstanmeldung',
  // Microsoft's words for the code steps: "bestätigen" means "confirm" elsewhere on these pages.
  'activation.intro':
    'Wir senden einen Überprüfungscode an Ihre E-Mail-Adresse. Sobald Sie ihn eingegeben haben, können Sie Ihr Passwort wählen.',
  'activation.send': 'Überprüfungscode senden',
  'activation.sent': 'Der Überprüfungscode wurde gesendet. Bitte kopieren Sie ihn in das Eingabefeld unten.',
  'activation.codeLabel': 'Überprüfungscode',
  'activation.codeHint': 'Wenn die E-Mail nicht innerhalb weniger Minuten ankommt, sehen Sie in Ihrem Spam-Ordner nach.',
  'activation.codeValidity': 'Der Code ist {validity} gültig.',
  'activation.verify': 'Code überprüfen',
  'activation.resend': 'Neuen Code senden',
  'activation.verified': 'Der Code wurde überprüft. Sie können jetzt fortfahren.',
  'activation.error.codeRequired': 'Geben Sie den Überprüfungscode ein',
  'activation.error.codeFormat': 'Geben Sie den 6-stelligen Code ein',
  'activation.error.codeWrong': 'Der Code ist falsch. Prüfen Sie die E-Mail und versuchen Sie es erneut.',
  'activation.error.codeExpired':
    'Dieser Code ist abgelaufen oder kann nicht mehr verwendet werden. Fordern Sie einen neuen Code an.',
  'activation.error.resendTooSoon': 'Warten Sie {wait}, bevor Sie einen neuen Code anfordern.',
  'activation.error.sendLimit': 'Sie haben zu viele Codes angefordert. Versuchen Sie es in {wait} erneut.',
  'activation.error.sendFailed': 'Die E-Mail konnte nicht gesendet werden. Bitte versuchen Sie es erneut.',

  'password.heading': 'Wählen Sie Ihr Passwort',
  'password.newLabel': 'Neues Passwort',
  'password.confirmLabel': 'Neues Passwort bestätigen',
  // Noun phrases under a title: after "Ihr Passwort muss:", "kein … sein" reads as "need not be".
  'password.rulesTitle': 'Anforderungen an Ihr Passwort:',
  'password.rule.length': '{min} bis {max} Zeichen',
  'password.rule.characters': 'nur Buchstaben (A–Z, a–z), Ziffern (0–9) und diese Sonderzeichen, ohne Leerzeichen:',
  'password.rule.dotBeforeAt': 'kein Punkt (.) direkt vor dem @-Zeichen',
  'password.rule.composition': 'mindestens 3 dieser Zeichenarten: Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen',
  'password.rule.common': 'kein häufig verwendetes Passwort',
  'password.rule.email': 'ohne den Teil Ihrer E-Mail-Adresse vor dem @-Zeichen',
  'password.error.required': 'Geben Sie ein neues Passwort ein',
  'password.error.too-short': 'Ihr Passwort muss mindestens {min} Zeichen lang sein',
  'password.error.too-long': 'Ihr Passwort darf höchstens {max} Zeichen lang sein',
  'password.error.invalid-characters':
    'Ihr Passwort darf nur Buchstaben (A–Z, a–z), Ziffern (0–9) und die aufgeführten Sonderzeichen enthalten, ohne Leerzeichen',
  'password.error.dot-before-at': 'Ihr Passwort darf keinen Punkt (.) direkt vor dem @-Zeichen haben',
  'password.error.composition':
    'Ihr Passwort muss mindestens 3 davon enthalten: einen Kleinbuchstaben, einen Großbuchstaben, eine Ziffer, ein Sonderzeichen',
  'password.error.common': 'Dieses Passwort ist zu häufig. Wählen Sie eines, das schwerer zu erraten ist',
  'password.error.contains-email': 'Ihr Passwort darf nicht den Teil Ihrer E-Mail-Adresse vor dem @-Zeichen enthalten',
  'password.error.mismatch': 'Die Passwörter stimmen nicht überein',

  'enroll.heading': 'Richten Sie Ihre Authenticator-App ein',
  'enroll.intro':
    'Zum Schutz Ihres Kontos melden Sie sich mit Ihrem Passwort und einem Code aus einer Authenticator-App auf Ihrem Telefon an.',
  'enroll.install': 'Installieren Sie Microsoft Authenticator auf Ihrem Telefon:',
  'enroll.appStore': 'Microsoft Authenticator im App Store (iPhone)',
  'enroll.googlePlay': 'Microsoft Authenticator bei Google Play (Android)',
  'enroll.scan': 'Fügen Sie in der App ein Konto hinzu, wählen Sie „Anderes Konto“ und scannen Sie diesen QR-Code.',
  'enroll.qrAlt': 'QR-Code',
  'enroll.qrDescription': 'Der Schlüssel in diesem QR-Code steht unten auch als Text, unter „{trouble}“.',
  'enroll.trouble': 'Funktioniert es immer noch nicht?',
  'enroll.troubleLabel': '{trouble} Schlüssel anzeigen, um das Konto manuell hinzuzufügen',
  'enroll.manual': 'Wenn Sie den QR-Code nicht scannen können, fügen Sie das Konto manuell mit diesen Angaben hinzu:',
  'enroll.accountName': 'Kontoname',
  'enroll.secretKey': 'Geheimer Schlüssel',
  'enroll.algorithm': 'Algorithmus',
  'enroll.digits': 'Ziffern',
  'enroll.period': 'Intervall',
  'enroll.next': 'Sobald die App einen 6-stelligen Code anzeigt, wählen Sie Weiter.',

  'totp.heading': 'Zweistufige Überprüfung',
  'totp.intro': 'Geben Sie den Überprüfungscode aus Ihrer Authenticator-App ein.',
  'totp.codeLabel': 'Geben Sie Ihren Code ein.',
  'totp.submit': 'Überprüfen',
  'totp.lostDevice':
    'Telefon verloren und kein Wiederherstellungscode mehr übrig? Bitten Sie Ihre Kontaktperson, Ihre Authenticator-App zurückzusetzen.',
  'totp.error.required': 'Geben Sie den Code aus Ihrer Authenticator-App ein',
  'totp.error.format': 'Geben Sie den 6-stelligen Code ein',
  'totp.error.invalid':
    'Der Code ist falsch oder wurde bereits verwendet. Warten Sie auf einen neuen Code und versuchen Sie es erneut.',

  'totp.otherWays': 'Andere Überprüfungsmethoden',
  'totp.useRecoveryCode': 'Wiederherstellungscode verwenden',

  'recovery.heading': 'Wiederherstellungscode verwenden',
  'recovery.intro':
    'Geben Sie einen der Wiederherstellungscodes ein, die Sie beim Einrichten Ihrer Authenticator-App gespeichert haben. Jeder Code kann einmal verwendet werden.',
  'recovery.codeLabel': 'Wiederherstellungscode',
  'recovery.useApp': 'Stattdessen einen Code aus Ihrer Authenticator-App verwenden',
  'recovery.error.required': 'Geben Sie einen Wiederherstellungscode ein',
  'recovery.error.format': 'Geben Sie den Wiederherstellungscode so ein, wie Sie ihn erhalten haben: 10 Buchstaben und Ziffern, zum Beispiel abcde-23456',
  'recovery.error.invalid': 'Der Wiederherstellungscode ist falsch oder wurde bereits verwendet.',

  'recoveryCodes.heading': 'Speichern Sie Ihre Wiederherstellungscodes',
  'recoveryCodes.intro':
    'Wenn Sie Ihr Telefon verlieren, können Sie sich mit einem dieser Codes anstelle eines Codes aus Ihrer Authenticator-App anmelden. Jeder Code kann einmal verwendet werden.',
  'recoveryCodes.keep': 'Bewahren Sie sie sicher auf, zum Beispiel in einem Passwort-Manager. Sie werden nur dieses eine Mal angezeigt.',
  'recoveryCodes.listLabel': 'Ihre Wiederherstellungscodes',
  'recoveryCodes.download': 'Herunterladen',
  'recoveryCodes.savedLabel': 'Ich habe meine Wiederherstellungscodes gespeichert',
  'recoveryCodes.error.notSaved': 'Bestätigen Sie, dass Sie Ihre Wiederherstellungscodes gespeichert haben',
  'recoveryCodes.file.title': 'Wiederherstellungscodes von {email} für den {brand} Extranet Identity Provider',
  'recoveryCodes.file.created': 'Erstellt am {date}',

  'passkey.signIn': 'Mit einem Passkey anmelden',
  'passkey.use': 'Passkey verwenden',
  'passkey.error.cancelled': 'Der Passkey wurde nicht verwendet. Versuchen Sie es erneut, oder wählen Sie eine andere Anmeldemethode.',
  'passkey.error.invalid':
    'Mit diesem Passkey können Sie sich nicht bei diesem Konto anmelden. Versuchen Sie es mit einem anderen Passkey, oder wählen Sie eine andere Anmeldemethode.',
  'forgot.heading': 'Passwort zurücksetzen',
  'forgot.intro':
    'Bestätigen Sie Ihre E-Mail-Adresse. Anschließend geben Sie einen Code aus Ihrer Authenticator-App ein und wählen ein neues Passwort.',
  'forgot.error.required': 'Geben Sie Ihre E-Mail-Adresse ein',
  'forgot.error.mismatch': 'Geben Sie die E-Mail-Adresse des Kontos ein, mit dem Sie sich anmelden',

  'error.expired.title': 'Ihre Anmeldesitzung ist abgelaufen oder nicht mehr gültig',
  'error.expired.body': 'Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.',
  'error.badRequest.title': 'Diese Anfrage konnte leider nicht verarbeitet werden',
  'error.badRequest.body':
    'Gehen Sie zurück und versuchen Sie es erneut. Wenn das Problem weiterhin besteht, beginnen Sie erneut in der Anwendung.',
  'error.forbidden.title': 'Dieses Formular ist abgelaufen',
  'error.forbidden.body':
    'Zu Ihrer Sicherheit konnte das Formular nicht gesendet werden. Beginnen Sie erneut und senden Sie es noch einmal.',
  'error.notFound.title': 'Seite nicht gefunden',
  'error.notFound.body': 'Prüfen Sie die Adresse oder kehren Sie zur Anwendung zurück und melden Sie sich erneut an.',
  'error.unavailable.title': 'Der Dienst ist vorübergehend nicht verfügbar',
  'error.unavailable.body': 'Bitte versuchen Sie es in einigen Minuten erneut.',
  'error.tooMany.title': 'Zu viele Anmeldeanfragen aus Ihrem Netzwerk',
  'error.tooMany.body': 'Versuchen Sie es in {wait} erneut.',
  'error.tooLarge.title': 'Diese Anfrage ist zu groß',
  'error.tooLarge.body': 'Die Anwendung hat mehr gesendet, als dieser Dienst annimmt. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.',
  'error.generic.title': 'Leider ist ein Fehler aufgetreten',
  'error.generic.body': 'Bitte versuchen Sie es später erneut.',
  'error.returnToApp': 'Zurück zur Anwendung',
  'error.startAgain': 'Neu beginnen',
  'error.reference': 'Referenz: {id}',
  'error.receivedUri': 'Empfangene Adresse:',
  'error.deactivated.title': 'Ihr Konto wurde deaktiviert',
  'error.deactivated.body':
    'Es muss reaktiviert werden, bevor es genutzt werden kann. Bitten Sie Ihre Kontaktperson, Ihr Konto zu reaktivieren.',
  'error.step.title': 'Diese Seite ist an dieser Stelle nicht verfügbar',
  'error.step.body':
    'Die Schritte der Anmeldung müssen der Reihe nach durchlaufen werden. Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.',

  'factors.defaultAppName': 'Authenticator-App',
  'factors.defaultAppNameNumbered': 'Authenticator-App {n}',
  'factors.error.tooManyApps': 'Sie haben bereits die Höchstzahl an Authenticator-Apps. Entfernen Sie eine, bevor Sie eine weitere hinzufügen.',
  'done.passwordSet.title': 'Ihr Passwort wurde festgelegt',
  'done.passwordSet.body': 'Kehren Sie zur Anwendung zurück und melden Sie sich mit Ihrem neuen Passwort erneut an, um fortzufahren.',
  'done.passwordChanged.title': 'Ihr Passwort wurde geändert',
  'done.passwordChanged.body': 'Kehren Sie zur Anwendung zurück und melden Sie sich mit Ihrem neuen Passwort an.',
  'done.authenticatorAdded.title': 'Ihre Authenticator-App ist eingerichtet',
  'done.authenticatorAdded.body': 'Kehren Sie zur Anwendung zurück und melden Sie sich mit Ihrem Passwort und einem Code aus der App an.',
  'common.cancelSignIn': 'Anmeldung abbrechen',

  'logout.heading': 'Abmelden',
  'logout.confirm': 'Möchten Sie sich abmelden?',
  'logout.submit': 'Abmelden',
  'logout.stay': 'Angemeldet bleiben',
  'logout.done': 'Sie wurden abgemeldet.',
  'logout.doneHint': 'Sie können dieses Fenster jetzt schließen.',
  'formPost.heading': 'Zurück zur Anwendung',
  'formPost.returning': 'Sie werden zur Anwendung zurückgeleitet.',
  'formPost.signingOut': 'Sie werden abgemeldet.',
  'formPost.hint': 'Wenn nichts passiert, wählen Sie {button}.',

  'mail.greeting': 'Guten Tag,',
  'mail.link': '{text}: {url}',
  'mail.unmonitored':
    'Diese E-Mail wurde von einer Adresse gesendet, die nicht überwacht wird. Bitte antworten Sie nicht darauf.',
  'mail.code.subject': 'Überprüfungscode für die E-Mail-Adresse Ihres Kontos beim {brand} Extranet Identity Provider',
  'mail.code.intro':
    'Verwenden Sie diesen Code, um die E-Mail-Adresse Ihres Kontos beim {brand} Extranet Identity Provider zu bestätigen.',
  'mail.code.code': 'Ihr Code lautet: {code}',
  'mail.code.validity': 'Dieser Code ist {validity} gültig.',
  'mail.code.ignore':
    'Wenn Sie diesen Code nicht angefordert haben, hat möglicherweise jemand Ihre E-Mail-Adresse versehentlich eingegeben, und Sie können diese E-Mail ignorieren.',
  'mail.passwordChanged.subject': 'Das Passwort Ihres Kontos beim {brand} Extranet Identity Provider wurde geändert',
  'mail.passwordChanged.body': 'Das Passwort Ihres Kontos beim {brand} Extranet Identity Provider wurde geändert.',
  'mail.passwordChanged.notYou':
    'Wenn Sie diese Änderung nicht vorgenommen haben, wenden Sie sich sofort an Ihre Kontaktperson.',
  'mail.mfaReset.subject':
    'Die Authenticator-App Ihres Kontos beim {brand} Extranet Identity Provider wurde zurückgesetzt',
  'mail.mfaReset.body': 'Die Authenticator-App, die mit Ihrem Konto beim {brand} Extranet Identity Provider verknüpft war, wurde entfernt.',
  'mail.mfaReset.next':
    'Bei Ihrer nächsten Anmeldung werden Sie nach der Eingabe Ihres Passworts gebeten, erneut eine Authenticator-App einzurichten.',
  'mail.mfaReset.notYou': 'Wenn Sie dies nicht veranlasst haben, wenden Sie sich sofort an Ihre Kontaktperson.',
  'mail.recoveryCodeUsed.subject': 'Ein Wiederherstellungscode Ihres Kontos beim {brand} Extranet Identity Provider wurde verwendet',
  'mail.recoveryCodeUsed.body':
    'Soeben wurde einer der Wiederherstellungscodes Ihres Kontos beim {brand} Extranet Identity Provider anstelle eines Codes aus Ihrer Authenticator-App verwendet.',
  'mail.recoveryCodeUsed.left.one': 'Sie haben noch {n} Wiederherstellungscode.',
  'mail.recoveryCodeUsed.left.other': 'Sie haben noch {n} Wiederherstellungscodes.',
  'mail.recoveryCodeUsed.none':
    'Sie haben keine Wiederherstellungscodes mehr: Wenn Sie jetzt Ihr Telefon verlieren, kann nur Ihre Kontaktperson Ihre Authenticator-App zurücksetzen.',
  'mail.recoveryCodeUsed.notYou': 'Wenn Sie diesen Code nicht verwendet haben, wenden Sie sich sofort an Ihre Kontaktperson.',
  'mail.recoveryCodesCreated.subject': 'Neue Wiederherstellungscodes für Ihr Konto beim {brand} Extranet Identity Provider',
  'mail.recoveryCodesCreated.body':
    'Für Ihr Konto beim {brand} Extranet Identity Provider wurden neue Wiederherstellungscodes erstellt. Ihre bisherigen Codes können nicht mehr verwendet werden.',
  'mail.invitation.subject': 'Aktivieren Sie Ihr Konto beim {brand} Extranet Identity Provider',
  'mail.invitation.intro': 'Für Sie wurde ein Konto beim {brand} Extranet Identity Provider angelegt.',
  'mail.invitation.steps':
    'Öffnen Sie zur Aktivierung die Anmeldeseite, geben Sie Ihre E-Mail-Adresse ein und wählen Sie „{link}“. Sie erhalten einen Überprüfungscode per E-Mail, wählen ein Passwort und richten eine Authenticator-App auf Ihrem Telefon ein.',
  'mail.invitation.button': 'Zur Anmeldeseite',
  'mail.invitation.deadline':
    'Bitte aktivieren Sie Ihr Konto bis spätestens {date}. Danach wird es deaktiviert und Ihre Kontaktperson muss es reaktivieren.',
  'mail.factorAdded.subject': 'Ihrem Konto beim {brand} Extranet Identity Provider wurde ein zweiter Faktor hinzugefügt',
  'mail.factorAdded.authenticatorApp':
    'Die Authenticator-App „{name}“ wurde Ihrem Konto beim {brand} Extranet Identity Provider hinzugefügt. Mit ihren Codes können Sie sich ab jetzt anmelden.',
  'mail.factorAdded.passkey':
    'Der Passkey „{name}“ wurde Ihrem Konto beim {brand} Extranet Identity Provider hinzugefügt. Sie können sich ab jetzt damit anmelden.',
  'mail.factorRemoved.subject': 'Aus Ihrem Konto beim {brand} Extranet Identity Provider wurde ein zweiter Faktor entfernt',
  'mail.factorRemoved.authenticatorApp':
    'Die Authenticator-App „{name}“ wurde aus Ihrem Konto beim {brand} Extranet Identity Provider entfernt. Mit ihren Codes können Sie sich nicht mehr anmelden.',
  'mail.factorRemoved.passkey':
    'Der Passkey „{name}“ wurde aus Ihrem Konto beim {brand} Extranet Identity Provider entfernt. Sie können sich nicht mehr damit anmelden.',
  'mail.factorRemoved.recoveryCodes':
    'Die Wiederherstellungscodes Ihres Kontos beim {brand} Extranet Identity Provider wurden entfernt. Sie können sich nicht mehr damit anmelden.',
  'mail.locked.subject': 'Ihr Konto beim {brand} Extranet Identity Provider wurde gesperrt',
  'mail.locked.body': 'Ihr Konto beim {brand} Extranet Identity Provider wurde nach zu vielen fehlgeschlagenen Anmeldeversuchen gesperrt.',
  'mail.locked.until': 'Die Sperre endet automatisch am {date} um {time} Uhr (UTC).',
  'mail.locked.you':
    'Wenn Sie das waren, warten Sie bis dahin und melden Sie sich erneut an. Wenn Sie Ihr Passwort vergessen haben, wählen Sie auf der Anmeldeseite „{link}“.',
  'mail.locked.notYou':
    'Wenn Sie das nicht waren, versucht möglicherweise jemand, sich mit Ihrem Konto anzumelden. Ändern Sie Ihr Passwort, sobald die Sperre beendet ist, und informieren Sie Ihre Kontaktperson.',
  'mail.accountReset.subject': 'Ihr Konto beim {brand} Extranet Identity Provider wurde zurückgesetzt',
  'mail.accountReset.body':
    'Ihr Konto beim {brand} Extranet Identity Provider wurde zurückgesetzt: Passwort und zweite Faktoren wurden entfernt und Sie wurden überall abgemeldet.',
  'mail.accountReset.next':
    'Um es wieder zu verwenden, öffnen Sie die Anmeldeseite, geben Sie Ihre E-Mail-Adresse ein und wählen Sie „{link}“. Sie erhalten einen Überprüfungscode per E-Mail, wählen ein neues Passwort und richten eine Authenticator-App ein. Bitte tun Sie dies bis spätestens {date}.',
  'mail.deactivated.subject': 'Ihr Konto beim {brand} Extranet Identity Provider wurde deaktiviert',
  'mail.deactivated.body':
    'Ihr Konto beim {brand} Extranet Identity Provider wurde deaktiviert: Sie wurden überall abgemeldet und können sich damit nicht mehr anmelden.',
  'mail.deactivated.next': 'Wenn Sie weiterhin Zugang benötigen, bitten Sie Ihre Kontaktperson, Ihr Konto zu reaktivieren.',
};
