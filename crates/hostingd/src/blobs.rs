//! Blob storage through `object_store`: a local directory by default (written with fsync, so
//! that an object that exists is durable), or an S3-compatible bucket (`--blob-store
//! s3://bucket/prefix`). Objects are immutable: a file is a list of parts, an upload adds one
//! object per PATCH (written as a multipart upload of [`WRITE_CHUNK`] parts).
//!
//! Keys of new objects begin with the UTC day of the service clock they were made on
//! (`d/2026-11-28/uploads/<id>/…`, see [`day_key`]), so that the orphan sweep lists one day at a
//! time; keys made before (`uploads/…`, `safeguards/…`, `bases/…`, `created/…`) stay readable.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use crate::fault::{Fault, FaultResult};
use crate::store::{Part, Store};

/// Size of the buffers handed to the object store while a part is written: on S3 each is one
/// part of the multipart upload of a PATCH's object, and every part but the last must be at
/// least 5 MiB there.
const WRITE_CHUNK: usize = 8 * 1024 * 1024;
const _: () = assert!(
    WRITE_CHUNK >= 5 * 1024 * 1024,
    "S3 refuses a non-last part below 5 MiB"
);

/// The first segment of every key that carries its day.
pub const DAY_PREFIX: &str = "d";

/// `d/<YYYY-MM-DD>/<rest>`: the key of a new object made at `now` (Unix seconds, service clock),
/// e.g. `d/2026-11-28/uploads/<id>/<offset>-<random>`.
pub fn day_key(now: i64, rest: &str) -> String {
    format!("{DAY_PREFIX}/{}/{rest}", day_of(now))
}

