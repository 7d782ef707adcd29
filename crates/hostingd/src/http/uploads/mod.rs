//! tus 1.0 at `/v1/uploads`: core, creation, checksum (sha1, sha256), termination, expiration.
//!
//! The append of a chunk (PATCH) is in [`append`]. One PATCH at a time per upload (a second one
//! answers `409 upload_busy`); a cancellation waits for the PATCH in flight.
//!
//! The whole file's SHA-256 is computed as the parts land and saved with each one. The client
//! gives the hash it expects at creation (`sha256` in `Upload-Metadata`) or, without reading the
//! file first, in `Repr-Digest` with the last chunk; a file whose hash differs is refused.

pub mod append;

use hosting_api::ErrorCode;

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hosting_api::types::ErrorBody;
use hosting_api::uploads::{
    StorageInfo, TUS_CHECKSUM_ALGORITHMS, TUS_EXTENSIONS, TUS_VERSION, UploadInfo, UploadMetadata,
};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::AppState;
use super::extract::Caller;
use crate::clock::rfc3339;
use crate::http::error::{ApiError, ApiResult};
use crate::store::{NewUpload, Store, UploadRow};

/// Routes of this module, each registered once with its OpenAPI: every tus answer carries
/// `Tus-Resumable`; a chunk's body has no JSON limit.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list, options))
        .routes(routes!(head, append::patch, terminate).layer(DefaultBodyLimit::disable()))
        .layer(axum::middleware::map_response(tus_resumable))
        .routes(routes!(storage))
}

async fn tus_resumable(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("Tus-Resumable", HeaderValue::from_static(TUS_VERSION));
    response
}

/// How long an upload's lease lasts without renewal; a PATCH renews it every third of that.
const LEASE_SECONDS: i64 = 30;

fn upload_busy() -> ApiError {
    ApiError::conflict(
        ErrorCode::UploadBusy,
        "Another transfer of this file is in progress. Wait for it to end (or stop it), then resume.",
    )
}

/// How long a cancellation waits for a PATCH in flight to end: a client that paused then
/// cancelled has gone away, and its PATCH ends as soon as its last bytes are stored.
const CANCEL_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// The right to write one upload: a lease in the database (`upload:<id>`), so that one PATCH at
/// a time writes an upload whichever instance receives it. Renewed while the PATCH runs, given
/// back when it ends (also when the request is dropped); a holder that dies loses it after
/// [`LEASE_SECONDS`].
pub struct UploadLease {
    store: Store,
    name: String,
    holder: String,
    renewal: tokio::task::JoinHandle<()>,
    released: bool,
}

impl UploadLease {
    /// Takes the lease of upload `id`, or `409 upload_busy`.
    async fn try_take(state: &AppState, id: &str) -> ApiResult<UploadLease> {
        UploadLease::take(state, id).await?.ok_or_else(upload_busy)
    }

    /// The lease of upload `id`, or `None` while another holds it.
    async fn take(state: &AppState, id: &str) -> ApiResult<Option<UploadLease>> {
        let name = format!("upload:{id}");
        let holder = crate::instance::lease_holder();
        if !state
            .store
            .acquire_lease(&name, &holder, LEASE_SECONDS)
            .await?
        {
            return Ok(None);
        }
        let renewal = tokio::spawn({
            let (store, name, holder) = (state.store.clone(), name.clone(), holder.clone());
            async move {
                let every = std::time::Duration::from_secs((LEASE_SECONDS / 3).max(1) as u64);
                loop {
                    tokio::time::sleep(every).await;
                    match store.acquire_lease(&name, &holder, LEASE_SECONDS).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(lease = %name, "an upload's lease was lost");
                            break;
                        }
                        Err(error) => tracing::warn!(lease = %name, %error, "lease not renewed"),
                    }
                }
            }
        });
        Ok(Some(UploadLease {
            store: state.store.clone(),
            name,
            holder,
            renewal,
            released: false,
        }))
    }

    /// The lease of upload `id`, waiting at most `wait` for the PATCH that holds it to end.
    async fn take_within(
        state: &AppState,
        id: &str,
        wait: std::time::Duration,
    ) -> ApiResult<UploadLease> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match UploadLease::take(state, id).await? {
                Some(lease) => return Ok(lease),
                None if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                None => return Err(upload_busy()),
            }
        }
    }

    /// Gives the lease back now.
    pub async fn release(mut self) {
        self.renewal.abort();
        self.released = true;
        if let Err(error) = self.store.release_lease(&self.name, &self.holder).await {
            tracing::warn!(lease = %self.name, %error, "lease not released; it expires");
        }
    }
}

