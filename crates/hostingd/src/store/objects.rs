//! The objects of blob storage, recorded before they are written, so that the orphan sweep never
//! decides by a file's modification time alone (hard links keep the time of the object they copy)
//! and can never delete an object that a commit is about to reference:
//!
//! * a writer records the key (with the service clock) BEFORE it writes or links the object;
//! * the transaction that makes rows reference new objects checks that each one is still
//!   recorded or already referenced ([`ensure_recorded`]);
//! * the sweep removes a record in its own transaction, and only then deletes the object
//!   ([`Store::claim_orphan`]).
//!
//! SQLite runs the two transactions one after the other: either the commit comes first and the
//! sweep sees the reference, or the sweep comes first and the commit is refused. Every key is
//! random, so a claimed key is never recorded again.

use super::Store;
use super::db::{Tx, query, query_scalar};
use super::{StoreError, StoreResult};
use crate::rules::Refusal;

/// Bytes an account uses: each stored content once (a copy that shares its bytes with another
/// object, a hard link on a local directory, counts once), plus the full length of unfinished
/// uploads (their room is reserved at creation).
pub(super) const USED_BYTES: &str = "SELECT CAST(COALESCE((SELECT SUM(c.size) FROM (SELECT COALESCE(o.content_key, p.object_key) AS content, MAX(p.size) AS size FROM blob_parts p JOIN blobs b ON b.id = p.blob_id LEFT JOIN objects o ON o.object_key = p.object_key WHERE b.account_id = $1 GROUP BY content) AS c), 0) + COALESCE((SELECT SUM(length) FROM uploads WHERE account_id = $1 AND completed_at IS NULL), 0) AS BIGINT)";

pub(super) const REFERENCED: &str = "(EXISTS (SELECT 1 FROM blob_parts WHERE object_key = $1) OR EXISTS (SELECT 1 FROM upload_parts WHERE object_key = $1))";

/// What the sweep may do with an object it found in blob storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Referenced, recorded recently, or too young: keep it.
    Keep,
    /// Its record is gone (removed in this call) or it never had one and is old: delete it.
    Delete,
}

/// `409 object_swept`: an object was deleted by the orphan sweep before the change that was to
/// use it could be recorded (a transfer that lasted longer than the sweep's grace period).
fn object_swept() -> StoreError {
    StoreError::Refused(Refusal::ObjectSwept)
}

/// Refuses with `413 quota_exceeded` when the account's used bytes (as this transaction sees
/// them) plus `adding` exceed `quota`.
pub(super) async fn check_quota(
    tx: &mut Tx,
    account_id: i64,
    quota: i64,
    adding: i64,
) -> StoreResult<()> {
    let used: i64 = query_scalar(USED_BYTES)
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
    if used.saturating_add(adding) > quota {
        return Err(Refusal::QuotaExceeded {
            used,
            quota,
            adding,
        }
        .into());
    }
    Ok(())
}

/// Checks, inside the transaction that will reference them, that the objects `keys` are still
/// recorded (not claimed by the sweep) or already referenced by a row.
pub(super) async fn ensure_recorded(tx: &mut Tx, keys: Vec<String>) -> StoreResult<()> {
    for key in &keys {
        let known: bool = query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM objects WHERE object_key = $1) OR {REFERENCED}"
        )))
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        if !known {
            tracing::warn!(%key, "an object was swept before its commit");
            return Err(object_swept());
        }
    }
    Ok(())
}

/// Forgets the records of `keys` that no row references any more and queues them for deletion
/// (the caller deletes the objects after the commit, see `Blobs::delete_released`); returns
/// those keys.
pub(super) async fn forget_unreferenced(
    tx: &mut Tx,
    keys: Vec<String>,
) -> StoreResult<Vec<String>> {
    let mut gone = Vec::with_capacity(keys.len());
    for key in keys {
        let referenced: bool = query_scalar(sqlx::AssertSqlSafe(format!("SELECT {REFERENCED}")))
            .bind(&key)
            .fetch_one(&mut *tx)
            .await?;
        if !referenced {
            query("DELETE FROM objects WHERE object_key = $1")
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            gone.push(key);
        }
    }
    super::sweep::queue_deletions(tx, &gone, time::OffsetDateTime::now_utc().unix_timestamp())
        .await?;
    Ok(gone)
}

impl Store {
    /// Records objects about to be written or linked, BEFORE writing them: (key, source) where
    /// `source` is the object a copy is made of, or the key itself for new bytes.
    pub async fn record_objects(
        &self,
        account_id: Option<i64>,
        objects: &[(String, String)],
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        for (key, source) in objects {
            query(
                "INSERT INTO objects (object_key, account_id, content_key, created_at) VALUES ($1, $2, COALESCE((SELECT content_key FROM objects WHERE object_key = $3), $3), $4) ON CONFLICT (object_key) DO UPDATE SET created_at = excluded.created_at, content_key = excluded.content_key",
            )
            .bind(key)
            .bind(account_id)
            .bind(source)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a new object (new bytes) about to be written.
    pub async fn record_object(&self, account_id: i64, key: &str) -> StoreResult<()> {
        self.record_objects(Some(account_id), &[(key.to_string(), key.to_string())])
            .await
    }

    /// Decides, in one transaction, whether the sweep deletes the object `key` found in blob
    /// storage and last modified at `modified_at` (wall clock): never while a row references
    /// it; a recorded one once its record is older than `recorded_before` (service clock), and
    /// its record is removed here, before the object goes; an unrecorded one (written before
    /// objects were recorded, or whose record was removed just before a crash) once it was
    /// modified before `modified_before`.
    pub async fn claim_orphan(
        &self,
        key: &str,
        modified_at: i64,
        recorded_before: i64,
        modified_before: i64,
    ) -> StoreResult<Claim> {
        let mut tx = self.write().await?;
        let referenced: bool = query_scalar(sqlx::AssertSqlSafe(format!("SELECT {REFERENCED}")))
            .bind(key)
            .fetch_one(&mut tx)
            .await?;
        if referenced {
            return Ok(Claim::Keep);
        }
        let recorded: Option<i64> =
            query_scalar("SELECT created_at FROM objects WHERE object_key = $1")
                .bind(key)
                .fetch_optional(&mut tx)
                .await?;
        let claim = match recorded {
            Some(created_at) if created_at < recorded_before => {
                query("DELETE FROM objects WHERE object_key = $1")
                    .bind(key)
                    .execute(&mut tx)
                    .await?;
                Claim::Delete
            }
            Some(_) => Claim::Keep,
            None if modified_at < modified_before => Claim::Delete,
            None => Claim::Keep,
        };
        tx.commit().await?;
        Ok(claim)
    }

    /// Every object key a blob or an upload refers to.
    pub async fn referenced_objects(&self) -> StoreResult<std::collections::HashSet<String>> {
        let keys: Vec<String> = query_scalar(
            "SELECT object_key FROM blob_parts UNION SELECT object_key FROM upload_parts",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(keys.into_iter().collect())
    }

    /// True when a commit is durable when it returns (SQLite's `synchronous` FULL or EXTRA;
    /// PostgreSQL's `synchronous_commit` not off), so that objects can be deleted right after it.
    pub async fn commits_are_durable(&self) -> StoreResult<bool> {
        if self.is_postgres() {
            let setting: String = query_scalar("SHOW synchronous_commit")
                .fetch_one(&self.pool)
                .await?;
            Ok(setting != "off")
        } else {
            let level: i64 = query_scalar("PRAGMA synchronous")
                .fetch_one(&self.pool)
                .await?;
            Ok(level >= 2)
        }
    }
}
