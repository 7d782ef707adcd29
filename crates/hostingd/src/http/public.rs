//! Routes that work without a client certificate: health, the OpenAPI document, enrollment and
//! "Receive my hosting logins".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hosting_api::types::{
    EnrollmentRequest, EnrollmentResponse, ErrorBody, Health, PasswordResetConfirm,
    PasswordResetRequest, Readiness, ResendLoginsRequest, Role,
};
use hosting_api::validate;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::attempts::{Attempt, Wrong, counted};
use super::extract::{ApiJson, console_access_not_granted, user_deactivated};
use crate::auth::{attempt_keys, enrollment_key};
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::limits::SourceAddr;
use crate::pki::{Csr, WorkstationSubject};
use crate::store::{AccountRow, Actor, AttemptSource, NewWorkstation};

/// Routes of this module, each registered once with its OpenAPI.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(super::openapi::document))
        .routes(routes!(enroll))
        .routes(routes!(resend_logins))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
}

/// The service answers.
#[utoipa::path(get, path = hosting_api::paths::HEALTH, tag = "public",
    responses((status = 200, description = "The service answers", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// Whether this instance can serve: the database answers, the blob store answers, and on
/// PostgreSQL the other instances' commits are heard (a balancer's readiness probe; `/v1/health`
/// is the liveness probe). Each part within 2 s; the reasons name no credential.
#[utoipa::path(get, path = hosting_api::paths::READY, tag = "public",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready: a part does not answer (Retry-After)", body = Readiness)))]
pub async fn ready(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = std::time::Duration::from_secs(2);
    let (database, blobs) = tokio::join!(
        state.store.answers_within(limit),
        state.blobs.reachable_within(limit)
    );
    let hears = state.store.hears_other_instances();
    let ready = database && blobs.is_ok() && hears != Some(false);
    let readiness = Readiness {
        status: if ready { "ready" } else { "not_ready" }.to_string(),
        database: if database { "ok" } else { "not_answering" }.to_string(),
        blobs: match &blobs {
            Ok(()) => "ok".to_string(),
            Err(error) => {
                tracing::warn!(%error, "readiness: the blob store does not answer");
                "not_answering".to_string()
            }
        },
        commits: match hears {
            None => "none",
            Some(true) => "ok",
            Some(false) => "not_listening",
        }
        .to_string(),
    };
    if ready {
        Json(readiness).into_response()
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "5")],
            Json(readiness),
        )
            .into_response()
    }
}

