# The guide inside the console (Assistance panel): one page per task.
# Chaque page a guide-<id>-title et guide-<id>-body ; en.ftl a les mêmes identifiants dans le même ordre.
# Un texte continue sur des lignes indentées de 4 espaces. Aucune ligne ne commence par [ * . ni par
# une accolade fermante, et aucune ligne ne contient d'accolade : étapes « 1. », puces « – ».

guide-schedules-title = Nommer les plannings et leur donner un domaine
guide-schedules-body =
    Chaque planning est un Serveur PRONOTE hébergé ; la plupart des établissements en ont deux, appelés d'abord planning01 et planning02. Ils se règlent dans le panneau « Configuration » : le responsable de l'hébergement le fait lors des premières étapes, et chacun peut y revenir ensuite.

    1. Saisissez un nom de domaine pour le contrôleur, cliquez sur « Confirmer le domaine du contrôleur » et répondez « Oui ». Le nom de votre établissement convient bien, par exemple lycee-victor-hugo.
    2. Si vous le souhaitez, renommez chaque planning : 1 à 32 lettres, chiffres, « - » ou « _ ».
    3. Laissez cochée « Activer une licence PRONOTE Campus.net » pour chaque planning dont votre contrat comprend cette licence.
    4. Saisissez le nom de domaine du planning, vérifiez son fuseau horaire, cliquez sur « Confirmer » suivi du nom du planning, puis répondez « Oui ».

    Chaque nom de domaine reçoit un port. Le domaine et le port forment les coordonnées de connexion des Clients PRONOTE : la console les affiche sous chaque nom, prêtes à être transmises.

    La licence Campus.net décide si les espaces web d'un planning peuvent être publiés. Avec elle, ils sont publiés dès qu'une base est mise en service ; sans elle, ils ne peuvent pas l'être.

    Seul le responsable de l'hébergement peut choisir ou changer un nom de domaine. Un superadministrateur peut renommer un planning, changer sa licence et son fuseau horaire. Pour utiliser un domaine qui appartient à votre établissement, demandez d'abord à votre hébergeur de le vérifier.

guide-users-title = Les superadministrateurs et l'accès à la console
guide-users-body =
    Les superadministrateurs font fonctionner les serveurs hébergés au quotidien. Ils se gèrent dans le panneau « Contrôleur », avec ses onglets « Liste des utilisateurs », « Ajouter un utilisateur » et « Affectation aux profils ».

    1. Dans « Ajouter un utilisateur », saisissez le prénom, le nom, l'identifiant et le mot de passe, cochez « Superadministrateur », puis cliquez sur « Ajouter l'utilisateur ». Seul le responsable de l'hébergement peut créer un superadministrateur.
    2. Dans « Liste des utilisateurs », le responsable de l'hébergement clique sur « Modifier » sur la ligne de la personne, saisit une adresse e-mail valide, coche « Accès à la console », puis clique sur « Enregistrer ». L'accès à la console demande l'adresse e-mail.
    3. Dans « Affectation aux profils », choisissez le profil « Administration » et cochez la personne dans la colonne de chaque planning dont elle s'occupe. Sans cela, elle ne peut pas se connecter à la base de ce planning.

    Un mot de passe compte de 10 à 128 caractères, avec une minuscule, une majuscule et un chiffre, et n'est pas l'identifiant. Un identifiant commence par une lettre.

    Transmettez ensuite à la personne ce qu'il lui faut : la console, le numéro d'hébergement, le numéro de facture, son identifiant et son mot de passe. Envoyez le mot de passe à part.

    Pour qu'une personne n'utilise plus la console, le responsable de l'hébergement décoche son « Accès à la console » : la console la refuse aussitôt, et ses profils restent inchangés.

