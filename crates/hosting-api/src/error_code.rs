//! The stable codes of the service's errors, one type for both sides: hostingd answers them, the
//! console translates them. A code this build does not know (from a newer service) is kept as
//! [`ErrorCode::Unknown`], so the service's own sentence can still be shown.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// Declares the enum, its wire names and [`ErrorCode::ALL`] from one list.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// A stable error code: the `code` of every error body, and of the client's own errors.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this build does not know, e.g. from a newer service; kept as received.
            Unknown(String),
        }

        impl ErrorCode {
            /// Every known code (not [`ErrorCode::Unknown`]).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire name, e.g. `invalid_credentials`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $wire,)*
                    ErrorCode::Unknown(code) => code,
                }
            }

            /// The known code with this wire name, if any.
            fn known(code: &str) -> Option<ErrorCode> {
                match code {
                    $($wire => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    /// `503`: every password-checking slot is taken; come back after `Retry-After`.
    Busy = "busy",
    /// `503`: the service's database or file storage does not answer right now (an outage, a
    /// restart); nothing sent before was lost: come back after `Retry-After`.
    Unavailable = "unavailable",
    /// `401`: the workstation certificate has expired.
    CertificateExpired = "certificate_expired",
    /// `401`: no valid workstation certificate was presented.
    CertificateRequired = "certificate_required",
    /// `401`: the workstation certificate was revoked.
    CertificateRevoked = "certificate_revoked",
    /// `400`: a tus checksum algorithm other than `sha256`.
    ChecksumAlgorithmUnsupported = "checksum_algorithm_unsupported",
    /// `460`: a chunk does not match its `Upload-Checksum`.
    ChecksumMismatch = "checksum_mismatch",
    /// `404` (a schedule's endpoint): the Client's session ended (disconnected from the
    /// console, or silent too long); connect again.
    ConnectionClosed = "connection_closed",
    /// `403`: this superadministrator has no console access.
    ConsoleAccessNotGranted = "console_access_not_granted",
    /// `422`: console access asked for a user who is not a superadministrator.
    ConsoleAccessSuperadminOnly = "console_access_superadmin_only",
    /// `400`: `Upload-Defer-Length` is not supported.
    DeferLengthUnsupported = "defer_length_unsupported",
    /// `422`: a domain outside the public zone that the account has not verified.
    DomainNotAllowed = "domain_not_allowed",
    /// `409`: the domain is used by another controller or schedule.
    DomainTaken = "domain_taken",
    /// `400`: the base already has a companion file of this kind.
    DuplicateCompanion = "duplicate_companion",
    /// `422`: an e-mail address is needed for this user.
    EmailRequired = "email_required",
    /// `400`: an upload of zero bytes.
    EmptyFile = "empty_file",
    /// `460`: the whole file does not match its SHA-256.
    FileChecksumMismatch = "file_checksum_mismatch",
    /// `400`: the last chunk of an upload created without its SHA-256 does not give it in
    /// `Repr-Digest`.
    FileHashRequired = "file_hash_required",
    /// `500`: the service had a problem (logged on its side).
    InternalError = "internal_error",
    /// `400` (operator commands): the operator named an account that does not exist.
    InvalidAccount = "invalid_account",
    /// `400` or `422`: the body does not have the expected shape.
    InvalidBody = "invalid_body",
    /// `401`: wrong hosting number, password or invoice number (one answer for all).
    InvalidCredentials = "invalid_credentials",
    /// `400`: the certificate signing request cannot be used.
    InvalidCsr = "invalid_csr",
    /// `422` (`400` in operator commands): not a domain name.
    InvalidDomain = "invalid_domain",
    /// `422`: not an e-mail address.
    InvalidEmail = "invalid_email",
    /// `400`: a tus header that is not a number.
    InvalidHeader = "invalid_header",
    /// `422`: not a 12-digit hosting number.
    InvalidHostingNumber = "invalid_hosting_number",
    /// `400`: an identifier in the path that is not one.
    InvalidId = "invalid_id",
    /// `422`: not a 10-digit invoice number.
    InvalidInvoiceNumber = "invalid_invoice_number",
    /// `400`: unreadable `Upload-Metadata`.
    InvalidMetadata = "invalid_metadata",
    /// `422`: a first name or surname that is empty, too long or has control characters.
    InvalidName = "invalid_name",
    /// `422`: not a 14-character console password.
    InvalidPasswordFormat = "invalid_password_format",
    /// `422`: a one-time code of a password reset that is wrong, used or past its 30 minutes.
    InvalidResetCode = "invalid_reset_code",
    /// `422`: not a schedule name.
    InvalidScheduleName = "invalid_schedule_name",
    /// `422`: a time grid whose slots do not fit in a day.
    InvalidTimeGrid = "invalid_time_grid",
    /// `422`: not a time zone the service knows.
    InvalidTimeZone = "invalid_time_zone",
    /// `422`: not a username.
    InvalidUsername = "invalid_username",
    /// `422`: not a workstation name.
    InvalidWorkstationName = "invalid_workstation_name",
    /// `409`: the only active superadministrator of a schedule's Administration profile cannot
    /// be deactivated, deleted, demoted or taken out of it.
    LastAdministrator = "last_administrator",
    /// `409`: another version of the licence is in force.
    LicenceOutdated = "licence_outdated",
    /// `409` (a schedule's endpoint): every Administrative licence of the contract is in use.
    LicencesInUse = "licences_in_use",
    /// `429`: too many failed attempts on this account; come back after `Retry-After`.
    LockedOut = "locked_out",
    /// `400`: the body is not JSON.
    MalformedJson = "malformed_json",
    /// `403`: only the hosting manager may do this.
    ManagerOnly = "manager_only",
    /// `405`: this route does not take this method.
    MethodNotAllowed = "method_not_allowed",
    /// `409`: no base is open.
    NoOpenBase = "no_open_base",
    /// `409`: every port of the account's range is taken.
    NoPortAvailable = "no_port_available",
    /// `400`: the file is not a base (`*.HNOT`).
    NotABase = "not_a_base",
    /// `400`: the file is not a companion of a base.
    NotACompanion = "not_a_companion",
    /// `404`: no such thing in the caller's account.
    NotFound = "not_found",
    /// `409`: the stored file was swept away.
    ObjectSwept = "object_swept",
    /// `409`: `Upload-Offset` is not where the upload stands.
    OffsetMismatch = "offset_mismatch",
    /// `413`: the body is larger than the service takes.
    PayloadTooLarge = "payload_too_large",
    /// `409`: the port is not free.
    PortUnavailable = "port_unavailable",
    /// `413`: the account's storage quota would be exceeded.
    QuotaExceeded = "quota_exceeded",
    /// `429`: too many requests from the caller's address; come back after `Retry-After`.
    RateLimited = "rate_limited",
    /// `408`: the request took longer than the service allows.
    RequestTimeout = "request_timeout",
    /// `404`: no such route.
    RouteNotFound = "route_not_found",
    /// `409`: another schedule has this name.
    ScheduleNameTaken = "schedule_name_taken",
    /// `409`: the schedule has no domain or port yet.
    ScheduleNotConfigured = "schedule_not_configured",
    /// `409`: the server is not started.
    ServerNotStarted = "server_not_started",
    /// `409`: stop the server first.
    ServerRunning = "server_running",
    /// `409` or `404`: start the server first.
    ServerStopped = "server_stopped",
    /// `401`: no valid session on this workstation.
    SessionRequired = "session_required",
    /// `409` (a schedule's endpoint): the free licences are reserved for Administration groups.
    SeatsReserved = "seats_reserved",
    /// `400`: a base has at most one companion of each kind.
    TooManyCompanions = "too_many_companions",
    /// `422`: too many members in one request.
    TooManyMembers = "too_many_members",
    /// `422`: more licences reserved than the contract holds.
    TooManyReserved = "too_many_reserved",
    /// `412`: a tus version other than 1.0.0.
    TusVersionUnsupported = "tus_version_unsupported",
    /// `422`: a user this account does not have.
    UnknownUser = "unknown_user",
    /// `415`: a content type the route does not take.
    UnsupportedMediaType = "unsupported_media_type",
    /// `409`: another request is writing this upload.
    UploadBusy = "upload_busy",
    /// `409`: the upload already has all its bytes.
    UploadComplete = "upload_complete",
    /// `410`: the upload expired.
    UploadExpired = "upload_expired",
    /// `409`: the upload does not have all its bytes yet.
    UploadIncomplete = "upload_incomplete",
    /// `400`: the upload was interrupted (the connection dropped mid-chunk).
    UploadInterrupted = "upload_interrupted",
    /// `400`: a tus creation without `Upload-Length`.
    UploadLengthRequired = "upload_length_required",
    /// `400`: a tus PATCH without `Upload-Offset`.
    UploadOffsetRequired = "upload_offset_required",
    /// `408`: no byte came for the chunk timeout.
    UploadStalled = "upload_stalled",
    /// `413`: the file is larger than the service takes.
    UploadTooLarge = "upload_too_large",
    /// `413`: the chunk goes past `Upload-Length`.
    UploadTooLong = "upload_too_long",
    /// `403`: the hosting manager deactivated this user.
    UserDeactivated = "user_deactivated",
    /// `409`: another user has this username.
    UsernameTaken = "username_taken",
    /// `422`: the password breaks a rule of user passwords.
    WeakPassword = "weak_password",
    /// `403`: only a member of the schedule's Administration profile may do this.
    AdministrationOnly = "administration_only",
    /// `422`: a date that is not a day written YYYY-MM-DD.
    InvalidDate = "invalid_date",
    /// `422`: a renewal period that is not 1 to 3 years from a day near the contract's end.
    InvalidContractPeriod = "invalid_contract_period",
    /// `409`: the provider's price list has no price for an item of the pro-forma.
    NoPriceList = "no_price_list",
    /// `429`: the account made the most pro-forma invoices of a day; come back after
    /// `Retry-After` (the next day of the service's clock).
    ProformaLimitReached = "proforma_limit_reached",
    /// `422`: a school year that is not written like 2026-2027, or is not finished.
    InvalidSchoolYear = "invalid_school_year",
    /// `409`: the provider has published no release after the school's version.
    NoUpgradePlanned = "no_upgrade_planned",
    /// `409`: the pre-release is not available before its date.
    PrereleaseNotYet = "prerelease_not_yet",
    /// `403`: only a superadministrator may do this.
    SuperadminOnly = "superadmin_only",
    /// `409`: the upgrade to this release already ran.
    UpgradeAlreadyDone = "upgrade_already_done",
    /// `422`: the chosen day of the upgrade is in the past.
    UpgradeDatePast = "upgrade_date_past",
    /// `422`: the chosen day of the upgrade is outside the release's window.
    UpgradeDateOutsideWindow = "upgrade_date_outside_window",
    /// `409`: the schedule has no Campus.net licence, so its webspaces cannot be published.
    CampusNetLicenceRequired = "campus_net_licence_required",
    /// `409`: the delegation changes only while the publication is stopped.
    PublicationRunning = "publication_running",
    /// `422`: a CAS address that is not an https address of a server.
    InvalidCasUrl = "invalid_cas_url",
    /// `422`: the CAS server does not answer at `<cas_url>/login`.
    CasUnreachable = "cas_unreachable",
    /// `422`: an inactivity time outside 5 to 240 minutes.
    InvalidInactivity = "invalid_inactivity",
    /// Client side: the downloaded file does not have the service's SHA-256.
    DownloadHashMismatch = "download_hash_mismatch",
    /// Client side: the upload no longer exists on the service.
    UploadNotFound = "upload_not_found",
    /// Client side: the service could not say where an upload stands.
    UploadUnavailable = "upload_unavailable",
    /// Client side: the service cannot be reached (network, address, TLS).
    Unreachable = "unreachable",
    /// Client side: the answer could not be used (a client-side fault, logged).
    Client = "client",
    /// Console: the system keyring cannot keep or give the certificate.
    Keyring = "keyring",
    /// Console: this workstation has no certificate for this login yet.
    CertificateMissing = "certificate_missing",
    /// Console: no hosting service chosen yet.
    NoServer = "no_server",
    /// Console: the mailbox exists only with the built-in local service.
    NoLocalService = "no_local_service",
    /// Console: the built-in local service could not start.
    LocalService = "local_service",
    /// Console: a file could not be written.
    File = "file",
    /// Console: a file being sent can no longer be read.
    FileUnreadable = "file_unreadable",
    /// Console: a file changed since its transfer started.
    FileChanged = "file_changed",
    /// Console: a PDF (the connection sheet) could not be made; the reason is logged.
    Document = "document",
    /// Console: the person revoked the certificate of the workstation in use.
    ThisWorkstationRevoked = "this_workstation_revoked",
    /// Console: the request was dropped (the window is closing).
    Cancelled = "cancelled",
}

impl ErrorCode {
    /// True for the codes the client gives its own failures (the service never answers them).
    pub fn is_client_side(&self) -> bool {
        matches!(
            self,
            ErrorCode::DownloadHashMismatch
                | ErrorCode::UploadNotFound
                | ErrorCode::UploadUnavailable
        )
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> ErrorCode {
        ErrorCode::known(code).unwrap_or_else(|| ErrorCode::Unknown(code.to_string()))
    }
}

impl From<String> for ErrorCode {
    fn from(code: String) -> ErrorCode {
        ErrorCode::known(&code).unwrap_or(ErrorCode::Unknown(code))
    }
}

impl FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    /// Never fails: an unknown code is [`ErrorCode::Unknown`].
    fn from_str(code: &str) -> Result<ErrorCode, Self::Err> {
        Ok(ErrorCode::from(code))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ErrorCode, D::Error> {
        let code = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ErrorCode::from(code.as_ref()))
    }
}

impl PartialSchema for ErrorCode {
    /// A string, with the known codes listed; a newer service may answer others.
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(
                ErrorCode::ALL
                    .iter()
                    .filter(|code| !code.is_client_side())
                    .map(ErrorCode::as_str),
            ))
            .description(Some(
                "Stable snake_case code. The list is the codes this version answers; a client should expect others from a newer service and then show the message.",
            ))
            .into()
    }
}

