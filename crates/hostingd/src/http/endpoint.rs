//! The status route of a schedule's endpoint (`https://<host>:<port>/`): what a PRONOTE client
//! or the console's "Test the connection" reads there, and the endpoint's load shedding. The
//! listener itself is in `endpoints`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hosting_api::ErrorCode;
use hosting_api::endpoint::EndpointStatus;
use prometheus_client::metrics::counter::Counter;
use tokio::sync::Semaphore;

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

/// What a shed request is told to wait, in seconds.
const SHED_RETRY_AFTER: u64 = 1;

/// The load shedding of one endpoint: the requests it answers at once; one more is answered
/// `503` with `Retry-After` at once, never put in a queue. A request (its body included) that
/// takes longer than the request timeout ends with `408`, so that slow clients cannot keep
/// the slots.
#[derive(Clone)]
pub struct Shedding {
    slots: Arc<Semaphore>,
    timeout: std::time::Duration,
    shed: Counter,
}

impl Shedding {
    /// `at_once` requests answered at once, each within `timeout`, the others counted in
    /// `shed`.
    pub fn new(at_once: usize, timeout: std::time::Duration, shed: Counter) -> Shedding {
        Shedding {
            slots: Arc::new(Semaphore::new(at_once.max(1))),
            timeout,
            shed,
        }
    }
}

/// Answers a request within the endpoint's load shedding.
pub async fn shed(State(shedding): State<Shedding>, request: Request, next: Next) -> Response {
    let Ok(_slot) = shedding.slots.clone().try_acquire_owned() else {
        shedding.shed.inc();
        let wants_page = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        return if wants_page {
            crate::endpoints::webspaces::busy(request.headers(), SHED_RETRY_AFTER)
        } else {
            ApiError::busy(SHED_RETRY_AFTER).into_response()
        };
    };
    match tokio::time::timeout(shedding.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::request_timeout(shedding.timeout.as_secs()).into_response(),
    }
}