guide-workstations-title = Installer la console sur un nouveau poste
guide-workstations-body =
    Chaque ordinateur qui utilise la console a son propre certificat. Il s'installe la première fois que quelqu'un se connecte depuis cet ordinateur.

    1. Ouvrez la console avec son raccourci sur le bureau et indiquez qui vous êtes : responsable de l'hébergement ou superadministrateur.
    2. Saisissez le numéro d'hébergement (12 chiffres) et votre mot de passe : celui de la console, reçu par SMS, pour le responsable de l'hébergement ; votre identifiant et votre mot de passe pour un superadministrateur.
    3. Saisissez le numéro de facture (10 chiffres, reçu par e-mail), nommez le poste, puis cliquez sur « Installer le certificat ». Le numéro de facture n'est demandé qu'une fois par poste.

    La clé du poste est créée sur l'ordinateur et conservée dans le trousseau du système, jamais dans un simple fichier. Si la console indique que le trousseau est inutilisable, déverrouillez-le et réessayez.

    Identifiants perdus ? Sur l'écran de connexion, saisissez le numéro d'hébergement (il figure aussi sur vos factures) et cliquez sur « Recevoir mes identifiants d'hébergement » : le numéro d'hébergement et le numéro de facture sont renvoyés par e-mail. Le mot de passe de la console n'est jamais renvoyé ; seul votre hébergeur peut le réinitialiser.

    Le panneau « Postes » indique qui utilise chaque poste, quand il a été installé et jusqu'à quand son certificat est valable. Si un ordinateur est perdu, volé ou donné, cliquez sur « Révoquer » sur sa ligne : son certificat est refusé aussitôt. Le responsable de l'hébergement voit et révoque tous les postes ; un superadministrateur, seulement les siens.

    Avant la fin d'un certificat, renouvelez-le dans « Mon compte » avec « Renouveler le certificat de ce poste » : le numéro de facture n'est pas demandé.

guide-load-base-title = Charger une base de votre propre Serveur PRONOTE
guide-load-base-body =
    Pour passer une base d'un Serveur PRONOTE installé dans l'établissement au serveur hébergé, préparez d'abord les fichiers d'hébergement dans ce Serveur PRONOTE local, avec sa commande qui génère les fichiers pour l'hébergement. Elle demande votre numéro d'hébergement et écrit un fichier *.HNOT, la base, avec jusqu'à trois compléments : *.HCOURRIERS (courriers), *.HDOCJOINTS (documents joints) et *.HPHOTOS (photos).

    1. Dans « Serveur PRONOTE », choisissez le planning et ouvrez l'onglet « Base active ». Si le serveur est en service, cliquez sur « Arrêter le serveur » : les Clients PRONOTE sont déconnectés jusqu'à la prochaine mise en service d'une base.
    2. Cliquez sur « Charger une base » et choisissez le fichier .HNOT avec ses compléments, ou déposez les fichiers sur la fenêtre de la console.
    3. Suivez le transfert dans la liste en bas de la fenêtre. Vous pouvez continuer à travailler, mettre en pause et reprendre ; si la connexion ou l'ordinateur s'arrête, le transfert repart de là où il en était, et la console propose de le reprendre à la connexion suivante.
    4. Une fois la base chargée, ouvrez l'onglet « Autres bases », sélectionnez-la sous « Bases téléchargées depuis l'établissement » et cliquez sur « Ouvrir cette base ».
    5. De retour dans « Base active », cliquez sur « Mettre en service ». Vérifiez le résultat avec « Tester la connexion ».

    Un complément envoyé plus tard n'est pas perdu : sélectionnez la base dans « Autres bases » et cliquez sur « Compléter la base » pour ajouter un fichier .HCOURRIERS, .HDOCJOINTS ou .HPHOTOS.

