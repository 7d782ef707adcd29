//! `PATCH /v1/uploads/{id}`: appends one chunk at the upload's offset.
//!
//! The body streams into one new object; the upload's offset moves only after that object is
//! durably stored, in the transaction that records it. A chunk with an `Upload-Checksum` is all
//! or nothing; without one, what arrived before an interruption is kept. The SHA-256 of the
//! whole file goes on from the state saved with the last part (so a restarted service reads
//! nothing again) and is checked when the last byte lands, against the hash announced at
//! creation or in the last chunk's `Repr-Digest`.

use std::time::Duration;

use aws_lc_rs::digest;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures::StreamExt;
use hosting_api::ErrorCode;
use hosting_api::FileHash;
use hosting_api::types::ErrorBody;
use hosting_api::uploads::{CHECKSUM_MISMATCH_STATUS, TUS_CONTENT_TYPE, parse_repr_digest};

use super::{check_version, header_value, live_upload, number_header, offset_response, valid_id};
use crate::blobs::PartWriter;
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::Caller;
use crate::store::{Part, PartHash, UploadRow};

/// Appends the body at `Upload-Offset`.
#[utoipa::path(patch, path = hosting_api::paths::UPLOAD, tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload")),
    responses((status = 204, description = "Stored; Upload-Offset is the new offset"),
        (status = 400, description = "file_hash_required: the last chunk of an upload created without sha256 has no Repr-Digest; nothing is kept", body = ErrorBody),
        (status = 408, description = "upload_stalled: no byte for the chunk timeout; Upload-Offset says what is kept", body = ErrorBody),
        (status = 409, description = "offset_mismatch, upload_busy, upload_complete", body = ErrorBody),
        (status = 460, description = "checksum_mismatch, file_checksum_mismatch", body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let (offset, checksum, digest) = patch_headers(&headers)?;
    valid_id(&id)?;
    let lease = super::UploadLease::try_take(&state, &id).await?;
    // Given back before the answer on every path, so that the client's next PATCH (after a
    // refusal too) never finds it still held.
    let result: ApiResult<Response> = async {
        let row = live_upload(&state, &caller, &id).await?;
        if row.completed_at.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::UploadComplete,
                "This upload is already complete: every byte is stored.",
            ));
        }
        let stored = u64::try_from(row.upload_offset).unwrap_or(0);
        if offset != stored {
            return Ok(offset_mismatch(stored));
        }
        let room = u64::try_from(row.length).unwrap_or(0) - stored;
        let content_length = number_header(&headers, "Content-Length")?;
        if content_length.is_some_and(|n| n > room) {
            return Err(upload_too_long(room));
        }
        let expected = expected_sha256(&row, digest)?;
        // The last chunk of a file whose hash nobody gave is refused before a byte is read.
        if expected.is_none() && content_length == Some(room) {
            return Err(file_hash_required());
        }
        append_chunk(&state, &caller, &row, expected.as_deref(), checksum, body).await
    }
    .await;
    lease.release().await;
    result
}

/// The whole file's SHA-256 that the upload must have: the one announced at creation, or in
/// this PATCH's `Repr-Digest`. Two that differ are refused.
fn expected_sha256(row: &UploadRow, digest: Option<String>) -> ApiResult<Option<String>> {
    match (&row.sha256, digest) {
        (Some(announced), Some(digest)) if *announced != digest => Err(ApiError::client(
            checksum_status(),
            ErrorCode::FileChecksumMismatch,
            format!(
                "The file's SHA-256 is now {digest}, not {announced} as announced when the upload was created: the file changed. Cancel this upload and start again."
            ),
        )),
        (announced, digest) => Ok(digest.or_else(|| announced.clone())),
    }
}

fn file_hash_required() -> ApiError {
    ApiError::bad_request(
        ErrorCode::FileHashRequired,
        "This chunk ends the file, and the upload was created without the file's SHA-256: give it with this chunk in Repr-Digest: sha-256=:BASE64:. Nothing of this chunk was kept.",
    )
}

