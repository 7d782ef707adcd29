//! The transfer of a whole file: chunk after chunk from the offset the service has, the next
//! chunk read and hashed while one travels, the chunk size following the rate, and the way back
//! after a network error or a restart of the service.

use super::*;
use tokio::task::JoinHandle;

impl TransferProgress {
    /// A report of `offset` bytes stored, with their running hash.
    fn stored(offset: u64, length: u64, resent: u64, hash: &FileHash) -> TransferProgress {
        TransferProgress {
            offset,
            sent: offset,
            length,
            resent,
            checkpoint: Some(hash.clone()),
        }
    }
}

/// The size of the next chunks: about `seconds` at the rate of the chunk of `size` bytes sent
/// since `started`, within `bounds`.
fn next_size(
    size: u64,
    started: Instant,
    seconds: f64,
    bounds: std::ops::RangeInclusive<usize>,
) -> usize {
    let rate = size as f64 / started.elapsed().as_secs_f64().max(1e-3);
    ((rate * seconds) as usize).clamp(*bounds.start(), *bounds.end())
}

/// Where a transfer stands: what the service has, and what was put on the wire.
struct Standing<'p> {
    path: &'p Path,
    stamp: FileStamp,
    length: u64,
    /// Bytes the service has.
    offset: u64,
    /// Its offset when the transfer started.
    first_offset: u64,
    /// Bytes put on the wire, to tell what was sent twice.
    sent_total: u64,
    /// The running hash of the bytes the service has.
    stored_hash: FileHash,
}

impl Standing<'_> {
    /// Bytes sent more than once, not counting the last `in_flight` sent.
    fn resent_before(&self, in_flight: u64) -> u64 {
        (self.sent_total - in_flight).saturating_sub(self.offset.saturating_sub(self.first_offset))
    }

    /// A report of what the service has.
    fn report(&self) -> TransferProgress {
        TransferProgress::stored(
            self.offset,
            self.length,
            self.resent_before(0),
            &self.stored_hash,
        )
    }

    /// Reads and hashes the chunk of `size` bytes at `at`, whose file before it hashes to
    /// `hash`, in the background.
    fn read(&self, at: u64, size: usize, hash: FileHash) -> JoinHandle<Result<Chunk, TusError>> {
        tokio::spawn(read_chunk_async(
            self.path.to_path_buf(),
            at,
            size,
            hash,
            self.stamp,
        ))
    }

    /// The chunk from the service's offset, unless it has the whole file.
    fn read_from_offset(&self, size: usize) -> Option<JoinHandle<Result<Chunk, TusError>>> {
        (self.offset < self.length).then(|| self.read(self.offset, size, self.stored_hash.clone()))
    }

    /// The service has `offset` bytes after `chunk` was sent (all of it when `as_sent`).
    async fn stored(&mut self, offset: u64, chunk: &Chunk, as_sent: bool) -> Result<(), TusError> {
        self.offset = offset;
        self.stored_hash = if as_sent {
            chunk.hash_after.clone()
        } else {
            let known = [self.stored_hash.clone(), chunk.hash_after.clone()];
            hash_up_to(self.path, known, offset, self.stamp).await?
        };
        Ok(())
    }
}

impl Client {
    /// Sends the file at `path` to the upload `id`, from the offset the service has, until the
    /// last byte is stored. Survives network errors and service restarts (up to
    /// `options.max_attempts` failures in a row); `progress` is called after every chunk and
    /// about ten times a second in between. The bytes the service already has are read once
    /// more, for the file's hash: [`upload_file_from`](Self::upload_file_from) avoids that.
    pub async fn upload_file(
        &self,
        id: &str,
        path: &Path,
        options: &TusOptions,
        progress: impl FnMut(TransferProgress) + Send,
    ) -> Result<TransferProgress, TusError> {
        self.upload_file_from(id, path, options, None, progress)
            .await
    }

