//! The schedules' endpoints: while a schedule's server runs, the service answers at that
//! schedule's host and port (TLS with a certificate for the host, signed by the endpoint CA) with
//! a small status document, so that the connection details handed over work. Shutting the server
//! down stops the listener.
//!
//! Activations and shutdowns run one at a time, and an activation starts the listener BEFORE it
//! records "running": the database never says running without a listener, and two activations
//! of one schedule end with exactly one.
//!
//! Several instances over one database: each running schedule's endpoint is served by the one
//! instance that holds its lease (`endpoint:<schedule id>`) in the database. Every instance
//! reconciles a third of a lease time apart ([`Endpoints::reconcile`]): it renews the leases of
//! the endpoints it serves, takes the free or expired leases of running schedules and starts their
//! listeners, and stops a listener whose schedule no longer runs, whose lease another instance
//! took, or whose lease it could not renew in time (so that two instances never answer for one
//! schedule after a lease time). When an instance dies, another takes its endpoints over within
//! a lease time and a third.

pub mod webspaces;

use hosting_api::ErrorCode;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use axum_server::Handle;
use prometheus_client::metrics::counter::Counter;

use crate::connections::{ConnectionCaps, ConnectionStats};
use crate::metrics::Metrics;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use crate::proxy_protocol::{ProxyAcceptor, TrustedProxies};

use hosting_api::ServerState;

use tokio::sync::Mutex;

use crate::endpoint_ca::EndpointCa;
use crate::fault::{Fault, FaultResult};
use std::sync::Arc;

use crate::cas::CasClient;
use crate::rules::Refusal;
use crate::store::{Actor, ScheduleRow, Store};

struct Listening {
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// When its lease was last taken or renewed (this machine's monotonic clock).
    renewed: Instant,
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
    /// Held by each activation, shutdown and reconciliation from its check to its commit.
    changes: Mutex<()>,
    /// This instance's name in the endpoints' leases.
    holder: String,
    /// How long a lease lasts unless renewed.
    lease: Duration,
    /// The service's zone, in which a schedule's short domain is a host.
    public_zone: String,
    /// The database: leases, the running schedules, the verified domains.
    store: Store,
    /// The client of the schools' CAS servers, for the webspaces' pages.
    cas: Arc<CasClient>,
    /// The password checks of the Clients' sessions.
    passwords: Arc<crate::auth::Passwords>,
    /// The balancers whose connections start with a PROXY header.
    proxies: TrustedProxies,
    /// The caps, timeouts and load shedding of each endpoint.
    limits: crate::limits::LimitsConfig,
    /// The connections of all the endpoints, and their requests shed, for the metrics.
    stats: ConnectionStats,
    shed: Counter,
}

/// The lease of a schedule's endpoint.
fn lease_name(schedule_id: i64) -> String {
    format!("endpoint:{schedule_id}")
}

impl Endpoints {
    /// Endpoints bound on `bind`, with certificates signed by `ca`, each held by a lease of
    /// `lease` (at least a second), kept in `store`; the hosts are in `public_zone`, the
    /// webspaces' pages ask `cas`, and the Clients' passwords are checked by `passwords`.
    pub fn new(
        bind: IpAddr,
        ca: EndpointCa,
        lease: Duration,
        public_zone: &str,
        store: Store,
        cas: Arc<CasClient>,
        passwords: Arc<crate::auth::Passwords>,
    ) -> Endpoints {
        Endpoints {
            passwords,
            public_zone: public_zone.to_string(),
            store,
            cas,
            bind,
            ca,
            listening: Mutex::new(HashMap::new()),
            changes: Mutex::new(()),
            holder: crate::instance::lease_holder(),
            lease: lease.max(Duration::from_secs(1)),
            proxies: TrustedProxies::default(),
            limits: crate::limits::LimitsConfig::default(),
            stats: ConnectionStats::default(),
            shed: Counter::default(),
        }
    }

    /// The endpoints within the caps, timeouts and load shedding of `limits`, counted in
    /// `metrics`.
    pub fn limited(mut self, limits: &crate::limits::LimitsConfig, metrics: &Metrics) -> Endpoints {
        self.limits = limits.clone();
        self.stats = metrics.connections("endpoint");
        self.shed = metrics.endpoint_shed();
        self
    }

    /// The endpoints behind the TCP balancers of `proxies` (`--proxy-protocol-from`).
    pub fn behind(mut self, proxies: TrustedProxies) -> Endpoints {
        self.proxies = proxies;
        self
    }

    /// How often [`Endpoints::reconcile`] runs: a third of a lease.
    pub fn reconcile_every(&self) -> Duration {
        self.lease / 3
    }

    fn lease_seconds(&self) -> i64 {
        i64::try_from(self.lease.as_secs()).unwrap_or(i64::MAX)
    }

