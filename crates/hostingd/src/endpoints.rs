//! The schedules' endpoints: while a schedule's server runs, the service answers at that
//! schedule's host and port (TLS with a certificate for the host, signed by the endpoint CA) with
//! a small status document, so that the connection details handed over work. Shutting the server
//! down stops the listener.
//!
//! Activations and shutdowns run one at a time, and an activation starts the listener BEFORE it
//! records "running": the database never says running without a listener, and two activations
//! of one schedule end with exactly one.

use hosting_api::ErrorCode;
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
use crate::store::{Actor, ScheduleRow};

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
    /// Held by each activation and shutdown from its check to its commit.
    changes: Mutex<()>,
}

impl Endpoints {
    /// Endpoints bound on `bind`, with certificates signed by `ca`.
    pub fn new(bind: IpAddr, ca: EndpointCa) -> Endpoints {
        Endpoints {
            bind,
            ca,
            listening: Mutex::new(HashMap::new()),
            changes: Mutex::new(()),
        }
    }

    /// The endpoint CA's certificate (PEM) as it is now: what PRONOTE clients and the console's
    /// "Test the connection" trust for the endpoints.
    pub async fn ca_pem(&self, state: &AppState) -> ApiResult<String> {
        let verified = state.store.verified_domain_names().await?;
        self.ca.certificate(&verified).map_err(ApiError::internal)
    }

    /// Puts the open base of a schedule into service: takes its port, starts its listener, then
    /// records that the server runs. A port in use or a listener that does not start answers
    /// `409` and leaves the server shut down.
    pub async fn activate(
        &self,
        state: &AppState,
        actor: &Actor,
        schedule_id: i64,
    ) -> ApiResult<()> {
        let _one_at_a_time = self.changes.lock().await;
        let row = state
            .store
            .check_activation(actor.account_id, schedule_id)
            .await?;
        let reservation = self.reserve(state, &row).await?;
        self.start(state, reservation).await.map_err(|error| {
            tracing::error!(schedule = schedule_id, %error, "the listener of a schedule did not start");
            ApiError::conflict(
                ErrorCode::ServerNotStarted,
                format!(
                    "The server of {} could not start on the hosting service and stays shut down. Try again in a minute; if it persists, contact support.",
                    row.name
                ),
            )
        })?;
        if let Err(error) = state.store.activate(actor, schedule_id).await {
            self.stop(schedule_id).await;
            return Err(error.into());
        }
        Ok(())
    }

    /// Shuts a schedule's server down: records it, then stops its listener.
    pub async fn shutdown(
        &self,
        state: &AppState,
        actor: &Actor,
        schedule_id: i64,
    ) -> ApiResult<()> {
        let _one_at_a_time = self.changes.lock().await;
        state.store.shutdown(actor, schedule_id).await?;
        self.stop(schedule_id).await;
        Ok(())
    }

    /// The schedules that have a listener now.
    pub async fn listening(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.listening.lock().await.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Takes the port of `schedule` (stopping a listener left from before); a port in use
    /// answers `409 port_unavailable`.
    async fn reserve(&self, state: &AppState, schedule: &ScheduleRow) -> ApiResult<Reservation> {
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
                    ErrorCode::PortUnavailable,
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
    async fn start(&self, state: &AppState, reservation: Reservation) -> ApiResult<()> {
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

    /// Starts the listeners of every running schedule (at service start). A schedule whose
    /// listener cannot start is recorded as shut down (and audited), so that the school sees it
    /// and activates it again.
    pub async fn resume(&self, state: &AppState) -> anyhow::Result<()> {
        let _one_at_a_time = self.changes.lock().await;
        for running in state.store.running_schedules().await? {
            let account = running.account_id;
            let row = state.store.schedule(account, running.schedule_id).await?;
            let started = match self.reserve(state, &row).await {
                Ok(reservation) => self.start(state, reservation).await,
                Err(error) => Err(error),
            };
            if let Err(error) = started {
                tracing::error!(schedule = row.id, %error, "a running schedule cannot answer: it is shut down");
                let reason = match &error {
                    ApiError::Client { code, .. } => code.as_str(),
                    ApiError::Internal(_) => "listener_failed",
                };
                state.store.listener_failed(account, row.id, reason).await?;
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
                ErrorCode::ServerStopped,
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
