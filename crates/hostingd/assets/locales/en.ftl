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
logins-invoice-subject = Your hosting logins (1 of 2): the invoice number
logins-invoice-body =
    Hello,

    The hosted server of { $school } is ready. Here is the first of your two e-mails of logins.

    Invoice number: { $invoice }

    The hosting console asks for it once on each workstation, to install the workstation's certificate. The hosting number comes in a second e-mail, and the password of the hosting console by SMS.
logins-hosting-subject = Your hosting logins (2 of 2): the hosting number
logins-hosting-body =
    Hello,

    Here is the second of your two e-mails of logins for the hosted server of { $school }.

    Hosting number: { $hosting }

    Install the hosting console, choose "I log in as: hosting manager", enter the hosting number and the password received by SMS, then the invoice number of the first e-mail to install the certificate of your workstation.
upgrade-failed-subject = The upgrade of your hosted server did not happen
upgrade-failed-body =
    Hello,

    The upgrade of the hosted server of { $school } from version { $from } to { $to } did not happen: { $reason }

    Nothing was lost: your server stays on version { $from } with its bases as they were, and the servers that were running run again. The upgrade is tried again tomorrow. If it fails again, contact your provider's support.
upgrade-done-subject = Your hosted server runs version { $to }
upgrade-done-body =
    Hello,

    The hosted server of { $school } was upgraded to version { $to }. A safeguard of each running base was taken first; the servers that were running run again with their converted base.

    Install version { $to } of PRONOTE on the workstations that connect to it.

## The webspaces of a schedule's endpoint (PRONOTE.net): pages in the visitor's language.
webspace-teachers = Teachers
webspace-parents = Parents
webspace-students = Students
webspace-student_administration = Student administration
webspace-title = { $space } space
webspace-heading = { $space } space of { $schedule }
webspace-inactivity = { $minutes ->
    [one] You are logged out after { $minutes } minute of inactivity.
   *[other] You are logged out after { $minutes } minutes of inactivity.
}
webspace-not-published-title = This space is not published
webspace-not-published = The { $space } space of { $schedule } ({ $school }) is not published. The school publishes its webspaces in its hosting console, in the PRONOTE.net panel.
webspace-unavailable-title = This space is not available
webspace-unavailable = This space cannot answer right now. Try again in a minute.
webspace-logged-in = Logged in through the ENT as { $name }.
webspace-ticket-refused-title = Login refused
webspace-ticket-refused = The ENT did not accept this login ({ $code }). Open the space's address again to log in.
webspace-cas-unreachable-title = The ENT does not answer
webspace-cas-unreachable = The login server of the ENT does not answer ({ $why }). Try again in a minute.
webspace-no-delegation-title = No ENT login here
webspace-no-delegation = The { $space } space of { $schedule } does not log in through an ENT.

## The e-mails of the notifications that need action (the console's bell shows them too).
notice-safeguard-failed-subject = The safeguard of { $schedule } failed
notice-safeguard-failed-body =
    Hello,

    The safeguard of the schedule { $schedule } of { $school } could not be taken on { $date }. The service tries again at its next run; the safeguards already taken are kept.

    Check in the hosting console (Server PRONOTE, Safeguards) that a new one appears. If none does by tomorrow, contact your provider's support.
notice-server-stopped-subject = The server of { $schedule } is stopped
notice-server-stopped-body =
    Hello,

    The server of the schedule { $schedule } of { $school } is stopped: the service could not start it again ({ $reason }).

    PRONOTE clients cannot connect to it until it runs. Activate it again in the hosting console (Server PRONOTE, Active base). If it does not start, contact your provider's support.
notice-upgrade-coming-subject = Your hosted server is upgraded to version { $to } on { $date }
notice-upgrade-coming-body =
    Hello,

    The hosted server of { $school } is upgraded to version { $to } on { $date }. A safeguard of each running base is taken first, and the servers stop for a few minutes.

    If this day does not suit you, choose another day of the window in the hosting console (My account, Day of the upgrade) before then.
