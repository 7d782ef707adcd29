//! The tus 1.0 upload client: streams a file from disk in chunks (a few MiB of memory, whatever
//! the size of the file or of a chunk), sends a checksum with every PATCH, retries with back-off and resumes
//! from the offset the service reports, and reports progress.
//!
//! The file's SHA-256 is computed while it is sent, in the same read as each chunk's checksum:
//! the upload starts at once, and the last PATCH carries the whole file's hash in `Repr-Digest`
//! (the service, which hashed the bytes as they landed, refuses a file whose hash differs). The
//! running hash of the stored bytes comes with each report, so that a caller can save it and
//! take the upload up again after a restart without reading the bytes already sent.

use crate::paths;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use base64::Engine as _;
use reqwest::Method;

use crate::ErrorCode;
use crate::client::{Client, ClientError, ClientResult};
use crate::file_hash::FileHash;
use crate::uploads::{TUS_CONTENT_TYPE, TUS_VERSION, UploadMetadata, repr_digest};

/// How chunks are sent.
#[derive(Debug, Clone)]
pub struct TusOptions {
    /// Largest chunk (bytes per PATCH). Chunks are streamed from disk, so memory does not depend
    /// on it; a failed PATCH re-sends at most one chunk.
    pub chunk_size: usize,
    /// Smallest chunk. Between the two, the size follows the measured rate so that a chunk takes
    /// about `chunk_seconds`: large on a fast link (each PATCH waits for the service to store its
    /// part durably), small on a slow one (less to send again after a failure).
    pub min_chunk_size: usize,
    /// Target duration of one PATCH.
    pub chunk_seconds: f64,
    /// Attempts of one chunk before giving up (network errors, service restarts).
    pub max_attempts: u32,
    /// First wait after a failure; doubled each time up to `max_backoff`.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
}

impl Default for TusOptions {
    fn default() -> Self {
        TusOptions {
            chunk_size: 64 * 1024 * 1024,
            min_chunk_size: 4 * 1024 * 1024,
            chunk_seconds: 2.0,
            max_attempts: 12,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
        }
    }
}

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferProgress {
    /// Bytes stored by the service.
    pub offset: u64,
    /// Bytes stored plus the bytes of the chunk in flight already handed to the network: what a
    /// progress bar shows (reported about ten times a second during a PATCH).
    pub sent: u64,
    /// Size of the file.
    pub length: u64,
    /// Bytes sent again because an attempt failed (resumption cost).
    pub resent: u64,
    /// The running SHA-256 of the `offset` bytes stored, on the reports that follow a stored
    /// chunk (`None` on the reports in between): what to save to resume without reading them.
    pub checkpoint: Option<FileHash>,
}

/// Why an upload stopped.
#[derive(Debug, thiserror::Error)]
pub enum TusError {
    /// The file could not be read.
    #[error("the file {path} could not be read: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file is not the one the upload was created for.
    #[error(
        "the file {path} changed since the upload started ({found} bytes instead of {expected}); start the upload again"
    )]
    FileChanged {
        /// The file.
        path: PathBuf,
        /// Size at creation.
        expected: u64,
        /// Size now.
        found: u64,
    },
    /// The file was written to while it was being sent.
    #[error(
        "the file {path} was modified while it was being sent; start the upload again once it is saved"
    )]
    FileModified {
        /// The file.
        path: PathBuf,
    },
    /// The service refused the upload, or stayed unreachable after every attempt.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// SHA-256 of a whole file, read in 1 MiB blocks; `progress` gets the bytes hashed so far.
pub fn hash_file(path: &Path, mut progress: impl FnMut(u64)) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut context = digest::Context::new(&digest::SHA256);
    let mut buffer = vec![0u8; 1024 * 1024];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        context.update(&buffer[..read]);
        total += read as u64;
        progress(total);
    }
    Ok((total, hex::encode(context.finish().as_ref())))
}

/// `sha1 <base64>` of `data`, for `Upload-Checksum`.
pub fn chunk_checksum(data: &[u8]) -> String {
    let digest = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data);
    format!(
        "sha1 {}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

/// A chunk of the file: where it is, its checksum and the whole file's running hash up to its
/// end. Its bytes stay on disk: they are read once to compute the hashes and once more,
/// streamed, as the PATCH body, so that memory does not grow with the chunk size.
struct Chunk {
    offset: u64,
    size: u64,
    checksum: String,
    /// SHA-256 of the file from its first byte to the end of this chunk.
    hash_after: FileHash,
}

/// What the file was when the upload (re)started: a later read that finds another modification
/// time means the file is being written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    fn of(path: &Path) -> std::io::Result<FileStamp> {
        Ok(FileStamp::from_metadata(&std::fs::metadata(path)?))
    }

    fn from_metadata(metadata: &std::fs::Metadata) -> FileStamp {
        FileStamp {
            modified: metadata.modified().ok(),
        }
    }

    fn check(&self, path: &Path) -> Result<(), TusError> {
        let now = FileStamp::of(path).map_err(|e| TusError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if now == *self {
            Ok(())
        } else {
            Err(TusError::FileModified {
                path: path.to_path_buf(),
            })
        }
    }
}

