//! Safeguards: copies of every file of a running schedule's base, and their retention.

use hosting_api::About;
use serde_json::json;

use super::activation::{RunningSchedule, ensure_stopped};
use super::bases::{BaseFileRow, BaseOrigin, insert_base_file};
use super::db::{query, query_as, query_scalar};
use super::notifications::{Audience, Notice, notify, school_and_email};
use super::objects::check_quota;
use super::uploads::{FileKind, Part, delete_blob, insert_blob};
use super::{Actor, Store, audit};
use super::{StoreError, StoreResult};
use crate::rules::Change;

/// A copied file: kind, file name, SHA-256 and its parts.
pub type FileCopy = (FileKind, String, String, Vec<Part>);

fn service(account_id: i64) -> Actor {
    Actor::service(account_id)
}

/// A safeguard row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SafeguardRow {
    /// Identifier.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Base it was taken of.
    pub base_id: i64,
    /// Base name then.
    pub base_name: String,
    /// File name of the `*.HNOT`.
    pub filename: String,
    /// Blob.
    pub blob_id: i64,
    /// When.
    pub taken_at: i64,
    /// Blob size.
    pub size: i64,
    /// Blob hash.
    pub sha256: String,
}

const SAFEGUARD_SELECT: &str = "SELECT g.id, g.account_id, g.schedule_id, g.base_id, g.base_name, g.filename, g.blob_id, g.taken_at, b.size, b.sha256 FROM safeguards g JOIN blobs b ON b.id = g.blob_id";