    /// Takes the lease of a schedule's endpoint, waiting for an instance that is letting it go
    /// (its schedule shut down: it stops at its next reconciliation); false if another instance
    /// still holds it after a reconciliation and a bit.
    async fn take_lease(&self, schedule_id: i64) -> FaultResult<bool> {
        let deadline = Instant::now() + self.reconcile_every() + Duration::from_secs(2);
        loop {
            if self
                .store
                .acquire_lease(&lease_name(schedule_id), &self.holder, self.lease_seconds())
                .await?
            {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Gives a schedule's lease back (best effort: it expires anyway).
    async fn release(&self, schedule_id: i64) {
        if let Err(error) = self
            .store
            .release_lease(&lease_name(schedule_id), &self.holder)
            .await
        {
            tracing::warn!(schedule = schedule_id, %error, "an endpoint lease was not given back");
        }
    }

    /// The endpoint CA's certificate (PEM) as it is now: what PRONOTE clients and the console's
    /// "Test the connection" trust for the endpoints.
    pub async fn ca_pem(&self) -> FaultResult<String> {
        let verified = self.store.verified_domain_names().await?;
        self.ca.certificate(&verified).map_err(Fault::internal)
    }

    /// Puts the open base of a schedule into service: takes its port, starts its listener, then
    /// records that the server runs. A port in use or a listener that does not start answers
    /// `409` and leaves the server shut down.
    pub async fn activate(&self, actor: &Actor, schedule_id: i64) -> FaultResult<()> {
        let _one_at_a_time = self.changes.lock().await;
        let row = self
            .store
            .check_activation(actor.account_id, schedule_id)
            .await?;
        if !self.take_lease(schedule_id).await? {
            if row.server_state == ServerState::Running {
                // Another instance serves it and goes on doing so: its status reads the base
                // from the database.
                self.store.activate(actor, schedule_id).await?;
                return Ok(());
            }
            return Err(Refusal::ServerNotStarted {
                schedule: row.name,
                still_stopping: true,
            }
            .into());
        }
        let reservation = match self.reserve(&row).await {
            Ok(reservation) => reservation,
            Err(error) => {
                self.release(schedule_id).await;
                return Err(error);
            }
        };
        if let Err(error) = self.start(reservation).await {
            tracing::error!(schedule = schedule_id, %error, "the listener of a schedule did not start");
            self.release(schedule_id).await;
            return Err(Refusal::ServerNotStarted {
                schedule: row.name,
                still_stopping: false,
            }
            .into());
        }
        if let Err(error) = self.store.activate(actor, schedule_id).await {
            self.stop(schedule_id).await;
            self.release(schedule_id).await;
            return Err(error.into());
        }
        Ok(())
    }

    /// Shuts a schedule's server down: records it, then stops its listener.
    pub async fn shutdown(&self, actor: &Actor, schedule_id: i64) -> FaultResult<()> {
        let _one_at_a_time = self.changes.lock().await;
        self.store.shutdown(actor, schedule_id).await?;
        // Here if this instance serves it; another instance stops at its next reconciliation.
        if self.stop(schedule_id).await {
            self.release(schedule_id).await;
        }
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
    async fn reserve(&self, schedule: &ScheduleRow) -> FaultResult<Reservation> {
        self.stop(schedule.id).await;
        let port = schedule
            .port
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| Fault::internal("activation of a schedule without a port"))?;
        let listener = std::net::TcpListener::bind(SocketAddr::new(self.bind, port))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|error| {
                tracing::warn!(port, %error, "the port of a schedule is not available");
                Fault::from(Refusal::PortUnavailable {
                    port,
                    schedule: schedule.name.clone(),
                })
            })?;
        let host = crate::domains::host_of(
            &self.public_zone,
            schedule.domain.as_deref().unwrap_or(&schedule.name),
        );
        Ok(Reservation {
            schedule_id: schedule.id,
            host,
            listener,
        })
    }

    /// Starts answering on a reserved port.
    async fn start(&self, reservation: Reservation) -> FaultResult<()> {
        let verified = self.store.verified_domain_names().await?;
        let tls = self
            .ca
            .server_config(&reservation.host, &verified)
            .map_err(Fault::internal)?;
        let port = reservation
            .listener
            .local_addr()
            .map_err(Fault::internal)?
            .port();
        let site = webspaces::Site {
            store: self.store.clone(),
            cas: self.cas.clone(),
            schedule_id: reservation.schedule_id,
            origin: format!("https://{}:{port}", reservation.host),
            passwords: self.passwords.clone(),
        };
        // Every request within the endpoint's load shedding: the public pages cannot be used to
        // flood the school's CAS server or the database, and a flood is answered at once.
        let shedding = crate::http::endpoint::Shedding::new(
            self.limits.endpoint_requests_at_once as usize,
            Duration::from_secs(self.limits.request_timeout_seconds.max(1)),
            self.shed.clone(),
        );
        let app = Router::new()
            .route("/", get(crate::http::endpoint::status))
            .merge(webspaces::routes())
            .merge(crate::http::endpoint_sessions::routes())
            .with_state(site)
            .layer(axum::middleware::from_fn_with_state(
                shedding,
                crate::http::endpoint::shed,
            ));
        let handle = Handle::new();
        let caps = ConnectionCaps::new(
            self.limits.endpoint_max_connections as usize,
            self.limits.endpoint_max_connections_per_source as usize,
            self.stats.clone(),
        );
        let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(tls)).acceptor(
            ProxyAcceptor::new(
                crate::tcp_acceptor(&self.limits),
                self.proxies.clone(),
                crate::header_timeout(&self.limits),
            )
            .capped(caps),
        );
        let server = crate::with_timeouts(
            axum_server::from_tcp(reservation.listener)
                .map_err(Fault::internal)?
                .acceptor(acceptor),
            &self.limits,
        )
        .handle(handle.clone());
        let task = tokio::spawn(async move {
            server
                .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                .await
        });
        self.listening.lock().await.insert(
            reservation.schedule_id,
            Listening {
                handle,
                task,
                renewed: Instant::now(),
            },
        );
        Ok(())
    }

    /// Stops answering for a schedule; true if it had a listener here.
    pub async fn stop(&self, schedule_id: i64) -> bool {
        let listening = self.listening.lock().await.remove(&schedule_id);
        if let Some(listening) = listening {
            listening
                .handle
                .graceful_shutdown(Some(Duration::from_secs(1)));
            let _ = listening.task.await;
            true
        } else {
            false
        }
    }

    /// Stops every listener and gives their leases back, so that another instance takes them
    /// over at once (at the end of the service).
    pub async fn stop_all(&self) {
        let all: Vec<i64> = self.listening.lock().await.keys().copied().collect();
        for id in all {
            self.stop(id).await;
            self.release(id).await;
        }
    }

    /// Starts the listeners of the running schedules whose leases this instance takes (at
    /// service start): [`Endpoints::reconcile`].
    pub async fn resume(&self) -> anyhow::Result<()> {
        self.reconcile().await
    }

    /// Makes this instance's listeners match the database: for each running schedule, renews
    /// or takes its lease and makes sure it listens, or stops listening when another instance
    /// holds the lease; stops the listeners of schedules no longer running, and those whose
    /// lease it could not renew for most of a lease time. A schedule whose listener cannot
    /// start is recorded as shut down (and audited), so that the school sees it and activates
    /// it again.
    pub async fn reconcile(&self) -> anyhow::Result<()> {
        let _one_at_a_time = self.changes.lock().await;
        let running = match self.store.running_schedules().await {
            Ok(running) => running,
            Err(error) => {
                self.fence().await;
                return Err(error.into());
            }
        };
        let running_ids: Vec<i64> = running.iter().map(|r| r.schedule_id).collect();
        let here: Vec<i64> = self.listening.lock().await.keys().copied().collect();
        for id in here.into_iter().filter(|id| !running_ids.contains(id)) {
            self.stop(id).await;
            self.release(id).await;
        }
        for running in running {
            let id = running.schedule_id;
            let held = self
                .store
                .acquire_lease(&lease_name(id), &self.holder, self.lease_seconds())
                .await;
            match held {
                Ok(true) => {
                    if let Some(listening) = self.listening.lock().await.get_mut(&id) {
                        listening.renewed = Instant::now();
                        continue;
                    }
                    self.start_running(running.account_id, id).await?;
                }
                Ok(false) => {
                    if self.stop(id).await {
                        tracing::warn!(schedule = id, "another instance took this endpoint over");
                    }
                }
                Err(error) => {
                    tracing::error!(schedule = id, %error, "an endpoint lease was not renewed");
                }
            }
        }
        self.fence().await;
        Ok(())
    }

    /// Stops the listeners whose lease was not renewed for most of a lease time: another
    /// instance may take them at its end.
    async fn fence(&self) {
        let margin = self.reconcile_every();
        let stale: Vec<i64> = self
            .listening
            .lock()
            .await
            .iter()
            .filter(|(_, listening)| listening.renewed.elapsed() + margin >= self.lease)
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            tracing::error!(
                schedule = id,
                "an endpoint stops: its lease could not be renewed"
            );
            self.stop(id).await;
        }
    }

    /// Starts the listener of a running schedule whose lease this instance holds.
    async fn start_running(&self, account: i64, schedule_id: i64) -> anyhow::Result<()> {
        let row = self.store.schedule(account, schedule_id).await?;
        let started = match self.reserve(&row).await {
            Ok(reservation) => self.start(reservation).await,
            Err(error) => Err(error),
        };
        if let Err(error) = started {
            tracing::error!(schedule = row.id, %error, "a running schedule cannot answer: it is shut down");
            let code = error.reason();
            let reason = match code {
                ErrorCode::InternalError => "listener_failed",
                ref refused => refused.as_str(),
            };
            self.store.listener_failed(account, row.id, reason).await?;
            self.release(schedule_id).await;
        }
        Ok(())
    }
}
