//! The request log: one line per request with its method, its route's template (never the path
//! with its ids, never a query, a header, a token or a body), its status, how long it took, the
//! source address (the client behind a balancer, see [`crate::proxy_protocol`]) and the
//! instance. Logged at `info` under the target `hostingd::request`, as text or, with
//! `--log-format json`, one JSON object a line; and counted in the metrics.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::limits::SourceAddr;
use crate::metrics::Metrics;

/// Logs and counts the request once its response is ready.
pub(crate) async fn log_request(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_string(), |p| p.as_str().to_string());
    let source = SourceAddr::of(request.extensions());
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let latency_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    metrics.request(
        method.as_str(),
        &route,
        response.status().as_u16(),
        elapsed.as_secs_f64(),
    );
    tracing::info!(
        target: "hostingd::request",
        method = %method,
        route,
        status = response.status().as_u16(),
        latency_ms,
        source = %source.0,
        instance = crate::instance::id(),
        "request"
    );
    response
}