/// The headers of a PATCH: the tus version, the content type, where the bytes go, the chunk's
/// checksum and the whole file's SHA-256 (`Repr-Digest`), if any.
fn patch_headers(headers: &HeaderMap) -> ApiResult<(u64, Option<Checksum>, Option<String>)> {
    check_version(headers)?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if content_type != Some(TUS_CONTENT_TYPE) {
        return Err(ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            format!("Send the bytes with Content-Type: {TUS_CONTENT_TYPE}."),
        ));
    }
    let offset = number_header(headers, "Upload-Offset")?.ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::UploadOffsetRequired,
            "Say where these bytes go in the header Upload-Offset (ask with HEAD).",
        )
    })?;
    let digest =
        match headers.get("Repr-Digest") {
            None => None,
            Some(value) => Some(value.to_str().ok().and_then(parse_repr_digest).ok_or_else(
                || {
                    ApiError::bad_request(
                        ErrorCode::InvalidHeader,
                        "Repr-Digest must give the whole file's SHA-256 as sha-256=:BASE64:.",
                    )
                },
            )?),
        };
    Ok((offset, parse_checksum(headers)?, digest))
}

/// `409 offset_mismatch` with the offset the service has.
fn offset_mismatch(stored: u64) -> Response {
    let mut response = ApiError::conflict(
        ErrorCode::OffsetMismatch,
        format!("The service has {stored} bytes of this file: send from offset {stored}."),
    )
    .into_response();
    response
        .headers_mut()
        .insert("Upload-Offset", header_value(&stored.to_string()));
    response
}

/// Appends one chunk at the upload's stored offset, under the upload's lock: receives the body
/// into a new object, keeps it if it is whole (or, without a checksum, what arrived), checks
/// the whole file's SHA-256 against `expected` when it is the last chunk, and records it with
/// the running hash.
async fn append_chunk(
    state: &AppState,
    caller: &Caller,
    row: &UploadRow,
    expected: Option<&str>,
    checksum: Option<Checksum>,
    body: Body,
) -> ApiResult<Response> {
    let stored = u64::try_from(row.upload_offset).unwrap_or(0);
    let length = u64::try_from(row.length).unwrap_or(0);
    // The whole-file hash goes on from the state saved with the last part (an upload stored
    // before states were saved has none: its parts are read back at the end).
    let mut file_hash = match &row.hash_state {
        Some(bytes) => FileHash::from_bytes(bytes).filter(|hash| hash.len() == stored),
        None if stored == 0 => Some(FileHash::new()),
        None => None,
    };
    let writer = new_part_writer(state, caller, &row.id, stored).await?;
    let _in_flight = state.metrics.upload_in_flight();
    // A client that stops sending without closing would hold the upload's lock and a writer for
    // ever: after `upload_chunk_timeout` of silence the PATCH ends as if interrupted.
    let silence = state.guard.upload_chunk_timeout;
    let chunk_hash = checksum.as_ref().map(|c| digest::Context::new(c.algorithm));
    let limits = BodyLimits {
        room: length - stored,
        silence,
    };
    let received = receive(
        &row.id,
        writer,
        body,
        limits,
        chunk_hash,
        file_hash.as_mut(),
    )
    .await?;
    state.metrics.upload_received(received.writer.written());
    let stalled = received.stalled;
    let end = stored + received.writer.written();
    let part = match keep(received, checksum.as_ref(), silence, row).await? {
        Kept::Part(part) => part,
        Kept::Nothing(response) => {
            return Ok(response);
        }
    };
    let complete = end == length;
    let whole = match complete {
        true => Some(whole_file_sha256(state, row, &part, file_hash.take(), expected).await?),
        false => None,
    };
    let running_state = file_hash.map(|hash| hash.to_bytes());
    let progress = match &whole {
        Some(sha256) => PartHash::Complete(sha256),
        None => PartHash::Running(running_state.as_deref()),
    };
    let new_offset = state
        .store
        .record_part(&caller.actor, &row.id, row.upload_offset, &part, progress)
        .await?;
    let response = if stalled {
        stalled_response(silence, new_offset)
    } else {
        let expires_at = (!complete).then_some(row.expires_at);
        offset_response(StatusCode::NO_CONTENT, new_offset, expires_at)
    };
    Ok(response)
}

