//! What a schedule's endpoint answers while its server runs, as a PRONOTE client reaches it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::client::{Client, ClientError, ClientResult, error_from, service_ip, transport_message};

/// What the schedule's endpoint answers while its server runs (`GET /` on its host and port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EndpointStatus {
    /// School name.
    pub school: String,
    /// Schedule name.
    pub schedule: String,
    /// Name of the active base.
    pub base: String,
    /// Version of the server.
    pub version: String,
}

/// Where the session protocol of a schedule's endpoint lives: `POST` opens a session, `POST
/// {CLIENT_SESSIONS}/keep-alive` keeps it (every `keep_alive_seconds`), `DELETE
/// {CLIENT_SESSIONS}/current` closes it; the last two with `Authorization: Bearer <token>`.
pub const CLIENT_SESSIONS: &str = "/sessions";

/// What a PRONOTE Client sends to open a session on a schedule's server: a user of the account
/// (their controller username and password) and the name of its computer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClientLogin {
    /// Username in the controller.
    pub username: String,
    /// The user's password.
    pub password: String,
    /// The Client's computer, shown in the Monitoring tab.
    pub workstation: String,
}

impl std::fmt::Debug for ClientLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLogin")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("workstation", &self.workstation)
            .finish()
    }
}

/// A session opened on a schedule's server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClientSession {
    /// Bearer token of the session (kept by the Client only).
    pub token: String,
    /// Say you are alive at least this often; three missed and the session ends.
    pub keep_alive_seconds: u32,
    /// The user is in the schedule's Administration group (and used its reserved seats).
    pub administration: bool,
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("token", &"<redacted>")
            .field("keep_alive_seconds", &self.keep_alive_seconds)
            .field("administration", &self.administration)
            .finish()
    }
}

/// A Client connected to a schedule's server through its session protocol.
#[derive(Debug)]
pub struct Connected {
    http: reqwest::Client,
    base: String,
    /// The session.
    pub session: ClientSession,
}

impl Connected {
    async fn send(&self, request: reqwest::RequestBuilder) -> ClientResult<()> {
        let response = request
            .bearer_auth(&self.session.token)
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        Ok(())
    }

    /// Says the Client is alive; `404 connection_closed` once it was disconnected.
    pub async fn keep_alive(&self) -> ClientResult<()> {
        let url = format!("{}{CLIENT_SESSIONS}/keep-alive", self.base);
        self.send(self.http.post(url)).await
    }

    /// Closes the session.
    pub async fn close(self) -> ClientResult<()> {
        let url = format!("{}{CLIENT_SESSIONS}/current", self.base);
        self.send(self.http.delete(url)).await
    }
}

impl Client {
    /// An HTTP client for a schedule's endpoint (`https://host:port`), as a PRONOTE client
    /// would reach it. The endpoint is trusted through the endpoint CA alone, fetched from the
    /// service over this client's trusted, logged-in connection. When the service is addressed
    /// by IP or `localhost`, the host is reached at that address (the schedules' names are not
    /// in public DNS then).
    async fn endpoint_http(&self, host: &str, port: u16) -> ClientResult<reqwest::Client> {
        let ca = self.endpoint_ca().await?;
        let tls = crate::tls::client_config(&ca.certificate_pem, None)
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10));
        if let Some(ip) = service_ip(self.base_url()) {
            builder = builder.resolve(host, std::net::SocketAddr::new(ip, port));
        }
        builder
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))
    }

    /// Connects to a schedule's endpoint and returns what it says.
    pub async fn endpoint_status(&self, host: &str, port: u16) -> ClientResult<EndpointStatus> {
        let http = self.endpoint_http(host, port).await?;
        let response = http
            .get(format!("https://{host}:{port}/"))
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        response
            .json()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// Opens a session on a schedule's server as a PRONOTE Client does (the session protocol
    /// of its endpoint): counted within the contract's Administrative licences.
    pub async fn connect_client(
        &self,
        host: &str,
        port: u16,
        login: &ClientLogin,
    ) -> ClientResult<Connected> {
        let http = self.endpoint_http(host, port).await?;
        let base = format!("https://{host}:{port}");
        let response = http
            .post(format!("{base}{CLIENT_SESSIONS}"))
            .json(login)
            .send()
            .await
            .map_err(|e| ClientError::Transport(transport_message(&e)))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        let session = response
            .json()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok(Connected {
            http,
            base,
            session,
        })
    }
}