/// The UTC day (`YYYY-MM-DD`) of a Unix time.
pub fn day_of(unix_seconds: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The Unix time at which the UTC day `day` (`YYYY-MM-DD`) ends; `None` for anything else.
pub fn day_end(day: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    Some(date.next_day()?.midnight().assume_utc().unix_timestamp())
}

/// Where the blobs are: `--blob-store`.
#[derive(Clone, PartialEq, Eq)]
pub enum BlobLocation {
    /// A local directory (`file:///abs/path`, or the default `<data-dir>/blobs`).
    Local(PathBuf),
    /// An S3-compatible bucket, under an optional key prefix (`s3://bucket/prefix`), reached with
    /// the `AWS_*` variables of the environment.
    S3 {
        /// The bucket.
        bucket: String,
        /// Key prefix inside the bucket, without slashes around it; empty: the whole bucket.
        prefix: String,
    },
}

impl std::fmt::Display for BlobLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobLocation::Local(path) => write!(f, "file://{}", path.display()),
            BlobLocation::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            BlobLocation::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

impl std::fmt::Debug for BlobLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

const WRITE_AS: &str = "write it as file:///absolute/path or s3://bucket/optional/prefix (S3 credentials, region and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT and AWS_ALLOW_HTTP, never from the URL)";

impl std::str::FromStr for BlobLocation {
    type Err = String;

    /// Parses `file:///abs/path` or `s3://bucket/optional/prefix`. The value is never repeated
    /// in an error, since a mistaken one may carry a credential.
    fn from_str(value: &str) -> Result<BlobLocation, String> {
        let bad = |what: &str| format!("--blob-store: {what}; {WRITE_AS}");
        if let Some(path) = value.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(bad("a file URL needs an absolute path (three slashes)"));
            }
            if path.contains(['?', '#']) || path.split('/').any(|s| s == "..") {
                return Err(bad("the path of a file URL has no ?, # or .."));
            }
            return Ok(BlobLocation::Local(PathBuf::from(path)));
        }
        let Some(rest) = value.strip_prefix("s3://") else {
            return Err(bad("the URL is neither file:// nor s3://"));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.contains('@') || bucket.contains(':') {
            return Err(bad("an s3:// URL carries no user, password or port"));
        }
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !bucket_ok {
            return Err(bad(
                "the bucket name is 3 to 63 lowercase letters, digits, dots and hyphens",
            ));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.contains(['?', '#', '\\'])
            || prefix
                .split('/')
                .any(|s| s.is_empty() && !prefix.is_empty() || s == "." || s == "..")
        {
            return Err(bad(
                "the prefix is made of non-empty segments without ?, #, \\, . or ..",
            ));
        }
        Ok(BlobLocation::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }
}

/// The object store of the service.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The directory of a local store, whose objects are made owner-only once written.
    local_root: Option<Arc<PathBuf>>,
    /// Where the blobs are, for messages (no credential in it).
    location: Arc<BlobLocation>,
}

impl std::fmt::Debug for Blobs {
    /// Only the location: the store's configuration holds credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blobs")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// A failure of the blob storage: one that the storage itself reports (a key not found, a
/// precondition) is a fault of the service; any other (the connection, the server's 5xx after
/// the client's own retries) is an outage, answered `503 unavailable` with `Retry-After`.
fn storage_error(error: object_store::Error) -> Fault {
    match error {
        object_store::Error::Generic { .. } => Fault::Unavailable(format!("blob storage: {error}")),
        _ => Fault::internal(format!("blob storage: {error}")),
    }
}

/// A part being written.
pub struct PartWriter {
    key: String,
    writer: WriteMultipart,
    written: u64,
    blobs: Blobs,
}

impl PartWriter {
    /// Appends bytes (buffered; waits when too many buffers are in flight).
    pub async fn write(&mut self, data: &[u8]) -> FaultResult<()> {
        self.writer
            .wait_for_capacity(2)
            .await
            .map_err(storage_error)?;
        self.writer.write(data);
        self.written += data.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Makes the part durable and returns it.
    pub async fn finish(self) -> FaultResult<Part> {
        self.writer.finish().await.map_err(storage_error)?;
        self.blobs.restrict(&self.key);
        Ok(Part {
            object_key: self.key,
            size: i64::try_from(self.written).unwrap_or(i64::MAX),
        })
    }

    /// Drops what was written.
    pub async fn abort(self) {
        let _ = self.writer.abort().await;
    }
}

/// `<key>#<digits>`: the file `object_store` writes (or links) an object into before renaming it
/// to its key.
fn is_staging_file(name: &str) -> bool {
    name.rsplit_once('#')
        .is_some_and(|(_, suffix)| !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()))
}

/// Deletes the staging files under `dir`; returns how many. At start-up every one was left by a
/// write that a crash cut before its rename: no listing of the store shows them, so the orphan
/// sweep would never delete them. Deleting one is safe even if a write were under way: that
/// write fails before its part is recorded, and the client sends the chunk again.
fn remove_staging_files(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            removed += remove_staging_files(&entry.path())?;
        } else if is_staging_file(&entry.file_name().to_string_lossy()) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(removed)
}

impl Blobs {
    /// The blob store at `location`. An S3 bucket is tried at once (one listing under the
    /// prefix), so that a wrong endpoint, bucket or credential stops the start with a clear
    /// error rather than the first upload.
    pub async fn open(location: &BlobLocation) -> anyhow::Result<Blobs> {
        match location {
            BlobLocation::Local(dir) => Blobs::local(dir),
            BlobLocation::S3 { .. } => {
                let blobs = Blobs::s3(location)?;
                blobs.check_reachable().await?;
                Ok(blobs)
            }
        }
    }

    /// Blobs in an S3-compatible bucket, configured by the `AWS_*` variables that
    /// `object_store` reads (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, `AWS_ALLOW_HTTP`...). Every key is under the location's prefix.
    pub fn s3(location: &BlobLocation) -> anyhow::Result<Blobs> {
        let BlobLocation::S3 { bucket, prefix } = location else {
            anyhow::bail!("{location} is not an S3 location");
        };
        // The client's own retries end within 10 s (its default is 3 minutes): a request while
        // the S3 server is down is answered `503 unavailable` with `Retry-After` before the
        // request timeout, and the console comes back.
        let retry = object_store::RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(10),
            ..Default::default()
        };
        let s3 = AmazonS3Builder::from_env()
            .with_url(format!("s3://{bucket}"))
            .with_retry(retry)
            .build()
            .map_err(|error| {
                anyhow::anyhow!(
                    "the S3 blob store {location} cannot be configured from the AWS_* variables: {error}"
                )
            })?;
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix.as_str()))
        };
        Ok(Blobs {
            store,
            local_root: None,
            location: Arc::new(location.clone()),
        })
    }

    /// Lists one key under the prefix, within 30 s.
    async fn check_reachable(&self) -> anyhow::Result<()> {
        self.reachable_within(Duration::from_secs(30)).await
    }

    /// Whether the store answers a listing within `limit` (the readiness probe), with why not.
    pub async fn reachable_within(&self, limit: Duration) -> anyhow::Result<()> {
        let mut listing = self.store.list(None);
        match tokio::time::timeout(limit, listing.next()).await {
            Ok(None | Some(Ok(_))) => Ok(()),
            Ok(Some(Err(error))) => Err(anyhow::anyhow!(
                "the blob store {} cannot be listed (check AWS_ENDPOINT, AWS_REGION, the bucket and the credentials): {error}",
                self.location
            )),
            Err(_) => Err(anyhow::anyhow!(
                "the blob store {} did not answer within {} s (check AWS_ENDPOINT and AWS_ALLOW_HTTP)",
                self.location,
                limit.as_secs()
            )),
        }
    }

    /// Where the blobs are.
    pub fn location(&self) -> &BlobLocation {
        &self.location
    }

    /// Blobs in a local directory, without the staging files a crash left in it.
    pub fn local(dir: &Path) -> anyhow::Result<Blobs> {
        crate::private_files::create_private_dir(dir)?;
        match remove_staging_files(dir) {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "deleted the staging files of writes a crash cut"),
            Err(error) => {
                tracing::warn!(%error, "could not delete the staging files of the blob directory")
            }
        }
        let store = LocalFileSystem::new_with_prefix(dir)?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(Blobs {
            store: Arc::new(store),
            local_root: Some(Arc::new(dir.to_path_buf())),
            location: Arc::new(BlobLocation::Local(dir.to_path_buf())),
        })
    }

    /// Makes a local object owner-only (0600) and the directories `object_store` made for it
    /// 0700. The blob directory itself is 0700, so nobody else could reach the object in the
    /// meantime; this keeps every file owner-only even in a process whose umask is loose (the
    /// console's built-in service). A failure is logged, not fatal.
    fn restrict(&self, key: &str) {
        let Some(root) = &self.local_root else {
            return;
        };
        let path = root.join(key);
        if let Err(error) = crate::private_files::restrict_file(&path) {
            tracing::warn!(%key, error = %format!("{error:#}"), "could not make an object private");
        }
        let mut dir = path.parent();
        while let Some(current) =
            dir.filter(|d| d.starts_with(root.as_path()) && *d != root.as_path())
        {
            if let Err(error) = crate::private_files::restrict_dir(current) {
                tracing::warn!(error = %format!("{error:#}"), "could not make a blob directory private");
            }
            dir = current.parent();
        }
    }

    /// Starts writing the object `key`.
    pub async fn writer(&self, key: &str) -> FaultResult<PartWriter> {
        let upload = self
            .store
            .put_multipart(&ObjectPath::from(key))
            .await
            .map_err(storage_error)?;
        Ok(PartWriter {
            key: key.to_string(),
            writer: WriteMultipart::new_with_chunk_size(upload, WRITE_CHUNK),
            written: 0,
            blobs: self.clone(),
        })
    }

    /// Stores a small object at once.
    pub async fn put(&self, key: &str, data: Vec<u8>) -> FaultResult<Part> {
        let size = data.len() as i64;
        self.store
            .put(&ObjectPath::from(key), PutPayload::from(data))
            .await
            .map_err(storage_error)?;
        self.restrict(key);
        Ok(Part {
            object_key: key.to_string(),
            size,
        })
    }

    /// Copies the parts of a file under `prefix` (a hard link on a local directory, which keeps
    /// the modification time of the original; a server-side copy on S3). The copies are recorded in `store` first, as
    /// sharing the bytes of their originals, so that the orphan sweep keeps them until the
    /// commit that references them and the quota counts them once.
    pub async fn copy_parts(
        &self,
        store: &Store,
        account_id: i64,
        parts: &[Part],
        prefix: &str,
    ) -> FaultResult<Vec<Part>> {
        let keys: Vec<(String, String)> = (0..parts.len())
            .map(|seq| format!("{prefix}/{seq:06}"))
            .zip(parts.iter().map(|p| p.object_key.clone()))
            .collect();
        store.record_objects(Some(account_id), &keys).await?;
        let mut copies = Vec::with_capacity(parts.len());
        for ((key, _), part) in keys.into_iter().zip(parts) {
            self.store
                .copy(
                    &ObjectPath::from(part.object_key.as_str()),
                    &ObjectPath::from(key.as_str()),
                )
                .await
                .map_err(storage_error)?;
            self.restrict(&key);
            copies.push(Part {
                object_key: key,
                size: part.size,
            });
        }
        Ok(copies)
    }

    /// The bytes of a file made of `parts`, streamed.
    pub fn read(
        &self,
        parts: Vec<Part>,
    ) -> impl Stream<Item = FaultResult<Bytes>> + Send + 'static {
        let store = self.store.clone();
        futures::stream::iter(parts)
            .then(move |part| {
                let store = store.clone();
                async move {
                    let result = store
                        .get(&ObjectPath::from(part.object_key.as_str()))
                        .await
                        .map_err(storage_error)?;
                    Ok::<_, Fault>(result.into_stream().map_err(storage_error))
                }
            })
            .try_flatten()
    }

    /// SHA-256 (hex) of a file made of `parts`, read back from storage.
    pub async fn sha256(&self, parts: Vec<Part>) -> FaultResult<String> {
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let mut stream = std::pin::pin!(self.read(parts));
        while let Some(bytes) = stream.next().await {
            context.update(&bytes?);
        }
        Ok(hex::encode(context.finish().as_ref()))
    }

    /// Deletes objects; missing ones are fine.
    pub async fn delete(&self, keys: &[String]) {
        self.delete_each(keys).await;
    }

    /// Deletes objects and returns those that are gone (deleted now or missing already).
    async fn delete_each(&self, keys: &[String]) -> Vec<String> {
        let mut gone = Vec::with_capacity(keys.len());
        for key in keys {
            match self.store.delete(&ObjectPath::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => gone.push(key.clone()),
                Err(error) => tracing::warn!(%key, %error, "could not delete an object"),
            }
        }
        gone
    }

    /// Deletes the objects that a commit stopped referencing (queued for deletion in that
    /// commit), then takes them off the queue; one that could not be deleted stays queued for
    /// the orphan sweep. Returns how many are gone.
    pub async fn delete_released(&self, store: &Store, keys: &[String]) -> usize {
        let gone = self.delete_each(keys).await;
        if let Err(error) = store.forget_deletions(&gone).await {
            tracing::warn!(%error, "deleted objects stay queued; the sweep deletes them again");
        }
        gone.len()
    }

    /// Every object: its key and its last modification (Unix seconds, wall clock).
    pub async fn list(&self) -> FaultResult<Vec<(String, i64)>> {
        self.list_under(None).await
    }

    /// The objects under `prefix` (whole segments), or every object.
    pub async fn list_under(&self, prefix: Option<&str>) -> FaultResult<Vec<(String, i64)>> {
        let prefix = prefix.map(ObjectPath::from);
        let mut stream = self.store.list(prefix.as_ref());
        let mut objects = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(storage_error)?;
            objects.push((meta.location.to_string(), meta.last_modified.timestamp()));
        }
        Ok(objects)
    }

    /// The days that have objects (`YYYY-MM-DD`, the folders under `d/`), in order.
    pub async fn days(&self) -> FaultResult<Vec<String>> {
        let listed = self
            .store
            .list_with_delimiter(Some(&ObjectPath::from(DAY_PREFIX)))
            .await;
        let listed = match listed {
            Ok(listed) => listed,
            // A local store without any day yet.
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(error) => return Err(storage_error(error)),
        };
        let mut days: Vec<String> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .filter(|day| day_end(day).is_some())
            .collect();
        days.sort();
        Ok(days)
    }

    /// The objects whose key carries no day (made before day keys), found through the top
    /// folders other than `d/`.
    pub async fn undated(&self) -> FaultResult<Vec<(String, i64)>> {
        let top = match self.store.list_with_delimiter(None).await {
            Ok(top) => top,
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(error) => return Err(storage_error(error)),
        };
        let mut objects: Vec<(String, i64)> = top
            .objects
            .iter()
            .map(|meta| (meta.location.to_string(), meta.last_modified.timestamp()))
            .collect();
        for folder in &top.common_prefixes {
            if folder.as_ref() != DAY_PREFIX {
                objects.extend(self.list_under(Some(folder.as_ref())).await?);
            }
        }
        Ok(objects)
    }
}

#[cfg(test)]
mod tests;
