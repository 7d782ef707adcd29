# Ce que le service écrit aux personnes en français : la facture pro forma et les rappels de la
# fin du contrat. Un nombre choisit sa forme ({ $count -> [one] … *[other] … }).
proforma-title = Facture pro forma
proforma-number = Numéro
proforma-date = Date
proforma-school = Établissement
proforma-hosting-number = Numéro d'hébergement
proforma-period = Période
proforma-period-value = du { $start } au { $end }
proforma-col-item = Désignation
proforma-col-quantity = Quantité
proforma-col-unit = Prix unitaire HT
proforma-col-amount = Montant HT
proforma-item-hosting = { $years ->
    [one] Hébergement des serveurs de l'établissement, { $years } an
   *[other] Hébergement des serveurs de l'établissement, { $years } ans
}
proforma-item-administration = Licences en mode Administratif ({ $count } × { $years ->
    [one] { $years } an
   *[other] { $years } ans
})
proforma-item-campus-net = Licence Campus.net de { $schedule }
proforma-total-excl = Total HT
proforma-vat = TVA { $rate } %
proforma-total-incl = Total TTC
proforma-note = Cette facture pro forma n'est pas une facture. Le contrat est renouvelé pour la période ci-dessus dès réception du paiement par l'hébergeur.
contract-ending-subject = Votre contrat d'hébergement prend fin le { $date }
contract-ending-body = { $days ->
    [one] Bonjour,{"\u000A"}{"\u000A"}Le contrat d'hébergement de { $school } prend fin le { $date }, dans { $days } jour. Un superadministrateur peut le renouveler dans la console d'hébergement (Mon compte, Renouveler le contrat) : la console établit la facture pro forma à régler.{"\u000A"}
   *[other] Bonjour,{"\u000A"}{"\u000A"}Le contrat d'hébergement de { $school } prend fin le { $date }, dans { $days } jours. Un superadministrateur peut le renouveler dans la console d'hébergement (Mon compte, Renouveler le contrat) : la console établit la facture pro forma à régler.{"\u000A"}
}
logins-invoice-subject = Vos identifiants d'hébergement (1 sur 2) : le numéro de facture
logins-invoice-body =
    Bonjour,

    Le serveur hébergé de { $school } est prêt. Voici le premier de vos deux e-mails d'identifiants.

    Numéro de facture : { $invoice }

    La console d'hébergement le demande une fois sur chaque poste, pour installer le certificat du poste. Le numéro d'hébergement arrive dans un second e-mail, et le mot de passe de la console d'hébergement par SMS.
logins-hosting-subject = Vos identifiants d'hébergement (2 sur 2) : le numéro d'hébergement
logins-hosting-body =
    Bonjour,

    Voici le second de vos deux e-mails d'identifiants pour le serveur hébergé de { $school }.

    Numéro d'hébergement : { $hosting }

    Installez la console d'hébergement, choisissez « Je me connecte en tant que : responsable de l'hébergement », saisissez le numéro d'hébergement et le mot de passe reçu par SMS, puis le numéro de facture du premier e-mail pour installer le certificat de votre poste.
upgrade-failed-subject = La mise à jour de votre serveur hébergé n'a pas eu lieu
upgrade-failed-body =
    Bonjour,

    La mise à jour du serveur hébergé de { $school } de la version { $from } vers la version { $to } n'a pas eu lieu : { $reason }

    Rien n'est perdu : votre serveur reste en version { $from } avec ses bases telles qu'elles étaient, et les serveurs qui tournaient tournent de nouveau. La mise à jour est retentée demain. Si elle échoue encore, contactez l'assistance de votre hébergeur.
upgrade-done-subject = Votre serveur hébergé est en version { $to }
upgrade-done-body =
    Bonjour,

    Le serveur hébergé de { $school } a été mis à jour en version { $to }. Une sauvegarde de chaque base en service a d'abord été faite ; les serveurs qui tournaient tournent de nouveau avec leur base convertie.

    Installez la version { $to } de PRONOTE sur les postes qui s'y connectent.

