//! The one place where the domain's errors become an answer: a status, a code and a sentence
//! the person can act on.

use axum::http::StatusCode;

use crate::fault::Fault;
use crate::http::error::ApiError;
use crate::rules::{Change, DomainProblem, Refusal};
use crate::store::StoreError;

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Refused(refusal) => ApiError::from(refusal),
            StoreError::LockedOut {
                retry_after_seconds,
            } => ApiError::locked_out(retry_after_seconds),
            StoreError::Database(error) => ApiError::from(error),
            StoreError::Internal(text) => ApiError::internal(text),
        }
    }
}

impl From<Fault> for ApiError {
    fn from(fault: Fault) -> ApiError {
        match fault {
            Fault::Store(error) => ApiError::from(error),
            Fault::Invalid(error) => ApiError::from(error),
            Fault::Busy {
                retry_after_seconds,
            } => ApiError::busy(retry_after_seconds),
            Fault::Unavailable(text) => ApiError::unavailable(&text),
            Fault::Internal(text) => ApiError::internal(text),
        }
    }
}

/// The sentence of a fault's answer, for what is said outside a response (the operator's
/// commands). An internal fault is logged, as when it is answered.
pub fn sentence(fault: Fault) -> String {
    ApiError::from(fault).to_string()
}

/// What the person was doing, in the sentence that asks to shut the server down first.
fn doing(change: Change) -> &'static str {
    match change {
        Change::LoadingBase => "loading a base",
        Change::CreatingBase => "creating a base",
        Change::OpeningBase => "opening a base",
        Change::OpeningSafeguard => "opening a safeguard",
    }
}

/// Megabytes, rounded down.
fn megabytes(bytes: i64) -> i64 {
    bytes / 1_000_000
}

/// The status, sentence and field of a refusal's answer.
struct Answer {
    status: StatusCode,
    message: String,
    field: Option<&'static str>,
}

fn answer(status: StatusCode, message: impl Into<String>) -> Answer {
    Answer {
        status,
        message: message.into(),
        field: None,
    }
}

fn conflict(message: impl Into<String>) -> Answer {
    answer(StatusCode::CONFLICT, message)
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        // A limit: its answer says when to come back (`Retry-After`), as the other limits do.
        if let Refusal::ProformaLimitReached {
            per_day,
            retry_after_seconds,
        } = refusal
        {
            return ApiError::proforma_limit_reached(per_day, retry_after_seconds);
        }
        let code = refusal.code();
        let Answer {
            status,
            message,
            field,
        } = match refusal {
            server @ (Refusal::ServerRunning { .. }
            | Refusal::AlreadyRunning { .. }
            | Refusal::AlreadyStopped { .. }
            | Refusal::ScheduleNotConfigured { .. }
            | Refusal::NoOpenBase { .. }
            | Refusal::TooManyReserved { .. }
            | Refusal::LicencesInUse { .. }
            | Refusal::SeatsReserved { .. }) => server_answer(server),
            file @ (Refusal::NotABase { .. }
            | Refusal::NotACompanion { .. }
            | Refusal::DuplicateCompanion { .. }
            | Refusal::UploadIncomplete { .. }
            | Refusal::UploadMovedOn
            | Refusal::ObjectSwept
            | Refusal::QuotaExceeded { .. }) => file_answer(file),
            account @ (Refusal::DomainTaken { .. }
            | Refusal::DomainOverlaps { .. }
            | Refusal::ScheduleNameTaken { .. }
            | Refusal::NoPortAvailable
            | Refusal::UnknownUser { .. }
            | Refusal::UsernameTaken { .. }
            | Refusal::EmailRequired
            | Refusal::InvalidResetCode
            | Refusal::LastAdministrator { .. }
            | Refusal::ConsoleAccessSuperadminOnly { .. }) => account_answer(account),
            year @ (Refusal::NoUpgradePlanned { .. }
            | Refusal::PrereleaseNotYet { .. }
            | Refusal::UpgradeDatePast { .. }
            | Refusal::UpgradeDateOutsideWindow { .. }
            | Refusal::UpgradeAlreadyDone { .. }
            | Refusal::InvalidDate { .. }
            | Refusal::InvalidSchoolYear { .. }
            | Refusal::AdministrationOnly { .. }) => year_answer(year),
            service @ (Refusal::DomainNotAllowed { .. }
            | Refusal::NotVerifiable { .. }
            | Refusal::InvalidAccount
            | Refusal::InvalidCsr
            | Refusal::ServerNotStarted { .. }
            | Refusal::PortUnavailable { .. }
            | Refusal::InvalidContractPeriod { .. }
            | Refusal::NoPriceList { .. }
            | Refusal::ProformaLimitReached { .. }) => service_answer(service),
            pronote_net @ (Refusal::CampusNetLicenceRequired { .. }
            | Refusal::PublicationRunning { .. }
            | Refusal::InvalidCasUrl { .. }
            | Refusal::CasUnreachable { .. }
            | Refusal::InvalidInactivity { .. }) => pronote_net_answer(pronote_net),
        };
        let error = ApiError::client(status, code, message);
        match field {
            Some(field) => error.with_field(field),
            None => error,
        }
    }
}

