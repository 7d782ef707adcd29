//! Extractors: JSON bodies and path ids whose rejections answer in the API's error format, the
//! workstation behind the client certificate, and the session behind the bearer token.

use hosting_api::ErrorCode;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum_server::tls::TlsInfo;
use hosting_api::types::Role;
use serde::de::DeserializeOwned;

use crate::auth::{SESSION_IDLE_SECONDS, token_hash};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::limits::SourceAddr;
use crate::rules::Refusal;
use crate::store::{Actor, ScheduleRow, SessionRow, UserRow, WorkstationRow};

/// A JSON body; malformed, oversized or mistyped bodies answer 4xx with a sentence.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with the header Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request(
            ErrorCode::MalformedJson,
            "The body is not valid JSON. Check the brackets, quotes and commas.",
        ),
        JsonRejection::JsonDataError(error) => ApiError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidBody,
            format!(
                "The body does not have the expected fields: {}.",
                error.body_text().trim_start_matches(
                    "Failed to deserialize the JSON body into the target type: "
                )
            ),
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
        other => ApiError::bad_request(ErrorCode::InvalidBody, other.body_text()),
    }
}

/// A numeric id in the path.
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| IdPath(id))
            .map_err(path_rejection)
    }
}

/// A numeric id and a name in the path.
pub struct IdNamePath(pub i64, pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdNamePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<(i64, String)>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path((id, name))| IdNamePath(id, name))
            .map_err(path_rejection)
    }
}

/// Two numeric ids in the path (a schedule's id, then one of its items').
pub struct TwoIdsPath(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TwoIdsPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<(i64, i64)>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path((first, second))| TwoIdsPath(first, second))
            .map_err(path_rejection)
    }
}

fn path_rejection(_rejection: PathRejection) -> ApiError {
    ApiError::bad_request(
        ErrorCode::InvalidId,
        "The identifier in the address must be a whole number, as given by the lists.",
    )
}

/// The enrolled, non-revoked, unexpired workstation whose certificate made the TLS connection.
pub struct CertWorkstation(pub WorkstationRow);

impl FromRequestParts<AppState> for CertWorkstation {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let fingerprint = peer_fingerprint(parts)?;
        let workstation = state
            .store
            .workstation_by_fingerprint(&fingerprint)
            .await?
            .ok_or_else(ApiError::certificate_required)?;
        check_workstation(state, &workstation)?;
        Ok(CertWorkstation(workstation))
    }
}

/// The SHA-256 fingerprint of the client certificate of the TLS connection.
fn peer_fingerprint(parts: &Parts) -> Result<String, ApiError> {
    let info = parts
        .extensions
        .get::<Arc<TlsInfo>>()
        .ok_or_else(ApiError::certificate_required)?;
    let leaf = info
        .peer_certificates
        .first()
        .ok_or_else(ApiError::certificate_required)?;
    Ok(hosting_api::tls::fingerprint(leaf))
}

/// `401 certificate_revoked` / `certificate_expired` for a workstation that may not connect.
fn check_workstation(state: &AppState, workstation: &WorkstationRow) -> Result<(), ApiError> {
    if workstation.revoked_at.is_some() {
        return Err(ApiError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::CertificateRevoked,
            "The certificate of this workstation was revoked. Install a new one with the invoice number.",
        ));
    }
    if workstation.not_after <= state.store.now() {
        return Err(ApiError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::CertificateExpired,
            "The certificate of this workstation has expired. Install a new one with the invoice number.",
        ));
    }
    Ok(())
}

impl WorkstationRow {
    /// The role the certificate was issued to.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The audit actor for requests from this workstation.
    pub fn actor(&self) -> Actor {
        let label = match (&self.role(), &self.username) {
            (Role::Superadmin, Some(username)) => format!("superadmin:{username}"),
            (role, _) => role.as_str().to_string(),
        };
        Actor {
            account_id: self.account_id,
            label,
            workstation_id: Some(self.id),
            source_addr: None,
        }
    }
}

/// Who may call a route: the rule a [`Caller`] checks before the handler runs, so that a
/// handler's signature says who may call it (`Caller<Manager>`, `Caller<Superadmin>`, `Caller`
/// for anyone logged in). Rules that depend on the request's body stay in the handler.
pub trait Rule: 'static {
    /// `Err` with the refusal when `role` may not call the route.
    fn check(role: Role) -> Result<(), ApiError>;
}

/// Anyone logged in (the hosting manager, or a superadministrator with console access).
pub struct Anyone;

/// The hosting manager only: `403 manager_only` for a superadministrator.
pub struct Manager;

/// A superadministrator only: `403 superadmin_only` for the hosting manager (the contract's
/// routes).
pub struct Superadmin;

impl Rule for Anyone {
    fn check(_role: Role) -> Result<(), ApiError> {
        Ok(())
    }
}

impl Rule for Manager {
    fn check(role: Role) -> Result<(), ApiError> {
        match role {
            Role::Manager => Ok(()),
            Role::Superadmin => Err(manager_only("make this change")),
        }
    }
}

impl Rule for Superadmin {
    fn check(role: Role) -> Result<(), ApiError> {
        match role {
            Role::Superadmin => Ok(()),
            Role::Manager => Err(ApiError::forbidden(
                ErrorCode::SuperadminOnly,
                "Only a superadministrator can renew the contract and see its pro-forma invoices. Ask the superadministrator of your school.",
            )),
        }
    }
}

