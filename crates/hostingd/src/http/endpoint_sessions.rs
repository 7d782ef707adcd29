//! The session protocol of a schedule's endpoint, as PRONOTE Clients use it (README "Live
//! monitoring"): `POST /sessions` with a user's username and password opens a session within
//! the contract's Administrative licences (the seats reserved for Administration groups kept for
//! them); `POST /sessions/keep-alive` every `keep_alive_seconds` keeps it; `DELETE
//! /sessions/current` closes it. A session three keep-alives silent, or disconnected from the
//! console's Monitoring tab, is closed: its next keep-alive answers `404 connection_closed`.
//! Wrong passwords count against the user and the address like the console's logins. The
//! listener that routes them, beside the status route and the webspaces, is in `endpoints`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{delete, post};
use axum::{Json, Router};
use hosting_api::ErrorCode;
use hosting_api::endpoint::{CLIENT_SESSIONS, ClientLogin, ClientSession};
use serde_json::json;

use crate::auth::{attempt_keys, new_token, token_hash};
use crate::endpoints::webspaces::Site;
use crate::http::attempts::{Attempt, Wrong, counted};
use crate::http::endpoint::running;
use crate::http::error::{ApiError, ApiResult};
use crate::limits::SourceAddr;
use crate::store::AttemptSource;
use crate::store::connections::{KEEP_ALIVE_SECONDS, NewConnection};

/// The routes of the protocol.
pub fn routes() -> Router<Site> {
    Router::new()
        .route(CLIENT_SESSIONS, post(open))
        .route(&format!("{CLIENT_SESSIONS}/keep-alive"), post(keep_alive))
        .route(&format!("{CLIENT_SESSIONS}/current"), delete(close))
}

/// `404 connection_closed`.
fn closed() -> ApiError {
    ApiError::client(
        StatusCode::NOT_FOUND,
        ErrorCode::ConnectionClosed,
        "This session has ended: it was disconnected from the hosting console, or the Client was silent too long. Connect again.",
    )
}

/// The bearer token's digest.
fn token(headers: &HeaderMap) -> ApiResult<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| token_hash(t.trim()))
        .ok_or_else(closed)
}

/// `401 invalid_credentials`, in the words of a Client's login.
fn wrong_logins() -> ApiError {
    ApiError::client(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        "This username and password are not right. Use those of the controller, as your superadministrator gave them.",
    )
}

/// Opens a session: the user's password (one counted attempt, like the console's logins), then
/// the licences.
async fn open(
    State(site): State<Site>,
    source: SourceAddr,
    Json(login): Json<ClientLogin>,
) -> ApiResult<(StatusCode, Json<ClientSession>)> {
    let running = running(&site).await?;
    let account_id = running.account_id;
    let username = login.username.trim().to_lowercase();
    let workstation: String = login.workstation.trim().chars().take(100).collect();
    if workstation.is_empty() {
        return Err(ApiError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidWorkstationName,
            "Give the name of the Client's computer (workstation).",
        ));
    }
    // The hashing slot first, as for an enrollment: a flood of Client logins is refused before
    // it takes the service's write lock or writes a row.
    let slot = site.passwords.anonymous_slot().await?;
    let principal = format!("client:{account_id}:{username}");
    let attempt = Attempt {
        source: AttemptSource {
            account_id: Some(account_id),
            actor: format!("client:{username}"),
            workstation_id: None,
            source_addr: source.0.to_string(),
            kind: "client",
        },
        keys: attempt_keys(
            principal.clone(),
            "client",
            &account_id.to_string(),
            &source,
        )
        .to_vec(),
        principal,
    };
    let user = counted(&site.store, attempt, async {
        let user = site.store.user_by_username(account_id, &username).await?;
        let hash = user.as_ref().map(|u| u.password_hash.as_str());
        let matches = login.password.len() <= 1024
            && site
                .passwords
                .verify_in_slot(slot, &login.password, hash)
                .await?;
        match user.filter(|_| matches) {
            Some(user) => Ok(Ok(user)),
            None => Ok(Err(Wrong {
                also: Vec::new(),
                action: "client.login_failed",
                detail: json!({"schedule_id": site.schedule_id, "username": username}),
                answer: wrong_logins,
            })),
        }
    })
    .await?;
    if !user.active {
        return Err(crate::http::extract::user_deactivated());
    }
    let (token, digest) = new_token();
    let connection = site
        .store
        .open_connection(&NewConnection {
            schedule_id: site.schedule_id,
            user: &user,
            workstation: &workstation,
            token_digest: &digest,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ClientSession {
            token,
            keep_alive_seconds: u32::try_from(KEEP_ALIVE_SECONDS).unwrap_or(30),
            administration: connection.administration,
        }),
    ))
}

/// Keeps a session.
async fn keep_alive(State(site): State<Site>, headers: HeaderMap) -> ApiResult<StatusCode> {
    let digest = token(&headers)?;
    if site
        .store
        .keep_connection(site.schedule_id, &digest)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(closed())
    }
}

/// Closes a session.
async fn close(State(site): State<Site>, headers: HeaderMap) -> ApiResult<StatusCode> {
    let digest = token(&headers)?;
    if site
        .store
        .close_connection(site.schedule_id, &digest)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(closed())
    }
}