impl Store {
    /// Records a safeguard of the running base whose files were copied: `base` is the
    /// `*.HNOT`, `companions` the other files as they are now.
    pub async fn record_safeguard(
        &self,
        schedule: &RunningSchedule,
        base: &FileCopy,
        companions: &[FileCopy],
        taken_at: i64,
    ) -> StoreResult<i64> {
        let (_, filename, sha256, parts) = base;
        let mut tx = self.write().await?;
        let blob_id = insert_blob(&mut tx, schedule.account_id, sha256, parts, taken_at).await?;
        let id: i64 = query_scalar(
            "INSERT INTO safeguards (account_id, schedule_id, base_id, base_name, filename, blob_id, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(schedule.account_id)
        .bind(schedule.schedule_id)
        .bind(schedule.active_base_id)
        .bind(&schedule.base_name)
        .bind(filename)
        .bind(blob_id)
        .bind(taken_at)
        .fetch_one(&mut tx)
        .await?;
        for (kind, name, hash, parts) in companions {
            let blob = insert_blob(&mut tx, schedule.account_id, hash, parts, taken_at).await?;
            query(
                "INSERT INTO safeguard_files (safeguard_id, kind, filename, blob_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(kind)
            .bind(name)
            .bind(blob)
            .execute(&mut tx)
            .await?;
        }
        audit::record(
            &mut tx,
            &service(schedule.account_id),
            taken_at,
            "safeguard.taken",
            json!({"schedule_id": schedule.schedule_id, "safeguard_id": id, "base_id": schedule.active_base_id, "sha256": sha256}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A schedule's safeguards, newest first.
    pub async fn safeguards(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> StoreResult<Vec<SafeguardRow>> {
        Ok(query_as::<SafeguardRow>(sqlx::AssertSqlSafe(format!(
            "{SAFEGUARD_SELECT} WHERE g.schedule_id = $1 AND g.account_id = $2 ORDER BY g.taken_at DESC, g.id DESC"
        )))
        .bind(schedule_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One safeguard of the account.
    pub async fn safeguard(&self, account_id: i64, id: i64) -> StoreResult<SafeguardRow> {
        query_as::<SafeguardRow>(sqlx::AssertSqlSafe(format!(
            "{SAFEGUARD_SELECT} WHERE g.id = $1 AND g.account_id = $2"
        )))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("safeguard"))
    }

    /// The companions kept with a safeguard.
    pub async fn safeguard_companions(&self, safeguard_id: i64) -> StoreResult<Vec<BaseFileRow>> {
        Ok(query_as::<BaseFileRow>(
            "SELECT f.safeguard_id AS base_id, f.kind, f.filename, f.blob_id, g.taken_at AS added_at, b.size, b.sha256 FROM safeguard_files f JOIN blobs b ON b.id = f.blob_id JOIN safeguards g ON g.id = f.safeguard_id WHERE f.safeguard_id = $1 ORDER BY f.kind",
        )
        .bind(safeguard_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deletes safeguards (retention) and returns the object keys to delete.
    pub async fn delete_safeguards(
        &self,
        account_id: i64,
        ids: &[i64],
    ) -> StoreResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut tx = self.write().await?;
        let mut keys = Vec::new();
        for id in ids {
            let blob: Option<i64> =
                query_scalar("SELECT blob_id FROM safeguards WHERE id = $1 AND account_id = $2")
                    .bind(id)
                    .bind(account_id)
                    .fetch_optional(&mut tx)
                    .await?;
            if let Some(blob) = blob {
                let companions: Vec<i64> =
                    query_scalar("SELECT blob_id FROM safeguard_files WHERE safeguard_id = $1")
                        .bind(id)
                        .fetch_all(&mut tx)
                        .await?;
                query("DELETE FROM safeguard_files WHERE safeguard_id = $1")
                    .bind(id)
                    .execute(&mut tx)
                    .await?;
                for companion in companions {
                    keys.extend(delete_blob(&mut tx, companion).await?);
                }
                query("DELETE FROM safeguards WHERE id = $1")
                    .bind(id)
                    .execute(&mut tx)
                    .await?;
                keys.extend(delete_blob(&mut tx, blob).await?);
            }
        }
        audit::record(
            &mut tx,
            &service(account_id),
            now,
            "safeguard.pruned",
            json!({"safeguard_ids": ids}),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// Opens a safeguard: a new base (origin: safeguard) made of copies already stored
    /// (`files`: kind, filename, sha256, parts), opened on the stopped server, if the account
    /// stays within `quota` (bytes) with it.
    pub async fn open_safeguard(
        &self,
        actor: &Actor,
        safeguard: &SafeguardRow,
        files: &[FileCopy],
        quota: i64,
    ) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_stopped(
            &mut tx,
            actor.account_id,
            safeguard.schedule_id,
            Change::OpeningSafeguard,
        )
        .await?;
        let name = format!(
            "{} ({})",
            safeguard.base_name,
            crate::clock::rfc3339(safeguard.taken_at)
        );
        let base_id: i64 = query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at, version) VALUES ($1, $2, $3, $4, $5, (SELECT current_version FROM accounts WHERE id = $1)) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(safeguard.schedule_id)
        .bind(&name)
        .bind(BaseOrigin::Safeguard)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        for (kind, filename, sha256, parts) in files {
            let blob = insert_blob(&mut tx, actor.account_id, sha256, parts, now).await?;
            insert_base_file(&mut tx, base_id, *kind, filename, blob, now).await?;
        }
        // The copies share their bytes with the safeguard where storage links them: the quota
        // counts what they add, seen from inside this transaction.
        check_quota(&mut tx, actor.account_id, quota, 0).await?;
        query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(safeguard.schedule_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "safeguard.opened",
            json!({"schedule_id": safeguard.schedule_id, "safeguard_id": safeguard.id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    /// Records, in the audit log, that `actor` downloaded a safeguard.
    pub async fn record_download(
        &self,
        actor: &Actor,
        safeguard: &SafeguardRow,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "safeguard.downloaded",
            json!({"schedule_id": safeguard.schedule_id, "safeguard_id": safeguard.id, "sha256": safeguard.sha256}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records, in the audit log of the schedule's account, that a safeguard could not be taken;
    /// the first failure of the day (UTC) of a schedule is also notified, with an e-mail to the
    /// hosting manager.
    pub async fn record_safeguard_failure(
        &self,
        schedule: &RunningSchedule,
        reason: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        audit::record(
            &mut tx,
            &service(schedule.account_id),
            now,
            "safeguard.failed",
            json!({"schedule_id": schedule.schedule_id, "base_id": schedule.active_base_id, "reason": reason}),
        )
        .await?;
        let today = crate::rules::school_year::date_of(now);
        let day = crate::rules::school_year::iso(today);
        let notice = Notice {
            about: About::SafeguardFailed {
                day: day.clone(),
                reason: reason.to_string(),
            },
            dedupe_key: format!("safeguard:{}:{day}", schedule.schedule_id),
            audience: Audience::All,
            schedule_id: Some(schedule.schedule_id),
            workstation_id: None,
        };
        let (school, email) = school_and_email(&mut tx, schedule.account_id).await?;
        let message = crate::messages::safeguard_failed_email(&school, &schedule.name, today);
        notify(
            &mut tx,
            schedule.account_id,
            now,
            &notice,
            Some((&email, &message)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
