//! The status route of a schedule's endpoint (`https://<host>:<port>/`): what a PRONOTE client
//! or the console's "Test the connection" reads there. The listener itself is in `endpoints`.

use axum::Json;
use axum::extract::State;
use hosting_api::endpoint::EndpointStatus;

use crate::endpoints::webspaces::Site;
use crate::http::error::ApiResult;

/// The school, schedule, base and version this endpoint serves; `404 server_stopped` once the
/// server is shut down.
pub async fn status(State(site): State<Site>) -> ApiResult<Json<EndpointStatus>> {
    let running = site.running().await?;
    Ok(Json(EndpointStatus {
        school: running.school_name,
        schedule: running.name,
        base: running.base_name,
        version: running.version,
    }))
}
