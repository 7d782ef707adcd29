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
