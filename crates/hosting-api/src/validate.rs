//! Validation rules shared by the console (feedback as the person types) and the service (the
//! authority). Each rule returns the normalised value or an error that says what to fix.

use std::fmt;

use crate::bases::TimeGrid;

/// A value that breaks a rule: which field, a stable code and a sentence that says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The request field, e.g. `hosting_number`.
    pub field: &'static str,
    /// Stable code, e.g. `invalid_hosting_number`.
    pub code: &'static str,
    /// A sentence a person can act on.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValidationError {}

fn fail(field: &'static str, code: &'static str, message: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        code,
        message: message.into(),
    }
}

/// Length of the hosting number.
pub const HOSTING_NUMBER_DIGITS: usize = 12;
/// Length of the invoice number.
pub const INVOICE_NUMBER_DIGITS: usize = 10;
/// Length of the hosting manager's console password.
pub const CONSOLE_PASSWORD_CHARS: usize = 14;
/// Shortest user password.
pub const USER_PASSWORD_MIN: usize = 10;
/// Longest user password.
pub const USER_PASSWORD_MAX: usize = 128;
/// Shortest and longest username.
pub const USERNAME_CHARS: (usize, usize) = (3, 32);
/// Longest first name, surname or workstation name.
pub const NAME_MAX: usize = 64;
/// Longest schedule name.
pub const SCHEDULE_NAME_MAX: usize = 32;
/// Longest domain name (without the final dot).
pub const DOMAIN_MAX: usize = 253;
/// Longest DNS label.
pub const DNS_LABEL_MAX: usize = 63;
/// Longest e-mail address, in characters.
pub const EMAIL_MAX: usize = 254;
/// Longest local part of an e-mail address, in characters.
pub const EMAIL_LOCAL_MAX: usize = 64;
/// Shortest and longest slot of a time grid, in minutes.
pub const SLOT_MINUTES: (u32, u32) = (5, 240);
/// Minutes in a day: the slots of a grid end by midnight.
pub const DAY_MINUTES: u32 = 24 * 60;

fn digits(
    value: &str,
    count: usize,
    field: &'static str,
    code: &'static str,
    what: &str,
    source: &str,
) -> Result<String, ValidationError> {
    // People copy numbers from e-mails with spaces; those are not part of the number.
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(fail(
            field,
            code,
            format!("Enter the {what}: {count} digits, {source}."),
        ));
    }
    if !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(fail(
            field,
            code,
            format!("The {what} has only digits ({count} digits, {source})."),
        ));
    }
    if compact.len() != count {
        return Err(fail(
            field,
            code,
            format!(
                "The {what} has {count} digits; you typed {}. Check it in the e-mail.",
                compact.len()
            ),
        ));
    }
    Ok(compact)
}

/// The 12-digit hosting number (spaces are ignored).
pub fn hosting_number(value: &str) -> Result<String, ValidationError> {
    digits(
        value,
        HOSTING_NUMBER_DIGITS,
        "hosting_number",
        "invalid_hosting_number",
        "hosting number",
        "sent by e-mail",
    )
}

/// The 10-digit invoice number (spaces are ignored).
pub fn invoice_number(value: &str) -> Result<String, ValidationError> {
    digits(
        value,
        INVOICE_NUMBER_DIGITS,
        "invoice_number",
        "invalid_invoice_number",
        "invoice number",
        "sent by e-mail",
    )
}

/// The hosting manager's 14-character console password, as received by SMS.
pub fn console_password(value: &str) -> Result<(), ValidationError> {
    let count = value.chars().count();
    if count == CONSOLE_PASSWORD_CHARS && !value.chars().any(char::is_whitespace) {
        return Ok(());
    }
    Err(fail(
        "password",
        "invalid_password_format",
        format!(
            "The console password has {CONSOLE_PASSWORD_CHARS} characters without spaces, as received by SMS; you typed {count}."
        ),
    ))
}

/// The rules of a user password, in the order the console lists them.
pub const USER_PASSWORD_RULES: [&str; 4] = [
    "10 to 128 characters",
    "at least one lowercase and one uppercase letter",
    "at least one digit",
    "does not contain the username",
];

