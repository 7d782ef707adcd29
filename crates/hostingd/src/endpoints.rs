//! The schedules' endpoints: while a schedule's server runs, the service answers at that
//! schedule's host and port (TLS with a certificate for the host, signed by the endpoint CA) with
//! a small status document, so that the connection details handed over work. Shutting the server
//! down stops the listener.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use hosting_api::files::EndpointStatus;
use tokio::sync::Mutex;

use crate::endpoint_ca::EndpointCa;
use crate::error::{ApiError, ApiResult};
use crate::http::AppState;
use crate::store::ScheduleRow;

struct Listening {
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The port of a schedule, taken before its activation is recorded.
pub struct Reservation {
    schedule_id: i64,
    host: String,
    listener: std::net::TcpListener,
}

/// The listeners of the running schedules.
pub struct Endpoints {
    bind: IpAddr,
    ca: EndpointCa,
    listening: Mutex<HashMap<i64, Listening>>,
}

impl Endpoints {
    /// Endpoints bound on `bind`, with certificates signed by `ca`.
    pub fn new(bind: IpAddr, ca: EndpointCa) -> Endpoints {
        Endpoints {
            bind,
            ca,
            listening: Mutex::new(HashMap::new()),
        }
    }

    /// The endpoint CA's certificate (PEM) as it is now: what PRONOTE clients and the console's
    /// "Test the connection" trust for the endpoints.
    pub async fn ca_pem(&self, state: &AppState) -> ApiResult<String> {
        let verified = state.store.verified_domain_names().await?;
        self.ca.certificate(&verified).map_err(ApiError::internal)
    }

    /// Takes the port of `schedule`; a port in use answers `409 port_unavailable`.
    pub async fn reserve(
        &self,
        state: &AppState,
        schedule: &ScheduleRow,
    ) -> ApiResult<Reservation> {
        self.stop(schedule.id).await;
        let port = schedule
            .port
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| ApiError::internal("activation of a schedule without a port"))?;
        let listener = std::net::TcpListener::bind(SocketAddr::new(self.bind, port))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|error| {
                tracing::warn!(port, %error, "the port of a schedule is not available");
                ApiError::conflict(
                    "port_unavailable",
                    format!(
                        "The port {port} of {} is in use on the hosting service, so the server cannot start. Try again in a minute; if it persists, contact support.",
                        schedule.name
                    ),
                )
            })?;
        let host = state
            .settings
            .host_for(schedule.domain.as_deref().unwrap_or(&schedule.name));
        Ok(Reservation {
            schedule_id: schedule.id,
            host,
            listener,
        })
    }

    /// Starts answering on a reserved port.
    pub async fn start(&self, state: &AppState, reservation: Reservation) -> ApiResult<()> {
        let verified = state.store.verified_domain_names().await?;
        let tls = self
            .ca
            .server_config(&reservation.host, &verified)
            .map_err(ApiError::internal)?;
        let app = Router::new()
            .route("/", get(status))
            .with_state((state.clone(), reservation.schedule_id));
        let handle = Handle::new();
        let server =
            axum_server::from_tcp_rustls(reservation.listener, RustlsConfig::from_config(tls))
                .map_err(ApiError::internal)?
                .handle(handle.clone());
        let task = tokio::spawn(async move { server.serve(app.into_make_service()).await });
        self.listening
            .lock()
            .await
            .insert(reservation.schedule_id, Listening { handle, task });
        Ok(())
    }

    /// Stops answering for a schedule.
    pub async fn stop(&self, schedule_id: i64) {
        let listening = self.listening.lock().await.remove(&schedule_id);
        if let Some(listening) = listening {
            listening
                .handle
                .graceful_shutdown(Some(Duration::from_secs(1)));
            let _ = listening.task.await;
        }
    }

    /// Stops every listener.
    pub async fn stop_all(&self) {
        let all: Vec<i64> = self.listening.lock().await.keys().copied().collect();
        for id in all {
            self.stop(id).await;
        }
    }

    /// Starts the listeners of every running schedule (at service start).
    pub async fn resume(&self, state: &AppState) -> anyhow::Result<()> {
        for running in state.store.running_schedules().await? {
            let account = running.account_id;
            let row = state.store.schedule(account, running.schedule_id).await?;
            match self.reserve(state, &row).await {
                Ok(reservation) => self.start(state, reservation).await?,
                Err(error) => {
                    tracing::error!(schedule = row.id, %error, "a running schedule cannot answer")
                }
            }
        }
        Ok(())
    }
}

async fn status(
    State((state, schedule_id)): State<(AppState, i64)>,
) -> ApiResult<Json<EndpointStatus>> {
    let running = state
        .store
        .running_schedules()
        .await?
        .into_iter()
        .find(|r| r.schedule_id == schedule_id)
        .ok_or_else(|| {
            ApiError::client(
                axum::http::StatusCode::NOT_FOUND,
                "server_stopped",
                "This server is shut down.",
            )
        })?;
    Ok(Json(EndpointStatus {
        school: running.school_name,
        schedule: running.name,
        base: running.base_name,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }))
}
