//! Prometheus metrics (`--metrics-listen ADDR`): a separate plain-HTTP listener, meant for the
//! provider's network only, serving the text format at `/metrics` (the `prometheus-client`
//! crate). Counted as they happen: requests by route template, method and status (so the `503
//! busy`, `429 rate_limited` and `429 locked_out` answers too), their latency by route, job runs
//! and failures, outbox deliveries and give-ups. Read at each scrape: password hashes running
//! and waiting, the outbox's backlog and its oldest message's age, the leases this instance
//! holds, the schedules' endpoints it runs, and the database connections in use. Kept as they
//! happen: connections open and closed at once by the caps (`crate::connections`), the
//! endpoints' requests answered 503 by their load shedding, uploads' PATCHes in flight and the
//! bytes they received.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::connections::ConnectionStats;
use crate::http::AppState;

/// A request's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

/// A route's label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// An outcome's label (`ok` or `failed`; `delivered`, `retry` or `given_up`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

/// A listener's label (`api` or `endpoint`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ListenerLabels {
    listener: String,
}

/// A connection closed at once: the listener and why (`full` or `source`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusedLabels {
    listener: String,
    reason: String,
}

/// The metrics of one service.
pub struct Metrics {
    connections_open: Family<ListenerLabels, Gauge>,
    connections_refused: Family<RefusedLabels, Counter>,
    endpoint_shed: Counter,
    uploads_in_flight: Gauge,
    upload_bytes: Counter,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    jobs: Family<OutcomeLabels, Counter>,
    deliveries: Family<OutcomeLabels, Counter>,
    hashes_running: Gauge,
    hashes_waiting: Gauge,
    outbox_backlog: Gauge,
    outbox_oldest_seconds: Gauge,
    leases: Gauge,
    endpoints: Gauge,
    db_connections: Gauge,
    db_idle: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut metrics = Metrics {
            registry: Registry::with_prefix("hostingd"),
            connections_open: Family::default(),
            connections_refused: Family::default(),
            endpoint_shed: Counter::default(),
            uploads_in_flight: Gauge::default(),
            upload_bytes: Counter::default(),
            requests: Family::default(),
            latency: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.005, 2.0, 14))
            }),
            jobs: Family::default(),
            deliveries: Family::default(),
            hashes_running: Gauge::default(),
            hashes_waiting: Gauge::default(),
            outbox_backlog: Gauge::default(),
            outbox_oldest_seconds: Gauge::default(),
            leases: Gauge::default(),
            endpoints: Gauge::default(),
            db_connections: Gauge::default(),
            db_idle: Gauge::default(),
        };
        let registry = &mut metrics.registry;
        registry.register(
            "requests",
            "Requests answered, by method, route template and status",
            metrics.requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time to answer a request, by route template",
            metrics.latency.clone(),
        );
        registry.register(
            "job_runs",
            "Runs of the periodic jobs, by outcome",
            metrics.jobs.clone(),
        );
        registry.register(
            "outbox_attempts",
            "Delivery attempts of e-mails and SMS, by outcome",
            metrics.deliveries.clone(),
        );
        registry.register(
            "connections_open",
            "Connections open now, by listener (api, endpoint: all the endpoints together)",
            metrics.connections_open.clone(),
        );
        registry.register(
            "connections_refused",
            "Connections closed at once by the caps, by listener and reason (full, source)",
            metrics.connections_refused.clone(),
        );
        registry.register(
            "endpoint_requests_shed",
            "Requests to the schedules' endpoints answered 503 at once by their load shedding",
            metrics.endpoint_shed.clone(),
        );
        registry.register(
            "upload_bytes_received",
            "Bytes of uploads' chunks received (kept or not)",
            metrics.upload_bytes.clone(),
        );
        registry.register(
            "uploads_in_flight",
            "Uploads' PATCH requests receiving now",
            metrics.uploads_in_flight.clone(),
        );
        for (name, help, gauge) in [
            (
                "hashes_running",
                "Password hashes running now",
                &metrics.hashes_running,
            ),
            (
                "hashes_waiting",
                "Password checks waiting for a hashing slot",
                &metrics.hashes_waiting,
            ),
            (
                "outbox_backlog",
                "E-mails and SMS not delivered and not given up",
                &metrics.outbox_backlog,
            ),
            (
                "outbox_oldest_seconds",
                "Age of the oldest message of the backlog",
                &metrics.outbox_oldest_seconds,
            ),
            ("leases_held", "Leases this instance holds", &metrics.leases),
            (
                "endpoints_running",
                "Schedules' endpoints this instance answers",
                &metrics.endpoints,
            ),
            (
                "db_connections",
                "Database connections open",
                &metrics.db_connections,
            ),
            (
                "db_connections_idle",
                "Database connections open and idle",
                &metrics.db_idle,
            ),
        ] {
            registry.register(name, help, gauge.clone());
        }
        // The outcomes' series exist from the start, at 0, so that a rule's `increase()` sees
        // the first one.
        for outcome in ["ok", "failed"] {
            let _ = metrics.jobs.get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            });
        }
        for outcome in ["delivered", "retry", "given_up"] {
            let _ = metrics.deliveries.get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            });
        }
        metrics
    }
}