/// A logged-in caller whom the rule `R` allows: certificate + bearer token made with that
/// certificate.
pub struct Caller<R = Anyone> {
    /// The workstation.
    pub workstation: WorkstationRow,
    /// The session.
    pub session: SessionRow,
    /// For the audit log.
    pub actor: Actor,
    rule: std::marker::PhantomData<fn() -> R>,
}

impl<R> Caller<R> {
    /// The caller's account.
    pub fn account_id(&self) -> i64 {
        self.workstation.account_id
    }

    /// The caller's role.
    pub fn role(&self) -> Role {
        self.workstation.role()
    }

    /// `403 manager_only` unless the caller is the hosting manager, for what only the body of a
    /// request tells; `action` completes the sentence "Only the hosting manager can …".
    pub fn require_manager(&self, action: &str) -> Result<(), ApiError> {
        match self.role() {
            Role::Manager => Ok(()),
            Role::Superadmin => Err(manager_only(action)),
        }
    }
}

/// `403 manager_only`: what a superadministrator gets for what only the hosting manager may do.
pub fn manager_only(action: &str) -> ApiError {
    ApiError::forbidden(
        ErrorCode::ManagerOnly,
        format!(
            "Only the hosting manager can {action}. Ask the hosting manager, who logs in with the hosting number and the console password."
        ),
    )
}

impl<R: Rule> FromRequestParts<AppState> for Caller<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|token| token_hash(token.trim()));
        // The usual case in one read: a token of this certificate's workstation, which may
        // connect. Anything else takes the checks one by one, so that the answer says what is
        // wrong first (the certificate, then the session).
        let fingerprint = peer_fingerprint(parts)?;
        let joined = match &token {
            Some(hash) => state.store.session_with_workstation(hash).await?,
            None => None,
        };
        let (workstation, session, console_access) = match joined {
            Some(found)
                if found.workstation.fingerprint == fingerprint
                    && check_workstation(state, &found.workstation).is_ok() =>
            {
                (found.workstation, found.session, Some(found.console_access))
            }
            _ => {
                let CertWorkstation(workstation) =
                    CertWorkstation::from_request_parts(parts, state).await?;
                let session = match &token {
                    Some(hash) => state.store.session_by_token_hash(hash).await?,
                    None => None,
                }
                .ok_or_else(ApiError::session_required)?;
                (workstation, session, None)
            }
        };
        let now = state.store.now();
        let valid = session.workstation_id == workstation.id
            && session.revoked_at.is_none()
            && now < session.expires_at
            && now - session.last_seen_at <= SESSION_IDLE_SECONDS;
        if !valid {
            return Err(ApiError::session_required());
        }
        if workstation.role() == Role::Superadmin {
            match console_access {
                Some(true) => {}
                // Read again, so that the answer says why (deactivated, or no console access).
                Some(false) | None => {
                    ensure_console_access(state, &workstation).await?;
                }
            }
        }
        R::check(workstation.role())?;
        state.store.touch_session(&session, now).await?;
        let Ok(source) = SourceAddr::from_request_parts(parts, state).await;
        let actor = workstation.actor().from_source(source.0);
        Ok(Caller {
            workstation,
            session,
            actor,
            rule: std::marker::PhantomData,
        })
    }
}

/// A logged-in caller who is a member of the Administration profile of the schedule that the
/// path's `{id}` names. Another account's schedule is `404 not_found`; a schedule of the account
/// whose profile the caller is not in (the hosting manager is in none) is `403
/// administration_only`.
pub struct Member {
    /// The caller.
    pub caller: Caller,
    /// The schedule.
    pub schedule: ScheduleRow,
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::<Anyone>::from_request_parts(parts, state).await?;
        let axum::extract::Path(params) = axum::extract::Path::<
            std::collections::HashMap<String, String>,
        >::from_request_parts(parts, state)
        .await
        .map_err(path_rejection)?;
        let schedule_id = params
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(|| {
                ApiError::bad_request(ErrorCode::InvalidId, "The schedule's id must be a number.")
            })?;
        let schedule = state
            .store
            .schedule(caller.account_id(), schedule_id)
            .await?;
        if !state
            .store
            .is_administration_member(schedule_id, caller.workstation.user_id)
            .await?
        {
            return Err(Refusal::AdministrationOnly {
                schedule: schedule.name,
            }
            .into());
        }
        Ok(Member { caller, schedule })
    }
}

/// A superadministrator's workstation works only while the user keeps console access.
pub async fn ensure_console_access(
    state: &AppState,
    workstation: &WorkstationRow,
) -> Result<UserRow, ApiError> {
    let user = match workstation.user_id {
        Some(user_id) => state.store.user(workstation.account_id, user_id).await.ok(),
        None => None,
    };
    match user {
        Some(user) if !user.active => Err(user_deactivated()),
        Some(user) if user.superadmin && user.console_access => Ok(user),
        _ => Err(console_access_not_granted()),
    }
}

/// `403 user_deactivated`.
pub fn user_deactivated() -> ApiError {
    ApiError::forbidden(
        ErrorCode::UserDeactivated,
        "The hosting manager has deactivated this user. Ask them to reactivate it if you still need the console.",
    )
}

/// `403 console_access_not_granted`.
pub fn console_access_not_granted() -> ApiError {
    ApiError::forbidden(
        ErrorCode::ConsoleAccessNotGranted,
        "This superadministrator may not use the hosting console. Ask the hosting manager to enter your e-mail address and tick console access.",
    )
}