guide-other-bases-title = Ouvrir une autre base
guide-other-bases-body =
    L'onglet « Autres bases » de « Serveur PRONOTE » conserve toutes les bases du planning, avec leur taille, leur date et leur empreinte (SHA-256) :
    – « Bases précédemment mises en service » : les bases qui ont déjà été en service ;
    – « Bases téléchargées depuis l'établissement » : les bases chargées à partir de vos fichiers ;
    – les bases créées vides ou restaurées d'une sauvegarde, jamais mises en service.

    1. Dans « Base active », cliquez sur « Arrêter le serveur » s'il est en service.
    2. Dans « Autres bases », sélectionnez la base, cliquez sur « Ouvrir cette base » et confirmez. Elle remplace la base ouverte sur le serveur ; la base remplacée reste dans la liste.
    3. De retour dans « Base active », cliquez sur « Mettre en service ».

    Les mentions « active » et « ouverte » dans la liste montrent quelle base est en service et laquelle attend sa mise en service.

guide-empty-base-title = Repartir d'une base vide
guide-empty-base-body =
    Fin août, le service crée et met en service une nouvelle base vide pour chaque planning qui n'a pas mis de nouvelle base en ligne depuis la fin de l'année scolaire. Vous pouvez aussi en créer une vous-même à tout moment.

    1. Dans « Serveur PRONOTE », choisissez le planning et ouvrez l'onglet « Base active ». Cliquez sur « Arrêter le serveur » s'il est en service.
    2. Cliquez sur « Créer une base ».
    3. Gardez la grille horaire proposée ou ajustez « Première heure de la journée », « Durée d'un créneau (minutes) » et « Créneaux par jour ». Elle sera remplacée ensuite par les données d'EDT.
    4. Cliquez sur « Créer la base » : elle est créée et ouverte.
    5. Cliquez sur « Mettre en service » pour la rendre accessible aux Clients PRONOTE.

    La mise en service demande le nom de domaine du planning : si la console le réclame, indiquez-le d'abord dans le panneau « Configuration ».

guide-safeguard-title = Revenir à une sauvegarde
guide-safeguard-body =
    Tant qu'un serveur est en service, le service fait régulièrement une sauvegarde de sa base et garde les plus récentes, ainsi qu'une par jour et une par semaine pendant un certain temps. L'onglet « Sauvegardes » de « Serveur PRONOTE » les liste, des plus récentes aux plus anciennes.

    Pour garder une copie dans l'établissement, sélectionnez une sauvegarde et cliquez sur « Télécharger ». La console vérifie que le fichier enregistré est exactement celui que conserve le service.

    Pour remettre une sauvegarde à la place de la base active :
    1. Dans « Base active », cliquez sur « Arrêter le serveur » : une sauvegarde ne peut pas être ouverte tant que le serveur est en service.
    2. Dans « Sauvegardes », sélectionnez la sauvegarde, cliquez sur « Ouvrir cette sauvegarde » et confirmez. Elle devient la base ouverte, avec ses fichiers complémentaires tels qu'ils étaient ce jour-là.
    3. Dans « Base active », cliquez sur « Mettre en service ».

    La base remplacée n'est pas supprimée : elle reste dans « Autres bases », parmi les bases précédemment mises en service, si vous en avez de nouveau besoin.

guide-licences-title = Réserver des licences aux administrateurs
guide-licences-body =
    Votre contrat permet un certain nombre de connexions simultanées en mode Administratif. Les jours de forte affluence, les autres utilisateurs pourraient toutes les prendre. Réserver des licences garde une place au superadministrateur et aux autres membres du groupe Administration.

    1. Dans « Serveur PRONOTE », choisissez le planning et ouvrez l'onglet « Suivi des connexions ».
    2. Lisez le nombre de licences du contrat et le nombre de membres du profil Administration.
    3. Saisissez le nombre voulu dans « Licences réservées aux administrateurs », au plus celles du contrat, puis cliquez sur « Enregistrer ».

    Les licences du contrat figurent aussi dans « Mon compte ».

