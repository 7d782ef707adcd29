# What the service writes to people in English: the pro-forma invoice and the reminders of the
# contract's end. A number chooses its form ({ $count -> [one] … *[other] … }).
proforma-title = Pro-forma invoice
proforma-number = Number
proforma-date = Date
proforma-school = School
proforma-hosting-number = Hosting number
proforma-period = Period
proforma-period-value = from { $start } to { $end }
proforma-col-item = Item
proforma-col-quantity = Quantity
proforma-col-unit = Unit price excl. tax
proforma-col-amount = Amount excl. tax
proforma-item-hosting = { $years ->
    [one] Hosting of the school's servers, { $years } year
   *[other] Hosting of the school's servers, { $years } years
}
proforma-item-administration = Licences in Administrative mode ({ $count } × { $years ->
    [one] { $years } year
   *[other] { $years } years
})
proforma-item-campus-net = Campus.net licence of { $schedule }
proforma-total-excl = Total excluding tax
proforma-vat = VAT { $rate } %
proforma-total-incl = Total including tax
proforma-note = This pro-forma invoice is not an invoice. The contract is renewed for the period above once the provider has received the payment.
contract-ending-subject = Your hosting contract ends on { $date }
contract-ending-body = { $days ->
    [one] Hello,{"\u000A"}{"\u000A"}The hosting contract of { $school } ends on { $date }, in { $days } day. A superadministrator can renew it in the hosting console (My account, Renew the contract): the console makes the pro-forma invoice to pay.{"\u000A"}
   *[other] Hello,{"\u000A"}{"\u000A"}The hosting contract of { $school } ends on { $date }, in { $days } days. A superadministrator can renew it in the hosting console (My account, Renew the contract): the console makes the pro-forma invoice to pay.{"\u000A"}
}
