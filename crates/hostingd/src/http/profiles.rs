//! The profiles of each schedule and their members.

use axum::Json;
use axum::extract::State;
use hosting_api::ErrorCode;
use hosting_api::types::{ADMINISTRATION, ErrorBody, Profile};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdNamePath, IdPath};
use crate::http::error::{ApiError, ApiResult};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(profiles))
        .routes(routes!(set_members))
}

/// Most members a profile can be given in one request.
const MAX_MEMBERS: usize = 10_000;

/// The profiles of a schedule and their members.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_PROFILES, tag = "setup", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule id")),
    responses((status = 200, description = "The profiles", body = [Profile]),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn profiles(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<Profile>>> {
    let schedule = state.store.schedule(caller.account_id(), id).await?;
    let profiles = state.store.profiles(schedule.id).await?;
    Ok(Json(
        profiles
            .into_iter()
            .map(|(name, members)| Profile { name, members })
            .collect(),
    ))
}

/// Sets the members of a profile of a schedule. The Administration profile is a boundary: its
/// members see the schedule's audit log and its previous years, so only the hosting manager
/// changes it (a superadministrator may not add themselves to it) and is e-mailed each change;
/// both roles set the members of the other profiles.
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_PROFILE_MEMBERS, tag = "setup",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule id"), ("name" = String, Path, description = "Profile name, e.g. Administration")),
    request_body = Vec<i64>,
    responses((status = 200, description = "The profile", body = Profile),
        (status = 403, description = "manager_only: a superadministrator changing the Administration profile", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "unknown_user", body = ErrorBody)))]
pub async fn set_members(
    State(state): State<AppState>,
    caller: Caller,
    IdNamePath(id, name): IdNamePath,
    ApiJson(members): ApiJson<Vec<i64>>,
) -> ApiResult<Json<Profile>> {
    if name == ADMINISTRATION {
        caller.require_manager("change the members of a schedule's Administration profile (they see its audit log and its previous years)")?;
    }
    if members.len() > MAX_MEMBERS {
        return Err(ApiError::client(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::TooManyMembers,
            format!("A profile can be given at most {MAX_MEMBERS} members at once."),
        ));
    }
    let members = state
        .store
        .set_profile_members(&caller.actor, id, &name, &members)
        .await?;
    Ok(Json(Profile { name, members }))
}