/// The answers about the schedules' servers and their Administrative licences.
fn server_answer(refusal: Refusal) -> Answer {
    match refusal {
        Refusal::ServerRunning { schedule, change } => conflict(format!(
            "The server of {schedule} is running: shut it down (Active base, Shut down the server) before {}.",
            doing(change)
        )),
        Refusal::AlreadyRunning { schedule } => conflict(format!(
            "The server of {schedule} is already running: shut it down before activating another base."
        )),
        Refusal::AlreadyStopped { schedule } => {
            conflict(format!("The server of {schedule} is already shut down."))
        }
        Refusal::ScheduleNotConfigured { schedule } => conflict(format!(
            "{schedule} has no domain name yet: give it one (Configuration) before activating a base."
        )),
        Refusal::NoOpenBase { schedule } => conflict(format!(
            "No base is open on {schedule}: open one in Other bases or Safeguards, or create a base, then activate."
        )),
        Refusal::TooManyReserved {
            contract_licences,
            elsewhere,
        } => Answer {
            field: Some("administration_reserved"),
            ..answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Your contract allows {contract_licences} simultaneous Administrative connections for all your schedules together, and your other schedules reserve {elsewhere}: reserve at most {} here.",
                    (contract_licences - elsewhere).max(0)
                ),
            )
        },
        Refusal::LicencesInUse { contract_licences } => conflict(format!(
            "All {contract_licences} simultaneous Administrative connections of your contract are in use. Try again when someone disconnects, or ask your superadministrator for more licences."
        )),
        Refusal::SeatsReserved { schedule, free } => conflict(format!(
            "The {free} free connections are reserved for the Administration group of {schedule} (or of your other schedules). Try again later, or ask a superadministrator to reserve fewer."
        )),
        // Not about the servers: `From<Refusal>` sends only those here.
        other => conflict(other.to_string()),
    }
}

