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

/// The logins go in two e-mails, as the provider's pages say: the invoice number first, then
/// the hosting number; the password goes by SMS.
pub fn logins_emails(
    school_name: &str,
    hosting_number: &str,
    invoice_number: &str,
) -> [Message; 2] {
    [
        message(
            "Your hosting logins (1 of 2): the invoice number",
            format!(
                "Hello,\n\nThe hosted server of {school_name} is ready. Here is the first of your two e-mails of logins.\n\nInvoice number: {invoice_number}\n\nThe hosting console asks for it once on each workstation, to install the workstation's certificate. The hosting number comes in a second e-mail, and the password of the hosting console by SMS.\n"
            ),
        ),
        message(
            "Your hosting logins (2 of 2): the hosting number",
            format!(
                "Hello,\n\nHere is the second of your two e-mails of logins for the hosted server of {school_name}.\n\nHosting number: {hosting_number}\n\nInstall the hosting console, choose \"I log in as: hosting manager\", enter the hosting number and the password received by SMS, then the invoice number of the first e-mail to install the certificate of your workstation.\n"
            ),
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
    message(
        "The upgrade of your hosted server did not happen",
        format!(
            "Hello,\n\nThe upgrade of the hosted server of {school} from version {from} to {to} did not happen: {reason}\n\nNothing was lost: your server stays on version {from} with its bases as they were, and the servers that were running run again. The upgrade is tried again tomorrow. If it fails again, contact your provider's support.\n"
        ),
    )
}

/// The e-mail that tells the hosting manager the yearly upgrade was done.
pub fn upgrade_done_email(school: &str, to: &str) -> Message {
    message(
        "Your hosted server runs the new version",
        format!(
            "Hello,\n\nThe hosted server of {school} was upgraded to version {to}. A safeguard of each running base was taken first; the servers that were running run again with their converted base.\n\nInstall version {to} of PRONOTE on the workstations that connect to it.\n"
        ),
    )
}

/// The e-mail that reminds the hosting manager of the contract's end, in French then English.
pub fn contract_ending_email(school: &str, ends_on: time::Date, days: i64) -> Message {
    use crate::texts::{Arg, Language, Texts};
    let date = crate::texts::day(ends_on);
    let args = [
        ("school", Arg::Text(school)),
        ("date", Arg::Text(&date)),
        ("days", Arg::Number(days)),
    ];
    let fr = Texts::new(Language::Fr);
    let en = Texts::new(Language::En);
    Message {
        subject: format!(
            "{} / {}",
            fr.get("contract-ending-subject", &args),
            en.get("contract-ending-subject", &args)
        ),
        body: format!(
            "{}\n---\n\n{}",
            fr.get("contract-ending-body", &args),
            en.get("contract-ending-body", &args)
        ),
    }
}
