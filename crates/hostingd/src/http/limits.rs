//! The limits of `crate::limits` as middleware of the API: each refusal answered in the API's
//! error format.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

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

/// An upload's PATCH: a chunk, which streams for as long as bytes keep coming.
fn is_upload_patch(request: &Request) -> bool {
    request.method() == Method::PATCH
        && request
            .uri()
            .path()
            .strip_prefix(hosting_api::paths::UPLOADS)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// How long a body announced too large is read away before its `413`, at most.
const LINGER: Duration = Duration::from_secs(5);
/// How much of a body announced too large is read away before its `413`, at most.
const LINGER_BYTES: usize = 64 * 1024 * 1024;

/// Middleware: a body announced (`Content-Length`) larger than the JSON limit is answered `413
/// payload_too_large` without going further, after it is read away for a few seconds: a
/// client still sending it then reads the answer, where a connection closed under it would
/// have shown it a broken connection instead. An upload's chunks have no such limit.
pub async fn oversized_body(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let too_large = announced.is_some_and(|length| length > super::MAX_BODY_BYTES as u64);
    if !too_large || is_upload_patch(&request) {
        return next.run(request).await;
    }
    let mut body = request.into_body().into_data_stream();
    let drain = async {
        let mut read = 0;
        while let Some(Ok(chunk)) = body.next().await {
            read += chunk.len();
            if read > LINGER_BYTES {
                break;
            }
        }
    };
    // Past the time or the bytes, the connection is closed after the answer, as before.
    let _ = tokio::time::timeout(LINGER, drain).await;
    ApiError::payload_too_large().into_response()
}

/// Middleware: the request timeout, except for an upload's PATCH (which streams for as long as
/// bytes keep coming, under the per-chunk read timeout instead).
pub async fn request_timeout(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    if is_upload_patch(&request) {
        return next.run(request).await;
    }
    match tokio::time::timeout(guard.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::request_timeout(guard.request_timeout.as_secs()).into_response(),
    }
}
