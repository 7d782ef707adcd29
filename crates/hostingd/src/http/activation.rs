//! The server of a schedule: its open base put into service (the endpoint answers), or shut
//! down.

use axum::Json;
use axum::extract::State;
use hosting_api::types::{ErrorBody, Schedule};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Caller, IdPath};
use super::schedules::schedule_of;
use crate::http::error::ApiResult;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activate))
        .routes(routes!(shutdown))
}

/// Puts the open base into service: the server runs and its endpoint answers.
#[utoipa::path(post, path = hosting_api::paths::SCHEDULE_ACTIVATE, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "The schedule", body = Schedule),
        (status = 409, description = "server_running, no_open_base, schedule_not_configured, port_unavailable, server_not_started", body = ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Schedule>> {
    state.endpoints.activate(&caller.actor, schedule_id).await?;
    Ok(Json(
        schedule_of(&state, caller.account_id(), schedule_id).await?,
    ))
}

/// Shuts the server down: its endpoint stops answering.
#[utoipa::path(post, path = hosting_api::paths::SCHEDULE_SHUTDOWN, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "The schedule", body = Schedule),
        (status = 409, description = "server_stopped", body = ErrorBody)))]
pub async fn shutdown(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Schedule>> {
    state.endpoints.shutdown(&caller.actor, schedule_id).await?;
    Ok(Json(
        schedule_of(&state, caller.account_id(), schedule_id).await?,
    ))
}