/// Reads `size` bytes at `offset` once, for the chunk's checksum and the file's running hash
/// (`hash` covers the bytes before `offset`).
fn read_chunk(
    path: &Path,
    offset: u64,
    size: usize,
    mut hash: FileHash,
    stamp: FileStamp,
) -> Result<Chunk, TusError> {
    let io = |e: std::io::Error| TusError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    debug_assert_eq!(hash.len(), offset);
    let mut file = std::fs::File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut reader = file.take(size as u64);
    let mut context = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
    let mut buffer = vec![0u8; 1024 * 1024];
    let mut total = 0u64;
    loop {
        let read = reader.read(&mut buffer).map_err(io)?;
        if read == 0 {
            break;
        }
        context.update(&buffer[..read]);
        hash.update(&buffer[..read]);
        total += read as u64;
    }
    stamp.check(path)?;
    Ok(Chunk {
        offset,
        size: total,
        checksum: format!(
            "sha1 {}",
            base64::engine::general_purpose::STANDARD.encode(context.finish().as_ref())
        ),
        hash_after: hash,
    })
}

async fn read_chunk_async(
    path: PathBuf,
    offset: u64,
    size: usize,
    hash: FileHash,
    stamp: FileStamp,
) -> Result<Chunk, TusError> {
    tokio::task::spawn_blocking(move || read_chunk(&path, offset, size, hash, stamp))
        .await
        .map_err(|e| TusError::File {
            path: PathBuf::new(),
            message: e.to_string(),
        })?
}

/// The running hash of the file's first `to` bytes, going on from the best of `known` (the
/// longest that does not go past `to`): only the bytes between it and `to` are read.
async fn hash_up_to(
    path: &Path,
    known: impl IntoIterator<Item = FileHash>,
    to: u64,
    stamp: FileStamp,
) -> Result<FileHash, TusError> {
    let start = known
        .into_iter()
        .filter(|h| h.len() <= to)
        .max_by_key(FileHash::len)
        .unwrap_or_default();
    if start.len() == to {
        return Ok(start);
    }
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let from = start.len();
        let chunk = read_chunk(
            &path,
            from,
            usize::try_from(to - from).unwrap_or(usize::MAX),
            start,
            stamp,
        )?;
        if chunk.hash_after.len() == to {
            Ok(chunk.hash_after)
        } else {
            Err(TusError::File {
                message: format!("the file ends before byte {to}"),
                path,
            })
        }
    })
    .await
    .map_err(|e| TusError::File {
        path: PathBuf::new(),
        message: e.to_string(),
    })?
}

/// The bytes of a chunk, streamed from disk in 256 KiB reads; `counter` counts what was handed
/// to the network.
async fn chunk_body(
    path: &Path,
    chunk: &Chunk,
    counter: Arc<AtomicU64>,
) -> Result<reqwest::Body, TusError> {
    use futures::StreamExt as _;
    use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
    let io = |e: std::io::Error| TusError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    file.seek(SeekFrom::Start(chunk.offset)).await.map_err(io)?;
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(chunk.size), 256 * 1024)
        .inspect(move |read| {
            if let Ok(bytes) = read {
                counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
        });
    Ok(reqwest::Body::wrap_stream(stream))
}

/// True for failures worth another attempt: the network, a restarting service, a busy upload, a
/// chunk damaged on the way.
fn retryable(error: &ClientError) -> bool {
    match error {
        ClientError::Transport(_) | ClientError::Decode(_) => true,
        ClientError::Api { status, code, .. } => {
            *status >= 500
                || *status == 423
                || (*status == crate::uploads::CHECKSUM_MISMATCH_STATUS
                    && *code == ErrorCode::ChecksumMismatch)
                || (*status == 409
                    && matches!(code, ErrorCode::OffsetMismatch | ErrorCode::UploadBusy))
        }
        _ => false,
    }
}

impl Client {
    fn tus_request(&self, method: Method, path: &str) -> ClientResult<reqwest::RequestBuilder> {
        let token = self.token().ok_or(ClientError::NoSession)?;
        Ok(self
            .http()
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("Tus-Resumable", TUS_VERSION))
    }

