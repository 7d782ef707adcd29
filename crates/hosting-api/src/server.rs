//! The hosted server of a schedule, as the client calls it: its bases (loaded, created,
//! completed, opened), its activation and shutdown, and its safeguards.

use reqwest::Method;

use crate::client::{Client, ClientResult};
use crate::files::{AddCompanion, Base, LoadBase, NewEmptyBase, Safeguard};
use crate::paths;
use crate::types::Schedule;

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

    /// `POST /v1/schedules/{id}/activate`: puts the open base into service.
    pub async fn activate(&self, schedule_id: i64) -> ClientResult<Schedule> {
        self.call::<(), _>(
            Method::POST,
            &paths::fill(paths::SCHEDULE_ACTIVATE, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `POST /v1/schedules/{id}/shutdown`: shuts the server down.
    pub async fn shutdown(&self, schedule_id: i64) -> ClientResult<Schedule> {
        self.call::<(), _>(
            Method::POST,
            &paths::fill(paths::SCHEDULE_SHUTDOWN, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

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
