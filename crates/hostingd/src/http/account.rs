//! The account, its onboarding progress, and the licence agreement.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::ErrorCode;
use hosting_api::types::{
    Account, Contract, ErrorBody, LanguageChoice, Licence, LicenceAcceptance, LicenceState, Role,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, Caller, Manager};
use crate::http::error::{ApiError, ApiResult};
use crate::licence;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(account))
        .routes(routes!(set_language))
        .routes(routes!(licence_text))
        .routes(routes!(accept))
}

/// The account and the onboarding steps done.
#[utoipa::path(get, path = hosting_api::paths::ACCOUNT, tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "The account", body = Account),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn account(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Account>> {
    let account = state.store.account_by_id(caller.account_id()).await?;
    let (current_version, _) = licence::current();
    let onboarding = state.store.onboarding(&account, current_version).await?;
    // Opened from its sealed copy for the hosting manager only.
    let invoice_number = match caller.role() {
        Role::Manager => Some(state.store.invoice_number(&account)?),
        Role::Superadmin => None,
    };
    Ok(Json(Account {
        hosting_number: account.hosting_number,
        invoice_number,
        school_name: account.school_name,
        role: caller.role(),
        licence: LicenceState {
            accepted_version: account.licence_version,
            current_version: current_version.to_string(),
        },
        onboarding,
        contract: Contract {
            ends_on: account.contract_ends_on,
            administration_licences: u32::try_from(account.administration_licences).unwrap_or(0),
            kind: account.contract_kind,
            starts_on: account.contract_starts_on,
        },
        language: account.language,
        console_download_url: state.store.console_download_url().to_string(),
    }))
}

/// The language of the account's e-mails and SMS, chosen by the hosting manager.
#[utoipa::path(put, path = hosting_api::paths::ACCOUNT_LANGUAGE, tag = "account", security(("bearer" = [])),
    request_body = LanguageChoice,
    responses((status = 204, description = "Every e-mail and SMS is written in it from now on"),
        (status = 401, description = "session_required", body = ErrorBody),
        (status = 403, description = "manager_only", body = ErrorBody),
        (status = 422, description = "Not a language of the service (fr, en)", body = ErrorBody)))]
pub async fn set_language(
    State(state): State<AppState>,
    caller: Caller<Manager>,
    ApiJson(choice): ApiJson<LanguageChoice>,
) -> ApiResult<StatusCode> {
    state
        .store
        .set_language(&caller.actor, choice.language)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The licence in force.
#[utoipa::path(get, path = hosting_api::paths::LICENCE, tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "The licence", body = Licence),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn licence_text(_caller: Caller) -> Json<Licence> {
    let (version, text) = licence::current();
    Json(Licence {
        version: version.to_string(),
        text: text.to_string(),
    })
}

/// Accepts the licence version that was shown.
#[utoipa::path(post, path = hosting_api::paths::LICENCE_ACCEPTANCE, tag = "account", security(("bearer" = [])),
    request_body = LicenceAcceptance,
    responses((status = 204, description = "Accepted"),
        (status = 409, description = "licence_outdated: another version is in force", body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<LicenceAcceptance>,
) -> ApiResult<StatusCode> {
    let (version, _) = licence::current();
    if request.version != version {
        return Err(ApiError::conflict(
            ErrorCode::LicenceOutdated,
            format!("The licence in force is version {version}. Read it again, then accept it."),
        ));
    }
    state.store.accept_licence(&caller.actor, version).await?;
    Ok(StatusCode::NO_CONTENT)
}