/// The answers about files: bases, companions, uploads and space.
fn file_answer(refusal: Refusal) -> Answer {
    match refusal {
        Refusal::NotABase { filename } => answer(
            StatusCode::BAD_REQUEST,
            format!(
                "{filename} is not a base: choose the *.HNOT file to load; the other files are its companions."
            ),
        ),
        Refusal::NotACompanion { filename } => answer(
            StatusCode::BAD_REQUEST,
            format!(
                "{filename} is a base: complete a base with *.HCOURRIERS, *.HDOCJOINTS or *.HPHOTOS; load a *.HNOT with Load a base."
            ),
        ),
        Refusal::DuplicateCompanion { filename, kind } => answer(
            StatusCode::BAD_REQUEST,
            format!(
                "{filename} is a second {kind} file: give one file of each kind (*.HCOURRIERS, *.HDOCJOINTS, *.HPHOTOS)."
            ),
        ),
        Refusal::UploadIncomplete {
            filename,
            offset,
            length,
        } => conflict(format!(
            "{filename} is not fully uploaded yet ({offset} of {length} bytes): resume its transfer, then load it."
        )),
        Refusal::UploadMovedOn => conflict(
            "The upload moved on meanwhile: ask for its offset (HEAD) and send from there.",
        ),
        Refusal::ObjectSwept => conflict(
            "The stored copy of this file was cleaned up before it could be recorded (the operation took too long). Nothing was changed: try again.",
        ),
        Refusal::QuotaExceeded {
            used,
            quota,
            adding,
        } => {
            let needs = if adding > 0 {
                format!(
                    ", and this needs {} MB more",
                    megabytes(adding.saturating_add(999_999))
                )
            } else {
                String::new()
            };
            answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Your hosting space is full: {} MB used of {} MB{needs}. Cancel unfinished uploads or ask your provider for more space.",
                    megabytes(used),
                    megabytes(quota),
                ),
            )
        }
        // Not about files: `From<Refusal>` sends only file refusals here.
        other => conflict(other.to_string()),
    }
}

/// The answers about the account's names, ports and users.
fn account_answer(refusal: Refusal) -> Answer {
    match refusal {
        Refusal::DomainTaken { host } => Answer {
            field: Some("domain"),
            ..conflict(format!(
                "The domain name {host} is already used. Choose another one, for example with the name of your town."
            ))
        },
        Refusal::DomainOverlaps { domain } => conflict(format!(
            "{domain} overlaps a domain or a host of another account."
        )),
        Refusal::ScheduleNameTaken { name } => conflict(format!(
            "Another schedule of your account is already called {name}. Choose another name."
        )),
        Refusal::NoPortAvailable => {
            conflict("The hosting service has no free port left. Contact customer support.")
        }
        Refusal::UnknownUser { user_id } => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "There is no user {user_id} in your account. Refresh the list of users and try again."
            ),
        ),
        Refusal::UsernameTaken { username } => conflict(format!(
            "The username {username} is already used in your account. Choose another one."
        )),
        Refusal::EmailRequired => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter a valid e-mail address first: console access needs one.",
        ),
        Refusal::InvalidResetCode => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "This code is not the one of the last e-mail, was used already, or is more than 30 minutes old. Ask for a new code and type it as the e-mail gives it.",
        ),
        Refusal::ConsoleAccessSuperadminOnly { username } => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Console access is for superadministrators, and {username} is not one: they could never log in with it. Create a superadministrator for the person who needs the console."
            ),
        ),
        Refusal::LastAdministrator { username, schedule } => conflict(format!(
            "{username} is the only superadministrator of the Administration profile of {schedule}: nobody could run {schedule} without them. Add another superadministrator to that profile first."
        )),
        // Not about the account: `From<Refusal>` sends only account refusals here.
        other => conflict(other.to_string()),
    }
}

