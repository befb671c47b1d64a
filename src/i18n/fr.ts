import type { Messages } from './en.ts';

/**
 * French as used in Belgium, formal ("vous"). French typography: a no-break space (U+00A0) before
 * ":", a narrow one (U+202F) before "?", "!" and ";" and inside « », so that no sign wraps alone.
 */
export const fr: Messages = {
  // The service name is a product name and stays as it is in every language.
  'layout.serviceName': '{brand} Extranet Identity Provider',
  'layout.errorPrefix': 'Erreur\u00a0:',
  'layout.errorSummaryTitle': 'Il y a un problème',
  'layout.help': 'Si vous avez besoin d’aide, {support}',
  'layout.supportDefault': 'contactez votre personne de contact chez {brand}.',
  'layout.language': 'Langue',
  'layout.skipLink': 'Aller au contenu principal',

  'common.continue': 'Continuer',
  'common.back': 'Retour',
  'common.emailLabel': 'Adresse e-mail',
  'common.show': 'Afficher',
  'common.hide': 'Masquer',
  'common.showPassword': 'Afficher le mot de passe',
  'common.hidePassword': 'Masquer le mot de passe',

  // French treats 0 as singular too; Intl.PluralRules('fr') picks "one" for it.
  'unit.second.one': '{n} seconde',
  'unit.second.other': '{n} secondes',
  'unit.minute.one': '{n} minute',
  'unit.minute.other': '{n} minutes',
  'unit.day.one': '{n} jour',
  'unit.day.other': '{n} jours',

  'identify.heading': 'Se connecter',
  'identify.error.required': 'Saisissez votre adresse e-mail',
  'identify.error.format': 'Saisissez une adresse e-mail au bon format, par exemple nom@example.com',
  'identify.error.unknown': 'Aucun compte n’a été trouvé pour l’identifiant utilisateur indiqué.',
  'identify.error.deactivated': 'Votre compte a été désactivé.',
  'identify.error.activationExpired':
    'Il n’a pas été activé dans un délai de {period} après l’invitation\u00a0: il doit donc être réactivé avant de pouvoir être utilisé.',
  'identify.error.deactivatedByOperator': 'Il doit être réactivé avant de pouvoir être utilisé.',
  'identify.error.askReactivation': 'Demandez à votre personne de contact de réactiver votre compte.',
  'identify.signedInAs': 'Compte actuellement connecté\u00a0: {email}.',
  'identify.continueAs': 'Continuer avec ce compte',
  'identify.useAnother': 'Utiliser un autre compte',

  'signIn.heading': 'Se connecter',
  'signIn.intro': 'Connectez-vous avec votre adresse e-mail',
  'signIn.passwordLabel': 'Mot de passe',
  'signIn.forgotLink': 'Première connexion/Mot de passe oublié\u202f?',
  'signIn.submit': 'Se connecter',
  'signIn.error.passwordRequired': 'Saisissez votre mot de passe',
  'signIn.error.invalid': 'L’adresse e-mail ou le mot de passe est incorrect.',

  'limit.locked': 'Trop de tentatives échouées. Réessayez dans {wait}.',
  'limit.network': 'Trop de tentatives échouées depuis votre réseau. Réessayez dans {wait}.',

  'activation.heading': 'Première connexion',
  'activation.intro':
    'Nous allons envoyer un code de vérification à votre adresse e-mail. Une fois ce code saisi, vous pourrez choisir votre mot de passe.',
  'activation.send': 'Envoyer le code de vérification',
  'activation.sent': 'Le code de vérification a été envoyé. Copiez-le dans le champ ci-dessous.',
  'activation.codeLabel': 'Code de vérification',
  'activation.codeHint':
    'Si l’e-mail n’arrive pas d’ici quelques minutes, vérifiez votre dossier de courrier indésirable.',
  'activation.codeValidity': 'Le code est valable {validity}.',
  'activation.verify': 'Vérifier le code',
  'activation.resend': 'Envoyer un nouveau code',
  'activation.verified': 'Le code a été vérifié. Vous pouvez maintenant continuer.',
  'activation.error.codeRequired': 'Saisissez le code de vérification',
  'activation.error.codeFormat': 'Saisissez le code à 6 chiffres',
  'activation.error.codeWrong': 'Le code est incorrect. Vérifiez l’e-mail et réessayez.',
  'activation.error.codeExpired': 'Ce code a expiré ou ne peut plus être utilisé. Demandez un nouveau code.',
  'activation.error.resendTooSoon': 'Attendez {wait} avant de demander un nouveau code.',
  'activation.error.sendLimit': 'Vous avez demandé trop de codes. Réessayez dans {wait}.',
  'activation.error.sendFailed': 'L’e-mail n’a pas pu être envoyé. Veuillez réessayer.',

  'password.heading': 'Choisissez votre mot de passe',
  'password.newLabel': 'Nouveau mot de passe',
  'password.confirmLabel': 'Confirmez le nouveau mot de passe',
  'password.rulesTitle': 'Votre mot de passe doit\u00a0:',
  'password.rule.length': 'compter de {min} à {max} caractères',
  'password.rule.characters':
    'utiliser uniquement des lettres (A–Z, a–z), des chiffres (0–9) et ces symboles, sans espaces\u00a0:',
  'password.rule.dotBeforeAt': 'ne pas comporter de point (.) juste avant le signe @',
  'password.rule.composition':
    'contenir au moins 3 de ces éléments\u00a0: une minuscule, une majuscule, un chiffre, un symbole',
  'password.rule.common': 'ne pas être un mot de passe courant',
  'password.rule.email': 'ne pas contenir la partie de votre adresse e-mail située avant le signe @',
  'password.error.required': 'Saisissez un nouveau mot de passe',
  'password.error.too-short': 'Votre mot de passe doit compter au moins {min} caractères',
  'password.error.too-long': 'Votre mot de passe doit compter au plus {max} caractères',
  'password.error.invalid-characters':
    'Votre mot de passe ne peut contenir que des lettres (A–Z, a–z), des chiffres (0–9) et les symboles indiqués, sans espaces',
  'password.error.dot-before-at': 'Votre mot de passe ne peut pas comporter de point (.) juste avant le signe @',
  'password.error.composition':
    'Votre mot de passe doit contenir au moins 3 de ces éléments\u00a0: une minuscule, une majuscule, un chiffre, un symbole',
  'password.error.common': 'Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner',
  'password.error.contains-email':
    'Votre mot de passe ne peut pas contenir la partie de votre adresse e-mail située avant le signe @',
  'password.error.mismatch': 'Les mots de passe ne correspondent pas',

  'enroll.heading': 'Configurez votre application d’authentification',
  'enroll.intro':
    'Pour protéger votre compte, vous vous connectez avec votre mot de passe et un code fourni par une application d’authentification sur votre téléphone.',
  'enroll.install': 'Installez Microsoft Authenticator sur votre téléphone\u00a0:',
  'enroll.appStore': 'Microsoft Authenticator sur l’App Store (iPhone)',
  'enroll.googlePlay': 'Microsoft Authenticator sur Google Play (Android)',
  'enroll.scan': 'Dans l’application, ajoutez un compte, choisissez «\u202fAutre compte\u202f» et scannez ce code QR.',
  'enroll.qrAlt': 'Code QR',
  'enroll.qrDescription': 'La clé de ce code QR figure aussi en texte ci-dessous, sous «\u202f{trouble}\u202f».',
  'enroll.trouble': 'Vous rencontrez toujours des difficultés\u202f?',
  'enroll.troubleLabel': '{trouble} Afficher la clé pour ajouter le compte manuellement',
  'enroll.manual': 'Si vous ne pouvez pas scanner le code QR, ajoutez le compte manuellement avec ces informations\u00a0:',
  'enroll.accountName': 'Nom du compte',
  'enroll.secretKey': 'Clé secrète',
  'enroll.algorithm': 'Algorithme',
  'enroll.digits': 'Chiffres',
  'enroll.period': 'Période',
  'enroll.next': 'Lorsque l’application affiche un code à 6 chiffres, sélectionnez Continuer.',

  'totp.heading': 'Vérification en deux étapes',
  'totp.intro': 'Saisissez le code de vérification de votre application d’authentification.',
  'totp.codeLabel': 'Saisissez votre code.',
  'totp.submit': 'Vérifier',
  'totp.lostDevice':
    'Vous avez perdu votre téléphone et il ne vous reste aucun code de récupération\u202f? Demandez à votre personne de contact de réinitialiser votre application d’authentification.',
  'totp.error.required': 'Saisissez le code de votre application d’authentification',
  'totp.error.format': 'Saisissez le code à 6 chiffres',
  'totp.error.invalid': 'Le code est incorrect ou a déjà été utilisé. Attendez un nouveau code et réessayez.',

  'totp.otherWays': 'Autres moyens de vérification',
  'totp.useRecoveryCode': 'Utiliser un code de récupération',

  'recovery.heading': 'Utiliser un code de récupération',
  'recovery.intro':
    'Saisissez l’un des codes de récupération que vous avez conservés lors de la configuration de votre application d’authentification. Chaque code ne peut être utilisé qu’une fois.',
  'recovery.codeLabel': 'Code de récupération',
  'recovery.useApp': 'Utiliser plutôt un code de votre application d’authentification',
  'recovery.error.required': 'Saisissez un code de récupération',
  'recovery.error.format':
    'Saisissez le code de récupération tel qu’il vous a été donné\u00a0: 10 lettres et chiffres, par exemple abcde-23456',
  'recovery.error.invalid': 'Le code de récupération est incorrect ou a déjà été utilisé.',

  'recoveryCodes.heading': 'Conservez vos codes de récupération',
  'recoveryCodes.intro':
    'Si vous perdez votre téléphone, vous pourrez vous connecter avec l’un de ces codes au lieu d’un code de votre application d’authentification. Chaque code ne peut être utilisé qu’une fois.',
  'recoveryCodes.keep':
    'Conservez-les en lieu sûr, par exemple dans un gestionnaire de mots de passe. Ils ne sont affichés qu’une seule fois.',
  'recoveryCodes.listLabel': 'Vos codes de récupération',
  'recoveryCodes.download': 'Télécharger',
  'recoveryCodes.savedLabel': 'J’ai conservé mes codes de récupération',
  'recoveryCodes.error.notSaved': 'Confirmez que vous avez conservé vos codes de récupération',
  'recoveryCodes.file.title': 'Codes de récupération de {email} pour {brand} Extranet Identity Provider',
  'recoveryCodes.file.created': 'Créés le {date}',

  'passkey.signIn': 'Se connecter avec une clé d’accès',
  'passkey.use': 'Utiliser une clé d’accès',
  'passkey.error.cancelled':
    'La clé d’accès n’a pas été utilisée. Réessayez, ou choisissez un autre moyen de vous connecter.',
  'passkey.error.invalid':
    'Cette clé d’accès ne permet pas de se connecter à ce compte. Réessayez avec une autre clé d’accès, ou choisissez un autre moyen de vous connecter.',
  'forgot.heading': 'Réinitialisez votre mot de passe',
  'forgot.intro':
    'Confirmez votre adresse e-mail. Vous saisirez ensuite un code de votre application d’authentification et choisirez un nouveau mot de passe.',
  'forgot.error.required': 'Saisissez votre adresse e-mail',
  'forgot.error.mismatch': 'Saisissez l’adresse e-mail du compte avec lequel vous vous connectez',

  'error.expired.title': 'Votre session de connexion a expiré ou n’est plus valide',
  'error.expired.body': 'Retournez à l’application et reconnectez-vous.',
  'error.badRequest.title': 'Désolé, cette demande n’a pas pu être traitée',
  'error.badRequest.body': 'Revenez en arrière et réessayez. Si le problème persiste, recommencez depuis l’application.',
  'error.forbidden.title': 'Ce formulaire a expiré',
  'error.forbidden.body':
    'Pour votre sécurité, le formulaire n’a pas pu être envoyé. Recommencez et envoyez-le à nouveau.',
  'error.notFound.title': 'Page introuvable',
  'error.notFound.body': 'Vérifiez l’adresse, ou retournez à l’application et reconnectez-vous.',
  'error.unavailable.title': 'Désolé, le service est temporairement indisponible',
  'error.unavailable.body': 'Veuillez réessayer dans quelques minutes.',
  'error.tooMany.title': 'Trop de demandes de connexion depuis votre réseau',
  'error.tooMany.body': 'Réessayez dans {wait}.',
  'error.tooLarge.title': 'Cette demande est trop volumineuse',
  'error.tooLarge.body': 'L’application a envoyé plus que ce que ce service accepte. Revenez à l’application et réessayez.',
  'error.generic.title': 'Désolé, une erreur s’est produite',
  'error.generic.body': 'Veuillez réessayer plus tard.',
  'error.returnToApp': 'Retourner à l’application',
  'error.startAgain': 'Recommencer',
  'error.reference': 'Référence\u00a0: {id}',
  'error.receivedUri': 'Adresse reçue\u00a0:',
  'error.deactivated.title': 'Votre compte a été désactivé',
  'error.deactivated.body':
    'Il doit être réactivé avant de pouvoir être utilisé. Demandez à votre personne de contact de réactiver votre compte.',
  'error.step.title': 'Cette page n’est pas disponible à ce stade',
  'error.step.body':
    'Les étapes de la connexion doivent être suivies dans l’ordre. Retournez à l’application et reconnectez-vous.',

  'factors.defaultAppName': 'Application d’authentification',
  'factors.defaultAppNameNumbered': 'Application d’authentification {n}',
  'factors.error.tooManyApps': 'Vous avez déjà le nombre maximal d’applications d’authentification. Supprimez-en une avant d’en ajouter une autre.',
  'done.passwordSet.title': 'Votre mot de passe a été défini',
  'done.passwordSet.body': 'Pour continuer, revenez à l’application et reconnectez-vous avec votre nouveau mot de passe.',
  'done.passwordChanged.title': 'Votre mot de passe a été modifié',
  'done.passwordChanged.body': 'Revenez à l’application et connectez-vous avec votre nouveau mot de passe.',
  'done.authenticatorAdded.title': 'Votre application d’authentification est configurée',
  'done.authenticatorAdded.body': 'Revenez à l’application et connectez-vous avec votre mot de passe et un code de l’application.',
  'common.cancelSignIn': 'Annuler la connexion',

  'logout.heading': 'Se déconnecter',
  'logout.confirm': 'Voulez-vous vous déconnecter\u202f?',
  'logout.submit': 'Se déconnecter',
  // Neither sentence assumes the reader is a man ("déconnecté", "connecté").
  'logout.stay': 'Ne pas me déconnecter',
  'logout.done': 'La déconnexion a bien été effectuée.',
  'logout.doneHint': 'Vous pouvez maintenant fermer cette fenêtre.',
  'formPost.heading': 'Retour à l’application',
  'formPost.returning': 'Retour à l’application en cours.',
  'formPost.signingOut': 'Déconnexion en cours.',
  'formPost.hint': 'Si rien ne se passe, sélectionnez «\u202f{button}\u202f».',

  'mail.greeting': 'Bonjour,',
  'mail.link': '{text}\u00a0: {url}',
  'mail.unmonitored': 'Cet e-mail a été envoyé depuis une adresse qui n’est pas consultée. Merci de ne pas y répondre.',
  'mail.code.subject': 'Code de vérification de l’adresse e-mail de votre compte {brand} Extranet Identity Provider',
  'mail.code.intro':
    'Utilisez ce code pour confirmer l’adresse e-mail de votre compte {brand} Extranet Identity Provider.',
  'mail.code.code': 'Votre code est\u00a0: {code}',
  'mail.code.validity': 'Ce code est valable {validity}.',
  'mail.code.ignore':
    'Si vous n’avez pas demandé ce code, quelqu’un a peut-être saisi votre adresse e-mail par erreur et vous pouvez ignorer cet e-mail.',
  'mail.passwordChanged.subject': 'Le mot de passe de votre compte {brand} Extranet Identity Provider a été modifié',
  'mail.passwordChanged.body': 'Le mot de passe de votre compte {brand} Extranet Identity Provider a été modifié.',
  'mail.passwordChanged.notYou':
    'Si vous n’êtes pas à l’origine de cette modification, contactez immédiatement votre personne de contact.',
  'mail.mfaReset.subject':
    'L’application d’authentification de votre compte {brand} Extranet Identity Provider a été réinitialisée',
  'mail.mfaReset.body': 'L’application d’authentification liée à votre compte {brand} Extranet Identity Provider a été supprimée.',
  'mail.mfaReset.next':
    'Lors de votre prochaine connexion, il vous sera demandé de configurer à nouveau une application d’authentification après avoir saisi votre mot de passe.',
  'mail.mfaReset.notYou': 'Si vous n’avez pas fait cette demande, contactez immédiatement votre personne de contact.',
  'mail.recoveryCodeUsed.subject':
    'Un code de récupération de votre compte {brand} Extranet Identity Provider a été utilisé',
  'mail.recoveryCodeUsed.body':
    'L’un des codes de récupération de votre compte {brand} Extranet Identity Provider vient d’être utilisé à la place d’un code de votre application d’authentification.',
  'mail.recoveryCodeUsed.left.one': 'Il vous reste {n} code de récupération.',
  'mail.recoveryCodeUsed.left.other': 'Il vous reste {n} codes de récupération.',
  'mail.recoveryCodeUsed.none':
    'Il ne vous reste aucun code de récupération\u00a0: si vous perdez maintenant votre téléphone, seule votre personne de contact pourra réinitialiser votre application d’authentification.',
  'mail.recoveryCodeUsed.notYou':
    'Si vous n’avez pas utilisé ce code, contactez immédiatement votre personne de contact.',
  'mail.recoveryCodesCreated.subject': 'Nouveaux codes de récupération pour votre compte {brand} Extranet Identity Provider',
  'mail.recoveryCodesCreated.body':
    'De nouveaux codes de récupération ont été créés pour votre compte {brand} Extranet Identity Provider. Les codes que vous aviez auparavant ne peuvent plus être utilisés.',
  'mail.invitation.subject': 'Activez votre compte {brand} Extranet Identity Provider',
  'mail.invitation.intro': 'Un compte a été créé pour vous sur {brand} Extranet Identity Provider.',
  'mail.invitation.steps':
    'Pour l’activer, ouvrez la page de connexion, saisissez votre adresse e-mail et sélectionnez «\u202f{link}\u202f». Vous recevrez un code de vérification par e-mail, choisirez un mot de passe et configurerez une application d’authentification sur votre téléphone.',
  'mail.invitation.button': 'Accéder à la page de connexion',
  'mail.invitation.deadline':
    'Veuillez activer votre compte au plus tard le {date}. Passé cette date, il sera désactivé et votre personne de contact devra le réactiver.',
  'mail.factorAdded.subject': 'Un second facteur a été ajouté à votre compte {brand} Extranet Identity Provider',
  'mail.factorAdded.authenticatorApp':
    'L’application d’authentification «\u202f{name}\u202f» a été ajoutée à votre compte {brand} Extranet Identity Provider. Ses codes permettent désormais de vous connecter.',
  'mail.factorAdded.passkey':
    'La clé d’accès «\u202f{name}\u202f» a été ajoutée à votre compte {brand} Extranet Identity Provider. Elle permet désormais de vous connecter.',
  'mail.factorRemoved.subject': 'Un second facteur a été retiré de votre compte {brand} Extranet Identity Provider',
  'mail.factorRemoved.authenticatorApp':
    'L’application d’authentification «\u202f{name}\u202f» a été retirée de votre compte {brand} Extranet Identity Provider. Ses codes ne permettent plus de vous connecter.',
  'mail.factorRemoved.passkey':
    'La clé d’accès «\u202f{name}\u202f» a été retirée de votre compte {brand} Extranet Identity Provider. Elle ne permet plus de vous connecter.',
  'mail.factorRemoved.recoveryCodes':
    'Les codes de récupération de votre compte {brand} Extranet Identity Provider ont été supprimés. Ils ne permettent plus de vous connecter.',
  'mail.locked.subject': 'Votre compte {brand} Extranet Identity Provider a été bloqué',
  'mail.locked.body': 'Votre compte {brand} Extranet Identity Provider a été bloqué après un trop grand nombre de tentatives de connexion échouées.',
  'mail.locked.until': 'Il sera débloqué automatiquement le {date} à {time} (UTC).',
  'mail.locked.you':
    'Si c’était vous, attendez ce moment puis reconnectez-vous. Si vous avez oublié votre mot de passe, sélectionnez «\u202f{link}\u202f» sur la page de connexion.',
  'mail.locked.notYou':
    'Si ce n’était pas vous, quelqu’un essaie peut-être de se connecter à votre compte. Changez votre mot de passe dès la fin du blocage et prévenez votre personne de contact.',
  'mail.accountReset.subject': 'Votre compte {brand} Extranet Identity Provider a été réinitialisé',
  'mail.accountReset.body':
    'Votre compte {brand} Extranet Identity Provider a été réinitialisé\u00a0: son mot de passe et ses seconds facteurs ont été supprimés et vous avez été déconnecté partout.',
  'mail.accountReset.next':
    'Pour l’utiliser à nouveau, ouvrez la page de connexion, saisissez votre adresse e-mail et sélectionnez «\u202f{link}\u202f». Vous recevrez un code de vérification par e-mail, choisirez un nouveau mot de passe et configurerez une application d’authentification. Veuillez le faire au plus tard le {date}.',
  'mail.deactivated.subject': 'Votre compte {brand} Extranet Identity Provider a été désactivé',
  'mail.deactivated.body':
    'Votre compte {brand} Extranet Identity Provider a été désactivé\u00a0: vous avez été déconnecté partout et ne pouvez plus l’utiliser pour vous connecter.',
  'mail.deactivated.next': 'Si vous avez encore besoin d’un accès, demandez à votre personne de contact de réactiver votre compte.',
};