impl Drop for UploadLease {
    fn drop(&mut self) {
        self.renewal.abort();
        if self.released {
            return;
        }
        // Dropped on an error or with its request: given back as soon as possible.
        let (store, name, holder) = (
            self.store.clone(),
            std::mem::take(&mut self.name),
            std::mem::take(&mut self.holder),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = store.release_lease(&name, &holder).await;
            });
        }
    }
}

fn http_date(unix_seconds: i64) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Every request but OPTIONS says which tus version it speaks.
fn check_version(headers: &HeaderMap) -> ApiResult<()> {
    match headers.get("Tus-Resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(ApiError::client(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::TusVersionUnsupported,
            "This service speaks tus 1.0.0: send the header Tus-Resumable: 1.0.0.",
        )),
    }
}

fn number_header(headers: &HeaderMap, name: &'static str) -> ApiResult<Option<u64>> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidHeader,
                    format!("{name} must be a whole number of bytes."),
                )
            }),
    }
}

fn valid_id(id: &str) -> ApiResult<()> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError::not_found("upload"))
    }
}

fn upload_gone() -> ApiError {
    ApiError::client(
        StatusCode::GONE,
        ErrorCode::UploadExpired,
        "This upload expired before it was finished; its bytes are deleted. Start the upload again.",
    )
}

/// Finds an upload of the caller that has not expired.
async fn live_upload(state: &AppState, caller: &Caller, id: &str) -> ApiResult<UploadRow> {
    valid_id(id)?;
    let row = state
        .store
        .upload(caller.account_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("upload"))?;
    if row.completed_at.is_none() && row.expires_at <= state.store.now() {
        return Err(upload_gone());
    }
    Ok(row)
}

fn upload_info(row: UploadRow) -> UploadInfo {
    UploadInfo {
        complete: row.completed_at.is_some(),
        kind: row.kind,
        id: row.id,
        filename: row.filename,
        length: u64::try_from(row.length).unwrap_or(0),
        offset: u64::try_from(row.upload_offset).unwrap_or(0),
        sha256: row.sha256,
        expires_at: rfc3339(row.expires_at),
    }
}

/// What the service supports.
#[utoipa::path(options, path = hosting_api::paths::UPLOADS, tag = "uploads", security(("bearer" = [])),
    responses((status = 204, description = "Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm")))]
pub async fn options(State(state): State<AppState>, _caller: Caller) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert("Tus-Version", HeaderValue::from_static(TUS_VERSION));
    headers.insert("Tus-Extension", HeaderValue::from_static(TUS_EXTENSIONS));
    headers.insert(
        "Tus-Checksum-Algorithm",
        HeaderValue::from_static(TUS_CHECKSUM_ALGORITHMS),
    );
    headers.insert(
        "Tus-Max-Size",
        header_value(&state.settings.max_upload_bytes.to_string()),
    );
    response
}

/// Creates an upload (`Upload-Length`, `Upload-Metadata` with filename, kind and optionally sha256).
#[utoipa::path(post, path = hosting_api::paths::UPLOADS, tag = "uploads", security(("bearer" = [])),
    responses((status = 201, description = "Created; Location is the upload's address"),
        (status = 400, description = "invalid_metadata, upload_length_required", body = ErrorBody),
        (status = 413, description = "upload_too_large, quota_exceeded", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (length, metadata) = creation_headers(&headers)?;
    if length == 0 {
        return Err(ApiError::bad_request(
            ErrorCode::EmptyFile,
            format!(
                "{} is empty: choose the file PRONOTE generated for hosting.",
                metadata.filename
            ),
        ));
    }
    let max = state.settings.max_upload_bytes;
    if length > max {
        return Ok(upload_too_large(&metadata.filename, length, max));
    }
    let id = hex::encode(rand::random::<[u8; 16]>());
    let expires_at = state.store.now() + state.settings.upload_expiry_seconds as i64;
    let row = state
        .store
        .create_upload(
            &caller.actor,
            &NewUpload {
                id: id.clone(),
                filename: metadata.filename,
                kind: metadata.kind,
                sha256: metadata.sha256,
                length: i64::try_from(length).unwrap_or(i64::MAX),
                expires_at,
            },
            state.settings.quota(),
        )
        .await?;
    let mut response = StatusCode::CREATED.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::LOCATION,
        header_value(&hosting_api::paths::fill(
            hosting_api::paths::UPLOAD,
            &[&id],
        )),
    );
    headers.insert("Upload-Expires", header_value(&http_date(row.expires_at)));
    headers.insert("Upload-Offset", HeaderValue::from_static("0"));
    Ok(response)
}

