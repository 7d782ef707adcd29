//! The OpenAPI schemas of the fields that [`crate::validate`] checks, built from the same
//! constants, so that the document allows what the service accepts and refuses what it refuses.
//!
//! The validators forgive what people paste (spaces around a name, spaces inside a number,
//! letters in any case), so the patterns do too. They are written in the subset that ECMA-262
//! (with the `u` flag, as JSON Schema asks) and Rust's regex read the same way: character classes
//! with `\xHH` and `\uHHHH` escapes, `\p{…}` properties and lookaheads; `\s` (whose meaning
//! differs) only in `[\s\S]`, any character.
//!
//! Rules that involve another field or the account's state are in the descriptions only: a user
//! password must not contain the username; a domain with dots must be verified for the account;
//! the slots of a time grid end by midnight. So are the classes of characters of a user password,
//! which no generator can build from a pattern: its schema is its lengths, a description and an
//! example.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::types::{EnrollmentRequest, Role};

use crate::validate::{
    CONSOLE_PASSWORD_CHARS, DAY_MINUTES, DNS_LABEL_MAX, DOMAIN_MAX, EMAIL_LOCAL_MAX, EMAIL_MAX,
    HOSTING_NUMBER_DIGITS, INVOICE_NUMBER_DIGITS, NAME_MAX, SCHEDULE_NAME_MAX, SLOT_MINUTES,
    TIME_ZONES, USER_PASSWORD_MAX, USER_PASSWORD_MIN, USERNAME_CHARS,
};

/// Unicode `White_Space`: what `str::trim` and `char::is_whitespace` see.
const SPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// General category `Cc`: what `char::is_control` sees.
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

fn string(pattern: String, description: String) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
}

/// The same schema, also allowing `null` (an absent optional field).
fn nullable(builder: ObjectBuilder) -> Object {
    builder
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .build()
}

/// `count` digits, with any spaces around or between them.
fn digits(count: usize, what: &str) -> ObjectBuilder {
    string(
        format!("^[{SPACE}]*(?:[0-9][{SPACE}]*){{{count}}}$"),
        format!("{what}: {count} digits, from the e-mail (spaces are ignored)."),
    )
}

/// The 12-digit hosting number ([`crate::validate::hosting_number`]).
pub fn hosting_number() -> Object {
    digits(HOSTING_NUMBER_DIGITS, "The hosting number").build()
}

/// The 10-digit invoice number ([`crate::validate::invoice_number`]).
pub fn invoice_number() -> Object {
    digits(INVOICE_NUMBER_DIGITS, "The invoice number").build()
}

/// The invoice number of an account, shown only to the hosting manager.
pub fn optional_invoice_number() -> Object {
    nullable(digits(INVOICE_NUMBER_DIGITS, "The invoice number"))
}

/// The hosting manager's console password ([`crate::validate::console_password`]).
pub fn console_password() -> Object {
    string(
        format!("^[^{SPACE}]{{{CONSOLE_PASSWORD_CHARS}}}$"),
        format!(
            "The console password: {CONSOLE_PASSWORD_CHARS} characters without spaces, as received by SMS."
        ),
    )
    .min_length(Some(CONSOLE_PASSWORD_CHARS))
    .max_length(Some(CONSOLE_PASSWORD_CHARS))
    .build()
}

/// A user password ([`crate::validate::user_password`]). Its lengths are in the schema; its
/// classes of characters (a lowercase and an uppercase letter, a digit, in any script) and that
/// it must not contain the username are in the description, with an example: a pattern for them
/// needs lookaheads and Unicode properties, from which schema-driven generators (schemathesis)
/// cannot build a value.
pub fn user_password() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!(
            "{USER_PASSWORD_MIN} to {USER_PASSWORD_MAX} characters, at least one lowercase and one uppercase letter and one digit, not containing the username."
        )))
        .min_length(Some(USER_PASSWORD_MIN))
        .max_length(Some(USER_PASSWORD_MAX))
        .examples(["Correct1Horse2Battery"])
        .build()
}

