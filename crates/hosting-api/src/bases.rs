//! The bases of a schedule: loaded from uploads, created empty, completed with a companion,
//! opened on the schedule's server.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};
use crate::paths;
use crate::types::Schedule;
use crate::uploads::{FileKind, StoredFile};

/// Where a base comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum BaseOrigin {
    /// Loaded from the institution (an uploaded `*.HNOT`).
    Downloaded,
    /// Created empty on the service.
    Created,
    /// Opened from a safeguard.
    Safeguard,
    /// Converted to a new version by the yearly upgrade, from the base that was active.
    Upgraded,
}

/// A file of a base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BaseFile {
    /// Kind.
    pub kind: FileKind,
    /// File name.
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// When it was attached (RFC 3339).
    pub added_at: String,
}

impl StoredFile for BaseFile {
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

/// A base of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Base {
    /// Identifier.
    pub id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Name (the file name without extension, or the creation date).
    pub name: String,
    /// Origin.
    pub origin: BaseOrigin,
    /// When it arrived on the service (RFC 3339).
    pub created_at: String,
    /// Last activation, for previously activated bases (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<String>,
    /// Size of all its files.
    pub size: u64,
    /// SHA-256 of the `*.HNOT`.
    pub sha256: String,
    /// The `*.HNOT` and its companions.
    pub files: Vec<BaseFile>,
    /// The version the base was made or converted with; absent for bases made before versions
    /// were recorded (they are of the school's version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `POST /v1/schedules/{id}/bases`: loads a finished upload of a `*.HNOT` with companions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoadBase {
    /// The finished upload of the `*.HNOT`.
    pub upload_id: String,
    /// Finished uploads of `*.HCOURRIERS`, `*.HDOCJOINTS`, `*.HPHOTOS`.
    #[serde(default)]
    pub companions: Vec<String>,
}

/// `POST /v1/bases/{id}/companions`: completes a base with a finished upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AddCompanion {
    /// The finished upload of a companion file.
    pub upload_id: String,
}

/// The time grid of a new base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimeGrid {
    /// First hour of the day, `HH:MM`.
    #[schema(schema_with = crate::schema::day_starts_at)]
    pub day_starts_at: String,
    /// Length of a slot in minutes.
    #[schema(schema_with = crate::schema::slot_minutes)]
    pub slot_minutes: u32,
    /// Slots per day.
    #[schema(schema_with = crate::schema::slots_per_day)]
    pub slots_per_day: u32,
}

impl Default for TimeGrid {
    /// PRONOTE's default grid: 8:00, ten slots of one hour (reset later with the data from EDT).
    fn default() -> Self {
        TimeGrid {
            day_starts_at: "08:00".to_string(),
            slot_minutes: 60,
            slots_per_day: 10,
        }
    }
}

/// `POST /v1/schedules/{id}/bases/empty`: creates an empty base and opens it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct NewEmptyBase {
    /// The time grid; absent: the default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_grid: Option<TimeGrid>,
}

impl Client {
    /// `GET /v1/schedules/{id}/bases`.
    pub async fn bases(&self, schedule_id: i64) -> ClientResult<Vec<Base>> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_BASES, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `POST /v1/schedules/{id}/bases`: loads finished uploads as a base (server shut down).
    pub async fn load_base(&self, schedule_id: i64, load: &LoadBase) -> ClientResult<Base> {
        self.call(
            Method::POST,
            &paths::fill(paths::SCHEDULE_BASES, &[&schedule_id]),
            Some(load),
            true,
        )
        .await
    }

    /// `POST /v1/schedules/{id}/bases/empty`: creates an empty base and opens it.
    pub async fn create_empty_base(
        &self,
        schedule_id: i64,
        request: &NewEmptyBase,
    ) -> ClientResult<Base> {
        self.call(
            Method::POST,
            &paths::fill(paths::SCHEDULE_EMPTY_BASE, &[&schedule_id]),
            Some(request),
            true,
        )
        .await
    }

    /// `POST /v1/bases/{id}/companions`: completes a base with a finished upload.
    pub async fn add_companion(&self, base_id: i64, request: &AddCompanion) -> ClientResult<Base> {
        self.call(
            Method::POST,
            &paths::fill(paths::BASE_COMPANIONS, &[&base_id]),
            Some(request),
            true,
        )
        .await
    }

    /// `POST /v1/bases/{id}/open`: opens a base on its schedule's server (shut down).
    pub async fn open_base(&self, base_id: i64) -> ClientResult<Schedule> {
        self.call::<(), _>(
            Method::POST,
            &paths::fill(paths::BASE_OPEN, &[&base_id]),
            None,
            true,
        )
        .await
    }
}
