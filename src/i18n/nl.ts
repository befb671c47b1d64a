import type { Messages } from './en.ts';

/** Dutch as used in Belgium, formal ("u"). */
export const nl: Messages = {
  // The service name is a product name and stays as it is in every language.
  'layout.serviceName': '{brand} Extranet Identity Provider',
  'layout.errorPrefix': 'Fout:',
  'layout.errorSummaryTitle': 'Er is een probleem',
  'layout.help': 'Als u hulp nodig hebt, {support}',
  'layout.supportDefault': 'neem dan contact op met uw contactpersoon bij {brand}.',
  'layout.language': 'Taal',
  'layout.skipLink': 'Naar de hoofdinhoud',

  'common.continue': 'Doorgaan',
  'common.back': 'Terug',
  'common.emailLabel': 'E-mailadres',
  'common.show': 'Tonen',
  'common.hide': 'Verbergen',
  'common.showPassword': 'Wachtwoord tonen',
  'common.hidePassword': 'Wachtwoord verbergen',

  'unit.second.one': '{n} seconde',
  'unit.second.other': '{n} seconden',
  'unit.minute.one': '{n} minuut',
  'unit.minute.other': '{n} minuten',
  'unit.day.one': '{n} dag',
  'unit.day.other': '{n} dagen',

  'identify.heading': 'Aanmelden',
  'identify.error.required': 'Vul uw e-mailadres in',
  'identify.error.format': 'Vul een e-mailadres in het juiste formaat in, bijvoorbeeld naam@example.com',
  'identify.error.unknown': 'Er werd geen account gevonden voor de opgegeven gebruikers-ID.',
  'identify.error.deactivated': 'Uw account is gedeactiveerd.',
  'identify.error.activationExpired':
    'Het werd niet binnen {period} na de uitnodiging geactiveerd en moet daarom opnieuw worden geactiveerd voordat u het kunt gebruiken.',
  'identify.error.deactivatedByOperator': 'Het moet opnieuw worden geactiveerd voordat u het kunt gebruiken.',
  'identify.error.askReactivation': 'Vraag uw contactpersoon om uw account opnieuw te activeren.',
  'identify.signedInAs': 'U bent aangemeld als {email}.',
  'identify.continueAs': 'Doorgaan met dit account',
  'identify.useAnother': 'Een ander account gebruiken',

  'signIn.heading': 'Aanmelden',
  'signIn.intro': 'Meld u aan met uw e-mailadres',
  'signIn.passwordLabel': 'Wachtwoord',
  'signIn.forgotLink': 'Eerste aanmelding/Wachtwoord vergeten?',
  'signIn.submit': 'Aanmelden',
  'signIn.error.passwordRequired': 'Vul uw wachtwoord in',
  'signIn.error.invalid': 'Het e-mailadres of het wachtwoord is onjuist.',

  'limit.locked': 'Te veel mislukte pogingen. Probeer het opnieuw over {wait}.',
  'limit.network': 'Te veel mislukte pogingen vanaf uw netwerk. Probeer het opnieuw over {wait}.',

  'activation.heading': 'Eerste aanmelding',
  'activation.intro':
    'We sturen een verificatiecode naar uw e-mailadres. Zodra u die hebt ingevuld, kunt u uw wachtwoord kiezen.',
  'activation.send': 'Verificatiecode versturen',
  'activation.sent': 'De verificatiecode is verstuurd. Kopieer de code in het invoerveld hieronder.',
  'activation.codeLabel': 'Verificatiecode',
  'activation.codeHint': 'Is de e-mail na enkele minuten nog niet aangekomen? Kijk dan in uw map met ongewenste e-mail.',
  'activation.codeValidity': 'De code is {validity} geldig.',
  'activation.verify': 'Code verifiëren',
  'activation.resend': 'Nieuwe code versturen',
  'activation.verified': 'De code is geverifieerd. U kunt nu doorgaan.',
  'activation.error.codeRequired': 'Vul de verificatiecode in',
  'activation.error.codeFormat': 'Vul de 6-cijferige code in',
  'activation.error.codeWrong': 'De code is onjuist. Controleer de e-mail en probeer het opnieuw.',
  'activation.error.codeExpired': 'Deze code is verlopen of kan niet meer worden gebruikt. Vraag een nieuwe code aan.',
  'activation.error.resendTooSoon': 'Wacht {wait} voordat u een nieuwe code aanvraagt.',
  'activation.error.sendLimit': 'U hebt te veel codes aangevraagd. Probeer het opnieuw over {wait}.',
  'activation.error.sendFailed': 'De e-mail kon niet worden verstuurd. Probeer het opnieuw.',

  'password.heading': 'Kies uw wachtwoord',
  'password.newLabel': 'Nieuw wachtwoord',
  'password.confirmLabel': 'Bevestig het nieuwe wachtwoord',
  // Noun phrases under a title: "moet niet" would read as "need not" to many Dutch readers.
  'password.rulesTitle': 'Vereisten voor uw wachtwoord:',
  'password.rule.length': '{min} tot {max} tekens',
  'password.rule.characters': 'alleen letters (A–Z, a–z), cijfers (0–9) en deze symbolen, zonder spaties:',
  'password.rule.dotBeforeAt': 'geen punt (.) direct vóór het @-teken',
  'password.rule.composition': 'minstens 3 van deze soorten tekens: kleine letters, hoofdletters, cijfers, symbolen',
  'password.rule.common': 'geen veelgebruikt wachtwoord',
  'password.rule.email': 'zonder het deel van uw e-mailadres vóór het @-teken',
  'password.error.required': 'Vul een nieuw wachtwoord in',
  'password.error.too-short': 'Uw wachtwoord moet minstens {min} tekens lang zijn',
  'password.error.too-long': 'Uw wachtwoord mag hoogstens {max} tekens lang zijn',
  'password.error.invalid-characters':
    'Uw wachtwoord mag alleen letters (A–Z, a–z), cijfers (0–9) en de vermelde symbolen bevatten, zonder spaties',
  'password.error.dot-before-at': 'Uw wachtwoord mag geen punt (.) direct vóór het @-teken hebben',
  'password.error.composition':
    'Uw wachtwoord moet minstens 3 van deze bevatten: een kleine letter, een hoofdletter, een cijfer, een symbool',
  'password.error.common': 'Dit wachtwoord wordt te vaak gebruikt. Kies er een dat moeilijker te raden is',
  'password.error.contains-email': 'Uw wachtwoord mag niet het deel van uw e-mailadres vóór het @-teken bevatten',
  'password.error.mismatch': 'De wachtwoorden komen niet overeen',

  'enroll.heading': 'Stel uw authenticator-app in',
  'enroll.intro':
    'Om uw account te beschermen, meldt u zich aan met uw wachtwoord en een code uit een authenticator-app op uw telefoon.',
  'enroll.install': 'Installeer Microsoft Authenticator op uw telefoon:',
  'enroll.appStore': 'Microsoft Authenticator in de App Store (iPhone)',
  'enroll.googlePlay': 'Microsoft Authenticator op Google Play (Android)',
  'enroll.scan': 'Voeg in de app een account toe, kies “Ander account” en scan deze QR-code.',
  'enroll.qrAlt': 'QR-code',
  'enroll.qrDescription': 'De sleutel in deze QR-code staat hieronder ook als tekst, onder “{trouble}”.',
  'enroll.trouble': 'Lukt het nog steeds niet?',
  'enroll.troubleLabel': '{trouble} Toon de sleutel om het account handmatig toe te voegen',
  'enroll.manual': 'Kunt u de QR-code niet scannen? Voeg het account dan handmatig toe met deze gegevens:',
  'enroll.accountName': 'Accountnaam',
  'enroll.secretKey': 'Geheime sleutel',
  'enroll.algorithm': 'Algoritme',
  'enroll.digits': 'Cijfers',
  'enroll.period': 'Periode',
  'enroll.next': 'Kies Doorgaan zodra de app een 6-cijferige code toont.',

  'totp.heading': 'Verificatie in twee stappen',
  'totp.intro': 'Vul de verificatiecode uit uw authenticator-app in.',
  'totp.codeLabel': 'Vul uw code in.',
  'totp.submit': 'Verifiëren',
  'totp.lostDevice':
    'Uw telefoon kwijt en geen herstelcode meer over? Vraag uw contactpersoon om uw authenticator-app opnieuw in te stellen.',
  'totp.error.required': 'Vul de code uit uw authenticator-app in',
  'totp.error.format': 'Vul de 6-cijferige code in',
  'totp.error.invalid': 'De code is onjuist of werd al gebruikt. Wacht op een nieuwe code en probeer het opnieuw.',

  'totp.otherWays': 'Andere manieren om te verifiëren',
  'totp.useRecoveryCode': 'Een herstelcode gebruiken',

  'recovery.heading': 'Een herstelcode gebruiken',
  'recovery.intro':
    'Vul een van de herstelcodes in die u hebt bewaard toen u uw authenticator-app instelde. Elke code kan één keer worden gebruikt.',
  'recovery.codeLabel': 'Herstelcode',
  'recovery.useApp': 'Toch een code uit uw authenticator-app gebruiken',
  'recovery.error.required': 'Vul een herstelcode in',
  'recovery.error.format': 'Vul de herstelcode in zoals u die kreeg: 10 letters en cijfers, zoals abcde-23456',
  'recovery.error.invalid': 'De herstelcode is onjuist of werd al gebruikt.',

  'recoveryCodes.heading': 'Bewaar uw herstelcodes',
  'recoveryCodes.intro':
    'Als u uw telefoon kwijtraakt, kunt u zich aanmelden met een van deze codes in plaats van met een code uit uw authenticator-app. Elke code kan één keer worden gebruikt.',
  'recoveryCodes.keep': 'Bewaar ze op een veilige plaats, bijvoorbeeld in een wachtwoordbeheerder. Ze worden alleen nu getoond.',
  'recoveryCodes.listLabel': 'Uw herstelcodes',
  'recoveryCodes.download': 'Downloaden',
  'recoveryCodes.savedLabel': 'Ik heb mijn herstelcodes bewaard',
  'recoveryCodes.error.notSaved': 'Bevestig dat u uw herstelcodes hebt bewaard',
  'recoveryCodes.file.title': 'Herstelcodes van {email} voor {brand} Extranet Identity Provider',
  'recoveryCodes.file.created': 'Aangemaakt op {date}',

  'passkey.signIn': 'Aanmelden met een toegangssleutel',
  'passkey.use': 'Een toegangssleutel gebruiken',
  'passkey.error.cancelled': 'De toegangssleutel werd niet gebruikt. Probeer het opnieuw of kies een andere manier om u aan te melden.',
  'passkey.error.invalid':
    'Met deze toegangssleutel kunt u zich niet aanmelden bij dit account. Probeer het opnieuw met een andere toegangssleutel of kies een andere manier om u aan te melden.',
  'forgot.heading': 'Uw wachtwoord opnieuw instellen',
  'forgot.intro':
    'Bevestig uw e-mailadres. Daarna vult u een code uit uw authenticator-app in en kiest u een nieuw wachtwoord.',
  'forgot.error.required': 'Vul uw e-mailadres in',
  'forgot.error.mismatch': 'Vul het e-mailadres in van het account waarmee u zich aanmeldt',

  'error.expired.title': 'Uw aanmeldsessie is verlopen of niet meer geldig',
  'error.expired.body': 'Ga terug naar de toepassing en meld u opnieuw aan.',
  'error.badRequest.title': 'Sorry, dit verzoek kon niet worden verwerkt',
  'error.badRequest.body':
    'Ga terug en probeer het opnieuw. Blijft het probleem zich voordoen, begin dan opnieuw vanuit de toepassing.',
  'error.forbidden.title': 'Dit formulier is verlopen',
  'error.forbidden.body':
    'Voor uw veiligheid kon het formulier niet worden verzonden. Begin opnieuw en verzend het nog een keer.',
  'error.notFound.title': 'Pagina niet gevonden',
  'error.notFound.body': 'Controleer het adres, of ga terug naar de toepassing en meld u opnieuw aan.',
  'error.unavailable.title': 'Sorry, de dienst is tijdelijk niet beschikbaar',
  'error.unavailable.body': 'Probeer het over enkele minuten opnieuw.',
  'error.tooMany.title': 'Te veel aanmeldverzoeken vanaf uw netwerk',
  'error.tooMany.body': 'Probeer het over {wait} opnieuw.',
  'error.tooLarge.title': 'Dit verzoek is te groot',
  'error.tooLarge.body': 'De toepassing heeft meer verzonden dan deze dienst aanvaardt. Ga terug naar de toepassing en probeer het opnieuw.',
  'error.generic.title': 'Sorry, er is iets misgegaan',
  'error.generic.body': 'Probeer het later opnieuw.',
  'error.returnToApp': 'Terug naar de toepassing',
  'error.startAgain': 'Opnieuw beginnen',
  'error.reference': 'Referentie: {id}',
  'error.receivedUri': 'Ontvangen adres:',
  'error.deactivated.title': 'Uw account is gedeactiveerd',
  'error.deactivated.body':
    'Het moet opnieuw worden geactiveerd voordat u het kunt gebruiken. Vraag uw contactpersoon om uw account opnieuw te activeren.',
  'error.step.title': 'Deze pagina kan op dit punt van de aanmelding niet worden geopend',
  'error.step.body':
    'De stappen om u aan te melden moeten in volgorde worden doorlopen. Ga terug naar de toepassing en meld u opnieuw aan.',

  'factors.defaultAppName': 'Authenticator-app',
  'factors.defaultAppNameNumbered': 'Authenticator-app {n}',
  'factors.error.tooManyApps': 'U hebt al het maximale aantal authenticator-apps. Verwijder er een voordat u een nieuwe toevoegt.',
  'done.passwordSet.title': 'Uw wachtwoord is ingesteld',
  'done.passwordSet.body': 'Ga terug naar de toepassing en meld u opnieuw aan met uw nieuwe wachtwoord om verder te gaan.',
  'done.passwordChanged.title': 'Uw wachtwoord is gewijzigd',
  'done.passwordChanged.body': 'Ga terug naar de toepassing en meld u aan met uw nieuwe wachtwoord.',
  'done.authenticatorAdded.title': 'Uw authenticator-app is ingesteld',
  'done.authenticatorAdded.body': 'Ga terug naar de toepassing en meld u aan met uw wachtwoord en een code uit de app.',
  'common.cancelSignIn': 'Aanmelden annuleren',

  'logout.heading': 'Afmelden',
  'logout.confirm': 'Wilt u zich afmelden?',
  'logout.submit': 'Afmelden',
  'logout.stay': 'Aangemeld blijven',
  'logout.done': 'U bent afgemeld.',
  'logout.doneHint': 'U kunt dit venster nu sluiten.',
  'formPost.heading': 'Terugkeren naar de toepassing',
  'formPost.returning': 'U wordt teruggestuurd naar de toepassing.',
  'formPost.signingOut': 'U wordt afgemeld.',
  'formPost.hint': 'Kies {button} als er niets gebeurt.',

  'mail.greeting': 'Beste,',
  'mail.link': '{text}: {url}',
  'mail.unmonitored': 'Deze e-mail werd verstuurd vanaf een adres dat niet wordt opgevolgd. Gelieve niet te antwoorden.',
  'mail.code.subject': 'E-mailverificatiecode voor uw account bij {brand} Extranet Identity Provider',
  'mail.code.intro':
    'Gebruik deze code om het e-mailadres van uw account bij {brand} Extranet Identity Provider te bevestigen.',
  'mail.code.code': 'Uw code is: {code}',
  'mail.code.validity': 'Deze code is {validity} geldig.',
  'mail.code.ignore':
    'Hebt u deze code niet aangevraagd? Dan heeft iemand uw e-mailadres misschien per vergissing ingevuld en kunt u deze e-mail negeren.',
  'mail.passwordChanged.subject': 'Het wachtwoord van uw account bij {brand} Extranet Identity Provider werd gewijzigd',
  'mail.passwordChanged.body': 'Het wachtwoord van uw account bij {brand} Extranet Identity Provider werd gewijzigd.',
  'mail.passwordChanged.notYou':
    'Hebt u deze wijziging niet zelf uitgevoerd? Neem dan onmiddellijk contact op met uw contactpersoon.',
  'mail.mfaReset.subject':
    'De authenticator-app van uw account bij {brand} Extranet Identity Provider werd opnieuw ingesteld',
  'mail.mfaReset.body': 'De authenticator-app die aan uw account bij {brand} Extranet Identity Provider gekoppeld was, werd verwijderd.',
  'mail.mfaReset.next':
    'Bij uw volgende aanmelding wordt u gevraagd om na uw wachtwoord opnieuw een authenticator-app in te stellen.',
  'mail.mfaReset.notYou': 'Hebt u hier niet om gevraagd? Neem dan onmiddellijk contact op met uw contactpersoon.',
  'mail.recoveryCodeUsed.subject': 'Er werd een herstelcode van uw account bij {brand} Extranet Identity Provider gebruikt',
  'mail.recoveryCodeUsed.body':
    'Zopas werd een van de herstelcodes van uw account bij {brand} Extranet Identity Provider gebruikt in plaats van een code uit uw authenticator-app.',
  'mail.recoveryCodeUsed.left.one': 'U hebt nog {n} herstelcode over.',
  'mail.recoveryCodeUsed.left.other': 'U hebt nog {n} herstelcodes over.',
  'mail.recoveryCodeUsed.none':
    'U hebt geen herstelcodes meer over: als u nu uw telefoon kwijtraakt, kan alleen uw contactpersoon uw authenticator-app opnieuw instellen.',
  'mail.recoveryCodeUsed.notYou': 'Hebt u deze code niet zelf gebruikt? Neem dan onmiddellijk contact op met uw contactpersoon.',
  'mail.recoveryCodesCreated.subject': 'Nieuwe herstelcodes voor uw account bij {brand} Extranet Identity Provider',
  'mail.recoveryCodesCreated.body':
    'Er werden nieuwe herstelcodes aangemaakt voor uw account bij {brand} Extranet Identity Provider. De codes die u vroeger had, kunnen niet meer worden gebruikt.',
  'mail.invitation.subject': 'Activeer uw account bij {brand} Extranet Identity Provider',
  'mail.invitation.intro': 'Er werd een account voor u aangemaakt bij {brand} Extranet Identity Provider.',
  'mail.invitation.steps':
    'Om het te activeren, opent u de aanmeldpagina, vult u uw e-mailadres in en kiest u “{link}”. U ontvangt een verificatiecode per e-mail, kiest een wachtwoord en stelt een authenticator-app in op uw telefoon.',
  'mail.invitation.button': 'Naar de aanmeldpagina',
  'mail.invitation.deadline':
    'Activeer uw account uiterlijk op {date}. Na die datum wordt het gedeactiveerd en moet uw contactpersoon het opnieuw activeren.',
  'mail.factorAdded.subject': 'Er werd een tweede factor toegevoegd aan uw account bij {brand} Extranet Identity Provider',
  'mail.factorAdded.authenticatorApp':
    'De authenticator-app “{name}” werd toegevoegd aan uw account bij {brand} Extranet Identity Provider. U kunt zich voortaan aanmelden met de codes ervan.',
  'mail.factorAdded.passkey':
    'De toegangssleutel “{name}” werd toegevoegd aan uw account bij {brand} Extranet Identity Provider. U kunt zich er voortaan mee aanmelden.',
  'mail.factorRemoved.subject': 'Er werd een tweede factor verwijderd uit uw account bij {brand} Extranet Identity Provider',
  'mail.factorRemoved.authenticatorApp':
    'De authenticator-app “{name}” werd verwijderd uit uw account bij {brand} Extranet Identity Provider. De codes ervan werken niet meer om u aan te melden.',
  'mail.factorRemoved.passkey':
    'De toegangssleutel “{name}” werd verwijderd uit uw account bij {brand} Extranet Identity Provider. U kunt zich er niet meer mee aanmelden.',
  'mail.factorRemoved.recoveryCodes':
    'De herstelcodes van uw account bij {brand} Extranet Identity Provider werden verwijderd. U kunt zich er niet meer mee aanmelden.',
  'mail.locked.subject': 'Uw account bij {brand} Extranet Identity Provider werd geblokkeerd',
  'mail.locked.body': 'Uw account bij {brand} Extranet Identity Provider werd geblokkeerd na te veel mislukte aanmeldpogingen.',
  'mail.locked.until': 'De blokkering wordt vanzelf opgeheven op {date} om {time} (UTC).',
  'mail.locked.you':
    'Was u dit zelf? Wacht dan tot dat tijdstip en meld u opnieuw aan. Bent u uw wachtwoord vergeten, kies dan “{link}” op de aanmeldpagina.',
  'mail.locked.notYou':
    'Was u dit niet? Dan probeert iemand zich misschien met uw account aan te melden. Wijzig uw wachtwoord zodra de blokkering is opgeheven en breng uw contactpersoon op de hoogte.',
  'mail.accountReset.subject': 'Uw account bij {brand} Extranet Identity Provider werd opnieuw ingesteld',
  'mail.accountReset.body':
    'Uw account bij {brand} Extranet Identity Provider werd opnieuw ingesteld: het wachtwoord en de tweede factoren werden verwijderd en u werd overal afgemeld.',
  'mail.accountReset.next':
    'Om het opnieuw te gebruiken, opent u de aanmeldpagina, vult u uw e-mailadres in en kiest u “{link}”. U ontvangt een verificatiecode per e-mail, kiest een nieuw wachtwoord en stelt een authenticator-app in. Doe dit uiterlijk op {date}.',
  'mail.deactivated.subject': 'Uw account bij {brand} Extranet Identity Provider werd gedeactiveerd',
  'mail.deactivated.body':
    'Uw account bij {brand} Extranet Identity Provider werd gedeactiveerd: u werd overal afgemeld en kunt er zich niet meer mee aanmelden.',
  'mail.deactivated.next': 'Hebt u nog toegang nodig? Vraag dan uw contactpersoon om uw account opnieuw te activeren.',
};
