//! Uploads (tus) and blobs: a stored file is a list of parts, objects in blob storage. An
//! upload's offset moves in the transaction that records the part holding those bytes.

use serde_json::json;

use super::db::{Tx, query, query_as, query_scalar};
use super::objects::{USED_BYTES, check_quota, ensure_recorded, forget_unreferenced};
use super::{Actor, Store, audit};
use super::{StoreError, StoreResult};
use crate::rules::Refusal;

/// The kind of a stored file, as the database keeps it (`sqlx::Type`): a value the service does
/// not know is an error when read, never a default.
pub use hosting_api::uploads::FileKind;

/// An upload row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    /// Identifier (random, 32 hex digits).
    pub id: String,
    /// Account.
    pub account_id: i64,
    /// File name.
    pub filename: String,
    /// Kind.
    pub kind: FileKind,
    /// SHA-256 of the whole file: announced at creation (if it was), the computed one once
    /// complete.
    pub sha256: Option<String>,
    /// Size of the whole file.
    pub length: i64,
    /// Bytes durably stored.
    pub upload_offset: i64,
    /// The running SHA-256 of the `upload_offset` bytes stored ([`hosting_api::FileHash`]).
    pub hash_state: Option<Vec<u8>>,
    /// Creation time.
    pub created_at: i64,
    /// Expiry of the unfinished upload.
    pub expires_at: i64,
    /// When the last byte landed and the hash matched.
    pub completed_at: Option<i64>,
    /// The stored file, once complete.
    pub blob_id: Option<i64>,
}

/// A new upload, validated.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// Identifier.
    pub id: String,
    /// File name.
    pub filename: String,
    /// Kind.
    pub kind: FileKind,
    /// SHA-256, hex, when announced at creation.
    pub sha256: Option<String>,
    /// Size.
    pub length: i64,
    /// Expiry.
    pub expires_at: i64,
}

/// What [`Store::record_part`] records of the whole file's hash with a part.
#[derive(Debug, Clone, Copy)]
pub enum PartHash<'a> {
    /// Not the last part: the running hash of the bytes up to its end, if known.
    Running(Option<&'a [u8]>),
    /// The last part: the whole file's SHA-256, checked.
    Complete(&'a str),
}

/// A part of a blob or upload: an object of `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Part {
    /// Object key.
    pub object_key: String,
    /// Size in bytes.
    pub size: i64,
}

fn upload_not_found() -> StoreError {
    StoreError::NotFound("upload")
}

const UPLOAD_COLUMNS: &str = "id, account_id, filename, kind, NULLIF(sha256, '') AS sha256, length, upload_offset, hash_state, created_at, expires_at, completed_at, blob_id";

