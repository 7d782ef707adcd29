//! Monitoring of connections: the licences a schedule reserves for its Administration group.

use axum::Json;
use axum::extract::State;
use hosting_api::monitoring::{Monitoring, MonitoringUpdate};
use hosting_api::types::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::ApiResult;
use super::extract::{ApiJson, Caller, IdPath};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(monitoring, set_monitoring))
}

async fn view(state: &AppState, account_id: i64, schedule_id: i64) -> ApiResult<Monitoring> {
    let licences = state.store.licences(account_id, schedule_id).await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(0);
    Ok(Monitoring {
        contract_licences: count(licences.contract),
        administration_reserved: count(licences.reserved),
        administration_members: count(licences.members),
        reserved_elsewhere: count(licences.elsewhere),
    })
}

/// The licences of the contract and the reservation of the Administration group.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_MONITORING, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "Licences", body = Monitoring)))]
pub async fn monitoring(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Monitoring>> {
    Ok(Json(view(&state, caller.account_id(), schedule_id).await?))
}

/// Reserves licences for the Administration group (at most the contract's).
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_MONITORING, tag = "server", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")), request_body = MonitoringUpdate,
    responses((status = 200, description = "Licences", body = Monitoring),
        (status = 422, description = "too_many_reserved", body = ErrorBody)))]
pub async fn set_monitoring(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
    ApiJson(update): ApiJson<MonitoringUpdate>,
) -> ApiResult<Json<Monitoring>> {
    state
        .store
        .set_administration_reserved(
            &caller.actor,
            schedule_id,
            i64::from(update.administration_reserved),
        )
        .await?;
    Ok(Json(view(&state, caller.account_id(), schedule_id).await?))
}
