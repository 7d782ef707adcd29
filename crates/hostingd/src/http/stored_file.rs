//! A stored file (a safeguard, a base of a past year) streamed as a download.

use axum::body::Body;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use hosting_api::uploads::repr_digest;

use super::AppState;

/// A stored file streamed as a download: its size, its SHA-256 in `Repr-Digest` and its name in
/// `Content-Disposition`.
pub(crate) fn stored_file(
    state: &AppState,
    parts: Vec<crate::store::Part>,
    size: i64,
    sha256: &str,
    filename: &str,
) -> Response {
    let mut response = Body::from_stream(state.blobs.read(parts)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(
        axum::http::header::CONTENT_LENGTH,
        HeaderValue::from(u64::try_from(size).unwrap_or(0)),
    );
    if let Ok(value) = HeaderValue::from_str(&repr_digest(sha256)) {
        headers.insert("Repr-Digest", value);
    }
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename.replace(['"', '\\'], "_")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    response
}
