//! The domain's rules and the reasons it refuses a change. A refusal says what was refused and
//! with which data, never how to say it: `http/` turns it into a status and a sentence.
//!
//! One module per rule that involves more than one fact: [`activation`] (when a schedule's
//! server may start, and which changes need it shut down) and [`reservation`] (the licences
//! reserved for the Administration group, within the contract).

pub mod activation;
pub mod pronote_net;
pub mod reservation;
pub mod school_year;

use hosting_api::ErrorCode;

use crate::store::FileKind;
pub use activation::Change;

/// Why the service refuses a change that the caller may correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The schedule's server runs, and `change` needs it shut down.
    ServerRunning {
        /// Schedule name.
        schedule: String,
        /// What was asked.
        change: Change,
    },
    /// Activation asked while the server already runs.
    AlreadyRunning {
        /// Schedule name.
        schedule: String,
    },
    /// Shut-down asked while the server is already shut down.
    AlreadyStopped {
        /// Schedule name.
        schedule: String,
    },
    /// Activation asked for a schedule without a domain (so without a port).
    ScheduleNotConfigured {
        /// Schedule name.
        schedule: String,
    },
    /// Activation asked with no base open on the server.
    NoOpenBase {
        /// Schedule name.
        schedule: String,
    },
    /// More licences reserved for the Administration group than the contract holds.
    TooManyReserved {
        /// Licences of the contract.
        contract_licences: i64,
        /// Reserved by the account's other schedules.
        elsewhere: i64,
    },
    /// A Client connecting while every Administrative licence of the contract is in use.
    LicencesInUse {
        /// Licences of the contract.
        contract_licences: i64,
    },
    /// A Client outside the Administration group connecting while the free licences are all
    /// reserved for Administration groups.
    SeatsReserved {
        /// The schedule connected to.
        schedule: String,
        /// Licences free now (all reserved).
        free: i64,
    },
    /// A file loaded as a base that is not one.
    NotABase {
        /// Its name.
        filename: String,
    },
    /// A base given where a companion was expected.
    NotACompanion {
        /// Its name.
        filename: String,
    },
    /// Two companions of the same kind.
    DuplicateCompanion {
        /// The second one's name.
        filename: String,
        /// Their kind.
        kind: FileKind,
    },
    /// An upload used before all its bytes arrived.
    UploadIncomplete {
        /// File name.
        filename: String,
        /// Bytes received.
        offset: i64,
        /// Bytes announced.
        length: i64,
    },
    /// The upload's offset moved while a chunk was stored.
    UploadMovedOn,
    /// A stored object was swept before the change that uses it was recorded.
    ObjectSwept,
    /// The account's space would be exceeded.
    QuotaExceeded {
        /// Bytes used.
        used: i64,
        /// Bytes of the quota.
        quota: i64,
        /// Bytes the change adds.
        adding: i64,
    },
    /// A host already used by another endpoint.
    DomainTaken {
        /// The host.
        host: String,
    },
    /// A domain to verify that overlaps another account's domain or host.
    DomainOverlaps {
        /// The domain.
        domain: String,
    },
    /// Another schedule of the account has this name.
    ScheduleNameTaken {
        /// The name.
        name: String,
    },
    /// Every port of the service's range is taken.
    NoPortAvailable,
    /// A profile member that is not a user of the account.
    UnknownUser {
        /// The user id given.
        user_id: i64,
    },
    /// Another user of the account has this username.
    UsernameTaken {
        /// The username.
        username: String,
    },
    /// Console access asked for a user without an e-mail address.
    EmailRequired,
    /// A one-time code of a password reset that is wrong, used, or past its time.
    InvalidResetCode,
    /// Console access asked for a user who is not a superadministrator: they could never log
    /// in with it.
    ConsoleAccessSuperadminOnly {
        /// The user's username.
        username: String,
    },
    /// Deactivating, deleting or demoting the only active superadministrator of a schedule's
    /// Administration profile: nobody could run that schedule any more.
    LastAdministrator {
        /// The user's username.
        username: String,
        /// The schedule (the first by name, when there are several).
        schedule: String,
    },
    /// The provider published no release after the school's version.
    NoUpgradePlanned {
        /// The school's version.
        current: String,
    },
    /// The pre-release asked before its date.
    PrereleaseNotYet {
        /// The release.
        version: String,
        /// Its first day (YYYY-MM-DD).
        date: String,
    },
    /// An upgrade day in the past.
    UpgradeDatePast {
        /// Today (YYYY-MM-DD).
        today: String,
    },
    /// An upgrade day outside the release's window.
    UpgradeDateOutsideWindow {
        /// First day.
        start: String,
        /// Last day.
        end: String,
    },
    /// The upgrade to this release ran (or runs) already.
    UpgradeAlreadyDone {
        /// The release.
        version: String,
    },
    /// A day that is not written YYYY-MM-DD.
    InvalidDate {
        /// The field.
        field: &'static str,
        /// What was given.
        given: String,
    },
    /// A school year that is not a finished year the schedule may have.
    InvalidSchoolYear {
        /// What was given.
        given: String,
        /// The last finished school year.
        last: String,
    },
    /// Only a member of the schedule's Administration profile may do this.
    AdministrationOnly {
        /// Schedule name.
        schedule: String,
    },
    /// Publishing a schedule without the Campus.net licence.
    CampusNetLicenceRequired {
        /// Schedule name.
        schedule: String,
    },
    /// The delegation changed while the webspaces are published.
    PublicationRunning {
        /// Schedule name.
        schedule: String,
    },
    /// A CAS address that is not an https address of a server.
    InvalidCasUrl {
        /// What is wrong with it.
        why: &'static str,
    },
    /// The CAS server does not answer at `<cas_url>/login`.
    CasUnreachable {
        /// The address asked.
        url: String,
        /// What happened.
        why: String,
    },
    /// An inactivity time outside the bounds.
    InvalidInactivity {
        /// What was given.
        given: u32,
    },
    /// A domain name the school may not give its controller or a schedule.
    DomainNotAllowed {
        /// The name as typed, normalised.
        name: String,
        /// The service's public zone.
        zone: String,
        /// What is wrong with it.
        why: DomainProblem,
    },
    /// A domain the provider's staff may not verify for a school (the sentence says why).
    NotVerifiable {
        /// Why, for the staff's terminal.
        why: String,
    },
    /// An account provisioned without the school's name or the manager's phone.
    InvalidAccount,
    /// A certificate request that cannot be read, or whose signature is wrong.
    InvalidCsr,
    /// The server of a schedule did not start and stays shut down.
    ServerNotStarted {
        /// Schedule name.
        schedule: String,
        /// Another instance is still letting it go.
        still_stopping: bool,
    },
    /// A renewal's length or first day outside what may be asked.
    InvalidContractPeriod {
        /// The longest renewal, in years.
        max_years: u8,
        /// How far from today it may start, in days.
        window_days: i64,
        /// Today, YYYY-MM-DD.
        today: String,
        /// The field at fault.
        field: &'static str,
    },
    /// The price list has no price for an item of the renewal on its first day.
    NoPriceList {
        /// The item.
        item: String,
        /// The day, YYYY-MM-DD.
        day: String,
    },
    /// The account made the most pro-forma invoices of a day (the service clock's day).
    ProformaLimitReached {
        /// The most in a day.
        per_day: i64,
        /// Seconds until the next day.
        retry_after_seconds: u64,
    },
    /// The port of a schedule is in use on the service.
    PortUnavailable {
        /// The port.
        port: u16,
        /// Schedule name.
        schedule: String,
    },
}

