//! What the service writes to a school: the e-mails and SMS put in the outbox. The store
//! enqueues them in the transaction of the change they report, written in the account's
//! language (see [`crate::store`]'s outbox); their words live in `assets/locales/{en,fr}.ftl`.

use crate::texts::{Arg, Language, Texts};

/// A value of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A text.
    Text(String),
    /// A number (which chooses plural forms).
    Number(i64),
}

/// A message of the outbox before its language is known: the Fluent keys of its subject (the
/// SMS gateway ignores it) and of the paragraphs of its body, with their arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    subject: &'static str,
    body: Vec<&'static str>,
    args: Vec<(&'static str, Value)>,
    /// It holds a secret (a password, a one-time code, an invoice number): its body is
    /// dropped once delivered or given up.
    secret: bool,
}

/// A message written in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
}

impl Message {
    fn new(subject: &'static str, body: &'static str) -> Message {
        Message {
            subject,
            body: vec![body],
            args: Vec::new(),
            secret: false,
        }
    }

    /// A text that is a secret: the message is kept no longer than its delivery needs.
    fn secret(mut self, name: &'static str, value: &str) -> Message {
        self.secret = true;
        self.text(name, value)
    }

    /// Whether the message holds a secret.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    fn text(mut self, name: &'static str, value: &str) -> Message {
        self.args.push((name, Value::Text(value.to_string())));
        self
    }

    fn number(mut self, name: &'static str, value: i64) -> Message {
        self.args.push((name, Value::Number(value)));
        self
    }

    fn paragraph(mut self, key: &'static str) -> Message {
        self.body.push(key);
        self
    }

    /// The message in `language`.
    pub fn write(&self, language: Language) -> Written {
        let texts = Texts::new(language);
        let args: Vec<(&str, Arg<'_>)> = self
            .args
            .iter()
            .map(|(name, value)| {
                let arg = match value {
                    Value::Text(text) => Arg::Text(text),
                    Value::Number(n) => Arg::Number(*n),
                };
                (*name, arg)
            })
            .collect();
        let paragraphs: Vec<String> = self
            .body
            .iter()
            .map(|key| texts.get(key, &args).trim_end().to_string())
            .collect();
        Written {
            subject: texts.get(self.subject, &args),
            body: format!("{}\n", paragraphs.join("\n\n")),
        }
    }
}

/// The logins go in two e-mails, as the provider's pages say: the invoice number first, then
/// the hosting number; the password goes by SMS. Both say where the console is downloaded.
pub fn logins_emails(
    school_name: &str,
    hosting_number: &str,
    invoice_number: &str,
    download: &str,
) -> [Message; 2] {
    [
        Message::new("logins-invoice-subject", "logins-invoice-body")
            .paragraph("logins-download")
            .text("school", school_name)
            .secret("invoice", invoice_number)
            .text("download", download),
        Message::new("logins-hosting-subject", "logins-hosting-body")
            .paragraph("logins-download")
            .text("school", school_name)
            .text("hosting", hosting_number)
            .text("download", download),
    ]
}

/// The SMS with the console password of a new account.
pub fn console_password_sms(password: &str) -> Message {
    Message::new("sms-password-subject", "sms-password-body").secret("password", password)
}

/// The SMS with a new console password.
pub fn new_password_sms(password: &str) -> Message {
    Message::new("sms-new-password-subject", "sms-new-password-body").secret("password", password)
}

/// The e-mail with the one-time code of a lost password: for the hosting manager (`username`
/// none), or for the superadministrator `username`.
pub fn password_reset_email(
    school: &str,
    username: Option<&str>,
    code: &str,
    minutes: i64,
) -> Message {
    Message::new("password-reset-subject", "password-reset-body")
        .text("school", school)
        .text(
            "who",
            if username.is_some() {
                "superadmin"
            } else {
                "manager"
            },
        )
        .text("username", username.unwrap_or_default())
        .secret("code", code)
        .number("minutes", minutes)
}

/// The SMS sent with the logins again: the password is kept only as a hash.
pub fn password_reminder_sms() -> Message {
    Message::new(
        "sms-password-reminder-subject",
        "sms-password-reminder-body",
    )
}

/// The e-mail with a new invoice number.
pub fn rotated_invoice_email(
    school_name: &str,
    hosting_number: &str,
    invoice_number: &str,
) -> Message {
    Message::new("invoice-rotated-subject", "invoice-rotated-body")
        .text("school", school_name)
        .text("hosting", hosting_number)
        .secret("invoice", invoice_number)
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
    let (who, username) = match installer {
        Installer::Superadmin(username) => ("superadmin", username),
        Installer::Manager => ("manager", ""),
    };
    Message::new(
        "workstation-installed-subject",
        "workstation-installed-body",
    )
    .text("who", who)
    .text("username", username)
    .text("school", school)
    .text("name", name)
    .text("at", at)
    .text("fingerprint", fingerprint)
}

/// A change of the members of a schedule's Administration profile, for the hosting manager's
/// e-mail: the members' usernames.
pub struct AdministrationChange<'a> {
    /// The school.
    pub school: &'a str,
    /// The schedule.
    pub schedule: &'a str,
    /// The members after the change.
    pub members: &'a [String],
    /// Those added.
    pub added: &'a [String],
    /// Those taken out.
    pub removed: &'a [String],
    /// The workstation the change came from.
    pub workstation: &'a str,
    /// When (RFC 3339, UTC).
    pub at: &'a str,
}