    async fn tus_send(&self, request: reqwest::RequestBuilder) -> ClientResult<reqwest::Response> {
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(crate::client::transport_message(&e)))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(crate::client::error_from(response).await)
        }
    }

    /// A raw tus request to `/v1/uploads[/id]` with the session and `Tus-Resumable` (unless
    /// `build` sets another), for tests and tools that send what the typed methods never would.
    pub async fn tus_raw(
        &self,
        method: Method,
        id: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> ClientResult<reqwest::Response> {
        let token = self.token().ok_or(ClientError::NoSession)?;
        let path = if id.is_empty() {
            paths::UPLOADS.to_string()
        } else {
            paths::fill(paths::UPLOAD, &[&id])
        };
        let builder = build(
            self.http()
                .request(method, self.url(&path))
                .bearer_auth(token),
        );
        let mut request = builder
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        if !request.headers().contains_key("Tus-Resumable") {
            request.headers_mut().insert(
                "Tus-Resumable",
                reqwest::header::HeaderValue::from_static(TUS_VERSION),
            );
        }
        self.http()
            .execute(request)
            .await
            .map_err(|e| ClientError::Transport(crate::client::transport_message(&e)))
    }

    /// `POST /v1/uploads`: creates an upload of `length` bytes; returns its id.
    pub async fn create_upload(
        &self,
        metadata: &UploadMetadata,
        length: u64,
    ) -> ClientResult<String> {
        let request = self
            .tus_request(Method::POST, paths::UPLOADS)?
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", metadata.to_header());
        let response = self.tus_send(request).await?;
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ClientError::Decode("the creation answer has no Location".into()))?;
        location
            .rsplit('/')
            .next()
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ClientError::Decode(format!("unexpected Location {location}")))
    }

    /// `HEAD /v1/uploads/{id}`: the stored offset and the length.
    pub async fn upload_offset(&self, id: &str) -> ClientResult<(u64, u64)> {
        let request = self.tus_request(Method::HEAD, &paths::fill(paths::UPLOAD, &[&id]))?;
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(crate::client::transport_message(&e)))?;
        let status = response.status();
        if !status.is_success() {
            // A HEAD answer has no body: name the usual cases.
            let (code, message) = match status.as_u16() {
                404 | 410 => (
                    ErrorCode::UploadNotFound,
                    "This upload no longer exists on the service (it expired or was cancelled); start it again.",
                ),
                _ => (
                    ErrorCode::UploadUnavailable,
                    "The service could not say where this upload stands.",
                ),
            };
            return Err(ClientError::Api {
                status: status.as_u16(),
                code,
                message: message.to_string(),
                field: None,
                retry_after_seconds: None,
            });
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| ClientError::Decode(format!("the HEAD answer has no {name}")))
        };
        Ok((header("Upload-Offset")?, header("Upload-Length")?))
    }

    async fn patch_chunk(
        &self,
        id: &str,
        body: reqwest::Body,
        chunk: &Chunk,
        last: bool,
    ) -> ClientResult<u64> {
        let request = self
            .tus_request(Method::PATCH, &paths::fill(paths::UPLOAD, &[&id]))?
            .timeout(Duration::from_secs(3600))
            .header(reqwest::header::CONTENT_TYPE, TUS_CONTENT_TYPE)
            .header(reqwest::header::CONTENT_LENGTH, chunk.size.to_string())
            .header("Upload-Offset", chunk.offset.to_string())
            .header("Upload-Checksum", &chunk.checksum)
            .body(body);
        // The last chunk says what the whole file's SHA-256 is.
        let request = match last {
            true => request.header("Repr-Digest", repr_digest(&chunk.hash_after.hex())),
            false => request,
        };
        let response = self.tus_send(request).await?;
        response
            .headers()
            .get("Upload-Offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| ClientError::Decode("the PATCH answer has no Upload-Offset".into()))
    }

    /// `DELETE /v1/uploads/{id}`: cancels an upload and frees its space.
    pub async fn delete_upload(&self, id: &str) -> ClientResult<()> {
        let request = self.tus_request(Method::DELETE, &paths::fill(paths::UPLOAD, &[&id]))?;
        self.tus_send(request).await?;
        Ok(())
    }
}

/// Attempts and back-off of one transfer.
struct Retry {
    failures: u32,
    backoff: Duration,
    initial: Duration,
    max_backoff: Duration,
    max_attempts: u32,
}

impl Retry {
    fn new(options: &TusOptions) -> Retry {
        Retry {
            failures: 0,
            backoff: options.initial_backoff,
            initial: options.initial_backoff,
            max_backoff: options.max_backoff,
            max_attempts: options.max_attempts,
        }
    }

    fn reset(&mut self) {
        self.failures = 0;
        self.backoff = self.initial;
    }

    /// Waits before the next attempt, or gives the error back when it is final.
    async fn wait_or_fail(&mut self, error: ClientError) -> Result<(), TusError> {
        if !retryable(&error) || self.failures + 1 >= self.max_attempts {
            return Err(error.into());
        }
        self.failures += 1;
        // A service that says when to come back (`503 busy`, `503 unavailable`) is believed.
        let asked = match &error {
            ClientError::Api {
                retry_after_seconds: Some(seconds),
                ..
            } => Duration::from_secs((*seconds).min(60)),
            _ => Duration::ZERO,
        };
        tokio::time::sleep(self.backoff.max(asked)).await;
        self.backoff = (self.backoff * 2).min(self.max_backoff);
        Ok(())
    }
}

mod upload;

#[cfg(test)]
mod tests;
