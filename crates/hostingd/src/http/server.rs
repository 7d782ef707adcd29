//! The Server PRONOTE panel: bases of a schedule, opening and activating them, shutting the server
//! down, safeguards and the licences reserved for the Administration group.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hosting_api::ErrorCode;
use hosting_api::files::{
    AddCompanion, Base, BaseFile, LoadBase, NewEmptyBase, Safeguard, repr_digest,
};
use hosting_api::types::{ErrorBody, Schedule};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdPath};
use super::schedules::schedule_view;
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};

use crate::base_files;
use crate::store::{BaseFileRow, BaseRow, SafeguardRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bases, load))
        .routes(routes!(create_empty))
        .routes(routes!(add_companion))
        .routes(routes!(open_base))
        .routes(routes!(activate))
        .routes(routes!(shutdown))
        .routes(routes!(safeguards))
        .routes(routes!(open_safeguard))
        .routes(routes!(download))
}

fn base_view(base: BaseRow, files: Vec<BaseFileRow>) -> Base {
    let mut files: Vec<BaseFile> = files
        .into_iter()
        .map(|f| BaseFile {
            kind: f.kind,
            filename: f.filename,
            size: u64::try_from(f.size).unwrap_or(0),
            sha256: f.sha256,
            added_at: rfc3339(f.added_at),
        })
        .collect();
    let (size, sha256) = hosting_api::files::in_order(&mut files);
    Base {
        id: base.id,
        schedule_id: base.schedule_id,
        name: base.name,
        origin: base.origin,
        created_at: rfc3339(base.created_at),
        activated_at: base.activated_at.map(rfc3339),
        size,
        sha256,
        files,
        version: base.version,
    }
}

async fn one_base(state: &AppState, account_id: i64, base_id: i64) -> ApiResult<Base> {
    let base = state.store.base(account_id, base_id).await?;
    let files = state.store.base_files(base_id).await?;
    Ok(base_view(base, files))
}

async fn schedule(state: &AppState, account_id: i64, schedule_id: i64) -> ApiResult<Schedule> {
    let row = state.store.schedule(account_id, schedule_id).await?;
    Ok(schedule_view(state, row))
}

/// The bases of a schedule, newest first.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_BASES, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "Bases", body = [Base]),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn bases(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Vec<Base>>> {
    state
        .store
        .schedule(caller.account_id(), schedule_id)
        .await?;
    let rows = state.store.bases(caller.account_id(), schedule_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(base, files)| base_view(base, files))
            .collect(),
    ))
}

/// Loads finished uploads (a `*.HNOT` and its companions) as a base; the server must be shut
/// down.
#[utoipa::path(post, path = hosting_api::paths::SCHEDULE_BASES, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")), request_body = LoadBase,
    responses((status = 201, description = "The base", body = Base),
        (status = 409, description = "server_running, upload_incomplete", body = ErrorBody)))]
pub async fn load(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
    ApiJson(request): ApiJson<LoadBase>,
) -> ApiResult<(StatusCode, Json<Base>)> {
    if request.companions.len() > 3 {
        return Err(ApiError::bad_request(
            ErrorCode::TooManyCompanions,
            "A base has at most three companions: *.HCOURRIERS, *.HDOCJOINTS and *.HPHOTOS.",
        ));
    }
    let base_id = state
        .store
        .load_base(
            &caller.actor,
            schedule_id,
            &request.upload_id,
            &request.companions,
        )
        .await?;
    let base = one_base(&state, caller.account_id(), base_id).await?;
    Ok((StatusCode::CREATED, Json(base)))
}

/// Creates an empty base with a time grid and opens it; the server must be shut down.
#[utoipa::path(post, path = hosting_api::paths::SCHEDULE_EMPTY_BASE, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")), request_body = NewEmptyBase,
    responses((status = 201, description = "The base, opened", body = Base),
        (status = 409, description = "server_running", body = ErrorBody),
        (status = 413, description = "quota_exceeded", body = ErrorBody),
        (status = 422, description = "invalid_time_grid", body = ErrorBody)))]
pub async fn create_empty(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
    ApiJson(request): ApiJson<NewEmptyBase>,
) -> ApiResult<(StatusCode, Json<Base>)> {
    let grid = request.time_grid.unwrap_or_default();
    hosting_api::validate::time_grid(&grid)?;
    let base_id = base_files::make_empty_base(
        &state.store,
        &state.blobs,
        state.settings.quota(),
        &caller.actor,
        schedule_id,
        &grid,
        None,
    )
    .await?;
    let base = one_base(&state, caller.account_id(), base_id).await?;
    Ok((StatusCode::CREATED, Json(base)))
}

/// Completes a base with a finished upload of a companion file (replacing one of that kind).
#[utoipa::path(post, path = hosting_api::paths::BASE_COMPANIONS, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Base")), request_body = AddCompanion,
    responses((status = 200, description = "The base", body = Base),
        (status = 409, description = "server_running, upload_incomplete", body = ErrorBody)))]
pub async fn add_companion(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(base_id): IdPath,
    ApiJson(request): ApiJson<AddCompanion>,
) -> ApiResult<Json<Base>> {
    let replaced = state
        .store
        .add_companion(&caller.actor, base_id, &request.upload_id)
        .await?;
    state.blobs.delete_released(&state.store, &replaced).await;
    Ok(Json(one_base(&state, caller.account_id(), base_id).await?))
}

/// Opens a base on its schedule's server; the server must be shut down.
#[utoipa::path(post, path = hosting_api::paths::BASE_OPEN, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Base")),
    responses((status = 200, description = "The schedule", body = Schedule),
        (status = 409, description = "server_running", body = ErrorBody)))]
pub async fn open_base(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(base_id): IdPath,
) -> ApiResult<Json<Schedule>> {
    let schedule_id = state.store.open_base(&caller.actor, base_id).await?;
    Ok(Json(
        schedule(&state, caller.account_id(), schedule_id).await?,
    ))
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
    state
        .endpoints
        .activate(&state, &caller.actor, schedule_id)
        .await?;
    Ok(Json(
        schedule(&state, caller.account_id(), schedule_id).await?,
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
    state
        .endpoints
        .shutdown(&state, &caller.actor, schedule_id)
        .await?;
    Ok(Json(
        schedule(&state, caller.account_id(), schedule_id).await?,
    ))
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
        schedule(&state, caller.account_id(), schedule_id).await?,
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

/// A stored file streamed as a download: its size, its SHA-256 in `Repr-Digest` and its name in
/// `Content-Disposition`.
pub(crate) fn stored_file(
    state: &AppState,
    parts: Vec<crate::store::Part>,
    size: i64,
    sha256: &str,
    filename: &str,
) -> Response {
    let mut response = Body::from_stream(state.blobs.read(parts)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(
        axum::http::header::CONTENT_LENGTH,
        HeaderValue::from(u64::try_from(size).unwrap_or(0)),
    );
    if let Ok(value) = HeaderValue::from_str(&repr_digest(sha256)) {
        headers.insert("Repr-Digest", value);
    }
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename.replace(['"', '\\'], "_")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    response
}
