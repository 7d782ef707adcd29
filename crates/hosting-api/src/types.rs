//! Request and response bodies of the hosting API v1 (see `shared/API.md`).
//!
//! Numbers that people type (hosting number, invoice number) are strings. Times are RFC 3339
//! strings in UTC.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod users;

pub use users::*;

/// Who a workstation certificate and a session belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum Role {
    /// The hosting manager: logs in with the hosting number and the console password.
    Manager,
    /// A superadministrator with console access: hosting number, username and password.
    Superadmin,
}

impl Role {
    /// The wire name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Superadmin => "superadmin",
        }
    }

    /// Parses the wire name of a role.
    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "manager" => Some(Role::Manager),
            "superadmin" => Some(Role::Superadmin),
            _ => None,
        }
    }
}

/// The error body of every 4xx and 5xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The code and sentence of the error.
    pub error: ErrorDetail,
}

/// A stable code and a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_credentials`.
    pub code: crate::ErrorCode,
    /// A sentence that says what to fix.
    pub message: String,
    /// The request field the error is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again (`locked_out`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the service answers.
    pub status: String,
    /// Version of the service.
    pub version: String,
}

/// `GET /v1/ready`: whether this instance can serve (its readiness probe), part by part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `not_ready` (answered with 503 and `Retry-After`).
    pub status: String,
    /// `ok`, or why the database does not answer.
    pub database: String,
    /// `ok`, or why the blob store does not answer.
    pub blobs: String,
    /// PostgreSQL: `ok` when the other instances' commits are heard, else `not_listening`;
    /// SQLite: `none` (one instance).
    pub commits: String,
}

/// `POST /v1/enrollments`: installs a workstation certificate.
// `Debug` leaves the secret fields out (see the end of this file). The schema is written by hand
// in `crate::schema`: the password's rule and whether a username is needed depend on the role.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRequest {
    /// Who logs in.
    pub role: Role,
    /// 12 digits, from the e-mail.
    pub hosting_number: String,
    /// The console password (manager) or the user's password (superadministrator).
    pub password: String,
    /// The superadministrator's username; absent for the manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// 10 digits, from the e-mail.
    pub invoice_number: String,
    /// PKCS#10 request made on the workstation; only the public key travels.
    pub csr_pem: String,
    /// A name for this workstation, shown in the workstations list.
    pub workstation_name: String,
}

/// Answer of `POST /v1/enrollments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentResponse {
    /// Identifier of the new workstation.
    pub workstation_id: i64,
    /// The workstation's client certificate.
    pub certificate_pem: String,
    /// The service CA that signed it (and the server certificate).
    pub ca_pem: String,
    /// End of validity of the certificate (RFC 3339).
    pub not_after: String,
}

/// `POST /v1/password-resets`: a one-time code by e-mail, for a lost password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    /// The hosting number.
    #[schema(schema_with = crate::schema::hosting_number)]
    pub hosting_number: String,
    /// A superadministrator's username; none for the hosting manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// `POST /v1/password-resets/confirm`: the code of the e-mail. The hosting manager's new
/// password is made by the service and sent by SMS; a superadministrator chooses theirs.
// `Debug` leaves the secret fields out (see the end of this file).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PasswordResetConfirm {
    /// The hosting number.
    #[schema(schema_with = crate::schema::hosting_number)]
    pub hosting_number: String,
    /// A superadministrator's username; none for the hosting manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The one-time code of the e-mail (`XXXX-XXXX`).
    pub code: String,
    /// A superadministrator's new password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST /v1/logins/resend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResendLoginsRequest {
    /// The hosting number whose logins are sent again.
    #[schema(schema_with = crate::schema::hosting_number)]
    pub hosting_number: String,
}

/// `POST /v1/sessions`.
// `Debug` leaves the secret fields out (see the end of this file).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionRequest {
    /// The password of the principal the certificate was issued to.
    pub password: String,
}

/// The person behind a certificate and a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Principal {
    /// Hosting manager or superadministrator.
    pub role: Role,
    /// The superadministrator's username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A name to greet the person with.
    pub display_name: String,
}