pub(super) async fn insert_blob(
    tx: &mut Tx,
    account_id: i64,
    sha256: &str,
    parts: &[Part],
    now: i64,
) -> StoreResult<i64> {
    ensure_recorded(tx, parts.iter().map(|p| p.object_key.clone()).collect()).await?;
    let size: i64 = parts.iter().map(|p| p.size).sum();
    let id: i64 = query_scalar(
        "INSERT INTO blobs (account_id, size, sha256, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(size)
    .bind(sha256)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for (seq, part) in parts.iter().enumerate() {
        query("INSERT INTO blob_parts (blob_id, seq, object_key, size) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(seq as i64)
            .bind(&part.object_key)
            .bind(part.size)
            .execute(&mut *tx)
            .await?;
    }
    Ok(id)
}

/// Deletes a blob's rows and returns its object keys that nothing references any more (their
/// records are forgotten), to delete after the commit.
pub(super) async fn delete_blob(tx: &mut Tx, blob_id: i64) -> StoreResult<Vec<String>> {
    let keys: Vec<String> =
        query_scalar("SELECT object_key FROM blob_parts WHERE blob_id = $1 ORDER BY seq")
            .bind(blob_id)
            .fetch_all(&mut *tx)
            .await?;
    query("DELETE FROM blob_parts WHERE blob_id = $1")
        .bind(blob_id)
        .execute(&mut *tx)
        .await?;
    query("DELETE FROM blobs WHERE id = $1")
        .bind(blob_id)
        .execute(&mut *tx)
        .await?;
    forget_unreferenced(tx, keys).await
}

/// A finished upload of the account, consumed by a base: checks and returns (filename, kind, blob).
pub(super) async fn take_upload(
    tx: &mut Tx,
    account_id: i64,
    upload_id: &str,
) -> StoreResult<(String, FileKind, i64)> {
    let row = query_as::<(String, FileKind, i64, i64, Option<i64>)>(
        "SELECT filename, kind, length, upload_offset, blob_id FROM uploads WHERE id = $1 AND account_id = $2",
    )
    .bind(upload_id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(upload_not_found)?;
    let (filename, kind, length, offset, blob_id) = row;
    let blob_id = blob_id.ok_or_else(|| Refusal::UploadIncomplete {
        filename: filename.clone(),
        offset,
        length,
    })?;
    // The parts now belong to the blob; the upload row goes.
    query("DELETE FROM upload_parts WHERE upload_id = $1")
        .bind(upload_id)
        .execute(&mut *tx)
        .await?;
    query("DELETE FROM uploads WHERE id = $1")
        .bind(upload_id)
        .execute(&mut *tx)
        .await?;
    Ok((filename, kind, blob_id))
}

impl Store {
    // ---- uploads ----

    /// Bytes the account uses: each stored content once (a safeguard shares the bytes of the
    /// base it copies) plus the full length of unfinished uploads.
    pub async fn used_bytes(&self, account_id: i64) -> StoreResult<i64> {
        Ok(query_scalar::<i64>(USED_BYTES)
            .bind(account_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Creates an upload if the account has room for it.
    pub async fn create_upload(
        &self,
        actor: &Actor,
        upload: &NewUpload,
        quota: i64,
    ) -> StoreResult<UploadRow> {
        let now = self.now();
        let mut tx = self.write().await?;
        check_quota(&mut tx, actor.account_id, quota, upload.length).await?;
        query(
            "INSERT INTO uploads (id, account_id, filename, kind, sha256, length, upload_offset, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
        )
        .bind(&upload.id)
        .bind(actor.account_id)
        .bind(&upload.filename)
        .bind(upload.kind)
        .bind(upload.sha256.as_deref().unwrap_or_default())
        .bind(upload.length)
        .bind(now)
        .bind(upload.expires_at)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "upload.created",
            json!({"upload_id": upload.id, "filename": upload.filename, "kind": upload.kind, "length": upload.length}),
        )
        .await?;
        tx.commit().await?;
        self.upload(actor.account_id, &upload.id)
            .await?
            .ok_or_else(upload_not_found)
    }

    /// One upload of the account.
    pub async fn upload(&self, account_id: i64, id: &str) -> StoreResult<Option<UploadRow>> {
        Ok(query_as::<UploadRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 AND account_id = $2"
        )))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The account's uploads, oldest first.
    pub async fn uploads(&self, account_id: i64) -> StoreResult<Vec<UploadRow>> {
        Ok(query_as::<UploadRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE account_id = $1 ORDER BY created_at, id"
        )))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The parts of an upload, in order.
    pub async fn upload_parts(&self, upload_id: &str) -> StoreResult<Vec<Part>> {
        Ok(query_as::<Part>(
            "SELECT object_key, size FROM upload_parts WHERE upload_id = $1 ORDER BY start",
        )
        .bind(upload_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a durably stored part at `start` and moves the offset from `start` to
    /// `start + size`, with the running hash of the bytes up to there; refuses if the offset
    /// moved meanwhile. With `complete_sha256`, the upload is finished in the same transaction:
    /// its parts become a blob.
    pub async fn record_part(
        &self,
        actor: &Actor,
        upload_id: &str,
        start: i64,
        part: &Part,
        progress: PartHash<'_>,
    ) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let end = start + part.size;
        let (hash_state, complete_sha256) = match progress {
            PartHash::Running(state) => (state, None),
            PartHash::Complete(sha256) => (None, Some(sha256)),
        };
        let moved = query(
            "UPDATE uploads SET upload_offset = $1, hash_state = $5, sha256 = COALESCE($6, sha256) WHERE id = $2 AND account_id = $3 AND upload_offset = $4 AND completed_at IS NULL",
        )
        .bind(end)
        .bind(upload_id)
        .bind(actor.account_id)
        .bind(start)
        .bind(hash_state)
        .bind(complete_sha256)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Err(Refusal::UploadMovedOn.into());
        }
        ensure_recorded(&mut tx, vec![part.object_key.clone()]).await?;
        query(
            "INSERT INTO upload_parts (upload_id, start, size, object_key) VALUES ($1, $2, $3, $4) ON CONFLICT (upload_id, start) DO UPDATE SET size = excluded.size, object_key = excluded.object_key",
        )
        .bind(upload_id)
        .bind(start)
        .bind(part.size)
        .bind(&part.object_key)
        .execute(&mut tx)
        .await?;
        if let Some(sha256) = complete_sha256 {
            let parts = query_as::<Part>(
                "SELECT object_key, size FROM upload_parts WHERE upload_id = $1 ORDER BY start",
            )
            .bind(upload_id)
            .fetch_all(&mut tx)
            .await?;
            let blob_id = insert_blob(&mut tx, actor.account_id, sha256, &parts, now).await?;
            query("UPDATE uploads SET completed_at = $1, blob_id = $2 WHERE id = $3")
                .bind(now)
                .bind(blob_id)
                .bind(upload_id)
                .execute(&mut tx)
                .await?;
            audit::record(
                &mut tx,
                actor,
                now,
                "upload.completed",
                json!({"upload_id": upload_id, "sha256": sha256, "length": end}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(end)
    }

    /// Deletes an upload (termination or expiry) and returns the object keys to delete.
    pub async fn delete_upload(&self, actor: &Actor, upload_id: &str) -> StoreResult<Vec<String>> {
        let now = self.now();
        let mut tx = self.write().await?;
        let blob_id = query_scalar::<Option<i64>>(
            "SELECT blob_id FROM uploads WHERE id = $1 AND account_id = $2",
        )
        .bind(upload_id)
        .bind(actor.account_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(upload_not_found)?;
        let mut keys: Vec<String> =
            query_scalar("SELECT object_key FROM upload_parts WHERE upload_id = $1 ORDER BY start")
                .bind(upload_id)
                .fetch_all(&mut tx)
                .await?;
        query("DELETE FROM upload_parts WHERE upload_id = $1")
            .bind(upload_id)
            .execute(&mut tx)
            .await?;
        query("DELETE FROM uploads WHERE id = $1")
            .bind(upload_id)
            .execute(&mut tx)
            .await?;
        if let Some(blob_id) = blob_id {
            for key in delete_blob(&mut tx, blob_id).await? {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        let keys = forget_unreferenced(&mut tx, keys).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "upload.deleted",
            json!({"upload_id": upload_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// Unfinished uploads past their expiry: (account, id). A finished upload never expires: it
    /// waits to be loaded or attached to a base (or deleted by the school).
    pub async fn expired_uploads(&self, now: i64) -> StoreResult<Vec<(i64, String)>> {
        Ok(query_as::<(i64, String)>(
            "SELECT account_id, id FROM uploads WHERE expires_at <= $1 AND completed_at IS NULL ORDER BY expires_at",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The parts of a blob, in order.
    pub async fn blob_parts(&self, blob_id: i64) -> StoreResult<Vec<Part>> {
        Ok(query_as::<Part>(
            "SELECT object_key, size FROM blob_parts WHERE blob_id = $1 ORDER BY seq",
        )
        .bind(blob_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