impl ToSchema for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_through_serde_and_from_str() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).expect("serialize");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(&back, code);
            let parsed: ErrorCode = code.as_str().parse().expect("infallible");
            assert_eq!(&parsed, code);
            assert!(!matches!(parsed, ErrorCode::Unknown(_)), "{code}");
        }
    }

    #[test]
    fn wire_names_are_distinct_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
    }

    #[test]
    fn an_unknown_code_is_kept_as_received() {
        let code: ErrorCode = serde_json::from_str("\"licence_on_fire\"").expect("deserialize");
        assert_eq!(code, ErrorCode::Unknown("licence_on_fire".to_string()));
        assert_eq!(code.as_str(), "licence_on_fire");
        assert_eq!(
            serde_json::to_string(&code).expect("serialize"),
            "\"licence_on_fire\""
        );
        assert_eq!(
            "x_y".parse::<ErrorCode>(),
            Ok(ErrorCode::Unknown("x_y".into()))
        );
        assert!(!ErrorCode::ALL.contains(&code));
    }

    #[test]
    fn the_validators_codes_are_known() {
        use crate::bases::TimeGrid;
        use crate::validate;
        let grid = TimeGrid {
            day_starts_at: "08:00".to_string(),
            slot_minutes: 1,
            slots_per_day: 1,
        };
        let errors = [
            validate::hosting_number("1").err(),
            validate::invoice_number("1").err(),
            validate::console_password("1").err(),
            validate::user_password("a", "bob").err(),
            validate::domain("-").err(),
            validate::username("1").err(),
            validate::email("x").err(),
            validate::person_name("", "first_name").err(),
            validate::schedule_name("").err(),
            validate::workstation_name("").err(),
            validate::time_zone("Mars/Olympus").err(),
            validate::time_grid(&grid).err(),
        ];
        for error in errors {
            let error = error.expect("each sample breaks its rule");
            assert!(
                !matches!(ErrorCode::from(error.code), ErrorCode::Unknown(_)),
                "{} is not in ErrorCode",
                error.code
            );
        }
    }
}