/// Installs a workstation: checks the logins and the invoice number, signs the CSR.
#[utoipa::path(post, path = hosting_api::paths::ENROLLMENTS, tag = "public", request_body = EnrollmentRequest,
    responses(
        (status = 201, description = "Certificate issued", body = EnrollmentResponse),
        (status = 400, description = "Malformed CSR or body", body = ErrorBody),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 403, description = "console_access_not_granted", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
        (status = 429, description = "locked_out, rate_limited", body = ErrorBody),
        (status = 503, description = "busy: every password check slot is taken; see Retry-After", body = ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    source: SourceAddr,
    ApiJson(request): ApiJson<EnrollmentRequest>,
) -> ApiResult<(StatusCode, Json<EnrollmentResponse>)> {
    let enrollment = Enrollment::validate(&request)?;
    // Parse the CSR before anything is checked or stored: a bad one changes nothing.
    let csr = Csr::parse(&request.csr_pem)?;
    let (account, user_id) =
        check_credentials(&state, &source, &enrollment, &request.password).await?;
    let response = issue_certificate(&state, &source, enrollment, &csr, &account, user_id).await?;
    Ok((StatusCode::CREATED, Json(response)))
}

/// The fields of an enrollment, each checked against its rule.
struct Enrollment {
    role: Role,
    hosting_number: String,
    invoice_number: String,
    workstation_name: String,
    /// A superadministrator's username; none for the hosting manager.
    username: Option<String>,
}

impl Enrollment {
    fn validate(request: &EnrollmentRequest) -> ApiResult<Enrollment> {
        let hosting_number = validate::hosting_number(&request.hosting_number)?;
        let invoice_number = validate::invoice_number(&request.invoice_number)?;
        let workstation_name = validate::workstation_name(&request.workstation_name)?;
        let username = match request.role {
            Role::Manager => {
                validate::console_password(&request.password)?;
                None
            }
            Role::Superadmin => {
                let username = request.username.as_deref().ok_or_else(|| {
                    ApiError::from(validate::ValidationError {
                        field: "username",
                        code: "invalid_username",
                        message: "Enter your username (chosen by the hosting manager in step 4)."
                            .to_string(),
                    })
                })?;
                Some(validate::username(username)?)
            }
        };
        Ok(Enrollment {
            role: request.role,
            hosting_number,
            invoice_number,
            workstation_name,
            username,
        })
    }
}

/// Checks the password and the invoice number, as one counted attempt (the same answer for
/// every wrong case), and that a superadministrator has console access. Returns the account
/// and the superadministrator's user id.
async fn check_credentials(
    state: &AppState,
    source: &SourceAddr,
    enrollment: &Enrollment,
    password: &str,
) -> ApiResult<(AccountRow, Option<i64>)> {
    let Enrollment {
        role,
        hosting_number,
        username,
        ..
    } = enrollment;
    // The hashing slot first: a flood of enrollments is refused here (`503 busy`), before it
    // reads the account, takes the service's write lock or writes an attempt or an audit row.
    let slot = state.passwords.anonymous_slot().await?;
    let account = state
        .store
        .account_by_hosting_number(hosting_number)
        .await?;
    let principal = enrollment_key(hosting_number, username.as_deref());
    let attempt = Attempt {
        source: AttemptSource {
            account_id: account.as_ref().map(|a| a.id),
            actor: "public".to_string(),
            workstation_id: None,
            source_addr: source.0.to_string(),
            kind: "enrollment",
        },
        keys: attempt_keys(principal.clone(), "enroll", hosting_number, source).to_vec(),
        principal,
    };
    let (account, user) = counted(&state.store, attempt, async {
        let user = match (&account, username) {
            (Some(account), Some(username)) => {
                state.store.user_by_username(account.id, username).await?
            }
            _ => None,
        };
        let hash = match role {
            Role::Manager => account.as_ref().map(|a| a.password_hash.as_str()),
            Role::Superadmin => user.as_ref().map(|u| u.password_hash.as_str()),
        };
        let password_ok = state.passwords.verify_in_slot(slot, password, hash).await?;
        let invoice_ok = account
            .as_ref()
            .is_some_and(|a| state.store.invoice_matches(a, &enrollment.invoice_number));
        match account.filter(|_| password_ok && invoice_ok) {
            Some(account) => Ok(Ok((account, user))),
            None => Ok(Err(Wrong {
                also: Vec::new(),
                action: "enrollment.failed",
                detail: json!({"hosting_number": hosting_number, "role": role.as_str(), "username": username}),
                answer: ApiError::invalid_credentials,
            })),
        }
    })
    .await?;
    let user_id = match (role, user) {
        (Role::Manager, _) => None,
        (Role::Superadmin, Some(user)) if !user.active => return Err(user_deactivated()),
        (Role::Superadmin, Some(user)) if user.superadmin && user.console_access => Some(user.id),
        (Role::Superadmin, _) => return Err(console_access_not_granted()),
    };
    Ok((account, user_id))
}

/// Signs the workstation's CSR and records the workstation (which tells the hosting manager).
async fn issue_certificate(
    state: &AppState,
    source: &SourceAddr,
    enrollment: Enrollment,
    csr: &Csr,
    account: &AccountRow,
    user_id: Option<i64>,
) -> ApiResult<EnrollmentResponse> {
    let subject = WorkstationSubject {
        hosting_number: enrollment.hosting_number,
        role: enrollment.role.as_str(),
        username: enrollment.username.clone(),
        workstation_name: enrollment.workstation_name.clone(),
    };
    let now = state.store.now();
    let not_after = now + i64::from(state.settings.cert_lifetime_days) * 86_400;
    let signed = state
        .pki
        .sign_workstation(csr, &subject, now - 300, not_after)?;
    let actor = Actor {
        account_id: account.id,
        label: match &enrollment.username {
            Some(username) => format!("superadmin:{username}"),
            None => "manager".to_string(),
        },
        workstation_id: None,
        source_addr: Some(source.0.to_string()),
    };
    let workstation_id = state
        .store
        .insert_workstation(
            &actor,
            &NewWorkstation {
                role: enrollment.role,
                user_id,
                name: enrollment.workstation_name,
                fingerprint: signed.fingerprint,
                not_after,
            },
        )
        .await?;
    Ok(EnrollmentResponse {
        workstation_id,
        certificate_pem: signed.pem,
        ca_pem: state.pki.ca_pem().to_string(),
        not_after: rfc3339(not_after),
    })
}

/// "Receive my hosting logins": the same answer whether or not the number exists.
#[utoipa::path(post, path = hosting_api::paths::LOGINS_RESEND, tag = "public", request_body = ResendLoginsRequest,
    responses(
        (status = 202, description = "Sent again if the number exists"),
        (status = 422, description = "Not a hosting number", body = ErrorBody),
        (status = 429, description = "rate_limited", body = ErrorBody)))]
pub async fn resend_logins(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ResendLoginsRequest>,
) -> ApiResult<StatusCode> {
    let hosting_number = validate::hosting_number(&request.hosting_number)?;
    if let Some(account) = state
        .store
        .account_by_hosting_number(&hosting_number)
        .await?
    {
        state.store.resend_logins(&account).await?;
    }
    Ok(StatusCode::ACCEPTED)
}