## Les espaces d'un planning sur son adresse (PRONOTE.net) : pages dans la langue du visiteur.
webspace-teachers = Professeurs
webspace-parents = Parents
webspace-students = Élèves
webspace-student_administration = Vie scolaire
webspace-title = Espace { $space }
webspace-heading = Espace { $space } de { $schedule }
webspace-inactivity = { $minutes ->
    [one] Vous êtes déconnecté après { $minutes } minute d'inactivité.
   *[other] Vous êtes déconnecté après { $minutes } minutes d'inactivité.
}
webspace-not-published-title = Cet espace n'est pas publié
webspace-not-published = L'espace { $space } de { $schedule } ({ $school }) n'est pas publié. L'établissement publie ses espaces dans sa console d'hébergement, panneau PRONOTE.net.
webspace-unavailable-title = Cet espace n'est pas disponible
webspace-unavailable = Cet espace ne peut pas répondre pour le moment. Réessayez dans une minute.
webspace-logged-in = Connecté par l'ENT en tant que { $name }.
webspace-ticket-refused-title = Connexion refusée
webspace-ticket-refused = L'ENT n'a pas accepté cette connexion ({ $code }). Ouvrez de nouveau l'adresse de l'espace pour vous connecter.
webspace-cas-unreachable-title = L'ENT ne répond pas
webspace-cas-unreachable = Le serveur de connexion de l'ENT ne répond pas ({ $why }). Réessayez dans une minute.
webspace-no-delegation-title = Pas de connexion par l'ENT ici
webspace-no-delegation = L'espace { $space } de { $schedule } ne se connecte pas par un ENT.

## Les e-mails des notifications qui demandent une action (la cloche de la console les montre aussi).
notice-safeguard-failed-subject = La sauvegarde de { $schedule } a échoué
notice-safeguard-failed-body =
    Bonjour,

    La sauvegarde du planning { $schedule } de { $school } n'a pas pu être faite le { $date }. Le service réessaie à son prochain passage ; les sauvegardes déjà faites sont conservées.

    Vérifiez dans la console d'hébergement (Serveur PRONOTE, Sauvegardes) qu'une nouvelle sauvegarde apparaît. Si aucune n'apparaît d'ici demain, contactez l'assistance de votre hébergeur.
notice-server-stopped-subject = Le serveur de { $schedule } est arrêté
notice-server-stopped-body =
    Bonjour,

    Le serveur du planning { $schedule } de { $school } est arrêté : le service n'a pas pu le redémarrer ({ $reason }).

    Les clients PRONOTE ne peuvent pas s'y connecter tant qu'il ne tourne pas. Remettez-le en service dans la console d'hébergement (Serveur PRONOTE, Base active). S'il ne démarre pas, contactez l'assistance de votre hébergeur.
notice-upgrade-coming-subject = Votre serveur hébergé passe en version { $to } le { $date }
notice-upgrade-coming-body =
    Bonjour,

    Le serveur hébergé de { $school } passe en version { $to } le { $date }. Une sauvegarde de chaque base en service est faite d'abord, et les serveurs s'arrêtent quelques minutes.

    Si ce jour ne vous convient pas, choisissez un autre jour de la période dans la console d'hébergement (Mon compte, Jour de la mise à jour) avant cette date.
notice-certificate-expiring-subject = Le certificat du poste { $name } expire le { $date }
notice-certificate-expiring-body = { $days ->
    [one] Bonjour,{"\u000A"}{"\u000A"}Le certificat du poste { $name } du compte d'hébergement de { $school } expire le { $date }, dans { $days } jour. Après cette date, ce poste ne peut plus se connecter.{"\u000A"}{"\u000A"}Renouvelez-le depuis ce poste dans la console d'hébergement (Mon compte, Renouveler le certificat de ce poste).{"\u000A"}
   *[other] Bonjour,{"\u000A"}{"\u000A"}Le certificat du poste { $name } du compte d'hébergement de { $school } expire le { $date }, dans { $days } jours. Après cette date, ce poste ne peut plus se connecter.{"\u000A"}{"\u000A"}Renouvelez-le depuis ce poste dans la console d'hébergement (Mon compte, Renouveler le certificat de ce poste).{"\u000A"}
}

