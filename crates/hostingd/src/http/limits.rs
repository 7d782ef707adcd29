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

/// Middleware: a body larger than the JSON limit is answered `413 payload_too_large` without
/// going further, after it is read away for a few seconds: a client still sending it then reads
/// the answer, where a connection closed under it would have shown it a broken connection
/// instead. A body announced by its `Content-Length` is judged at once; a chunked one is read up
/// to the limit first (and passed on when it fits). An upload's chunks have no such limit.
pub async fn oversized_body(request: Request, next: Next) -> Response {
    let limit = super::MAX_BODY_BYTES;
    let headers = request.headers();
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let chunked = headers
        .get(header::TRANSFER_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    if is_upload_patch(&request) {
        return next.run(request).await;
    }
    let (parts, body) = match announced {
        Some(length) if length > limit as u64 => {
            read_away(request.into_body().into_data_stream(), 0).await;
            return ApiError::payload_too_large().into_response();
        }
        Some(_) => return next.run(request).await,
        None if !chunked => return next.run(request).await,
        None => request.into_parts(),
    };
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        if kept.len() + chunk.len() > limit {
            read_away(stream, kept.len() + chunk.len()).await;
            return ApiError::payload_too_large().into_response();
        }
        kept.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(kept)))
        .await
}

/// Reads a body away, for at most [`LINGER`] and [`LINGER_BYTES`] (`read` already read); past
/// them, the connection is closed after the answer, as before.
async fn read_away(mut body: axum::body::BodyDataStream, read: usize) {
    let drain = async {
        let mut read = read;
        while let Some(Ok(chunk)) = body.next().await {
            read += chunk.len();
            if read > LINGER_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
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
