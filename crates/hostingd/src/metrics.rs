//! Prometheus metrics (`--metrics-listen ADDR`): a separate plain-HTTP listener, meant for the
//! provider's network only, serving the text format at `/metrics` (the `prometheus-client`
//! crate). Counted as they happen: requests by route template, method and status (so the `503
//! busy`, `429 rate_limited` and `429 locked_out` answers too), their latency by route, job runs
//! and failures, outbox deliveries and give-ups. Read at each scrape: password hashes running
//! and waiting, the outbox's backlog and its oldest message's age, the leases this instance
//! holds, the schedules' endpoints it runs, and the database connections in use.

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

/// The metrics of one service.
pub struct Metrics {
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
