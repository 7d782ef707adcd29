//! The schedules: their names, domains (each gets a port), Campus.net licences and time zones.

use axum::Json;
use axum::extract::State;
use hosting_api::types::{ErrorBody, Schedule, ScheduleServer, ScheduleUpdate};
use hosting_api::validate;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::controller::{endpoint_name, port};
use super::extract::{ApiJson, Caller, IdPath};
use crate::http::error::ApiResult;
use crate::store::{ScheduleChanges, ScheduleRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schedules))
        .routes(routes!(update_schedule))
}

/// A schedule of the account, as the wire shows it.
pub(crate) async fn schedule_of(
    state: &AppState,
    account_id: i64,
    schedule_id: i64,
) -> ApiResult<Schedule> {
    let row = state.store.schedule(account_id, schedule_id).await?;
    Ok(schedule_view(state, row))
}

pub(crate) fn schedule_view(state: &AppState, row: ScheduleRow) -> Schedule {
    Schedule {
        id: row.id,
        name: row.name,
        host: row.domain.as_deref().map(|d| state.settings.host_for(d)),
        domain: row.domain,
        port: row.port.and_then(port),
        campus_net_licence: row.campus_net_licence,
        time_zone: row.time_zone,
        server: ScheduleServer {
            state: row.server_state,
            active_base_id: row.active_base_id,
            open_base_id: row.open_base_id,
        },
    }
}

/// The schedules of the account.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULES, tag = "setup", security(("bearer" = [])),
    responses((status = 200, description = "The schedules", body = [Schedule]),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn schedules(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Schedule>>> {
    let rows = state.store.schedules(caller.account_id()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| schedule_view(&state, row))
            .collect(),
    ))
}

/// Renames a schedule, sets its domain (a port is assigned), Campus.net licence or time zone.
/// Both roles may, except the domain: the connection details are the hosting manager's (the
/// domain the schedule has already, sent again, is not a change).
#[utoipa::path(patch, path = hosting_api::paths::SCHEDULE, tag = "setup", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule id")),
    request_body = ScheduleUpdate,
    responses((status = 200, description = "The schedule", body = Schedule),
        (status = 403, description = "manager_only: a superadministrator changing the domain", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "domain_taken, schedule_name_taken", body = ErrorBody),
        (status = 422, description = "domain_not_allowed: outside the public zone and not verified", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody)))]
pub async fn update_schedule(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ScheduleUpdate>,
) -> ApiResult<Json<Schedule>> {
    let domain = match request.domain.as_deref() {
        Some(typed) => {
            let name = endpoint_name(&state, caller.account_id(), typed).await?;
            // The domain it has already is not a change: a form that sends every field works
            // for a superadministrator too.
            let current = state.store.schedule(caller.account_id(), id).await?.domain;
            if current.as_deref() == Some(name.domain.as_str()) {
                None
            } else {
                caller.require_manager("change the domain name of a schedule")?;
                Some(name)
            }
        }
        None => None,
    };
    let changes = ScheduleChanges {
        name: request
            .name
            .as_deref()
            .map(validate::schedule_name)
            .transpose()?,
        campus_net_licence: request.campus_net_licence,
        time_zone: request
            .time_zone
            .as_deref()
            .map(validate::time_zone)
            .transpose()?,
        domain,
    };
    state
        .store
        .update_schedule(&caller.actor, id, &changes, &state.settings.port_range)
        .await?;
    let row = state.store.schedule(caller.account_id(), id).await?;
    Ok(Json(schedule_view(&state, row)))
}
