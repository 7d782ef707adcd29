//! What the orphan sweep keeps in the database besides the `objects` records: how far it has
//! listed blob storage (a day cursor, and whether the keys without a day were swept once), and
//! the queue of objects that a commit stopped referencing, filled in that commit's transaction.

use std::collections::HashSet;

use super::db::{Tx, query, query_scalar};
use super::objects::REFERENCED;
use super::{Store, StoreResult};

/// Which keys a call to [`Store::forget_stale_records_in`] covers.
#[derive(Debug, Clone, Copy)]
pub enum KeyScope<'a> {
    /// The keys under one day folder, e.g. `d/2026-11-28/`.
    Under(&'a str),
    /// The keys that carry no day (not under `d/`).
    Undated,
}

/// Queues `keys`, which the transaction `tx` stops referencing and whose records it removes, for
/// deletion: the objects go after the commit, or at the next sweep after a crash.
pub(super) async fn queue_deletions(tx: &mut Tx, keys: &[String], now: i64) -> StoreResult<()> {
    for key in keys {
        query(
            "INSERT INTO blob_deletions (object_key, queued_at) VALUES ($1, $2) ON CONFLICT (object_key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The objects queued for deletion, oldest first.
    pub async fn queued_deletions(&self) -> StoreResult<Vec<String>> {
        Ok(
            query_scalar("SELECT object_key FROM blob_deletions ORDER BY queued_at, object_key")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Takes deleted objects off the queue.
    pub async fn forget_deletions(&self, keys: &[String]) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for key in keys {
            query("DELETE FROM blob_deletions WHERE object_key = $1")
                .bind(key)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A mark of the sweep (`days`: the last day swept; `undated`: set once the keys without a
    /// day were swept).
    pub async fn sweep_mark(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(query_scalar("SELECT value FROM blob_sweep WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Sets a mark of the sweep.
    pub async fn set_sweep_mark(&self, name: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        query(
            "INSERT INTO blob_sweep (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Among the records of the keys in `scope`, which the sweep has just listed (`present`),
    /// removes those older than `before` whose object is neither referenced nor in blob storage
    /// (a write that failed).
    pub async fn forget_stale_records_in(
        &self,
        scope: KeyScope<'_>,
        before: i64,
        present: &HashSet<String>,
    ) -> StoreResult<u64> {
        let (condition, pattern) = match scope {
            KeyScope::Under(prefix) => ("object_key LIKE $2", format!("{prefix}%")),
            KeyScope::Undated => (
                "object_key NOT LIKE $2",
                format!("{}/%", crate::blobs::DAY_PREFIX),
            ),
        };
        let old: Vec<String> = query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT object_key FROM objects WHERE created_at < $1 AND {condition}"
        )))
        .bind(before)
        .bind(&pattern)
        .fetch_all(&self.pool)
        .await?;
        let mut removed = 0;
        let mut tx = self.write().await?;
        for key in old.iter().filter(|k| !present.contains(*k)) {
            removed += query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM objects WHERE object_key = $1 AND created_at < $2 AND NOT {REFERENCED}"
            )))
            .bind(key)
            .bind(before)
            .execute(&mut tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(removed)
    }
}
