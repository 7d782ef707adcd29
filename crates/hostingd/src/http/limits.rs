//! The limits of `crate::limits` as middleware of the API: each refusal answered in the API's
//! error format.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::limits::{Guard, SourceAddr};

/// Middleware: `429 rate_limited` with `Retry-After` when the caller's address used its bucket.
pub async fn rate_limit(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    if let Some(limiter) = guard.limiter(request.method(), request.uri().path()) {
        let source = SourceAddr::of(request.extensions());
        if let Err(seconds) = limiter.check(source.0) {
            return ApiError::rate_limited(seconds).into_response();
        }
    }
    next.run(request).await
}

/// Middleware: the request timeout, except for an upload's PATCH (which streams for as long as
/// bytes keep coming, under the per-chunk read timeout instead).
pub async fn request_timeout(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    let upload_patch = request.method() == Method::PATCH
        && request
            .uri()
            .path()
            .strip_prefix(hosting_api::paths::UPLOADS)
            .is_some_and(|rest| rest.starts_with('/'));
    if upload_patch {
        return next.run(request).await;
    }
    match tokio::time::timeout(guard.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::request_timeout(guard.request_timeout.as_secs()).into_response(),
    }
}
