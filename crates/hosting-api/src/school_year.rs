//! The school year's part of the contract: the yearly upgrade to the provider's next release,
//! and the bases of the finished school years of each schedule. Dates are `YYYY-MM-DD` days of
//! the service's clock (UTC); school years are written `2026-2027`.

use crate::paths;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};
use crate::uploads::FileKind;

/// Where a school's upgrade to the next release stands.
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStatus {
    /// No release after the school's version.
    None,
    /// Planned: it runs on the effective date (or at the next run, for the pre-release).
    Pending,
    /// Running now.
    Running,
    /// Done: the school runs the new version.
    Done,
    /// Given up after failing every day of the window and a week more (the provider is told).
    Failed,
}

/// The days of a release's upgrade window, first and last included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UpgradeWindow {
    /// First day (YYYY-MM-DD): the default day.
    pub start: String,
    /// Last day (YYYY-MM-DD).
    pub end: String,
}

/// `GET /v1/upgrade`, and the answer of `PUT /v1/upgrade`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UpgradeState {
    /// The version the school runs, e.g. `2026`.
    pub current_version: String,
    /// The provider's next release, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_version: Option<String>,
    /// From this day (YYYY-MM-DD) the school may move to the pre-release at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerelease_from: Option<String>,
    /// The days the school may choose from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<UpgradeWindow>,
    /// The day the school chose, if it chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_date: Option<String>,
    /// The day the upgrade runs: the chosen day, else the first day of the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<String>,
    /// The school asked to move to the pre-release at once.
    #[serde(default)]
    pub prerelease_requested: bool,
    /// Where the upgrade stands.
    pub state: UpgradeStatus,
    /// Today on the service's clock (YYYY-MM-DD), to count the days left.
    pub today: String,
    /// Why the last try failed, when it did (it is tried again the next day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// `PUT /v1/upgrade`: the school's choice. Both fields may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeChoice {
    /// A day of the window (YYYY-MM-DD), not in the past.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_date: Option<String>,
    /// `true`: move to the pre-release at the next run (from its date on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerelease: Option<bool>,
}

/// How the base of a finished school year came.
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum YearOrigin {
    /// Archived by the service at the end of the school year (the active base then).
    Archive,
    /// Loaded by a member of the schedule's Administration profile.
    Loaded,
}

/// A file of a year's base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearFile {
    /// Kind.
    pub kind: FileKind,
    /// File name.
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

impl crate::uploads::StoredFile for YearFile {
    fn kind(&self) -> FileKind {
        self.kind
    }
    fn size(&self) -> u64 {
        self.size
    }
    fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// The base kept for one finished school year of a schedule (read-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearBase {
    /// Name of the base.
    pub name: String,
    /// How it came.
    pub origin: YearOrigin,
    /// The version it was made with, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Size of all its files, in bytes.
    pub size: u64,
    /// SHA-256 of the `*.HNOT`, hex.
    pub sha256: String,
    /// When it was archived or loaded (RFC 3339).
    pub recorded_at: String,
    /// Who archived or loaded it.
    pub recorded_by: String,
    /// Its files, the `*.HNOT` first.
    pub files: Vec<YearFile>,
}

/// One school year of a schedule: its base, or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearCell {
    /// The school year, e.g. `2026-2027`.
    pub school_year: String,
    /// Its base; absent for a year with none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<YearBase>,
}

/// `GET /v1/schedules/{id}/years`: the finished school years of a schedule, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleYears {
    /// Schedule.
    pub schedule_id: i64,
    /// Schedule name.
    pub schedule: String,
    /// Whether the caller may replace, complete and download a year's base (a member of the
    /// schedule's Administration profile).
    pub may_change: bool,
    /// The years, newest first.
    pub years: Vec<YearCell>,
}

/// `PUT /v1/schedules/{id}/years/{year}`: finished uploads (a `*.HNOT` and its companions) that
/// become the year's base, replacing the one it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadYearBase {
    /// The finished upload of the `*.HNOT`.
    pub upload_id: String,
    /// Finished uploads of companions.
    #[serde(default)]
    pub companions: Vec<String>,
}

impl Client {
    /// `GET /v1/upgrade`.
    pub async fn upgrade(&self) -> ClientResult<UpgradeState> {
        self.call::<(), _>(Method::GET, paths::UPGRADE, None, true)
            .await
    }

    /// `PUT /v1/upgrade`: chooses the day of the upgrade, or asks for the pre-release.
    pub async fn choose_upgrade(&self, choice: &UpgradeChoice) -> ClientResult<UpgradeState> {
        self.call(Method::PUT, paths::UPGRADE, Some(choice), true)
            .await
    }

    /// `GET /v1/schedules/{id}/years`.
    pub async fn schedule_years(&self, schedule_id: i64) -> ClientResult<ScheduleYears> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_YEARS, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `PUT /v1/schedules/{id}/years/{year}`: replaces or completes a year's base.
    pub async fn load_year_base(
        &self,
        schedule_id: i64,
        school_year: &str,
        load: &LoadYearBase,
    ) -> ClientResult<YearCell> {
        self.call(
            Method::PUT,
            &paths::fill(paths::SCHEDULE_YEAR, &[&schedule_id, &school_year]),
            Some(load),
            true,
        )
        .await
    }

    /// `GET /v1/schedules/{id}/years/{year}/content` into `destination`; the SHA-256 of what
    /// arrived is checked against `Repr-Digest` before the file takes its name. Returns the hash.
    pub async fn download_year_base(
        &self,
        schedule_id: i64,
        school_year: &str,
        destination: &std::path::Path,
        progress: impl FnMut(u64, u64) + Send,
    ) -> ClientResult<String> {
        self.download_checked(
            &paths::fill(paths::SCHEDULE_YEAR_CONTENT, &[&schedule_id, &school_year]),
            "base",
            destination,
            progress,
        )
        .await
    }
}
