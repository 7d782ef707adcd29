//! The bases of a schedule: loaded from uploads, created empty, completed with a companion,
//! opened on the schedule's server.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::ErrorCode;
use hosting_api::bases::{AddCompanion, Base, BaseFile, LoadBase, NewEmptyBase};
use hosting_api::types::{ErrorBody, Schedule};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdPath};
use super::schedules::schedule_of;
use crate::base_files;
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::store::{BaseFileRow, BaseRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bases, load))
        .routes(routes!(create_empty))
        .routes(routes!(add_companion))
        .routes(routes!(open_base))
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
    let (size, sha256) = hosting_api::uploads::in_order(&mut files);
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

/// Completes a base with a finished upload of a companion file (replacing one of that kind),
/// also while its server runs: the files change at once, in one transaction.
#[utoipa::path(post, path = hosting_api::paths::BASE_COMPANIONS, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Base")), request_body = AddCompanion,
    responses((status = 200, description = "The base", body = Base),
        (status = 409, description = "upload_incomplete", body = ErrorBody)))]
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
        schedule_of(&state, caller.account_id(), schedule_id).await?,
    ))
}
