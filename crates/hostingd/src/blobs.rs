//! Blob storage through `object_store`: a local directory by default (written with fsync, so
//! that an object that exists is durable), an S3-compatible store later. Objects are immutable:
//! a file is a list of parts, an upload adds one part per PATCH.

use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use crate::error::{ApiError, ApiResult};
use crate::store::{Part, Store};

/// Size of the buffers handed to the object store while a part is written.
const WRITE_CHUNK: usize = 8 * 1024 * 1024;

/// The object store of the service.
#[derive(Clone, Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The directory of a local store, whose objects are made owner-only once written.
    local_root: Option<Arc<std::path::PathBuf>>,
}

fn storage_error(error: object_store::Error) -> ApiError {
    ApiError::internal(format!("blob storage: {error}"))
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
    pub async fn write(&mut self, data: &[u8]) -> ApiResult<()> {
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
    pub async fn finish(self) -> ApiResult<Part> {
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
fn remove_staging_files(dir: &std::path::Path) -> std::io::Result<usize> {
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
    /// Blobs in a local directory, without the staging files a crash left in it.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Blobs> {
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
    pub async fn writer(&self, key: &str) -> ApiResult<PartWriter> {
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
    pub async fn put(&self, key: &str, data: Vec<u8>) -> ApiResult<Part> {
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
    /// the modification time of the original). The copies are recorded in `store` first, as
    /// sharing the bytes of their originals, so that the orphan sweep keeps them until the
    /// commit that references them and the quota counts them once.
    pub async fn copy_parts(
        &self,
        store: &Store,
        account_id: i64,
        parts: &[Part],
        prefix: &str,
    ) -> ApiResult<Vec<Part>> {
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
    pub fn read(&self, parts: Vec<Part>) -> impl Stream<Item = ApiResult<Bytes>> + Send + 'static {
        let store = self.store.clone();
        futures::stream::iter(parts)
            .then(move |part| {
                let store = store.clone();
                async move {
                    let result = store
                        .get(&ObjectPath::from(part.object_key.as_str()))
                        .await
                        .map_err(storage_error)?;
                    Ok::<_, ApiError>(result.into_stream().map_err(storage_error))
                }
            })
            .try_flatten()
    }

    /// SHA-256 (hex) of a file made of `parts`, read back from storage.
    pub async fn sha256(&self, parts: Vec<Part>) -> ApiResult<String> {
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let mut stream = std::pin::pin!(self.read(parts));
        while let Some(bytes) = stream.next().await {
            context.update(&bytes?);
        }
        Ok(hex::encode(context.finish().as_ref()))
    }

    /// Deletes objects; missing ones are fine.
    pub async fn delete(&self, keys: &[String]) {
        for key in keys {
            match self.store.delete(&ObjectPath::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => tracing::warn!(%key, %error, "could not delete an object"),
            }
        }
    }

    /// Every object: its key and its last modification (Unix seconds, wall clock).
    pub async fn list(&self) -> ApiResult<Vec<(String, i64)>> {
        let mut stream = self.store.list(None);
        let mut objects = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(storage_error)?;
            objects.push((meta.location.to_string(), meta.last_modified.timestamp()));
        }
        Ok(objects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn staging_files_left_by_a_crash_are_deleted_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("blobs");
        let blobs = Blobs::local(&root).unwrap();
        blobs
            .put("uploads/a/000000", b"kept".to_vec())
            .await
            .unwrap();
        // What `object_store` leaves when the process dies before the rename of a part.
        std::fs::write(root.join("uploads/a/000001#1"), b"cut").unwrap();
        std::fs::create_dir_all(root.join("safeguards/b/Base")).unwrap();
        std::fs::write(root.join("safeguards/b/Base/000000#12"), b"cut").unwrap();

        let blobs = Blobs::local(&root).unwrap();
        let keys: Vec<String> = blobs
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.0)
            .collect();
        assert_eq!(keys, ["uploads/a/000000"]);
        assert!(!root.join("uploads/a/000001#1").exists());
        assert!(!root.join("safeguards/b/Base/000000#12").exists());
    }
}