/// The headers of a creation: the tus version, the length (not deferred) and the metadata.
fn creation_headers(headers: &HeaderMap) -> ApiResult<(u64, UploadMetadata)> {
    check_version(headers)?;
    if headers.contains_key("Upload-Defer-Length") {
        return Err(ApiError::bad_request(
            ErrorCode::DeferLengthUnsupported,
            "Give the size of the file in Upload-Length: deferred lengths are not supported.",
        ));
    }
    let length = number_header(headers, "Upload-Length")?.ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::UploadLengthRequired,
            "Give the size of the file in bytes in the header Upload-Length.",
        )
    })?;
    let metadata = headers
        .get("Upload-Metadata")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidMetadata,
                "Upload-Metadata needs filename and kind (and may give sha256).",
            )
        })
        .and_then(|v| {
            UploadMetadata::parse(v)
                .map_err(|m| ApiError::bad_request(ErrorCode::InvalidMetadata, m))
        })?;
    Ok((length, metadata))
}

/// `413 upload_too_large`, with the largest size in `Tus-Max-Size`.
fn upload_too_large(filename: &str, length: u64, max: u64) -> Response {
    let mut response = ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UploadTooLarge,
        format!(
            "{filename} has {} MB; the service accepts files of at most {} MB.",
            length.div_ceil(1_000_000),
            max / 1_000_000
        ),
    )
    .into_response();
    response
        .headers_mut()
        .insert("Tus-Max-Size", header_value(&max.to_string()));
    response
}

/// Where an upload stands.
#[utoipa::path(head, path = hosting_api::paths::UPLOAD, tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload")),
    responses((status = 200, description = "Upload-Offset and Upload-Length"),
        (status = 404, description = "not_found"), (status = 410, description = "upload_expired")))]
pub async fn head(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    check_version(&headers)?;
    let row = live_upload(&state, &caller, &id).await?;
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    out.insert(
        "Upload-Offset",
        header_value(&row.upload_offset.to_string()),
    );
    out.insert("Upload-Length", header_value(&row.length.to_string()));
    out.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    if row.completed_at.is_none() {
        out.insert("Upload-Expires", header_value(&http_date(row.expires_at)));
    }
    let metadata = UploadMetadata {
        filename: row.filename,
        kind: row.kind,
        sha256: row.sha256,
    };
    out.insert("Upload-Metadata", header_value(&metadata.to_header()));
    Ok(response)
}

fn offset_response(status: StatusCode, offset: i64, expires_at: Option<i64>) -> Response {
    let mut response = status.into_response();
    response
        .headers_mut()
        .insert("Upload-Offset", header_value(&offset.to_string()));
    if let Some(expires_at) = expires_at {
        response
            .headers_mut()
            .insert("Upload-Expires", header_value(&http_date(expires_at)));
    }
    response
}

/// Cancels an upload and deletes its bytes, after the PATCH in flight (if any) ends.
#[utoipa::path(delete, path = hosting_api::paths::UPLOAD, tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "upload_busy: a PATCH still runs after 15 s", body = ErrorBody)))]
pub async fn terminate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    check_version(&headers)?;
    valid_id(&id)?;
    let lease = UploadLease::take_within(&state, &id, CANCEL_WAIT).await?;
    let keys = state.store.delete_upload(&caller.actor, &id).await?;
    state.blobs.delete_released(&state.store, &keys).await;
    lease.release().await;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's uploads that are not loaded yet.
#[utoipa::path(get, path = hosting_api::paths::UPLOADS, tag = "uploads", security(("bearer" = [])),
    responses((status = 200, description = "Uploads", body = [UploadInfo])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<UploadInfo>>> {
    let now = state.store.now();
    Ok(Json(
        state
            .store
            .uploads(caller.account_id())
            .await?
            .into_iter()
            .filter(|row| row.completed_at.is_some() || row.expires_at > now)
            .map(upload_info)
            .collect(),
    ))
}

/// Upload limits and the account's space.
#[utoipa::path(get, path = hosting_api::paths::STORAGE, tag = "uploads", security(("bearer" = [])),
    responses((status = 200, description = "Limits and space", body = StorageInfo)))]
pub async fn storage(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<StorageInfo>> {
    let used = state.store.used_bytes(caller.account_id()).await?;
    Ok(Json(StorageInfo {
        max_upload_bytes: state.settings.max_upload_bytes,
        upload_expiry_seconds: state.settings.upload_expiry_seconds,
        quota_bytes: state.settings.account_quota_bytes,
        used_bytes: u64::try_from(used).unwrap_or(0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ids() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert!(valid_id("0123456789abcdef0123456789abcdef").is_ok());
        assert!(valid_id("../etc").is_err());
    }
}
