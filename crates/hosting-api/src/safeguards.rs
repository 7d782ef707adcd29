//! The safeguards of a schedule: listed, opened as a new base, downloaded.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientResult};
use crate::paths;
use crate::types::Schedule;

/// A safeguard of a schedule's active base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Safeguard {
    /// Identifier.
    pub id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// The base it was taken of.
    pub base_id: i64,
    /// That base's name.
    pub base_name: String,
    /// When it was taken (RFC 3339).
    pub taken_at: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of its content, hex; the download carries it in `Repr-Digest`.
    pub sha256: String,
}

impl Client {
    /// `GET /v1/schedules/{id}/safeguards`, newest first.
    pub async fn safeguards(&self, schedule_id: i64) -> ClientResult<Vec<Safeguard>> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_SAFEGUARDS, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `POST /v1/safeguards/{id}/open`: replaces the open base by this safeguard (server shut down).
    pub async fn open_safeguard(&self, safeguard_id: i64) -> ClientResult<Schedule> {
        self.call::<(), _>(
            Method::POST,
            &paths::fill(paths::SAFEGUARD_OPEN, &[&safeguard_id]),
            None,
            true,
        )
        .await
    }

    /// `GET /v1/safeguards/{id}/content` into `destination`, streaming; the SHA-256 of what
    /// arrived is checked against `Repr-Digest` before the file takes its name. Returns the hash.
    pub async fn download_safeguard(
        &self,
        safeguard_id: i64,
        destination: &std::path::Path,
        progress: impl FnMut(u64, u64) + Send,
    ) -> ClientResult<String> {
        self.download_checked(
            &paths::fill(paths::SAFEGUARD_CONTENT, &[&safeguard_id]),
            "safeguard",
            destination,
            progress,
        )
        .await
    }
}
