//! PRONOTE.net: the publication of each schedule's webspaces, and the delegation of their
//! authentication to the school's ENT (CAS). The hosting manager and the superadministrators
//! publish, stop, turn spaces on and off, and delegate.

use axum::Json;
use axum::extract::State;
use hosting_api::pronote_net::{
    Delegation, DelegationMode, DelegationUpdate, Publication, PublicationUpdate, WebspaceAddresses,
};
use hosting_api::types::{ErrorBody, ServerState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, IdPath};
use crate::clock::rfc3339;
use crate::http::error::ApiResult;
use crate::rules::Refusal;
use crate::rules::pronote_net::{self, parse_cas_url};
use crate::store::{PublicationChange, PublicationRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publication, set_publication))
        .routes(routes!(delegation, set_delegation))
}

async fn view(
    state: &AppState,
    account_id: i64,
    schedule_id: i64,
    row: PublicationRow,
) -> ApiResult<Publication> {
    let schedule = state.store.schedule(account_id, schedule_id).await?;
    let addresses = match (&schedule.domain, schedule.port) {
        (Some(domain), Some(port)) => Some(WebspaceAddresses::under(&format!(
            "https://{}:{port}",
            state.settings.host_for(domain)
        ))),
        _ => None,
    };
    Ok(Publication {
        schedule_id,
        published: row.published,
        webspaces: row.webspaces,
        inactivity_minutes: row.inactivity_minutes,
        campus_net_licence: schedule.campus_net_licence,
        server_running: schedule.server_state == ServerState::Running,
        delegation: row.delegation,
        addresses,
    })
}

fn delegation_view(row: &PublicationRow) -> Delegation {
    Delegation {
        mode: row.delegation,
        cas_url: row.cas_url.clone(),
        checked_at: row.cas_checked_at.map(rfc3339),
    }
}

/// A schedule's publication: published or not, its webspaces, the inactivity time, how people
/// log in, and each webspace's address.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_PUBLICATION, tag = "pronote.net", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "The publication", body = Publication)))]
pub async fn publication(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Publication>> {
    let row = state
        .store
        .publication(caller.account_id(), schedule_id)
        .await?;
    Ok(Json(
        view(&state, caller.account_id(), schedule_id, row).await?,
    ))
}

/// Publishes or stops the webspaces, turns spaces on or off, sets the inactivity time (a missing
/// field keeps its value). Publishing needs the Campus.net licence; with delegated
/// authentication, the CAS server is checked again first.
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_PUBLICATION, tag = "pronote.net", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")), request_body = PublicationUpdate,
    responses((status = 200, description = "The publication", body = Publication),
        (status = 409, description = "campus_net_licence_required", body = ErrorBody),
        (status = 422, description = "invalid_inactivity, cas_unreachable", body = ErrorBody)))]
pub async fn set_publication(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
    ApiJson(update): ApiJson<PublicationUpdate>,
) -> ApiResult<Json<Publication>> {
    let current = state
        .store
        .publication(caller.account_id(), schedule_id)
        .await?;
    if let Some(minutes) = update.inactivity_minutes {
        pronote_net::check_inactivity(minutes)?;
    }
    if update.published == Some(true) && !current.published {
        // The licence first: no call to the CAS server for a schedule that cannot be published.
        let schedule = state
            .store
            .schedule(caller.account_id(), schedule_id)
            .await?;
        pronote_net::check_publish(&schedule.name, schedule.campus_net_licence, true)?;
        if let (DelegationMode::Cas, Some(url)) = (current.delegation, &current.cas_url) {
            state.cas.check(url).await?;
        }
    }
    let change = PublicationChange {
        published: update.published,
        webspaces: update.webspaces.map(|w| w.apply(current.webspaces)),
        inactivity_minutes: update.inactivity_minutes,
    };
    let row = state
        .store
        .set_publication(&caller.actor, schedule_id, &change)
        .await?;
    Ok(Json(
        view(&state, caller.account_id(), schedule_id, row).await?,
    ))
}

/// How people log in to the schedule's webspaces.
#[utoipa::path(get, path = hosting_api::paths::SCHEDULE_DELEGATION, tag = "pronote.net", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")),
    responses((status = 200, description = "The delegation", body = Delegation)))]
pub async fn delegation(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
) -> ApiResult<Json<Delegation>> {
    let row = state
        .store
        .publication(caller.account_id(), schedule_id)
        .await?;
    Ok(Json(delegation_view(&row)))
}

/// Delegates the authentication to the ENT's CAS server, or ends the delegation. Only while the
/// publication is stopped; the CAS address must be https and answer at `<cas_url>/login`.
#[utoipa::path(put, path = hosting_api::paths::SCHEDULE_DELEGATION, tag = "pronote.net", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Schedule")), request_body = DelegationUpdate,
    responses((status = 200, description = "The delegation", body = Delegation),
        (status = 409, description = "publication_running", body = ErrorBody),
        (status = 422, description = "invalid_cas_url, cas_unreachable", body = ErrorBody)))]
pub async fn set_delegation(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(schedule_id): IdPath,
    ApiJson(update): ApiJson<DelegationUpdate>,
) -> ApiResult<Json<Delegation>> {
    let current = state
        .store
        .publication(caller.account_id(), schedule_id)
        .await?;
    // Refused before any call to the CAS server; checked again when it is saved.
    let name = state
        .store
        .schedule(caller.account_id(), schedule_id)
        .await?
        .name;
    pronote_net::check_delegation_change(&name, current.published)?;
    let (cas_url, checked_at) = match update.mode {
        DelegationMode::None => (None, None),
        DelegationMode::Cas => {
            let url = parse_cas_url(update.cas_url.as_deref().unwrap_or_default())?;
            state.cas.check(&url).await?;
            (Some(url), Some(state.store.now()))
        }
    };
    let row = state
        .store
        .set_delegation(&caller.actor, schedule_id, update.mode, cas_url, checked_at)
        .await
        .map_err(|error| match error {
            crate::store::StoreError::Refused(refusal @ Refusal::PublicationRunning { .. }) => {
                crate::http::error::ApiError::from(refusal)
            }
            other => other.into(),
        })?;
    Ok(Json(delegation_view(&row)))
}
