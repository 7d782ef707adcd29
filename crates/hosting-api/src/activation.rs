//! The server of a schedule: its open base put into service, or shut down.

use reqwest::Method;

use crate::client::{Client, ClientResult};
use crate::paths;
use crate::types::Schedule;

impl Client {
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
}