/// `POST /v1/workstations/current/renewal`: a new certificate for this workstation, asked with
/// the one it has (before it expires; no invoice number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateRenewal {
    /// PKCS#10 CSR of a new key pair made on the workstation, PEM.
    pub csr_pem: String,
}

/// Answer of `POST /v1/workstations/current/renewal`: the new certificate, and a session made
/// with it (a token works only with the certificate it was made with). The old certificate is
/// revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RenewedCertificate {
    /// The workstation's new id.
    pub workstation_id: i64,
    /// The new certificate, PEM.
    pub certificate_pem: String,
    /// The CA, PEM.
    pub ca_pem: String,
    /// The new certificate's expiry (RFC 3339).
    pub not_after: String,
    /// A session of the new certificate.
    pub session: SessionResponse,
}

/// Answer of `POST /v1/sessions`.
// `Debug` leaves the secret fields out (see the end of this file).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    /// Bearer token, valid only with the certificate it was made with.
    pub token: String,
    /// When the session ends at the latest (RFC 3339); idle sessions end earlier.
    pub expires_at: String,
    /// Who is logged in.
    pub principal: Principal,
}

/// Licence state of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LicenceState {
    /// The version the account accepted, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_version: Option<String>,
    /// The version in force.
    pub current_version: String,
}

/// Which onboarding steps are done.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct Onboarding {
    /// The current licence is accepted.
    pub licence: bool,
    /// The controller has a domain.
    pub controller: bool,
    /// Every schedule has a domain.
    pub schedules: bool,
    /// A superadministrator exists.
    pub superadmin: bool,
    /// A superadministrator is in the Administration profile of a schedule (seed 000, step 5:
    /// "for the concerned schedule"): the step is done.
    pub profiles: bool,
    /// The schedules whose Administration profile has no superadministrator yet, which the
    /// step names without waiting for them.
    #[serde(default)]
    pub schedules_without_superadmin: Vec<String>,
}

/// The contract of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contract {
    /// Last day of the contract (YYYY-MM-DD).
    pub ends_on: String,
    /// Simultaneous connections in Administrative mode that the licence allows.
    #[serde(default)]
    pub administration_licences: u32,
    /// The kind of contract, e.g. `hosting`.
    #[serde(default)]
    pub kind: String,
    /// First day of the contract (YYYY-MM-DD), when the provider recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
}

/// `GET /v1/account`.
// `Debug` leaves the secret fields out (see the end of this file).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// 12 digits.
    pub hosting_number: String,
    /// 10 digits; only for the hosting manager, who hands it over in step 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// Name of the school.
    pub school_name: String,
    /// The role of the caller.
    pub role: Role,
    /// Licence state.
    pub licence: LicenceState,
    /// Onboarding progress.
    pub onboarding: Onboarding,
    /// Contract.
    pub contract: Contract,
    /// The language of the account's e-mails and SMS.
    #[serde(default)]
    pub language: Language,
    /// Where the console is downloaded: the provider's page, given in the logins e-mails and
    /// on the connection sheet.
    #[serde(default)]
    pub console_download_url: String,
}

/// The language of an account's e-mails and SMS (`fr` unless the provider or the hosting
/// manager chose English).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum Language {
    /// French.
    #[default]
    Fr,
    /// English.
    En,
}

impl Language {
    /// Both languages.
    pub const ALL: [Language; 2] = [Language::Fr, Language::En];

    /// `fr` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    /// The language of `code` (`fr`, `en`), if it is one.
    pub fn parse(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Language::Fr),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// `PUT /v1/account/language`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LanguageChoice {
    /// The language of the account's e-mails and SMS from now on.
    pub language: Language,
}

/// `GET /v1/licence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Licence {
    /// Version identifier.
    pub version: String,
    /// Full text.
    pub text: String,
}

/// `POST /v1/licence/acceptance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LicenceAcceptance {
    /// The version that was read and accepted.
    pub version: String,
}