/// A user password (superadministrator and other users).
pub fn user_password(value: &str, username: &str) -> Result<(), ValidationError> {
    let code = "weak_password";
    let count = value.chars().count();
    if !(USER_PASSWORD_MIN..=USER_PASSWORD_MAX).contains(&count) {
        return Err(fail(
            "password",
            code,
            format!(
                "The password needs {USER_PASSWORD_MIN} to {USER_PASSWORD_MAX} characters; it has {count}."
            ),
        ));
    }
    if !value.chars().any(char::is_lowercase) || !value.chars().any(char::is_uppercase) {
        return Err(fail(
            "password",
            code,
            "The password needs at least one lowercase and one uppercase letter.",
        ));
    }
    if !value.chars().any(|c| c.is_ascii_digit()) {
        return Err(fail(
            "password",
            code,
            "The password needs at least one digit.",
        ));
    }
    let username = username.trim().to_lowercase();
    if username.len() >= 3 && value.to_lowercase().contains(&username) {
        return Err(fail(
            "password",
            code,
            "The password must not contain the username.",
        ));
    }
    Ok(())
}

fn dns_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= DNS_LABEL_MAX
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// Single names that no school may take in the hosting zone: the service's own (its API,
/// console, status and CAS pages) and those that mail and web conventions give a meaning to.
pub const RESERVED_LABELS: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "autoconfig",
    "autodiscover",
    "cas",
    "cdn",
    "console",
    "ftp",
    "help",
    "hostmaster",
    "hosting",
    "imap",
    "localhost",
    "login",
    "mail",
    "mx",
    "ns",
    "ns1",
    "ns2",
    "pop",
    "postmaster",
    "root",
    "smtp",
    "sso",
    "static",
    "status",
    "support",
    "vpn",
    "webmaster",
    "www",
];

/// A domain name for the controller or a schedule: DNS labels (letters, digits, hyphens)
/// separated by dots, not a single name of [`RESERVED_LABELS`]. Returned in lowercase.
pub fn domain(value: &str) -> Result<String, ValidationError> {
    // ASCII lowercase: a letter outside a to z (even one whose lowercase is ASCII, such as the
    // Kelvin sign) is refused, as the OpenAPI pattern says.
    let normalised = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let code = "invalid_domain";
    if normalised.is_empty() {
        return Err(fail(
            "domain",
            code,
            "Enter a domain name, for example the name of your school: lycee-victor-hugo.",
        ));
    }
    if normalised.len() > DOMAIN_MAX {
        return Err(fail(
            "domain",
            code,
            "The domain name is too long: at most 253 characters.",
        ));
    }
    if !normalised.split('.').all(dns_label) {
        return Err(fail(
            "domain",
            code,
            "A domain name uses letters a to z, digits and hyphens (not at the start or end of a part), with dots between parts of at most 63 characters, e.g. lycee-victor-hugo.",
        ));
    }
    if RESERVED_LABELS.contains(&normalised.as_str()) {
        return Err(fail(
            "domain",
            "reserved_domain",
            "This name is kept for the hosting service itself (like www, api or mail). Type the name of your school, e.g. lycee-victor-hugo.",
        ));
    }
    Ok(normalised)
}

/// A username: 3 to 32 characters, letters, digits, `.`, `_` or `-`, starting with a letter.
/// Returned in lowercase (usernames are not case-sensitive).
pub fn username(value: &str) -> Result<String, ValidationError> {
    // ASCII lowercase, as for domains: a username is made of a to z, whatever Unicode folds.
    let normalised = value.trim().to_ascii_lowercase();
    let code = "invalid_username";
    let count = normalised.chars().count();
    let (shortest, longest) = USERNAME_CHARS;
    if !(shortest..=longest).contains(&count) {
        return Err(fail(
            "username",
            code,
            format!("The username needs {shortest} to {longest} characters; it has {count}."),
        ));
    }
    let mut chars = normalised.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = normalised
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !starts_with_letter || !rest_ok {
        return Err(fail(
            "username",
            code,
            "A username starts with a letter and uses letters a to z, digits, '.', '_' or '-'.",
        ));
    }
    Ok(normalised)
}

