//! The typed async client of the hosting API: reqwest over rustls, trusting only the service CA and
//! presenting the workstation's client certificate.

use crate::paths;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ErrorCode;
use crate::tls::{ClientIdentity, ServerTrust, TlsError, client_config_with};
use crate::types::*;
use crate::uploads::*;

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error body.
    #[error("{message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Stable code, e.g. [`ErrorCode::InvalidCredentials`].
        code: ErrorCode,
        /// The service's sentence.
        message: String,
        /// The field the error is about.
        field: Option<String>,
        /// Seconds to wait (`locked_out`).
        retry_after_seconds: Option<u64>,
    },
    /// The service could not be reached, or refused the TLS handshake.
    #[error("the hosting service could not be reached: {0}")]
    Transport(String),
    /// The answer was not what the contract says.
    #[error("the hosting service sent an answer that could not be read: {0}")]
    Decode(String),
    /// The CA or the client identity could not be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A call that needs a session was made without one.
    #[error("log in first: this action needs a session")]
    NoSession,
}

impl ClientError {
    /// The service's error code, if the service answered.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            ClientError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, if the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Result of a client call.
pub type ClientResult<T> = Result<T, ClientError>;

/// A client of one hosting service, for one workstation identity (or none, for enrollment).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: Arc<RwLock<Option<String>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of the service at `base_url` (e.g. `https://127.0.0.1:8443`) that trusts only
    /// `ca_pem` and presents `identity` when given.
    pub fn new(
        base_url: &str,
        ca_pem: &str,
        identity: Option<&ClientIdentity>,
    ) -> ClientResult<Client> {
        Client::with_trust(base_url, ServerTrust::Ca(ca_pem), identity)
    }

