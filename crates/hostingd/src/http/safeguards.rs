//! The safeguards of a schedule: listed, opened as a new base, downloaded.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use hosting_api::safeguards::Safeguard;
use hosting_api::types::{ErrorBody, Schedule};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Caller, IdPath};
use super::schedules::schedule_of;
use super::stored_file::stored_file;
use crate::base_files;
use crate::clock::rfc3339;
use crate::http::error::ApiResult;
use crate::store::SafeguardRow;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(safeguards))
        .routes(routes!(open_safeguard))
        .routes(routes!(download))
}

fn safeguard_view(row: SafeguardRow) -> Safeguard {
    Safeguard {
        id: row.id,
        schedule_id: row.schedule_id,
        base_id: row.base_id,
        base_name: row.base_name,
        taken_at: rfc3339(row.taken_at),
        size: u64::try_from(row.size).unwrap_or(0),
        sha256: row.sha256,
    }
}

/// The safeguards of a schedule, newest first.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_SAFEGUARDS, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "Safeguards", body = [Safeguard]),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn safeguards(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Vec<Safeguard>>> {
    state
        .store
        .schedule(caller.account_id(), schedule_id)
        .await?;
    let rows = state
        .store
        .safeguards(caller.account_id(), schedule_id)
        .await?;
    Ok(Json(rows.into_iter().map(safeguard_view).collect()))
}

/// Opens a safeguard: it becomes a new base, opened on the stopped server (then activate it).
#[utoipa::path(post, path = hosting_api::paths::SAFEGUARD_OPEN, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Safeguard")),
    responses((status = 200, description = "The schedule", body = Schedule),
        (status = 409, description = "server_running", body = ErrorBody),
        (status = 413, description = "quota_exceeded", body = ErrorBody)))]
pub async fn open_safeguard(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(safeguard_id): IdPath,
) -> ApiResult<Json<Schedule>> {
    let safeguard = state
        .store
        .safeguard(caller.account_id(), safeguard_id)
        .await?;
    let schedule_id = base_files::open_safeguard(
        &state.store,
        &state.blobs,
        state.settings.quota(),
        &caller.actor,
        &safeguard,
    )
    .await?;
    Ok(Json(
        schedule_of(&state, caller.account_id(), schedule_id).await?,
    ))
}

/// The content of a safeguard (the `*.HNOT`), with its SHA-256 in `Repr-Digest`.
#[utoipa::path(get, path = hosting_api::paths::SAFEGUARD_CONTENT, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Safeguard")),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream"),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(safeguard_id): IdPath,
) -> ApiResult<Response> {
    let safeguard = state
        .store
        .safeguard(caller.account_id(), safeguard_id)
        .await?;
    let parts = state.store.blob_parts(safeguard.blob_id).await?;
    // Who took a copy of the school's data, and from which workstation.
    state
        .store
        .record_download(&caller.actor, &safeguard)
        .await?;
    Ok(stored_file(
        &state,
        parts,
        safeguard.size,
        &safeguard.sha256,
        &safeguard.filename,
    ))
}