/// The account and whose password a reset is about; `None` when there is no such account or
/// no such superadministrator with an e-mail (answered like any other, so that a stranger learns
/// nothing).
async fn reset_target(
    state: &AppState,
    hosting_number: &str,
    username: Option<&str>,
) -> ApiResult<Option<(AccountRow, Option<crate::store::UserRow>)>> {
    let hosting_number = validate::hosting_number(hosting_number)?;
    let username = username.map(validate::username).transpose()?;
    let Some(account) = state
        .store
        .account_by_hosting_number(&hosting_number)
        .await?
    else {
        return Ok(None);
    };
    match username {
        None => Ok(Some((account, None))),
        Some(username) => {
            let user = state
                .store
                .user_by_username(account.id, &username)
                .await?
                .filter(|u| {
                    u.superadmin && u.active && u.email.as_deref().is_some_and(|e| !e.is_empty())
                });
            Ok(user.map(|user| (account, Some(user))))
        }
    }
}

fn public_actor(account_id: i64, source: &SourceAddr) -> Actor {
    Actor {
        account_id,
        label: "public".to_string(),
        workstation_id: None,
        source_addr: Some(source.0.to_string()),
    }
}

/// A lost password: e-mails a one-time code (30 minutes, one use) to the hosting manager, or to
/// the superadministrator `username`. Nothing else changes; the answer is the same whether the
/// account exists or not, and one code in 10 minutes a person is sent.
#[utoipa::path(post, path = hosting_api::paths::PASSWORD_RESETS, tag = "public", request_body = PasswordResetRequest,
    responses((status = 202, description = "A code was e-mailed, if the account exists"),
        (status = 422, description = "A field breaks its rule", body = ErrorBody)))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    source: SourceAddr,
    ApiJson(request): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    use crate::store::password_resets::{Owner, new_code};
    if let Some((account, user)) =
        reset_target(&state, &request.hosting_number, request.username.as_deref()).await?
    {
        let owner = user.as_ref().map_or(Owner::Manager, Owner::User);
        let actor = public_actor(account.id, &source);
        state
            .store
            .request_password_reset(&actor, &account, owner, &new_code())
            .await?;
    }
    Ok(StatusCode::ACCEPTED)
}

/// Uses the one-time code: the hosting manager's new password is made here and sent by SMS; a
/// superadministrator gives theirs. The old sessions end.
#[utoipa::path(post, path = hosting_api::paths::PASSWORD_RESET_CONFIRM, tag = "public", request_body = PasswordResetConfirm,
    responses((status = 204, description = "The password was replaced"),
        (status = 422, description = "invalid_reset_code, or a password that breaks its rule", body = ErrorBody),
        (status = 429, description = "locked_out: too many wrong codes", body = ErrorBody),
        (status = 503, description = "busy: every password hashing slot is taken; see Retry-After", body = ErrorBody)))]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    source: SourceAddr,
    ApiJson(request): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    use crate::store::password_resets::NewPassword;
    // A superadministrator's new password is checked before anything else (none is a password
    // that breaks the rule, which says what it needs).
    if let Some(username) = &request.username {
        let password = request.password.as_deref().unwrap_or_default();
        validate::user_password(password, &username.trim().to_lowercase())?;
    }
    let Some((account, user)) =
        reset_target(&state, &request.hosting_number, request.username.as_deref()).await?
    else {
        return Err(crate::rules::Refusal::InvalidResetCode.into());
    };
    let actor = public_actor(account.id, &source);
    // The hosting manager's is made here; a superadministrator's is theirs.
    let password = match &user {
        None => crate::auth::new_console_password(),
        Some(_) => request.password.clone().unwrap_or_default(),
    };
    let hash = state.passwords.hash(&password).await?;
    let new = match &user {
        None => NewPassword::Manager {
            password: &password,
            hash: &hash,
        },
        Some(user) => NewPassword::User { user, hash: &hash },
    };
    state
        .store
        .confirm_password_reset(&actor, &account, &request.code, new)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `/console`: the service's own page of the console's download, for a provider that gives no
/// `--console-download-url`: neutral (it names the provider, never a vendor) and in the
/// visitor's language.
pub async fn console_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Html<String> {
    use crate::endpoints::webspaces::{escape, language};
    use crate::texts::{Arg, Texts};
    let language = language(&headers);
    let texts = Texts::new(language);
    let provider = state.settings.provider_name.as_str();
    let args = [("provider", Arg::Text(provider))];
    let title = escape(&texts.get("console-page-title", &args));
    axum::response::Html(format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><h1>{title}</h1>\n<p>{}</p>\n<p>{}</p></body></html>\n",
        language.code(),
        escape(&texts.get("console-page-body", &args)),
        escape(&texts.get("console-page-help", &args)),
    ))
}