/// A writer for a new object of upload `id` at `stored`. A fresh key for every attempt (never
/// reused once the orphan sweep may have claimed it), recorded before the object is written so
/// that the sweep keeps it until the commit.
async fn new_part_writer(
    state: &AppState,
    caller: &Caller,
    id: &str,
    stored: u64,
) -> ApiResult<PartWriter> {
    let key = crate::blobs::day_key(
        state.store.now(),
        &format!(
            "uploads/{id}/{stored:020}-{}",
            hex::encode(rand::random::<[u8; 8]>())
        ),
    );
    state.store.record_object(caller.account_id(), &key).await?;
    Ok(state.blobs.writer(&key).await?)
}

/// How much a chunk's body may hold, and how long it may stay silent.
#[derive(Clone, Copy)]
struct BodyLimits {
    room: u64,
    silence: Duration,
}

/// What arrived of a chunk's body.
struct Received {
    writer: PartWriter,
    /// The body broke or stalled before its end.
    interrupted: bool,
    /// It stalled: no byte for the chunk timeout.
    stalled: bool,
    /// The digest of what arrived, when the chunk has a checksum.
    chunk_digest: Option<digest::Digest>,
}

/// Streams the body into `writer`, hashing it, until it ends, breaks or stalls. A body longer
/// than the room left in the file is refused (and its object aborted) as soon as it is.
async fn receive(
    id: &str,
    mut writer: PartWriter,
    body: Body,
    limits: BodyLimits,
    mut chunk_hash: Option<digest::Context>,
    mut file_hash: Option<&mut FileHash>,
) -> ApiResult<Received> {
    let mut stream = body.into_data_stream();
    let mut interrupted = false;
    let mut stalled = false;
    loop {
        let frame = match tokio::time::timeout(limits.silence, stream.next()).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(_) => {
                tracing::info!(upload = %id, "upload body stalled");
                interrupted = true;
                stalled = true;
                break;
            }
        };
        let data = match frame {
            Ok(data) => data,
            Err(error) => {
                tracing::info!(upload = %id, %error, "upload body interrupted");
                interrupted = true;
                break;
            }
        };
        if writer.written() + data.len() as u64 > limits.room {
            writer.abort().await;
            return Err(upload_too_long(limits.room));
        }
        if let Some(context) = chunk_hash.as_mut() {
            context.update(&data);
        }
        if let Some(hash) = file_hash.as_mut() {
            hash.update(&data);
        }
        writer.write(&data).await?;
    }
    Ok(Received {
        writer,
        interrupted,
        stalled,
        chunk_digest: chunk_hash.map(digest::Context::finish),
    })
}

/// What is kept of a received chunk.
enum Kept {
    /// The stored object, to record.
    Part(Part),
    /// Nothing: the answer says where the upload stands.
    Nothing(Response),
}

/// Keeps a received chunk, or aborts its object: a chunk with a checksum is all or nothing
/// (and must match), one without keeps what arrived, an empty one changes nothing.
async fn keep(
    received: Received,
    checksum: Option<&Checksum>,
    silence: Duration,
    row: &UploadRow,
) -> ApiResult<Kept> {
    let Received {
        writer,
        interrupted,
        stalled,
        chunk_digest,
    } = received;
    let written = writer.written();
    if interrupted && (checksum.is_some() || written == 0) {
        writer.abort().await;
        if stalled {
            return Ok(Kept::Nothing(stalled_response(silence, row.upload_offset)));
        }
        return Err(ApiError::bad_request(
            ErrorCode::UploadInterrupted,
            "The transfer of this chunk was interrupted; nothing of it was kept. Send it again.",
        ));
    }
    if let (Some(checksum), Some(digest)) = (checksum, chunk_digest)
        && digest.as_ref() != checksum.expected.as_slice()
    {
        writer.abort().await;
        return Err(ApiError::client(
            checksum_status(),
            ErrorCode::ChecksumMismatch,
            "The checksum of this chunk does not match its bytes (damaged on the way): send it again.",
        ));
    }
    if written == 0 {
        writer.abort().await;
        return Ok(Kept::Nothing(offset_response(
            StatusCode::NO_CONTENT,
            row.upload_offset,
            Some(row.expires_at),
        )));
    }
    Ok(Kept::Part(writer.finish().await?))
}