/// `PUT /v1/controller`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ControllerUpdate {
    /// Domain name (a DNS label such as `lycee-victor-hugo`).
    #[schema(schema_with = crate::schema::domain)]
    pub domain: String,
}

/// `GET /v1/controller`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Controller {
    /// Domain name, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Host the PRONOTE clients connect to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port assigned by the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// `GET /v1/endpoint-ca`: the CA of the schedules' endpoint certificates (not the service CA),
/// constrained to the public zone and the verified domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EndpointCa {
    /// The CA certificate, PEM: what PRONOTE clients trust for the endpoints.
    pub certificate_pem: String,
    /// SHA-256 of the certificate, hex.
    pub fingerprint: String,
}

/// Whether a schedule's server runs.
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServerState {
    /// Shut down.
    Stopped,
    /// Serving its active base.
    Running,
}

/// The hosted server of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleServer {
    /// Running or stopped.
    pub state: ServerState,
    /// The active base, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_base_id: Option<i64>,
    /// The base opened on the server (activated next), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_base_id: Option<i64>,
}

/// A schedule (`planning01`, `planning02`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Schedule {
    /// Identifier.
    pub id: i64,
    /// Name (default `planning01`, `planning02`).
    pub name: String,
    /// Domain name, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Host of the connection details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port assigned by the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// A PRONOTE Campus.net licence: the base is published when activated.
    pub campus_net_licence: bool,
    /// IANA time zone, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// The hosted server.
    pub server: ScheduleServer,
}

/// `PATCH /v1/schedules/{id}`: only the given fields change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ScheduleUpdate {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::schedule_name)]
    pub name: Option<String>,
    /// New domain name (a new port is assigned when it changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::optional_domain)]
    pub domain: Option<String>,
    /// Campus.net licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campus_net_licence: Option<bool>,
    /// IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::optional_time_zone)]
    pub time_zone: Option<String>,
}

/// An enrolled workstation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Workstation {
    /// Identifier.
    pub id: i64,
    /// Name given at enrollment.
    pub name: String,
    /// Role of the principal the certificate was issued to.
    pub role: Role,
    /// Username, for a superadministrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// SHA-256 of the certificate (hex).
    pub fingerprint: String,
    /// Enrollment time (RFC 3339).
    pub enrolled_at: String,
    /// End of validity of the certificate (RFC 3339).
    pub not_after: String,
    /// Revocation time, if revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// True for the workstation that makes this request.
    pub current: bool,
}

/// What `Debug` prints instead of a secret (a password, a token, an invoice number), so that a
/// request or an answer can be logged without leaking it.
pub const REDACTED: &str = "[redacted]";

/// `Some([redacted])` or `None`, for an optional secret.
fn redacted_option<T>(value: &Option<T>) -> Option<&'static str> {
    value.as_ref().map(|_| REDACTED)
}

impl std::fmt::Debug for EnrollmentRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentRequest")
            .field("role", &self.role)
            .field("hosting_number", &self.hosting_number)
            .field("password", &REDACTED)
            .field("username", &self.username)
            .field("invoice_number", &REDACTED)
            .field("csr_pem", &self.csr_pem)
            .field("workstation_name", &self.workstation_name)
            .finish()
    }
}

impl std::fmt::Debug for PasswordResetConfirm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResetConfirm")
            .field("hosting_number", &self.hosting_number)
            .field("username", &self.username)
            .field("code", &REDACTED)
            .field("password", &redacted_option(&self.password))
            .finish()
    }
}

impl std::fmt::Debug for SessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRequest")
            .field("password", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResponse")
            .field("token", &REDACTED)
            .field("expires_at", &self.expires_at)
            .field("principal", &self.principal)
            .finish()
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("hosting_number", &self.hosting_number)
            .field("invoice_number", &redacted_option(&self.invoice_number))
            .field("school_name", &self.school_name)
            .field("role", &self.role)
            .field("licence", &self.licence)
            .field("onboarding", &self.onboarding)
            .field("contract", &self.contract)
            .field("language", &self.language)
            .field("console_download_url", &self.console_download_url)
            .finish()
    }
}

#[cfg(test)]
mod tests;