guide-previous-years-title = Les bases des années précédentes
guide-previous-years-body =
    À la fin de chaque année scolaire, le service archive la base active de chaque planning comme base de l'année qui se termine. Ces bases sont conservées en lecture seule, et votre base en cours n'est pas touchée.

    L'onglet « Années précédentes » de « Serveur PRONOTE » les présente dans une grille : une ligne par année scolaire, une colonne par planning, avec la taille, la date et la version de chaque base.

    Sous la grille, les boutons portent sur le planning choisi en haut du panneau :
    – Pour remplacer une base archivée, ou en ajouter une pour une année qui n'en a pas (votre première année hébergée, par exemple), cliquez sur « Remplacer la base de … » ou « Charger une base pour … » pour cette année et choisissez ses fichiers PRONOTE. Le transfert se met en pause et se reprend comme les autres.
    – Pour garder une copie dans l'établissement, cliquez sur « Télécharger la base de … ».

    Seuls les membres du profil Administration du planning peuvent remplacer ou télécharger ces bases ; le responsable de l'hébergement ne le peut pas. Les membres s'ajoutent dans le panneau « Contrôleur », onglet « Affectation aux profils ».

guide-upgrade-title = La mise à jour annuelle de version
guide-upgrade-body =
    Chaque été, votre hébergeur publie la nouvelle version de PRONOTE. « Mon compte », sous « Version et mise à jour annuelle », indique la version de votre serveur, la nouvelle version et le jour prévu pour votre mise à jour, avec le nombre de jours restants.

    Par défaut, la mise à jour a lieu le premier jour de la période fixée par l'hébergeur. Pour choisir un autre jour de cette période, sélectionnez-le dans « Jour de la mise à jour » et cliquez sur « Enregistrer le jour ». Un jour passé ou hors de la période est refusé.

    Pour préparer la nouvelle année en avance, cliquez sur « Passer dès maintenant à la préversion … » dès qu'elle est disponible : le panneau indique à partir de quelle date. Le passage a lieu dans la minute.

    Le jour venu, le service fait une sauvegarde de chaque base en service, convertit les bases actives et redémarre les serveurs qui étaient en service. En cas de problème, tout revient à la version précédente tel que c'était, et la mise à jour est retentée le lendemain ; le responsable de l'hébergement est prévenu par e-mail.

    Une fois la mise à jour faite, installez la même version de PRONOTE sur les ordinateurs qui se connectent au serveur hébergé.

guide-contract-title = Renouveler le contrat d'hébergement
guide-contract-body =
    « Mon compte » indique le début et la fin du contrat, avec le nombre de jours restants quand la fin approche. Le responsable de l'hébergement reçoit aussi des rappels par e-mail avant la fin.

    Seul un superadministrateur peut renouveler le contrat :
    1. Dans « Mon compte », sous « Renouveler le contrat », saisissez le « Premier jour de la nouvelle période » (AAAA-MM-JJ, en principe le lendemain de la fin actuelle).
    2. Choisissez la « Durée » : de 1 à 3 ans.
    3. Cliquez sur « Établir la facture pro forma », puis sur « Enregistrer la facture pro forma » pour la garder en PDF.

    Réglez la facture pro forma comme votre hébergeur le demande. Le contrat est renouvelé à réception du paiement, et « Mon compte » affiche alors la nouvelle fin.

    Les factures pro forma déjà établies sont listées en dessous, chacune avec son bouton d'enregistrement.

guide-publish-title = Publier les espaces web
guide-publish-body =
    Les espaces web permettent aux professeurs, aux parents, aux élèves et à la vie scolaire d'utiliser PRONOTE dans un navigateur. Ils se gèrent planning par planning dans le panneau « PRONOTE.net ».

    Un planning qui a la licence Campus.net est publié automatiquement quand sa base est mise en service. Sans la licence, il ne peut pas être publié : la licence se coche dans le panneau « Configuration », selon votre contrat.

    Si vous arrêtez la publication, elle reste arrêtée lors des mises en service suivantes, jusqu'à ce que vous cliquiez sur « Publier ».

    – « Publier » ouvre les espaces web ; « Arrêter la publication » les ferme. Avant l'arrêt, la console liste qui perd l'accès : relisez cette liste avant de confirmer.
    – Quatre interrupteurs ouvrent ou ferment chaque espace séparément : « Professeurs », « Parents », « Élèves » et « Vie scolaire ».
    – Le temps d'inactivité, en minutes, est la durée au bout de laquelle une personne inactive est déconnectée.

    L'adresse de chaque espace s'affiche avec « Ouvrir dans le navigateur », pour la vérifier, et « Copier », pour la coller sur le site de l'établissement ou dans un message aux familles. Les adresses ne répondent que lorsque le serveur du planning est en service.