fn username_builder() -> ObjectBuilder {
    let (shortest, longest) = USERNAME_CHARS;
    string(
        format!(
            "^[{SPACE}]*[A-Za-z][A-Za-z0-9._-]{{{},{}}}[{SPACE}]*$",
            shortest - 1,
            longest - 1
        ),
        format!(
            "A username: {shortest} to {longest} letters a to z, digits, '.', '_' or '-', starting with a letter; not case-sensitive."
        ),
    )
}

/// A username ([`crate::validate::username`]).
pub fn username() -> Object {
    username_builder().build()
}

/// A username where it may be absent.
pub fn optional_username() -> Object {
    nullable(username_builder())
}

/// 1 to `longest` characters without control characters, spaces around ignored.
fn name(longest: usize, description: &str) -> Object {
    let edge = format!("[^{SPACE}{CONTROL}]");
    string(
        format!(
            "^[{SPACE}]*{edge}(?:[^{CONTROL}]{{0,{}}}{edge})?[{SPACE}]*$",
            longest - 2
        ),
        format!("{description}: 1 to {longest} characters, no control characters."),
    )
    .build()
}

/// A first name ([`crate::validate::person_name`]).
pub fn first_name() -> Object {
    name(NAME_MAX, "First name")
}

/// A surname ([`crate::validate::person_name`]).
pub fn surname() -> Object {
    name(NAME_MAX, "Surname")
}

/// A workstation name ([`crate::validate::workstation_name`]).
pub fn workstation_name() -> Object {
    name(NAME_MAX, "A name for this workstation")
}

/// A new schedule name ([`crate::validate::schedule_name`]). The pattern says its length and
/// that it has no spaces inside; that its characters are letters (of any script), digits, '-'
/// or '_' is in the description: Unicode properties (`\p{Alphabetic}`) are not read by every
/// schema-driven generator (schemathesis builds no value from them).
pub fn schedule_name() -> Object {
    nullable(
        string(
            format!("^[{SPACE}]*[^{SPACE}{CONTROL}]{{1,{SCHEDULE_NAME_MAX}}}[{SPACE}]*$"),
            format!(
                "New name: 1 to {SCHEDULE_NAME_MAX} letters (of any script), digits, '-' or '_'."
            ),
        )
        .examples(["planning-2027"]),
    )
}

fn dns_label() -> String {
    format!(
        "[A-Za-z0-9](?:[A-Za-z0-9-]{{0,{}}}[A-Za-z0-9])?",
        DNS_LABEL_MAX - 2
    )
}

fn domain_builder() -> ObjectBuilder {
    let label = dns_label();
    string(
        format!(
            r"^[{SPACE}]*(?=[A-Za-z0-9.-]{{1,{DOMAIN_MAX}}}\.*[{SPACE}]*$){label}(?:\.{label})*\.*[{SPACE}]*$"
        ),
        format!(
            "A domain name: DNS labels of letters, digits and hyphens (not at the start or end, at most {DNS_LABEL_MAX} characters) separated by dots, at most {DOMAIN_MAX} characters; a single label is placed in the hosting zone, a name with dots must be a domain verified for the account."
        ),
    )
}

/// A domain name ([`crate::validate::domain`]).
pub fn domain() -> Object {
    domain_builder().build()
}

/// A domain name where it may be absent.
pub fn optional_domain() -> Object {
    nullable(domain_builder())
}

/// An e-mail address ([`crate::validate::email`]).
pub fn optional_email() -> Object {
    let label = dns_label();
    nullable(string(
        format!(
            "^[{SPACE}]*(?=[^{SPACE}]{{1,{EMAIL_MAX}}}[{SPACE}]*$)[^@{SPACE}{CONTROL}]{{1,{EMAIL_LOCAL_MAX}}}@{label}(?:\\.{label})+[{SPACE}]*$"
        ),
        format!(
            "An e-mail address of at most {EMAIL_MAX} characters: a local part of at most {EMAIL_LOCAL_MAX} characters, '@', a domain with a dot."
        ),
    ))
}