/// An e-mail address (structure only: one `@`, a local part, a domain with a dot). Lengths are
/// counted in characters, as JSON Schema counts them.
pub fn email(value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    let code = "invalid_email";
    let message = "Enter a valid e-mail address, such as name@school.fr.";
    if trimmed.chars().count() > EMAIL_MAX
        || trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(fail("email", code, message));
    }
    let Some((local, domain_part)) = trimmed.rsplit_once('@') else {
        return Err(fail("email", code, message));
    };
    let domain_lower = domain_part.to_ascii_lowercase();
    let domain_ok = domain_lower.contains('.') && domain_lower.split('.').all(dns_label);
    if local.is_empty()
        || local.chars().count() > EMAIL_LOCAL_MAX
        || local.contains('@')
        || !domain_ok
    {
        return Err(fail("email", code, message));
    }
    Ok(format!("{local}@{domain_lower}"))
}

/// A person's name part (first name or surname): 1 to 64 characters, no control characters.
pub fn person_name(value: &str, field: &'static str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    let what = if field == "first_name" {
        "first name"
    } else {
        "surname"
    };
    if count == 0 || count > NAME_MAX || trimmed.chars().any(char::is_control) {
        return Err(fail(
            field,
            "invalid_name",
            format!("Enter the {what}: 1 to {NAME_MAX} characters."),
        ));
    }
    Ok(trimmed.to_string())
}

/// A schedule name: 1 to 32 letters, digits, `-` or `_`.
pub fn schedule_name(value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count == 0
        || count > SCHEDULE_NAME_MAX
        || !trimmed
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(fail(
            "name",
            "invalid_schedule_name",
            "A schedule name has 1 to 32 letters, digits, '-' or '_', e.g. planning01.",
        ));
    }
    Ok(trimmed.to_string())
}

/// A workstation name: 1 to 64 characters, no control characters.
pub fn workstation_name(value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count == 0 || count > NAME_MAX || trimmed.chars().any(char::is_control) {
        return Err(fail(
            "workstation_name",
            "invalid_workstation_name",
            "Give this workstation a name of 1 to 64 characters, e.g. Office PC.",
        ));
    }
    Ok(trimmed.to_string())
}

/// Time zones a schedule may use: France, its overseas territories and nearby countries.
pub const TIME_ZONES: [&str; 22] = [
    "Europe/Paris",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "America/Miquelon",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Pacific/Wallis",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/Monaco",
    "Europe/Madrid",
    "Europe/Lisbon",
    "Africa/Casablanca",
    "Africa/Dakar",
    "Africa/Abidjan",
    "Asia/Dubai",
    "America/Montreal",
    "UTC",
];

/// A schedule's time zone, one of [`TIME_ZONES`].
pub fn time_zone(value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    TIME_ZONES
        .iter()
        .find(|zone| zone.eq_ignore_ascii_case(trimmed))
        .map(|zone| (*zone).to_string())
        .ok_or_else(|| {
            fail(
                "time_zone",
                "invalid_time_zone",
                format!(
                    "Choose a time zone from the list, e.g. Europe/Paris; {trimmed:?} is not one."
                ),
            )
        })
}

fn grid_error(message: &str) -> ValidationError {
    fail("time_grid", "invalid_time_grid", message)
}

