//! The HTTP API: one module per resource, thin handlers (parse, authorize, call the store, map).

pub mod account;
pub mod activation;
pub(crate) mod attempts;
pub mod audit;
pub mod bases;
pub mod contract;
pub mod controller;
pub mod endpoint;
pub mod endpoint_sessions;
pub mod error;
pub mod extract;
mod limits;
pub mod monitoring;
pub mod notifications;
pub mod openapi;
pub mod profiles;
pub mod pronote_net;
pub mod public;
mod refusals;
mod request_log;
pub mod safeguards;
pub mod schedules;
pub mod school_year;
pub mod sessions;
mod stored_file;
pub mod uploads;
pub mod users;
pub mod workstations;

use hosting_api::ErrorCode;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::Passwords;
use crate::http::error::ApiError;
use crate::pki::Pki;
use crate::settings::Settings;
use crate::store::Store;

pub use refusals::sentence;

/// Largest JSON body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// CA and TLS configuration.
    pub pki: Arc<Pki>,
    /// Password hashing.
    pub passwords: Arc<Passwords>,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Blob storage.
    pub blobs: crate::blobs::Blobs,
    /// Listeners of the running schedules.
    pub endpoints: Arc<crate::endpoints::Endpoints>,
    /// Rate limits and timeouts.
    pub guard: Arc<crate::limits::Guard>,
    /// The client of the schools' CAS servers.
    pub cas: Arc<crate::cas::CasClient>,
    /// What the service counts, for `--metrics-listen`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Where the fault suite makes the jobs fail or wait (nothing arms them otherwise).
    pub faults: Arc<crate::fault::FaultPoints>,
}

impl AppState {
    /// What the jobs use of the service.
    pub fn job_services(&self) -> crate::jobs::Services {
        crate::jobs::Services {
            store: self.store.clone(),
            blobs: self.blobs.clone(),
            settings: self.settings.clone(),
            endpoints: self.endpoints.clone(),
            faults: self.faults.clone(),
        }
    }
}

/// The schedules in whose Administration profile the caller is (none for the hosting manager's
/// workstation, which has no user): what a superadministrator's audit log and notifications
/// cover besides their own.
pub(crate) async fn administration_schedules(
    state: &AppState,
    caller: &extract::Caller,
) -> crate::http::error::ApiResult<Vec<i64>> {
    Ok(match caller.workstation.user_id {
        Some(user_id) => {
            state
                .store
                .administration_schedules(caller.account_id(), user_id)
                .await?
        }
        None => Vec::new(),
    })
}

/// Every route of the API, each registered once with its OpenAPI by its module.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(public::routes())
        .merge(sessions::routes())
        .merge(account::routes())
        .merge(controller::routes())
        .merge(schedules::routes())
        .merge(profiles::routes())
        .merge(users::routes())
        .merge(workstations::routes())
        .merge(uploads::routes())
        .merge(bases::routes())
        .merge(activation::routes())
        .merge(safeguards::routes())
        .merge(monitoring::routes())
        .merge(school_year::routes())
        .merge(contract::routes())
        .merge(audit::routes())
        .merge(pronote_net::routes())
        .merge(notifications::routes())
}

/// The OpenAPI document of every route, as `/v1/openapi.json` serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let (routes, document) = api().split_for_parts();
    routes
        // A web page, not part of the API's contract.
        .route(
            hosting_api::paths::CONSOLE_PAGE,
            axum::routing::get(public::console_page),
        )
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(openapi::Document::new(&document)))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(limits::oversized_body))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.guard),
            limits::request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.guard),
            limits::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.metrics),
            request_log::log_request,
        ))
        .with_state(state)
}

async fn route_not_found() -> ApiError {
    ApiError::client(
        StatusCode::NOT_FOUND,
        ErrorCode::RouteNotFound,
        "There is no such address in the hosting API. Check the path (it starts with /v1/).",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::client(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This address does not accept this method. See /v1/openapi.json for the methods it takes.",
    )
}