/// The answers about names, certificates, the servers' listeners and the contract.
fn service_answer(refusal: Refusal) -> Answer {
    match refusal {
        Refusal::DomainNotAllowed { name, zone, why } => Answer {
            field: Some("domain"),
            ..answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                match why {
                    DomainProblem::TooLong => format!(
                        "The name {name} is too long once the hosting zone {zone} is added. Type a shorter name."
                    ),
                    DomainProblem::OfTheService => format!(
                        "The domain name {name} belongs to the hosting service. Type a single name such as lycee-victor-hugo: it becomes lycee-victor-hugo.{zone}."
                    ),
                    DomainProblem::Dotted => format!(
                        "Inside the hosting zone, type a single name without dots, such as lycee-victor-hugo: it becomes lycee-victor-hugo.{zone}."
                    ),
                    DomainProblem::Reserved => format!(
                        "The name {name} is kept for the hosting service itself (like www, api or mail). Type the name of your school, such as lycee-victor-hugo: it becomes lycee-victor-hugo.{zone}."
                    ),
                    DomainProblem::NotVerified => format!(
                        "The domain name {name} is not in the hosting zone {zone}. Type a single name such as lycee-victor-hugo (it becomes lycee-victor-hugo.{zone}); to use your own domain, ask your provider to verify it first."
                    ),
                },
            )
        },
        Refusal::NotVerifiable { why } => answer(StatusCode::BAD_REQUEST, why),
        Refusal::InvalidAccount => answer(
            StatusCode::BAD_REQUEST,
            "Give the school's name and the hosting manager's mobile phone number.",
        ),
        Refusal::InvalidCsr => answer(
            StatusCode::BAD_REQUEST,
            "The certificate request (CSR) could not be read or its signature is wrong. Let the console make a new one.",
        ),
        Refusal::ServerNotStarted {
            schedule,
            still_stopping: true,
        } => conflict(format!(
            "The server of {schedule} is still stopping on the hosting service, so it cannot start yet. Try again in a minute."
        )),
        Refusal::ServerNotStarted { schedule, .. } => conflict(format!(
            "The server of {schedule} could not start on the hosting service and stays shut down. Try again in a minute; if it persists, contact support."
        )),
        Refusal::PortUnavailable { port, schedule } => conflict(format!(
            "The port {port} of {schedule} is in use on the hosting service, so the server cannot start. Try again in a minute; if it persists, contact support."
        )),
        Refusal::InvalidContractPeriod {
            max_years,
            window_days,
            today,
            field,
        } => Answer {
            field: Some(field),
            ..answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Choose a renewal of 1 to {max_years} years starting within {window_days} days of today ({today})."
                ),
            )
        },
        Refusal::NoPriceList { item, day } => conflict(format!(
            "The provider's price list has no price of {item} for {day}: the pro-forma cannot be made yet. Contact your provider."
        )),
        // Not about the service: `From<Refusal>` sends only these refusals here.
        other => conflict(other.to_string()),
    }
}

/// The answers about the school year: the upgrade and the bases of previous years.
fn year_answer(refusal: Refusal) -> Answer {
    let unprocessable = |field: &'static str, message: String| Answer {
        field: Some(field),
        ..answer(StatusCode::UNPROCESSABLE_ENTITY, message)
    };
    match refusal {
        Refusal::NoUpgradePlanned { current } => conflict(format!(
            "No version after {current} is planned yet: the provider publishes the next one before the summer."
        )),
        Refusal::PrereleaseNotYet { version, date } => conflict(format!(
            "The pre-release of {version} is available from {date}: ask for it from that day on, or choose a day of the upgrade window."
        )),
        Refusal::UpgradeDatePast { today } => unprocessable(
            "chosen_date",
            format!(
                "This day is past: choose a day from today ({today}) on, inside the upgrade window."
            ),
        ),
        Refusal::UpgradeDateOutsideWindow { start, end } => unprocessable(
            "chosen_date",
            format!("Choose a day of the upgrade window, from {start} to {end}."),
        ),
        Refusal::UpgradeAlreadyDone { version } => conflict(format!(
            "The upgrade to {version} has already run (or is running): there is nothing left to choose."
        )),
        Refusal::InvalidDate { field, given } => unprocessable(
            field,
            format!("{given:?} is not a day: write it YYYY-MM-DD, e.g. 2027-08-21."),
        ),
        Refusal::InvalidSchoolYear { given, last } => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{given:?} is not a finished school year of this schedule: write it like {last}, which is the last one finished."
            ),
        ),
        Refusal::AdministrationOnly { schedule } => answer(
            StatusCode::FORBIDDEN,
            format!(
                "Only a member of the Administration profile of {schedule} can change or download the bases of its previous years. Ask the hosting manager to add you to it."
            ),
        ),
        // Not about the school year: `From<Refusal>` sends only those here.
        other => conflict(other.to_string()),
    }
}