/// The e-mail that tells the hosting manager the members of a schedule's Administration
/// profile changed: they see its audit log and its previous years, so the manager hears of
/// every change (made from a stolen workstation, say).
pub fn administration_changed_email(change: AdministrationChange<'_>) -> Message {
    let list = |names: &[String]| names.join(", ");
    let count = |names: &[String]| i64::try_from(names.len()).unwrap_or(i64::MAX);
    Message::new(
        "administration-changed-subject",
        "administration-changed-body",
    )
    .text("school", change.school)
    .text("schedule", change.schedule)
    .text("members", &list(change.members))
    .number("members_count", count(change.members))
    .text("added", &list(change.added))
    .number("added_count", count(change.added))
    .text("removed", &list(change.removed))
    .number("removed_count", count(change.removed))
    .text("workstation", change.workstation)
    .text("at", change.at)
}

/// The e-mail that tells the hosting manager the yearly upgrade failed: the school stays on its
/// version with its bases as they were, and the upgrade is tried again the next day.
pub fn upgrade_failed_email(school: &str, from: &str, to: &str, reason: &str) -> Message {
    Message::new("upgrade-failed-subject", "upgrade-failed-body")
        .text("school", school)
        .text("from", from)
        .text("to", to)
        .text("reason", reason)
}

/// The e-mail that tells the hosting manager the yearly upgrade was done.
pub fn upgrade_done_email(school: &str, to: &str) -> Message {
    Message::new("upgrade-done-subject", "upgrade-done-body")
        .text("school", school)
        .text("to", to)
}

/// The e-mail that reminds of the contract's end.
pub fn contract_ending_email(school: &str, ends_on: time::Date, days: i64) -> Message {
    Message::new("contract-ending-subject", "contract-ending-body")
        .text("school", school)
        .text("date", &crate::texts::day(ends_on))
        .number("days", days)
}

/// The e-mail of a notification: a schedule's safeguard could not be taken today.
pub fn safeguard_failed_email(school: &str, schedule: &str, day: time::Date) -> Message {
    Message::new(
        "notice-safeguard-failed-subject",
        "notice-safeguard-failed-body",
    )
    .text("school", school)
    .text("schedule", schedule)
    .text("date", &crate::texts::day(day))
}

/// The e-mail of a notification: a schedule's server is stopped, the service could not start it
/// again (`reason` says why, in the service's words).
pub fn server_stopped_email(school: &str, schedule: &str, reason: &str) -> Message {
    Message::new(
        "notice-server-stopped-subject",
        "notice-server-stopped-body",
    )
    .text("school", school)
    .text("schedule", schedule)
    .text("reason", reason)
}

/// The e-mail of a notification: the yearly upgrade to `to` happens on `day`.
pub fn upgrade_coming_email(school: &str, to: &str, day: time::Date) -> Message {
    Message::new(
        "notice-upgrade-coming-subject",
        "notice-upgrade-coming-body",
    )
    .text("school", school)
    .text("to", to)
    .text("date", &crate::texts::day(day))
}

/// The e-mail of a notification: the certificate of the workstation `name` expires on `day`, in
/// `days` days.
pub fn certificate_expiring_email(school: &str, name: &str, day: time::Date, days: i64) -> Message {
    Message::new(
        "notice-certificate-expiring-subject",
        "notice-certificate-expiring-body",
    )
    .text("school", school)
    .text("name", name)
    .text("date", &crate::texts::day(day))
    .number("days", days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_is_written_in_one_language() {
        let download = "https://provider.example/console";
        let [invoice, hosting] =
            logins_emails("Lycée Hugo", "123456789012", "0123456789", download);
        let fr = hosting.write(Language::Fr);
        let en = hosting.write(Language::En);
        assert!(
            fr.body.contains("responsable de l'hébergement"),
            "{}",
            fr.body
        );
        assert!(!fr.body.contains("Hello"), "{}", fr.body);
        assert!(en.body.contains("hosting manager"), "{}", en.body);
        assert!(!en.body.contains("Bonjour"), "{}", en.body);
        for written in [
            fr,
            en,
            invoice.write(Language::Fr),
            invoice.write(Language::En),
        ] {
            assert!(written.body.contains(download), "{}", written.body);
        }
        let sms = console_password_sms("Abcdefgh123456").write(Language::Fr);
        assert!(sms.body.starts_with("Mot de passe"), "{}", sms.body);
        assert!(sms.body.contains("Abcdefgh123456"));
        let who = |installer| {
            workstation_installed_email(installer, "Lycée", "PC-1", "2027-01-01T08:00:00Z", "ab")
                .write(Language::En)
                .body
        };
        assert!(who(Installer::Manager).contains("for the hosting manager in"));
        assert!(who(Installer::Superadmin("jdupont")).contains("the superadministrator jdupont"));
        let reminder = contract_ending_email("Lycée", time::macros::date!(2027 - 08 - 31), 1);
        assert!(reminder.write(Language::Fr).body.contains("dans 1 jour."));
    }
}