/// A number of `min_len` or 2 ASCII digits (no sign, no spaces).
fn grid_digits(text: &str, min_len: usize) -> Option<u32> {
    ((min_len..=2).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The time grid of a new base: the first hour as `H:MM` or `HH:MM`, slots of
/// [`SLOT_MINUTES`], and every slot of the day before midnight. The arithmetic is checked: a
/// grid whose numbers overflow is refused like any other that does not fit in a day.
pub fn time_grid(grid: &TimeGrid) -> Result<(), ValidationError> {
    let (hours, minutes) = grid
        .day_starts_at
        .split_once(':')
        .and_then(|(h, m)| Some((grid_digits(h, 1)?, grid_digits(m, 2)?)))
        .ok_or_else(|| grid_error("Write the first hour of the day as HH:MM, e.g. 08:00."))?;
    if hours > 23 || minutes > 59 {
        return Err(grid_error(
            "The first hour of the day must be between 00:00 and 23:59.",
        ));
    }
    let (shortest, longest) = SLOT_MINUTES;
    if !(shortest..=longest).contains(&grid.slot_minutes) {
        return Err(grid_error(&format!(
            "A slot lasts between {shortest} and {longest} minutes."
        )));
    }
    if grid.slots_per_day == 0 {
        return Err(grid_error("A day has at least one slot."));
    }
    let day_ends = grid
        .slot_minutes
        .checked_mul(grid.slots_per_day)
        .and_then(|slots| slots.checked_add(hours * 60 + minutes));
    if day_ends.is_none_or(|end| end > DAY_MINUTES) {
        return Err(grid_error(
            "The slots of a day must fit between the first hour and midnight: fewer or shorter slots, or an earlier start.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosting_number_needs_twelve_digits() {
        assert_eq!(hosting_number("1234 5678 9012").unwrap(), "123456789012");
        let err = hosting_number("12345").unwrap_err();
        assert_eq!(err.code, "invalid_hosting_number");
        assert!(err.message.contains("12 digits"), "{}", err.message);
        assert!(hosting_number("12345678901a").is_err());
        assert!(hosting_number("").is_err());
    }

    #[test]
    fn invoice_number_needs_ten_digits() {
        assert_eq!(invoice_number("0123456789").unwrap(), "0123456789");
        assert!(invoice_number("012345678").is_err());
        assert!(invoice_number("01234567890").is_err());
    }

    #[test]
    fn console_password_has_fourteen_characters() {
        assert!(console_password("Ab3$Ab3$Ab3$Ab").is_ok());
        assert!(console_password("short").is_err());
        assert!(console_password("Ab3$Ab3$ b3$Ab").is_err());
    }

    #[test]
    fn user_password_rules() {
        assert!(user_password("Correct1Horse", "jdupont").is_ok());
        assert!(user_password("short1A", "x").is_err());
        assert!(user_password("alllowercase1", "x").is_err());
        assert!(user_password("NoDigitsHereAtAll", "x").is_err());
        let err = user_password("Jdupont12345", "jdupont").unwrap_err();
        assert!(err.message.contains("username"));
    }

    #[test]
    fn domains() {
        assert_eq!(domain("Lycee-Hugo").unwrap(), "lycee-hugo");
        assert_eq!(domain("pronote.lycee.fr.").unwrap(), "pronote.lycee.fr");
        assert!(domain("-bad").is_err());
        assert!(domain("under_score").is_err());
        assert!(domain("a..b").is_err());
        assert!(domain("").is_err());
        assert!(domain(&"a".repeat(64)).is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(username(" JDupont ").unwrap(), "jdupont");
        assert!(username("ab").is_err());
        assert!(username("1abc").is_err());
        assert!(username("jean dupont").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email("Jean@Lycee.FR").unwrap(), "Jean@lycee.fr");
        assert!(email("jean").is_err());
        assert!(email("jean@lycee").is_err());
        assert!(email("je an@lycee.fr").is_err());
        assert!(email("@lycee.fr").is_err());
    }

    #[test]
    fn time_grids() {
        assert!(time_grid(&TimeGrid::default()).is_ok());
        let late = TimeGrid {
            day_starts_at: "20:00".into(),
            slot_minutes: 60,
            slots_per_day: 10,
        };
        assert!(time_grid(&late).is_err());
        let bad = TimeGrid {
            day_starts_at: "8h".into(),
            ..TimeGrid::default()
        };
        assert!(time_grid(&bad).is_err());
    }

    #[test]
    fn time_zones() {
        assert_eq!(time_zone("europe/paris").unwrap(), "Europe/Paris");
        assert!(time_zone("Mars/Olympus").is_err());
    }
}