## Identifiants et sécurité, chacun dans la langue du compte.
logins-download = Téléchargez la console d'hébergement : { $download }
sms-password-subject = Mot de passe de la console d'hébergement
sms-password-body = Mot de passe de la console d'hébergement : { $password }
    Conservez-le précieusement. Votre numéro d'hébergement est dans l'e-mail que vous avez reçu.
sms-new-password-subject = Nouveau mot de passe de la console d'hébergement
sms-new-password-body = Votre nouveau mot de passe de la console d'hébergement : { $password }
    Conservez-le précieusement ; l'ancien n'ouvre plus la console.
sms-password-reminder-subject = Mot de passe de la console d'hébergement
sms-password-reminder-body = Le mot de passe de votre console d'hébergement est celui reçu par SMS à l'ouverture de votre compte. S'il est perdu, demandez-en un nouveau sur l'écran de connexion de la console (J'ai perdu mon mot de passe) : un code à usage unique arrive par e-mail, puis le nouveau mot de passe par SMS.
invoice-rotated-subject = Votre nouveau numéro de facture
invoice-rotated-body =
    Bonjour,

    Le numéro de facture du serveur hébergé de { $school } (numéro d'hébergement { $hosting }) a été remplacé.

    Nouveau numéro de facture : { $invoice }

    L'ancien n'installe plus de certificat de poste. Les postes déjà installés continuent de fonctionner.
workstation-installed-subject = Un nouveau poste a été installé sur votre compte d'hébergement
workstation-installed-body =
    Bonjour,

    Un nouveau poste a été installé pour { $who ->
        [manager] le responsable de l'hébergement
       *[superadmin] le superadministrateur { $username }
    } sur le compte d'hébergement de { $school }.

    Poste : { $name }
    Installé le : { $at } (UTC)
    Empreinte du certificat (SHA-256) : { $fingerprint }

    Si personne de votre établissement ne l'a installé, révoquez-le tout de suite dans le panneau Postes de la console, puis faites réinitialiser le mot de passe de la console et changer le numéro de facture par votre hébergeur.

administration-changed-subject = Le profil Administration de { $schedule } a changé
administration-changed-body =
    Bonjour,

    Les membres du profil Administration du planning { $schedule } de { $school } ont été modifiés le { $at } (UTC), depuis le poste { $workstation }.

    Membres désormais : { $members_count ->
        [0] personne
       *[other] { $members }
    }
    Ajoutés : { $added_count ->
        [0] personne
       *[other] { $added }
    }
    Retirés : { $removed_count ->
        [0] personne
       *[other] { $removed }
    }

    Les membres de ce profil voient le journal d'audit et les bases des années précédentes de { $schedule } ; seul le responsable de l'hébergement les modifie. Si vous n'avez pas fait ce changement, révoquez tout de suite ce poste dans le panneau Postes de la console, puis faites réinitialiser le mot de passe de la console par votre hébergeur.

## La page du service pour télécharger la console (quand l'hébergeur n'en donne pas).
console-page-title = Télécharger la console d'hébergement
console-page-body = La console d'hébergement est l'application avec laquelle votre établissement gère son serveur hébergé. { $provider } fournit son installateur pour Windows, macOS et Linux aux établissements qu'il héberge.
console-page-help = Demandez à l'assistance de { $provider } l'installateur de votre système, puis connectez-vous avec le numéro d'hébergement et le numéro de facture reçus par e-mail et le mot de passe reçu par SMS.
password-reset-subject = Votre code à usage unique pour choisir un nouveau mot de passe
password-reset-body =
    Bonjour,

    Un nouveau mot de passe a été demandé pour { $who ->
        [manager] la console d'hébergement de { $school } (le responsable de l'hébergement)
       *[superadmin] le superadministrateur { $username } de { $school }
    }.

    Code à usage unique : { $code }

    Saisissez-le dans la console d'hébergement dans les { $minutes } minutes ; il ne sert qu'une fois. { $who ->
        [manager] Votre nouveau mot de passe de la console arrive ensuite par SMS, et les sessions ouvertes avec l'ancien se terminent.
       *[superadmin] Vous choisissez ensuite votre nouveau mot de passe, et les sessions ouvertes avec l'ancien se terminent.
    }

    Si personne ne l'a demandé, ignorez cet e-mail : votre mot de passe ne change pas.