/// The answers about PRONOTE.net: publication and delegated authentication.
fn pronote_net_answer(refusal: Refusal) -> Answer {
    let unprocessable = |field: &'static str, message: String| Answer {
        field: Some(field),
        ..answer(StatusCode::UNPROCESSABLE_ENTITY, message)
    };
    match refusal {
        Refusal::CampusNetLicenceRequired { schedule } => conflict(format!(
            "{schedule} has no Campus.net licence, so its webspaces cannot be published. Tick its Campus.net licence in Configuration (it is part of your contract), then publish."
        )),
        Refusal::PublicationRunning { schedule } => conflict(format!(
            "The webspaces of {schedule} are published: stop the publication first, then change how people log in, then publish again."
        )),
        Refusal::InvalidCasUrl { why } => unprocessable(
            "cas_url",
            format!(
                "{why} Write the address of the ENT's CAS server, e.g. https://cas.example.org/cas."
            ),
        ),
        Refusal::CasUnreachable { url, why } => unprocessable(
            "cas_url",
            format!(
                "The CAS server does not answer at {url}/login: {why}. Check the address with the ENT's administrator."
            ),
        ),
        Refusal::InvalidInactivity { given } => unprocessable(
            "inactivity_minutes",
            format!("{given} minutes is not allowed: choose from 5 to 240 minutes."),
        ),
        // Not about PRONOTE.net: `From<Refusal>` sends only those here.
        other => conflict(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hosting_api::ErrorCode;

    fn answer(refusal: Refusal) -> (u16, ErrorCode, String, Option<&'static str>) {
        match ApiError::from(refusal) {
            ApiError::Client {
                status,
                code,
                message,
                field,
                ..
            } => (status.as_u16(), code, message, field),
            other => panic!("a refusal is a client error, got {other:?}"),
        }
    }

    #[test]
    fn refusals_are_client_errors_with_their_code() {
        let (status, code, message, field) = answer(Refusal::TooManyReserved {
            contract_licences: 3,
            elsewhere: 1,
        });
        assert_eq!(
            (status, code, field),
            (
                422,
                ErrorCode::TooManyReserved,
                Some("administration_reserved")
            )
        );
        assert!(message.contains("reserve at most 2 here"), "{message}");
        let (status, code, message, _) = answer(Refusal::ServerRunning {
            schedule: "planning01".to_string(),
            change: Change::OpeningSafeguard,
        });
        assert_eq!((status, code), (409, ErrorCode::ServerRunning));
        assert!(
            message.ends_with("before opening a safeguard."),
            "{message}"
        );
        let (status, code, message, _) = answer(Refusal::QuotaExceeded {
            used: 5_000_000,
            quota: 6_000_000,
            adding: 1_500_000,
        });
        assert_eq!((status, code), (413, ErrorCode::QuotaExceeded));
        assert!(
            message.contains("5 MB used of 6 MB, and this needs 2 MB more"),
            "{message}"
        );
    }

    #[test]
    fn store_errors_keep_their_answer() {
        let not_found = ApiError::from(StoreError::NotFound("base"));
        assert!(matches!(
            not_found,
            ApiError::Client {
                status: StatusCode::NOT_FOUND,
                code: ErrorCode::NotFound,
                ..
            }
        ));
        let locked = ApiError::from(StoreError::LockedOut {
            retry_after_seconds: 90,
        });
        assert!(matches!(
            locked,
            ApiError::Client {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after_seconds: Some(90),
                ..
            }
        ));
        assert!(matches!(
            ApiError::from(StoreError::internal("account 3 vanished")),
            ApiError::Internal(_)
        ));
    }
}
