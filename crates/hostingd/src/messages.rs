//! What the service writes to a school: the e-mails and SMS put in the outbox. The store
//! enqueues them in the transaction of the change they report; their words live here.

/// A message of the outbox: a subject (the SMS gateway ignores it) and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
}

fn message(subject: &str, body: String) -> Message {
    Message {
        subject: subject.to_string(),
        body,
    }
}

/// A message in French then English (the service does not know the manager's language).
fn bilingual(subject: &str, body: &str, args: &[(&str, crate::texts::Arg<'_>)]) -> Message {
    use crate::texts::{Language, Texts};
    let fr = Texts::new(Language::Fr);
    let en = Texts::new(Language::En);
    Message {
        subject: format!("{} / {}", fr.get(subject, args), en.get(subject, args)),
        body: format!(
            "{}\n\n---\n\n{}\n",
            fr.get(body, args).trim_end(),
            en.get(body, args).trim_end()
        ),
    }
}

/// The logins go in two e-mails, as the provider's pages say: the invoice number first, then
/// the hosting number; the password goes by SMS.
pub fn logins_emails(
    school_name: &str,
    hosting_number: &str,
    invoice_number: &str,
) -> [Message; 2] {
    use crate::texts::Arg;
    [
        bilingual(
            "logins-invoice-subject",
            "logins-invoice-body",
            &[
                ("school", Arg::Text(school_name)),
                ("invoice", Arg::Text(invoice_number)),
            ],
        ),
        bilingual(
            "logins-hosting-subject",
            "logins-hosting-body",
            &[
                ("school", Arg::Text(school_name)),
                ("hosting", Arg::Text(hosting_number)),
            ],
        ),
    ]
}

/// The SMS with the console password of a new account.
pub fn console_password_sms(password: &str) -> Message {
    message(
        "Hosting console password",
        format!(
            "Hosting console password: {password}\nIt cannot be changed: keep it safe. Your hosting number is in the e-mail you received."
        ),
    )
}

/// The SMS with a console password reset by the provider.
pub fn new_password_sms(password: &str) -> Message {
    message(
        "New hosting console password",
        format!(
            "Your new hosting console password: {password}\nIt cannot be changed: keep it safe."
        ),
    )
}

/// The SMS sent with the logins again: the password is kept only as a hash.
pub fn password_reminder_sms() -> Message {
    message(
        "Hosting console password",
        "Your hosting console password is the one received by SMS when your account was opened. If it is lost, ask customer support to reset it.".to_string(),
    )
}

/// The e-mail with a new invoice number.
pub fn rotated_invoice_email(
    school_name: &str,
    hosting_number: &str,
    invoice_number: &str,
) -> Message {
    message(
        "Your new invoice number",
        format!(
            "Hello,\n\nThe invoice number of the hosted server of {school_name} (hosting number {hosting_number}) was replaced.\n\nNew invoice number: {invoice_number}\n\nThe old one no longer installs a workstation certificate. The workstations already installed keep working.\n"
        ),
    )
}

/// Who a workstation was installed for.
pub enum Installer<'a> {
    /// The hosting manager.
    Manager,
    /// A superadministrator, by username.
    Superadmin(&'a str),
}

/// The e-mail that tells the hosting manager a workstation was installed.
pub fn workstation_installed_email(
    installer: Installer<'_>,
    school: &str,
    name: &str,
    at: &str,
    fingerprint: &str,
) -> Message {
    let who = match installer {
        Installer::Superadmin(username) => format!("the superadministrator {username}"),
        Installer::Manager => "the hosting manager".to_string(),
    };
    message(
        "A new workstation was installed in your hosting account",
        format!(
            "Hello,\n\nA new workstation was installed for {who} in the hosting account of {school}.\n\nWorkstation: {name}\nInstalled at: {at} (UTC)\nCertificate fingerprint (SHA-256): {fingerprint}\n\nIf nobody of your school installed it, revoke it at once in the console's Workstations panel, then have the console password reset and the invoice number changed by your provider.\n"
        ),
    )
}

/// The e-mail that tells the hosting manager the yearly upgrade failed: the school stays on its
/// version with its bases as they were, and the upgrade is tried again the next day.
pub fn upgrade_failed_email(school: &str, from: &str, to: &str, reason: &str) -> Message {
    use crate::texts::Arg;
    bilingual(
        "upgrade-failed-subject",
        "upgrade-failed-body",
        &[
            ("school", Arg::Text(school)),
            ("from", Arg::Text(from)),
            ("to", Arg::Text(to)),
            ("reason", Arg::Text(reason)),
        ],
    )
}

/// The e-mail that tells the hosting manager the yearly upgrade was done.
pub fn upgrade_done_email(school: &str, to: &str) -> Message {
    use crate::texts::Arg;
    bilingual(
        "upgrade-done-subject",
        "upgrade-done-body",
        &[("school", Arg::Text(school)), ("to", Arg::Text(to))],
    )
}

/// The e-mail that reminds the hosting manager of the contract's end, in French then English.
pub fn contract_ending_email(school: &str, ends_on: time::Date, days: i64) -> Message {
    use crate::texts::Arg;
    let date = crate::texts::day(ends_on);
    bilingual(
        "contract-ending-subject",
        "contract-ending-body",
        &[
            ("school", Arg::Text(school)),
            ("date", Arg::Text(&date)),
            ("days", Arg::Number(days)),
        ],
    )
}

/// The e-mail of a notification: a schedule's safeguard could not be taken today.
pub fn safeguard_failed_email(school: &str, schedule: &str, day: time::Date) -> Message {
    use crate::texts::Arg;
    let date = crate::texts::day(day);
    bilingual(
        "notice-safeguard-failed-subject",
        "notice-safeguard-failed-body",
        &[
            ("school", Arg::Text(school)),
            ("schedule", Arg::Text(schedule)),
            ("date", Arg::Text(&date)),
        ],
    )
}

/// The e-mail of a notification: a schedule's server is stopped, the service could not start it
/// again (`reason` says why, in the service's words).
pub fn server_stopped_email(school: &str, schedule: &str, reason: &str) -> Message {
    use crate::texts::Arg;
    bilingual(
        "notice-server-stopped-subject",
        "notice-server-stopped-body",
        &[
            ("school", Arg::Text(school)),
            ("schedule", Arg::Text(schedule)),
            ("reason", Arg::Text(reason)),
        ],
    )
}

/// The e-mail of a notification: the yearly upgrade to `to` happens on `day`.
pub fn upgrade_coming_email(school: &str, to: &str, day: time::Date) -> Message {
    use crate::texts::Arg;
    let date = crate::texts::day(day);
    bilingual(
        "notice-upgrade-coming-subject",
        "notice-upgrade-coming-body",
        &[
            ("school", Arg::Text(school)),
            ("to", Arg::Text(to)),
            ("date", Arg::Text(&date)),
        ],
    )
}

/// The e-mail of a notification: the certificate of the workstation `name` expires on `day`, in
/// `days` days.
pub fn certificate_expiring_email(school: &str, name: &str, day: time::Date, days: i64) -> Message {
    use crate::texts::Arg;
    let date = crate::texts::day(day);
    bilingual(
        "notice-certificate-expiring-subject",
        "notice-certificate-expiring-body",
        &[
            ("school", Arg::Text(school)),
            ("name", Arg::Text(name)),
            ("date", Arg::Text(&date)),
            ("days", Arg::Number(days)),
        ],
    )
}
