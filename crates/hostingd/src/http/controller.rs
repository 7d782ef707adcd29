//! The controller: its domain name and port, and the CA of the endpoints' certificates.

use axum::Json;
use axum::extract::State;
use hosting_api::types::{Controller, ControllerUpdate, EndpointCa, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, Manager};
use crate::domains::{self, EndpointName};
use crate::http::error::{ApiError, ApiResult};
use crate::store::EndpointOwner;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(controller, set_controller))
        .routes(routes!(endpoint_ca))
}

/// Checks a typed domain name: inside the public zone, or within a domain verified for the
/// caller's account.
pub(super) async fn endpoint_name(
    state: &AppState,
    account_id: i64,
    typed: &str,
) -> ApiResult<EndpointName> {
    let zone = &state.settings.public_zone;
    let name = domains::classify(zone, typed)?;
    if name.needs_verification {
        let verified = state.store.verified_domains(account_id).await?;
        domains::ensure_verified(zone, &name, &verified)?;
    }
    Ok(name)
}

pub(super) fn port(port: i64) -> Option<u16> {
    u16::try_from(port).ok()
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
    let certificate_pem = state.endpoints.ca_pem().await?;
    let fingerprint =
        hosting_api::tls::pem_fingerprint(&certificate_pem).map_err(ApiError::internal)?;
    Ok(Json(EndpointCa {
        certificate_pem,
        fingerprint,
    }))
}