notice-certificate-expiring-subject = The certificate of the workstation { $name } expires on { $date }
notice-certificate-expiring-body = { $days ->
    [one] Hello,{"\u000A"}{"\u000A"}The certificate of the workstation { $name } in the hosting account of { $school } expires on { $date }, in { $days } day. After that day this workstation can no longer log in.{"\u000A"}{"\u000A"}Renew it from that workstation in the hosting console (My account, Renew the certificate of this workstation).{"\u000A"}
   *[other] Hello,{"\u000A"}{"\u000A"}The certificate of the workstation { $name } in the hosting account of { $school } expires on { $date }, in { $days } days. After that day this workstation can no longer log in.{"\u000A"}{"\u000A"}Renew it from that workstation in the hosting console (My account, Renew the certificate of this workstation).{"\u000A"}
}

## Logins and security, each in the account's language.
logins-download = Download the hosting console: { $download }
sms-password-subject = Hosting console password
sms-password-body = Hosting console password: { $password }
    Keep it safe. Your hosting number is in the e-mail you received.
sms-new-password-subject = New hosting console password
sms-new-password-body = Your new hosting console password: { $password }
    Keep it safe; the previous one no longer opens the console.
sms-password-reminder-subject = Hosting console password
sms-password-reminder-body = Your hosting console password is the one received by SMS when your account was opened. If it is lost, ask for a new one on the console's login screen (I lost my password): a one-time code comes by e-mail, then the new password by SMS.
invoice-rotated-subject = Your new invoice number
invoice-rotated-body =
    Hello,

    The invoice number of the hosted server of { $school } (hosting number { $hosting }) was replaced.

    New invoice number: { $invoice }

    The old one no longer installs a workstation certificate. The workstations already installed keep working.
workstation-installed-subject = A new workstation was installed in your hosting account
workstation-installed-body =
    Hello,

    A new workstation was installed for { $who ->
        [manager] the hosting manager
       *[superadmin] the superadministrator { $username }
    } in the hosting account of { $school }.

    Workstation: { $name }
    Installed at: { $at } (UTC)
    Certificate fingerprint (SHA-256): { $fingerprint }

    If nobody of your school installed it, revoke it at once in the console's Workstations panel, then have the console password reset and the invoice number changed by your provider.

administration-changed-subject = The Administration profile of { $schedule } changed
administration-changed-body =
    Hello,

    The members of the Administration profile of the schedule { $schedule } of { $school } were changed at { $at } (UTC), from the workstation { $workstation }.

    Members now: { $members_count ->
        [0] nobody
       *[other] { $members }
    }
    Added: { $added_count ->
        [0] nobody
       *[other] { $added }
    }
    Taken out: { $removed_count ->
        [0] nobody
       *[other] { $removed }
    }

    The members of this profile see the audit log and the bases of previous years of { $schedule }; only the hosting manager changes them. If you did not make this change, revoke that workstation at once in the console's Workstations panel, then have the console password reset by your provider.

## The service's own page of the console's download (when the provider gives none).
console-page-title = Download the hosting console
console-page-body = The hosting console is the application with which your school runs its hosted server. { $provider } gives its installer for Windows, macOS and Linux to the schools it hosts.
console-page-help = Ask { $provider }'s support for the installer of your system, then log in with the hosting number and the invoice number received by e-mail and the password received by SMS.
password-reset-subject = Your one-time code to choose a new password
password-reset-body =
    Hello,

    A new password was asked for { $who ->
        [manager] the hosting console of { $school } (the hosting manager)
       *[superadmin] the superadministrator { $username } of { $school }
    }.

    One-time code: { $code }

    Type it in the hosting console within { $minutes } minutes; it works once. { $who ->
        [manager] Your new console password then comes by SMS, and the sessions opened with the old one end.
       *[superadmin] You then choose your new password, and the sessions opened with the old one end.
    }

    If nobody asked for it, ignore this e-mail: your password does not change.