/// The whole file's SHA-256 once `last` is stored: from the running hash, or read back from the
/// stored parts when no state was saved. A hash other than the expected one (or none expected)
/// deletes `last` and refuses the file: nothing changes.
async fn whole_file_sha256(
    state: &AppState,
    row: &UploadRow,
    last: &Part,
    file_hash: Option<FileHash>,
    expected: Option<&str>,
) -> ApiResult<String> {
    let Some(expected) = expected else {
        state
            .blobs
            .delete(std::slice::from_ref(&last.object_key))
            .await;
        return Err(file_hash_required());
    };
    let sha256 = match file_hash {
        Some(hash) => hash.hex(),
        None => {
            let mut parts = state.store.upload_parts(&row.id).await?;
            parts.push(last.clone());
            state.blobs.sha256(parts).await?
        }
    };
    if sha256 != expected {
        state
            .blobs
            .delete(std::slice::from_ref(&last.object_key))
            .await;
        return Err(ApiError::client(
            checksum_status(),
            ErrorCode::FileChecksumMismatch,
            format!(
                "The whole file's SHA-256 is {sha256}, not {expected} as announced: the file changed during the upload. Cancel this upload and start again."
            ),
        ));
    }
    Ok(sha256)
}

/// A chunk checksum: which algorithm and the expected digest.
struct Checksum {
    algorithm: &'static digest::Algorithm,
    expected: Vec<u8>,
}

fn parse_checksum(headers: &HeaderMap) -> ApiResult<Option<Checksum>> {
    let Some(value) = headers.get("Upload-Checksum") else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::bad_request(
            ErrorCode::ChecksumAlgorithmUnsupported,
            "Upload-Checksum must be 'sha1 BASE64' or 'sha256 BASE64'.",
        )
    };
    let text = value.to_str().map_err(|_| invalid())?;
    let (name, encoded) = text.trim().split_once(' ').ok_or_else(invalid)?;
    let algorithm = match name {
        "sha1" => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        "sha256" => &digest::SHA256,
        _ => return Err(invalid()),
    };
    let expected = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid())?;
    Ok(Some(Checksum {
        algorithm,
        expected,
    }))
}

/// `408 upload_stalled` with the offset the service has durably stored.
fn stalled_response(silence: Duration, offset: i64) -> Response {
    let mut response = ApiError::client(
        StatusCode::REQUEST_TIMEOUT,
        ErrorCode::UploadStalled,
        format!(
            "No byte of this chunk arrived for {} second(s): the service kept {offset} bytes. Check your connection, then send from offset {offset}.",
            silence.as_secs()
        ),
    )
    .into_response();
    response
        .headers_mut()
        .insert("Upload-Offset", header_value(&offset.to_string()));
    response
}

fn checksum_status() -> StatusCode {
    StatusCode::from_u16(CHECKSUM_MISMATCH_STATUS).unwrap_or(StatusCode::BAD_REQUEST)
}

fn upload_too_long(room: u64) -> ApiError {
    ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UploadTooLong,
        format!(
            "Only {room} bytes of this file remain to be sent; this chunk is longer than the file."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn checksums() {
        let mut headers = HeaderMap::new();
        headers.insert("Upload-Checksum", HeaderValue::from_static("md5 AAAA"));
        assert!(parse_checksum(&headers).is_err());
        headers.insert(
            "Upload-Checksum",
            HeaderValue::from_static("sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
        );
        let checksum = parse_checksum(&headers).unwrap().unwrap();
        assert_eq!(checksum.expected.len(), 20);
    }
}
