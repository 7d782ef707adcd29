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

impl Client {
    /// Connects to a schedule's endpoint (`https://host:port/`), as a PRONOTE client would, and
    /// returns what it says. The endpoint is trusted through the endpoint CA alone, fetched from
    /// the service over this client's trusted, logged-in connection. When the service is
    /// addressed by IP or `localhost`, the host is reached at that address (the schedules' names
    /// are not in public DNS then).
    pub async fn endpoint_status(&self, host: &str, port: u16) -> ClientResult<EndpointStatus> {
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
        let http = builder
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
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
}