guide-delegate-title = Se connecter par l'ENT (CAS)
guide-delegate-body =
    Avec l'authentification déléguée, chacun ouvre un espace web avec ses identifiants de l'ENT (espace numérique de travail) au lieu de ses identifiants PRONOTE. C'est le serveur CAS de l'ENT qui vérifie qui il est.

    Demandez à l'administrateur de l'ENT l'adresse de son serveur CAS ; elle commence par https://.

    1. Dans le panneau « PRONOTE.net », choisissez le planning et cliquez sur « Arrêter la publication ». La délégation ne se modifie que lorsque la publication est arrêtée.
    2. Dans la délégation, choisissez « ENT (CAS) » et saisissez l'« Adresse du serveur CAS ».
    3. Enregistrez : la console vérifie que le serveur CAS répond à cette adresse.
    4. Cliquez sur « Publier ».
    5. Vérifiez avec « Ouvrir dans le navigateur » sur un espace : vous devez arriver sur la page de connexion de l'ENT.

    Pour revenir aux identifiants PRONOTE, arrêtez la publication, choisissez « Aucune délégation », enregistrez et publiez de nouveau.

guide-audit-title = Ce qui s'est passé dans votre compte
guide-audit-body =
    Le panneau « Journal des actions » enregistre chaque modification : qui l'a faite, depuis quel poste et quelle adresse, quand, sur quel planning, et ce qui était avant et après. Les connexions échouées y figurent aussi.

    Le responsable de l'hébergement voit toutes les actions du compte. Un superadministrateur voit ses propres actions et celles qui portent sur les plannings de son profil Administration.

    1. Affinez la liste avec « Du (jour) », « Au (jour) », « Personne » et « Type », puis cliquez sur « Afficher ».
    2. Cliquez sur « Afficher les actions plus anciennes » pour remonter plus loin.
    3. Cliquez sur « Exporter en CSV… » pour enregistrer ce que les filtres retiennent, pour un tableur ou pour vos archives.

    Les heures sont en UTC. Si une action vous surprend, le poste et l'adresse indiquent d'où elle vient ; révoquez un poste inconnu dans le panneau « Postes ».

guide-notifications-title = Les notifications
guide-notifications-body =
    La cloche en haut de la fenêtre compte les notifications que vous n'avez pas encore lues. Cliquez dessus pour les voir, des plus récentes aux plus anciennes ; « Ouvrir » mène au bon panneau, et « Marquer comme lu » la retire pour vous.

    – Une date de mise à jour approche : vérifiez le jour dans « Mon compte » et changez-le s'il ne vous convient pas.
    – Le certificat de ce poste expire bientôt : renouvelez-le dans « Mon compte ».
    – Une sauvegarde a échoué : regardez l'onglet « Sauvegardes » de « Serveur PRONOTE » ; si cela se reproduit, contactez l'assistance de votre hébergeur.
    – Un serveur a été arrêté par une tâche du service : remettez sa base en service dans « Serveur PRONOTE ».
    – Le contrat arrive à son terme : un superadministrateur le renouvelle dans « Mon compte ».
    – Un nouveau poste a été installé : si vous ne le connaissez pas, révoquez-le dans « Postes ».

    Certaines notifications arrivent aussi par e-mail, pour qu'une alerte urgente n'attende pas que quelqu'un ouvre la console.
