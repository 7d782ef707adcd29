//! The account's enrolled workstations and their revocation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use hosting_api::types::{ErrorBody, Role, Workstation};

use super::AppState;
use super::extract::{Caller, IdPath};
use crate::clock::rfc3339;
use crate::error::ApiResult;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/workstations", get(list))
        .route("/v1/workstations/{id}", delete(revoke))
}

/// The workstations of the account: all of them for the hosting manager, their own for a
/// superadministrator.
#[utoipa::path(get, path = "/v1/workstations", tag = "workstations", security(("bearer" = [])),
    responses((status = 200, description = "The workstations", body = [Workstation]),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Workstation>>> {
    let rows = state.store.workstations(caller.account_id()).await?;
    let visible = |row: &crate::store::WorkstationRow| {
        caller.role() == Role::Manager || row.user_id == caller.workstation.user_id
    };
    Ok(Json(
        rows.into_iter()
            .filter(visible)
            .map(|row| Workstation {
                id: row.id,
                role: row.role(),
                current: row.id == caller.workstation.id,
                name: row.name,
                username: row.username,
                fingerprint: row.fingerprint,
                enrolled_at: rfc3339(row.enrolled_at),
                not_after: rfc3339(row.not_after),
                revoked_at: row.revoked_at.map(rfc3339),
            })
            .collect(),
    ))
}

/// Revokes a workstation: its certificate is refused at once. The hosting manager may revoke
/// any workstation of the account; a superadministrator only their own.
#[utoipa::path(delete, path = "/v1/workstations/{id}", tag = "workstations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Workstation id")),
    responses((status = 204, description = "Revoked"),
        (status = 403, description = "manager_only: not yours to revoke", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    let target = state.store.workstation(caller.account_id(), id).await?;
    if target.user_id != caller.workstation.user_id {
        caller.require_manager("revoke the workstations of other people")?;
    }
    state.store.revoke_workstation(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