    /// [`upload_file`](Self::upload_file), going on from `checkpoint`: the running hash of the
    /// file's first bytes saved from an earlier report. Only the bytes between the checkpoint and
    /// the service's offset are read for the hash before sending (none, when the checkpoint is
    /// the last report's). The file must not have changed since the checkpoint: the caller
    /// checks that (its modification time, say) before resuming.
    pub async fn upload_file_from(
        &self,
        id: &str,
        path: &Path,
        options: &TusOptions,
        checkpoint: Option<FileHash>,
        mut progress: impl FnMut(TransferProgress) + Send,
    ) -> Result<TransferProgress, TusError> {
        let max_chunk = options.chunk_size.max(1);
        let min_chunk = options.min_chunk_size.clamp(1, max_chunk);
        // Start between the two, then follow the rate.
        let mut chunk_size = (min_chunk * 2).min(max_chunk);
        let mut retry = Retry::new(options);
        let (stamp, offset, length) = self.start(id, path, &mut retry).await?;
        let mut at = Standing {
            path,
            stamp,
            length,
            offset,
            first_offset: offset,
            sent_total: 0,
            // The running hash of the bytes the service has.
            stored_hash: hash_up_to(path, checkpoint, offset, stamp).await?,
        };
        progress(at.report());
        let mut next = at.read_from_offset(chunk_size);
        while let Some(pending) = next.take() {
            let chunk = pending.await.map_err(|e| TusError::File {
                path: path.to_path_buf(),
                message: e.to_string(),
            })??;
            let size = chunk.size;
            let after = chunk.offset + size;
            // Read and hash the next chunk while this one travels.
            if after < length {
                next = Some(at.read(after, chunk_size, chunk.hash_after.clone()));
            }
            at.sent_total += size;
            let counter = Arc::new(AtomicU64::new(0));
            let body = chunk_body(path, &chunk, counter.clone()).await?;
            let started = Instant::now();
            let result = self
                .patch_reporting(id, body, &chunk, after == length, || {
                    progress(TransferProgress {
                        offset: at.offset,
                        sent: chunk.offset + counter.load(Ordering::Relaxed).min(size),
                        length,
                        resent: at.resent_before(size),
                        checkpoint: None,
                    })
                })
                .await;
            let moved_as_sent = match result {
                Ok(new_offset) => {
                    retry.reset();
                    chunk_size =
                        next_size(size, started, options.chunk_seconds, min_chunk..=max_chunk);
                    let moved_as_sent = new_offset == after;
                    at.stored(new_offset, &chunk, moved_as_sent).await?;
                    progress(at.report());
                    moved_as_sent
                }
                Err(error) => {
                    retry.wait_or_fail(error).await?;
                    // Ask where the service stands (it may have restarted), then go on from
                    // there; the last PATCH may have been stored though its answer was lost.
                    let offset = self.position(id, &mut retry).await?.0;
                    at.stored(offset, &chunk, false).await?;
                    false
                }
            };
            if !moved_as_sent {
                // The service has another offset than the one sent up to: go on from its.
                next.take().inspect(JoinHandle::abort);
                next = at.read_from_offset(chunk_size);
            }
        }
        Ok(at.report())
    }

    /// The file's stamp, and where the service stands on the upload `id` (its offset and the
    /// length, which must be the file's).
    async fn start(
        &self,
        id: &str,
        path: &Path,
        retry: &mut Retry,
    ) -> Result<(FileStamp, u64, u64), TusError> {
        let metadata = std::fs::metadata(path).map_err(|e| TusError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let (offset, length) = self.position(id, retry).await?;
        if metadata.len() != length {
            return Err(TusError::FileChanged {
                path: path.to_path_buf(),
                expected: length,
                found: metadata.len(),
            });
        }
        Ok((FileStamp::from_metadata(&metadata), offset, length))
    }

    /// Where the service stands on the upload `id` (its offset and the length), asked again
    /// after each failure that `retry` allows.
    async fn position(&self, id: &str, retry: &mut Retry) -> Result<(u64, u64), TusError> {
        loop {
            match self.upload_offset(id).await {
                Ok(position) => return Ok(position),
                Err(error) => retry.wait_or_fail(error).await?,
            }
        }
    }

    /// The PATCH of `chunk` (the file's last when `last`), calling `report` about ten times a
    /// second while it travels.
    async fn patch_reporting(
        &self,
        id: &str,
        body: reqwest::Body,
        chunk: &Chunk,
        last: bool,
        mut report: impl FnMut(),
    ) -> ClientResult<u64> {
        let patch = self.patch_chunk(id, body, chunk, last);
        tokio::pin!(patch);
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.tick().await;
        loop {
            tokio::select! {
                result = &mut patch => return result,
                _ = tick.tick() => report(),
            }
        }
    }
}
