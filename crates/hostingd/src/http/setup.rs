//! The controller, the schedules and their profiles.

use axum::Json;
use axum::extract::State;
use hosting_api::ErrorCode;
use hosting_api::types::{
    Controller, ControllerUpdate, EndpointCa, ErrorBody, Profile, Schedule, ScheduleServer,
    ScheduleUpdate,
};
use hosting_api::validate;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdNamePath, IdPath, Manager};
use crate::domains::{self, EndpointName};
use crate::http::error::{ApiError, ApiResult};
use crate::store::{EndpointOwner, ScheduleChanges, ScheduleRow};

/// Most members a profile can be given in one request.
const MAX_MEMBERS: usize = 10_000;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(controller, set_controller))
        .routes(routes!(endpoint_ca))
        .routes(routes!(schedules))
        .routes(routes!(update_schedule))
        .routes(routes!(profiles))
        .routes(routes!(set_members))
}

/// Checks a typed domain name: inside the public zone, or within a domain verified for the
/// caller's account.
async fn endpoint_name(state: &AppState, account_id: i64, typed: &str) -> ApiResult<EndpointName> {
    let zone = &state.settings.public_zone;
    let name = domains::classify(zone, typed)?;
    if name.needs_verification {
        let verified = state.store.verified_domains(account_id).await?;
        domains::ensure_verified(zone, &name, &verified)?;
    }
    Ok(name)
}

fn port(port: i64) -> Option<u16> {
    u16::try_from(port).ok()
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

/// The controller's connection details.
#[utoipa::path(get, path = hosting_api::paths::CONTROLLER, tag = "setup", security(("bearer" = [])),
    responses((status = 200, description = "The controller", body = Controller),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn controller(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Controller>> {
    let endpoint = state.store.controller_endpoint(caller.account_id()).await?;
    Ok(Json(match endpoint {
        Some((domain, assigned)) => Controller {
            host: Some(state.settings.host_for(&domain)),
            domain: Some(domain),
            port: port(assigned),
        },
        None => Controller {
            domain: None,
            host: None,
            port: None,
        },
    }))
}

/// Gives the controller a domain name; the service assigns a port. Hosting manager only.
#[utoipa::path(put, path = hosting_api::paths::CONTROLLER, tag = "setup", security(("bearer" = [])),
    request_body = ControllerUpdate,
    responses((status = 200, description = "The controller", body = Controller),
        (status = 403, description = "manager_only", body = ErrorBody),
        (status = 409, description = "domain_taken: another endpoint has this host", body = ErrorBody),
        (status = 422, description = "invalid_domain, domain_not_allowed: outside the public zone and not verified", body = ErrorBody)))]
pub async fn set_controller(
    State(state): State<AppState>,
    caller: Caller<Manager>,
    ApiJson(request): ApiJson<ControllerUpdate>,
) -> ApiResult<Json<Controller>> {
    let name = endpoint_name(&state, caller.account_id(), &request.domain).await?;
    let (domain, assigned) = state
        .store
        .set_endpoint(
            &caller.actor,
            EndpointOwner::Controller,
            &name,
            &state.settings.port_range,
        )
        .await?;
    Ok(Json(Controller {
        host: Some(state.settings.host_for(&domain)),
        domain: Some(domain),
        port: port(assigned),
    }))
}

/// The CA that signs the schedules' endpoint certificates: what PRONOTE clients, and the
/// console's "Test the connection", trust for the endpoints. It is not the service CA, and it
/// may only sign names under the public zone and the verified domains.
#[utoipa::path(get, path = hosting_api::paths::ENDPOINT_CA, tag = "setup", security(("bearer" = [])),
    responses((status = 200, description = "The endpoint CA", body = EndpointCa),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn endpoint_ca(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<EndpointCa>> {
    let certificate_pem = state.endpoints.ca_pem(&state).await?;
    let fingerprint =
        hosting_api::tls::pem_fingerprint(&certificate_pem).map_err(ApiError::internal)?;
    Ok(Json(EndpointCa {
        certificate_pem,
        fingerprint,
    }))
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
/// Both roles may, except the domain: the connection details are the hosting manager's.
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
            caller.require_manager("change the domain name of a schedule")?;
            Some(endpoint_name(&state, caller.account_id(), typed).await?)
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

/// Sets the members of a profile of a schedule.
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_PROFILE_MEMBERS, tag = "setup",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule id"), ("name" = String, Path, description = "Profile name, e.g. Administration")),
    request_body = Vec<i64>,
    responses((status = 200, description = "The profile", body = Profile),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "unknown_user", body = ErrorBody)))]
pub async fn set_members(
    State(state): State<AppState>,
    caller: Caller,
    IdNamePath(id, name): IdNamePath,
    ApiJson(members): ApiJson<Vec<i64>>,
) -> ApiResult<Json<Profile>> {
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