/// Why a domain name is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainProblem {
    /// Too long once the zone is added.
    TooLong,
    /// The zone itself, or a name that contains it.
    OfTheService,
    /// Several labels inside the zone.
    Dotted,
    /// A full name outside the zone that the provider has not verified for the account.
    NotVerified,
    /// A name the service keeps for itself or that mail and web conventions reserve (`www`,
    /// `api`, `mail`…).
    Reserved,
}

impl Refusal {
    /// The stable code of this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::ServerRunning { .. } | Refusal::AlreadyRunning { .. } => {
                ErrorCode::ServerRunning
            }
            Refusal::AlreadyStopped { .. } => ErrorCode::ServerStopped,
            Refusal::ScheduleNotConfigured { .. } => ErrorCode::ScheduleNotConfigured,
            Refusal::NoOpenBase { .. } => ErrorCode::NoOpenBase,
            Refusal::TooManyReserved { .. } => ErrorCode::TooManyReserved,
            Refusal::LicencesInUse { .. } => ErrorCode::LicencesInUse,
            Refusal::SeatsReserved { .. } => ErrorCode::SeatsReserved,
            Refusal::NotABase { .. } => ErrorCode::NotABase,
            Refusal::NotACompanion { .. } => ErrorCode::NotACompanion,
            Refusal::DuplicateCompanion { .. } => ErrorCode::DuplicateCompanion,
            Refusal::UploadIncomplete { .. } => ErrorCode::UploadIncomplete,
            Refusal::UploadMovedOn => ErrorCode::OffsetMismatch,
            Refusal::ObjectSwept => ErrorCode::ObjectSwept,
            Refusal::QuotaExceeded { .. } => ErrorCode::QuotaExceeded,
            Refusal::DomainTaken { .. } | Refusal::DomainOverlaps { .. } => ErrorCode::DomainTaken,
            Refusal::ScheduleNameTaken { .. } => ErrorCode::ScheduleNameTaken,
            Refusal::NoUpgradePlanned { .. } => ErrorCode::NoUpgradePlanned,
            Refusal::PrereleaseNotYet { .. } => ErrorCode::PrereleaseNotYet,
            Refusal::UpgradeDatePast { .. } => ErrorCode::UpgradeDatePast,
            Refusal::UpgradeDateOutsideWindow { .. } => ErrorCode::UpgradeDateOutsideWindow,
            Refusal::UpgradeAlreadyDone { .. } => ErrorCode::UpgradeAlreadyDone,
            Refusal::InvalidDate { .. } => ErrorCode::InvalidDate,
            Refusal::InvalidSchoolYear { .. } => ErrorCode::InvalidSchoolYear,
            Refusal::AdministrationOnly { .. } => ErrorCode::AdministrationOnly,
            Refusal::CampusNetLicenceRequired { .. } => ErrorCode::CampusNetLicenceRequired,
            Refusal::PublicationRunning { .. } => ErrorCode::PublicationRunning,
            Refusal::InvalidCasUrl { .. } => ErrorCode::InvalidCasUrl,
            Refusal::CasUnreachable { .. } => ErrorCode::CasUnreachable,
            Refusal::InvalidInactivity { .. } => ErrorCode::InvalidInactivity,
            Refusal::NoPortAvailable => ErrorCode::NoPortAvailable,
            Refusal::UnknownUser { .. } => ErrorCode::UnknownUser,
            Refusal::UsernameTaken { .. } => ErrorCode::UsernameTaken,
            Refusal::EmailRequired => ErrorCode::EmailRequired,
            Refusal::ConsoleAccessSuperadminOnly { .. } => ErrorCode::ConsoleAccessSuperadminOnly,
            Refusal::InvalidResetCode => ErrorCode::InvalidResetCode,
            Refusal::LastAdministrator { .. } => ErrorCode::LastAdministrator,
            Refusal::DomainNotAllowed { .. } => ErrorCode::DomainNotAllowed,
            Refusal::NotVerifiable { .. } => ErrorCode::InvalidDomain,
            Refusal::InvalidAccount => ErrorCode::InvalidAccount,
            Refusal::InvalidCsr => ErrorCode::InvalidCsr,
            Refusal::ServerNotStarted { .. } => ErrorCode::ServerNotStarted,
            Refusal::PortUnavailable { .. } => ErrorCode::PortUnavailable,
            Refusal::InvalidContractPeriod { .. } => ErrorCode::InvalidContractPeriod,
            Refusal::NoPriceList { .. } => ErrorCode::NoPriceList,
            Refusal::ProformaLimitReached { .. } => ErrorCode::ProformaLimitReached,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {}", self.code())
    }
}