/// `[xX]` for an ASCII letter, the character itself (escaped when it means something) otherwise.
fn any_ascii_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else if c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-') {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// A schedule's time zone, one of [`TIME_ZONES`] in any ASCII case
/// ([`crate::validate::time_zone`]).
pub fn optional_time_zone() -> Object {
    let zones: Vec<String> = TIME_ZONES.iter().map(|zone| any_ascii_case(zone)).collect();
    nullable(
        string(
            format!("^[{SPACE}]*(?:{})[{SPACE}]*$", zones.join("|")),
            format!("Time zone, one of: {}.", TIME_ZONES.join(", ")),
        )
        .examples([TIME_ZONES[0]]),
    )
}

/// Two-digit numbers from `00` to `last`.
fn two_digits_up_to(last: u32) -> String {
    let (tens, units) = (last / 10, last % 10);
    if tens == 0 {
        format!("0[0-{units}]")
    } else {
        format!("[0-{}][0-9]|{tens}[0-{units}]", tens - 1)
    }
}

/// The first hour of a time grid, `H:MM` or `HH:MM`, early enough for one shortest slot
/// before midnight ([`crate::validate::time_grid`]).
pub fn day_starts_at() -> Object {
    let latest = DAY_MINUTES - SLOT_MINUTES.0;
    let (hour, minute) = (latest / 60, latest % 60);
    string(
        format!(
            "^(?:(?:[0-9]|{}):[0-5][0-9]|{hour}:(?:{}))$",
            two_digits_up_to(hour - 1),
            two_digits_up_to(minute)
        ),
        format!(
            "First hour of the day, HH:MM, at the latest {hour:02}:{minute:02}; the slots of the day end by midnight."
        ),
    )
    .examples(["08:00"])
    .build()
}

/// The length of a slot ([`crate::validate::time_grid`]).
pub fn slot_minutes() -> Object {
    let (shortest, longest) = SLOT_MINUTES;
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(shortest))
        .maximum(Some(longest))
        .description(Some(format!(
            "Length of a slot in minutes, {shortest} to {longest}."
        )))
        .build()
}

/// The slots of a day ([`crate::validate::time_grid`]): at least one, and no more than the
/// shortest slots that fit in a day.
pub fn slots_per_day() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(DAY_MINUTES / SLOT_MINUTES.0))
        .description(Some(
            "Slots per day; the slots end by midnight (slots × minutes + first hour ≤ 24:00).",
        ))
        .build()
}

fn plain_string(description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .build()
}

/// One form of the enrollment request: the hosting manager's or a superadministrator's.
fn enrollment(role: Role, password: Object, username: Object) -> Object {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(match role {
            Role::Manager => "The hosting manager enrolls with the console password.",
            Role::Superadmin => "A superadministrator enrolls with their username and password.",
        }))
        .property(
            "role",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([role.as_str()])),
        )
        .property("hosting_number", hosting_number())
        .property("password", password)
        .property("username", username)
        .property("invoice_number", invoice_number())
        .property(
            "csr_pem",
            plain_string("PKCS#10 request made on the workstation; only the public key travels."),
        )
        .property("workstation_name", workstation_name());
    for field in [
        "role",
        "hosting_number",
        "password",
        "invoice_number",
        "csr_pem",
        "workstation_name",
    ] {
        builder = builder.required(field);
    }
    if role == Role::Superadmin {
        builder = builder.required("username");
    }
    builder.build()
}

impl PartialSchema for EnrollmentRequest {
    /// The manager's form (console password, any username, which is ignored) or a
    /// superadministrator's (a username; the password is checked against theirs).
    fn schema() -> RefOr<Schema> {
        let ignored = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .description(Some("Ignored for the hosting manager."))
            .build();
        OneOfBuilder::new()
            .description(Some(
                "`POST /v1/enrollments`: installs a workstation certificate.",
            ))
            .item(enrollment(Role::Manager, console_password(), ignored))
            .item(enrollment(
                Role::Superadmin,
                plain_string("The superadministrator's password."),
                username(),
            ))
            .into()
    }
}

impl ToSchema for EnrollmentRequest {}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