    /// A client of the service at `base_url` that trusts it as `trust` says (a CA, or a pinned
    /// CA fingerprint) and presents `identity` when given.
    pub fn with_trust(
        base_url: &str,
        trust: ServerTrust<'_>,
        identity: Option<&ClientIdentity>,
    ) -> ClientResult<Client> {
        let tls = client_config_with(trust, identity)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(50))
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(Client {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: Arc::new(RwLock::new(None)),
        })
    }

    /// The service address.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Uses `token` for the calls that need a session.
    pub fn set_token(&self, token: Option<String>) {
        if let Ok(mut slot) = self.token.write() {
            *slot = token;
        }
    }

    /// The current session token, if any.
    pub fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub(crate) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        authenticated: bool,
    ) -> ClientResult<reqwest::Response> {
        let mut request = self.http.request(method, self.url(path));
        if authenticated {
            let token = self.token().ok_or(ClientError::NoSession)?;
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(error_from(response).await)
    }

    pub(crate) async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        authenticated: bool,
    ) -> ClientResult<T> {
        let response = self.send(method, path, body, authenticated).await?;
        response
            .json::<T>()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))
    }

    pub(crate) async fn call_empty<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        authenticated: bool,
    ) -> ClientResult<()> {
        self.send(method, path, body, authenticated).await?;
        Ok(())
    }

    /// `GET /v1/health`.
    pub async fn health(&self) -> ClientResult<Health> {
        self.call::<(), _>(Method::GET, paths::HEALTH, None, false)
            .await
    }

    /// `GET /v1/openapi.json`, as JSON.
    pub async fn openapi(&self) -> ClientResult<serde_json::Value> {
        self.call::<(), _>(Method::GET, paths::OPENAPI, None, false)
            .await
    }

    /// `POST /v1/enrollments`: installs this workstation's certificate.
    pub async fn enroll(&self, request: &EnrollmentRequest) -> ClientResult<EnrollmentResponse> {
        self.call(Method::POST, paths::ENROLLMENTS, Some(request), false)
            .await
    }

    /// `POST /v1/logins/resend`.
    pub async fn resend_logins(&self, hosting_number: &str) -> ClientResult<()> {
        let body = ResendLoginsRequest {
            hosting_number: hosting_number.to_string(),
        };
        self.call_empty(Method::POST, paths::LOGINS_RESEND, Some(&body), false)
            .await
    }

    /// `POST /v1/sessions`: logs in; the token is kept for the next calls.
    pub async fn login(&self, password: &str) -> ClientResult<SessionResponse> {
        let body = SessionRequest {
            password: password.to_string(),
        };
        let session: SessionResponse = self
            .call(Method::POST, paths::SESSIONS, Some(&body), false)
            .await?;
        self.set_token(Some(session.token.clone()));
        Ok(session)
    }

    /// Logs a workstation in: a client of `base_url` that trusts the service only as `trust`
    /// says (the CA or the CA fingerprint the person chose) and presents `identity`. The CA
    /// that the enrollment answer carried (`EnrollmentResponse::ca_pem`) is never trusted in
    /// its place: it came from the service, which is exactly what the chosen trust checks.
    pub async fn sign_in(
        base_url: &str,
        trust: ServerTrust<'_>,
        identity: &ClientIdentity,
        password: &str,
    ) -> ClientResult<(Client, SessionResponse)> {
        let client = Client::with_trust(base_url, trust, Some(identity))?;
        let session = client.login(password).await?;
        Ok((client, session))
    }

    /// `DELETE /v1/sessions/current`: logs out.
    pub async fn logout(&self) -> ClientResult<()> {
        self.call_empty::<()>(Method::DELETE, paths::SESSION_CURRENT, None, true)
            .await?;
        self.set_token(None);
        Ok(())
    }

    /// `POST /v1/workstations/current/renewal`: a new certificate for this workstation, asked
    /// with the current one. The answer's session goes with the new certificate: build a new
    /// client with it.
    pub async fn renew_certificate(&self, csr_pem: &str) -> ClientResult<RenewedCertificate> {
        let body = CertificateRenewal {
            csr_pem: csr_pem.to_string(),
        };
        self.call(Method::POST, paths::WORKSTATION_RENEWAL, Some(&body), true)
            .await
    }

    /// `GET /v1/account`.
    pub async fn account(&self) -> ClientResult<Account> {
        self.call::<(), _>(Method::GET, paths::ACCOUNT, None, true)
            .await
    }

    /// `PUT /v1/account/language`: the language of the account's e-mails and SMS (the hosting
    /// manager's choice).
    pub async fn set_language(&self, language: Language) -> ClientResult<()> {
        let body = LanguageChoice { language };
        self.call_empty(Method::PUT, paths::ACCOUNT_LANGUAGE, Some(&body), true)
            .await
    }

    /// `POST /v1/password-resets`: e-mails a one-time code (valid 30 minutes) to the hosting
    /// manager, or to the superadministrator `username`. Answers the same whether the account
    /// exists or not.
    pub async fn request_password_reset(
        &self,
        hosting_number: &str,
        username: Option<&str>,
    ) -> ClientResult<()> {
        let body = PasswordResetRequest {
            hosting_number: hosting_number.to_string(),
            username: username.map(str::to_string),
        };
        self.call_empty(Method::POST, paths::PASSWORD_RESETS, Some(&body), false)
            .await
    }

    /// `POST /v1/password-resets/confirm`: uses the code; the hosting manager's new password
    /// comes by SMS, a superadministrator's is `password`. The old sessions end.
    pub async fn confirm_password_reset(&self, confirm: &PasswordResetConfirm) -> ClientResult<()> {
        self.call_empty(
            Method::POST,
            paths::PASSWORD_RESET_CONFIRM,
            Some(confirm),
            false,
        )
        .await
    }

    /// `POST /v1/users/{id}/password-reset` (hosting manager): e-mails the user a one-time code
    /// with which they choose a new password.
    pub async fn reset_user_password(&self, user_id: i64) -> ClientResult<()> {
        self.call_empty::<()>(
            Method::POST,
            &paths::fill(paths::USER_PASSWORD_RESET, &[&user_id]),
            None,
            true,
        )
        .await
    }

    /// `GET /v1/licence`.
    pub async fn licence(&self) -> ClientResult<Licence> {
        self.call::<(), _>(Method::GET, paths::LICENCE, None, true)
            .await
    }

    /// `POST /v1/licence/acceptance`.
    pub async fn accept_licence(&self, version: &str) -> ClientResult<()> {
        let body = LicenceAcceptance {
            version: version.to_string(),
        };
        self.call_empty(Method::POST, paths::LICENCE_ACCEPTANCE, Some(&body), true)
            .await
    }

    /// `GET /v1/controller`.
    pub async fn controller(&self) -> ClientResult<Controller> {
        self.call::<(), _>(Method::GET, paths::CONTROLLER, None, true)
            .await
    }

    /// `GET /v1/endpoint-ca`: the CA of the schedules' endpoints.
    pub async fn endpoint_ca(&self) -> ClientResult<EndpointCa> {
        self.call::<(), _>(Method::GET, paths::ENDPOINT_CA, None, true)
            .await
    }

    /// `PUT /v1/controller`.
    pub async fn set_controller_domain(&self, domain: &str) -> ClientResult<Controller> {
        let body = ControllerUpdate {
            domain: domain.to_string(),
        };
        self.call(Method::PUT, paths::CONTROLLER, Some(&body), true)
            .await
    }

    /// `GET /v1/schedules`.
    pub async fn schedules(&self) -> ClientResult<Vec<Schedule>> {
        self.call::<(), _>(Method::GET, paths::SCHEDULES, None, true)
            .await
    }

    /// `PATCH /v1/schedules/{id}`.
    pub async fn update_schedule(
        &self,
        id: i64,
        update: &ScheduleUpdate,
    ) -> ClientResult<Schedule> {
        self.call(
            Method::PATCH,
            &paths::fill(paths::SCHEDULE, &[&id]),
            Some(update),
            true,
        )
        .await
    }

    /// `GET /v1/users`.
    pub async fn users(&self) -> ClientResult<Vec<User>> {
        self.call::<(), _>(Method::GET, paths::USERS, None, true)
            .await
    }

    /// `POST /v1/users`.
    pub async fn create_user(&self, user: &NewUser) -> ClientResult<User> {
        self.call(Method::POST, paths::USERS, Some(user), true)
            .await
    }

    /// `PATCH /v1/users/{id}`.
    pub async fn update_user(&self, id: i64, update: &UserUpdate) -> ClientResult<User> {
        self.call(
            Method::PATCH,
            &paths::fill(paths::USER, &[&id]),
            Some(update),
            true,
        )
        .await
    }

    /// `DELETE /v1/users/{id}`.
    pub async fn delete_user(&self, id: i64) -> ClientResult<()> {
        self.call_empty::<()>(
            Method::DELETE,
            &paths::fill(paths::USER, &[&id]),
            None,
            true,
        )
        .await
    }

    /// `GET /v1/schedules/{id}/profiles`.
    pub async fn profiles(&self, schedule_id: i64) -> ClientResult<Vec<Profile>> {
        self.call::<(), _>(
            Method::GET,
            &paths::fill(paths::SCHEDULE_PROFILES, &[&schedule_id]),
            None,
            true,
        )
        .await
    }

    /// `PUT /v1/schedules/{id}/profiles/{name}/members`.
    pub async fn set_profile_members(
        &self,
        schedule_id: i64,
        profile: &str,
        members: &[i64],
    ) -> ClientResult<Profile> {
        self.call(
            Method::PUT,
            &paths::fill(
                paths::SCHEDULE_PROFILE_MEMBERS,
                &[&schedule_id, &encode_segment(profile)],
            ),
            Some(members),
            true,
        )
        .await
    }

    /// `GET /v1/workstations`.
    pub async fn workstations(&self) -> ClientResult<Vec<Workstation>> {
        self.call::<(), _>(Method::GET, paths::WORKSTATIONS, None, true)
            .await
    }

    /// `DELETE /v1/workstations/{id}`.
    pub async fn revoke_workstation(&self, id: i64) -> ClientResult<()> {
        self.call_empty::<()>(
            Method::DELETE,
            &paths::fill(paths::WORKSTATION, &[&id]),
            None,
            true,
        )
        .await
    }

    /// `GET /v1/uploads`: the account's unfinished and unused uploads.
    pub async fn uploads(&self) -> ClientResult<Vec<UploadInfo>> {
        self.call::<(), _>(Method::GET, paths::UPLOADS, None, true)
            .await
    }

    /// `GET /v1/storage`: upload limits and the account's space.
    pub async fn storage(&self) -> ClientResult<StorageInfo> {
        self.call::<(), _>(Method::GET, paths::STORAGE, None, true)
            .await
    }

    /// A raw request with this client's TLS identity and token, for tests and tools that need to
    /// send what the typed methods never would (malformed bodies, unknown routes); `path` is
    /// under `/v1`.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> ClientResult<(StatusCode, Vec<u8>)> {
        let mut request = self.http.request(method, self.url(&format!("/v1{path}")));
        if let Some(token) = self.token() {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok((status, bytes.to_vec()))
    }
}

/// The IP of a service URL addressed by IP literal or `localhost`.
pub(crate) fn service_ip(base_url: &str) -> Option<std::net::IpAddr> {
    let authority = base_url.split("://").nth(1)?.split('/').next()?;
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.eq_ignore_ascii_case("localhost") {
        return Some(std::net::IpAddr::from([127, 0, 0, 1]));
    }
    host.parse().ok()
}

/// Percent-encodes a path segment (profile names may hold spaces or accents).
fn encode_segment(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub(crate) fn transport_message(error: &reqwest::Error) -> String {
    // The source chain says why (refused, TLS alert, timeout); reqwest's own text is generic.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

pub(crate) async fn error_from(response: reqwest::Response) -> ClientError {
    let status = response.status();
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return ClientError::Transport(transport_message(&e)),
    };
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => ClientError::Api {
            status: status.as_u16(),
            code: body.error.code,
            message: body.error.message,
            field: body.error.field,
            retry_after_seconds: body.error.retry_after_seconds,
        },
        Err(_) => ClientError::Decode(format!(
            "status {status} without an error body ({} bytes)",
            bytes.len()
        )),
    }
}

#[cfg(test)]
mod tests;
