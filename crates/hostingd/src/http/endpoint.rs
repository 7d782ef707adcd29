//! The status route of a schedule's endpoint (`https://<host>:<port>/`): what a PRONOTE client
//! or the console's "Test the connection" reads there. The listener itself is in `endpoints`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::ErrorCode;
use hosting_api::endpoint::EndpointStatus;

use crate::endpoints::webspaces::Site;
use crate::http::error::{ApiError, ApiResult};
use crate::store::RunningSchedule;

/// The school, schedule, base and version this endpoint serves; `404 server_stopped` once the
/// server is shut down.
pub async fn status(State(site): State<Site>) -> ApiResult<Json<EndpointStatus>> {
    let running = running(&site).await?;
    Ok(Json(EndpointStatus {
        school: running.school_name,
        schedule: running.name,
        base: running.base_name,
        version: running.version,
    }))
}

/// The schedule's server as it runs now; `404 server_stopped` once it is shut down.
pub(crate) async fn running(site: &Site) -> ApiResult<RunningSchedule> {
    site.running().await?.ok_or_else(|| {
        ApiError::client(
            StatusCode::NOT_FOUND,
            ErrorCode::ServerStopped,
            "This server is shut down.",
        )
    })
}
