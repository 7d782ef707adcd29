//! Login and logout. A session is a bearer token bound to the certificate it was made with.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::types::{ErrorBody, Principal, Role, SessionRequest, SessionResponse};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::attempts::{Attempt, Wrong, counted};
use super::extract::{ApiJson, Caller, CertWorkstation, ensure_console_access};
use crate::auth::{SESSION_ABSOLUTE_SECONDS, attempt_keys, enrollment_key, login_key, new_token};
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::limits::SourceAddr;
use crate::store::{AccountRow, AttemptSource, UserRow, WorkstationRow};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// Logs in the principal the certificate was issued to.
#[utoipa::path(post, path = hosting_api::paths::SESSIONS, tag = "sessions", request_body = SessionRequest,
    responses(
        (status = 201, description = "Logged in", body = SessionResponse),
        (status = 401, description = "invalid_credentials, certificate_required, certificate_revoked", body = ErrorBody),
        (status = 403, description = "console_access_not_granted", body = ErrorBody),
        (status = 429, description = "locked_out, rate_limited", body = ErrorBody),
        (status = 503, description = "busy: every password check slot is taken; see Retry-After", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    source: SourceAddr,
    CertWorkstation(workstation): CertWorkstation,
    ApiJson(request): ApiJson<SessionRequest>,
) -> ApiResult<(StatusCode, Json<SessionResponse>)> {
    let account = state.store.account_by_id(workstation.account_id).await?;
    let user = check_password(&state, &source, &workstation, &account, &request.password).await?;
    if workstation.role() == Role::Superadmin {
        ensure_console_access(&state, &workstation).await?;
    }
    let response = open_session(&state, &source, &workstation, &account, user).await?;
    Ok((StatusCode::CREATED, Json(response)))
}

/// Checks the password of the principal the certificate was issued to, as one counted attempt.
/// Returns the superadministrator's user row (none for the hosting manager).
async fn check_password(
    state: &AppState,
    source: &SourceAddr,
    workstation: &WorkstationRow,
    account: &AccountRow,
    password: &str,
) -> ApiResult<Option<UserRow>> {
    let principal = login_key(account.id, workstation.user_id);
    let attempt = Attempt {
        source: AttemptSource {
            account_id: Some(account.id),
            actor: workstation.actor().label,
            workstation_id: Some(workstation.id),
            source_addr: source.0.to_string(),
            kind: "login",
        },
        keys: attempt_keys(principal.clone(), "login", &account.id.to_string(), source).to_vec(),
        principal,
    };
    counted(&state.store, attempt, async {
        let user = match workstation.user_id {
            Some(user_id) => Some(state.store.user(account.id, user_id).await?),
            None => None,
        };
        let hash = match workstation.role() {
            Role::Manager => Some(account.password_hash.as_str()),
            Role::Superadmin => user.as_ref().map(|u| u.password_hash.as_str()),
        };
        let matches = password.len() <= 1024 && state.passwords.verify(password, hash).await?;
        if matches {
            return Ok(Ok(user));
        }
        // A wrong password through a certificate also counts against enrolling that principal
        // (not the other way round): a stolen workstation gets no extra guesses there.
        Ok(Err(Wrong {
            also: vec![enrollment_key(
                &account.hosting_number,
                workstation.username.as_deref(),
            )],
            action: "login.failed",
            detail: json!({}),
            answer: ApiError::invalid_credentials,
        }))
    })
    .await
}

/// Opens a session bound to the workstation's certificate.
async fn open_session(
    state: &AppState,
    source: &SourceAddr,
    workstation: &WorkstationRow,
    account: &AccountRow,
    user: Option<UserRow>,
) -> ApiResult<SessionResponse> {
    let (token, token_hash) = new_token();
    let expires_at = state.store.now() + SESSION_ABSOLUTE_SECONDS;
    state
        .store
        .create_session(
            &workstation.actor().from_source(source.0),
            &token_hash,
            expires_at,
        )
        .await?;
    let display_name = match &user {
        Some(user) => format!("{} {}", user.first_name, user.surname),
        None => format!("Hosting manager, {}", account.school_name),
    };
    Ok(SessionResponse {
        token,
        expires_at: rfc3339(expires_at),
        principal: Principal {
            role: workstation.role(),
            username: user.map(|u| u.username),
            display_name,
        },
    })
}

/// Logs out: the token stops working at once.
#[utoipa::path(delete, path = hosting_api::paths::SESSION_CURRENT, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 204, description = "Logged out"),
        (status = 401, description = "session_required", body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_session(&caller.actor, caller.session.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