impl Metrics {
    /// The counters of the connections of a kind of listener (`api`, `endpoint`).
    pub fn connections(&self, listener: &str) -> ConnectionStats {
        let refused = |reason: &str| {
            self.connections_refused
                .get_or_create(&RefusedLabels {
                    listener: listener.to_string(),
                    reason: reason.to_string(),
                })
                .clone()
        };
        ConnectionStats {
            open: self
                .connections_open
                .get_or_create(&ListenerLabels {
                    listener: listener.to_string(),
                })
                .clone(),
            refused_full: refused("full"),
            refused_source: refused("source"),
        }
    }

    /// The counter of the endpoints' requests shed.
    pub fn endpoint_shed(&self) -> Counter {
        self.endpoint_shed.clone()
    }

    /// Counts an upload's PATCH receiving until the guard is dropped.
    pub fn upload_in_flight(&self) -> InFlight {
        self.uploads_in_flight.inc();
        InFlight(self.uploads_in_flight.clone())
    }

    /// Counts bytes of an upload received.
    pub fn upload_received(&self, bytes: u64) {
        self.upload_bytes.inc_by(bytes);
    }

    /// Counts a request answered.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// Counts a run of the periodic jobs.
    pub fn job_run(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.jobs
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts a delivery attempt (`delivered`, `retry` or `given_up`).
    pub fn delivery(&self, outcome: &str) {
        self.deliveries
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The text format, with the gauges read now from `state`.
    pub async fn scrape(&self, state: &AppState) -> String {
        let (running, waiting) = state.passwords.load();
        self.hashes_running.set(gauge(running));
        self.hashes_waiting.set(gauge(waiting));
        if let Ok((backlog, oldest)) = state.store.outbox_backlog().await {
            self.outbox_backlog.set(backlog);
            self.outbox_oldest_seconds.set(oldest);
        }
        if let Ok(leases) = state.store.leases_of_this_instance().await {
            self.leases.set(leases);
        }
        self.endpoints
            .set(gauge(state.endpoints.listening().await.len()));
        let (open, idle) = state.store.database_connections();
        self.db_connections.set(i64::from(open));
        self.db_idle.set(gauge(idle));
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            tracing::error!("the metrics could not be written");
        }
        text
    }
}

/// An upload's PATCH counted in flight; dropped when it ends.
#[derive(Debug)]
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn gauge(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Serves `/metrics` on `listener` (plain HTTP, for the provider's network).
pub fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    let app = Router::new()
        .route("/metrics", get(metrics_page))
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await })
}

async fn metrics_page(State(state): State<AppState>) -> impl IntoResponse {
    let text = state.metrics.scrape(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
}
