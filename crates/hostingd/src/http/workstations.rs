//! The account's enrolled workstations and their revocation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::types::{ErrorBody, Role, Workstation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Caller, IdPath};
use crate::clock::rfc3339;
use crate::http::error::ApiResult;

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(revoke))
        .routes(routes!(renew))
}

/// The workstations of the account: all of them for the hosting manager, their own for a
/// superadministrator.
#[utoipa::path(get, path = hosting_api::paths::WORKSTATIONS, tag = "workstations", security(("bearer" = [])),
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
#[utoipa::path(delete, path = hosting_api::paths::WORKSTATION, tag = "workstations", security(("bearer" = [])),
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

/// Renews the certificate of the calling workstation before it expires, with the current one
/// as the proof (no invoice number): a new certificate for a new key made on the workstation,
/// and a session of it. The old certificate and its sessions end at once.
#[utoipa::path(post, path = hosting_api::paths::WORKSTATION_RENEWAL, tag = "workstations", security(("bearer" = [])),
    request_body = hosting_api::types::CertificateRenewal,
    responses((status = 201, description = "The new certificate and its session", body = hosting_api::types::RenewedCertificate),
        (status = 400, description = "invalid_csr (also for the key of the current certificate)", body = ErrorBody),
        (status = 401, description = "session_required, certificate_expired", body = ErrorBody)))]
pub async fn renew(
    State(state): State<AppState>,
    caller: Caller,
    tls: Option<axum::Extension<std::sync::Arc<axum_server::tls::TlsInfo>>>,
    super::extract::ApiJson(request): super::extract::ApiJson<
        hosting_api::types::CertificateRenewal,
    >,
) -> ApiResult<(StatusCode, Json<hosting_api::types::RenewedCertificate>)> {
    let csr = crate::pki::Csr::parse(&request.csr_pem)?;
    // A renewal brings a new key: the current certificate's key may have been copied.
    if tls
        .as_ref()
        .and_then(|tls| tls.peer_certificates.first())
        .is_some_and(|current| csr.same_key_as(current))
    {
        return Err(crate::http::error::ApiError::client(
            StatusCode::BAD_REQUEST,
            hosting_api::ErrorCode::InvalidCsr,
            "A renewal needs a new key, and this request holds the key of the current certificate. Let the console make a new key.",
        ));
    }
    let account = state.store.account_by_id(caller.account_id()).await?;
    let old = &caller.workstation;
    let user = match old.user_id {
        Some(user_id) => Some(state.store.user(old.account_id, user_id).await?),
        None => None,
    };
    let subject = crate::pki::WorkstationSubject {
        hosting_number: account.hosting_number.clone(),
        role: old.role().as_str(),
        username: old.username.clone(),
        workstation_name: old.name.clone(),
    };
    let now = state.store.now();
    let not_after = now + i64::from(state.settings.cert_lifetime_days) * 86_400;
    let signed = state
        .pki
        .sign_workstation(&csr, &subject, now - 300, not_after)?;
    let (token, token_hash) = crate::auth::new_token();
    let expires_at = now + crate::auth::SESSION_ABSOLUTE_SECONDS;
    let id = state
        .store
        .renew_workstation(
            &caller.actor,
            old,
            &signed.fingerprint,
            not_after,
            &token_hash,
            expires_at,
        )
        .await?;
    let display_name = match &user {
        Some(user) => format!("{} {}", user.first_name, user.surname),
        None => format!("Hosting manager, {}", account.school_name),
    };
    Ok((
        StatusCode::CREATED,
        Json(hosting_api::types::RenewedCertificate {
            workstation_id: id,
            certificate_pem: signed.pem,
            ca_pem: state.pki.ca_pem().to_string(),
            not_after: rfc3339(not_after),
            session: hosting_api::types::SessionResponse {
                token,
                expires_at: rfc3339(expires_at),
                principal: hosting_api::types::Principal {
                    role: old.role(),
                    username: user.map(|u| u.username),
                    display_name,
                },
            },
        }),
    ))
}
