//! Bases of a schedule: loaded from uploads, created empty, completed, opened.
//! The rules of the seed ("shut the server down before loading a base", ...) are checked inside
//! the transaction that makes the change.

use serde_json::json;

use super::activation::ensure_stopped;
use super::db::{Tx, query, query_as, query_scalar};
use super::objects::check_quota;
use super::uploads::{FileKind, Part, delete_blob, insert_blob, take_upload};
use super::{Actor, Store, audit};
use super::{StoreError, StoreResult};
use crate::rules::{Change, Refusal};

/// Where a base came from, as the database keeps it (`sqlx::Type`): a value the service does
/// not know is an error when read, never a default.
pub use hosting_api::bases::BaseOrigin;

/// A base row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BaseRow {
    /// Identifier.
    pub id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Name.
    pub name: String,
    /// Where it comes from; an unknown string in the database is a decoding error.
    pub origin: BaseOrigin,
    /// Arrival.
    pub created_at: i64,
    /// Last activation.
    pub activated_at: Option<i64>,
    /// The version it was made or converted with (`None`: made before versions were kept).
    pub version: Option<String>,
}

/// A file of a base.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BaseFileRow {
    /// Base.
    pub base_id: i64,
    /// Kind.
    pub kind: FileKind,
    /// File name.
    pub filename: String,
    /// Blob.
    pub blob_id: i64,
    /// Attached at.
    pub added_at: i64,
    /// Blob size.
    pub size: i64,
    /// Blob hash.
    pub sha256: String,
}

/// The base name of a file name: without its extension.
fn stem(filename: &str) -> String {
    filename
        .rsplit_once('.')
        .map_or(filename, |(stem, _)| stem)
        .to_string()
}

/// Finished uploads taken, in a transaction, as the files of one base: its `*.HNOT` first,
/// then its companions, each kind once.
pub(super) struct TakenBase {
    /// The base's name: its `*.HNOT` without the extension.
    pub name: String,
    /// Kind, file name and blob of each file.
    pub files: Vec<(FileKind, String, i64)>,
}

impl TakenBase {
    /// The kinds of its files, for the audit log.
    pub fn kinds(&self) -> Vec<FileKind> {
        self.files.iter().map(|f| f.0).collect()
    }
}

/// Takes `base_upload` (a `*.HNOT`) and `companions` (one of each other kind) out of the
/// account's finished uploads.
pub(super) async fn take_base(
    tx: &mut Tx,
    account_id: i64,
    base_upload: &str,
    companions: &[String],
) -> StoreResult<TakenBase> {
    let (filename, kind, blob_id) = take_upload(tx, account_id, base_upload).await?;
    if kind != FileKind::Base {
        return Err(Refusal::NotABase { filename }.into());
    }
    let mut taken = TakenBase {
        name: stem(&filename),
        files: vec![(FileKind::Base, filename, blob_id)],
    };
    for upload_id in companions {
        let (filename, kind, blob_id) = take_upload(tx, account_id, upload_id).await?;
        if taken.files.iter().any(|f| f.0 == kind) {
            return Err(Refusal::DuplicateCompanion { filename, kind }.into());
        }
        taken.files.push((kind, filename, blob_id));
    }
    Ok(taken)
}

impl Store {
    /// Loads finished uploads as a base of a stopped schedule (origin: downloaded).
    pub async fn load_base(
        &self,
        actor: &Actor,
        schedule_id: i64,
        base_upload: &str,
        companions: &[String],
    ) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_stopped(&mut tx, actor.account_id, schedule_id, Change::LoadingBase).await?;
        let taken = take_base(&mut tx, actor.account_id, base_upload, companions).await?;
        let base_id: i64 = query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at, version) VALUES ($1, $2, $3, $4, $5, (SELECT current_version FROM accounts WHERE id = $1)) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(schedule_id)
        .bind(&taken.name)
        .bind(BaseOrigin::Downloaded)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        for (kind, filename, blob_id) in &taken.files {
            insert_base_file(&mut tx, base_id, *kind, filename, *blob_id, now).await?;
        }
        let kinds = taken.kinds();
        audit::record(
            &mut tx,
            actor,
            now,
            "base.loaded",
            json!({"schedule_id": schedule_id, "base_id": base_id, "files": kinds}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    /// Creates an empty base from a stored blob (its name, SHA-256 and part) and opens it
    /// (server stopped), if the account has room for it (`quota`, bytes); with `ledger`, the
    /// year job's ledger row, claimed before, is marked done in the same transaction.
    pub async fn create_empty_base(
        &self,
        actor: &Actor,
        schedule_id: i64,
        (name, sha256, part): (&str, &str, &Part),
        quota: i64,
        ledger: Option<super::YearStep<'_>>,
    ) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        ensure_stopped(&mut tx, actor.account_id, schedule_id, Change::CreatingBase).await?;
        if let Some(step) = ledger
            && !super::years::set_step(
                &mut tx,
                (step.step, step.school_year, schedule_id),
                Some(super::years::CLAIMED),
                "done",
                now,
            )
            .await?
        {
            return Err(StoreError::internal(format!(
                "the {} step of {} was not claimed for schedule {schedule_id}",
                step.step, step.school_year
            )));
        }
        check_quota(&mut tx, actor.account_id, quota, part.size).await?;
        let blob_id = insert_blob(
            &mut tx,
            actor.account_id,
            sha256,
            std::slice::from_ref(part),
            now,
        )
        .await?;
        let base_id: i64 = query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at, version) VALUES ($1, $2, $3, $4, $5, (SELECT current_version FROM accounts WHERE id = $1)) RETURNING id",
        )
        .bind(actor.account_id)
        .bind(schedule_id)
        .bind(name)
        .bind(BaseOrigin::Created)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        insert_base_file(
            &mut tx,
            base_id,
            FileKind::Base,
            &format!("{name}.HNOT"),
            blob_id,
            now,
        )
        .await?;
        query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(schedule_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "base.created",
            json!({"schedule_id": schedule_id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    /// Attaches a finished companion upload to a base of a stopped schedule, replacing the file
    /// of that kind; returns the replaced file's object keys.
    pub async fn add_companion(
        &self,
        actor: &Actor,
        base_id: i64,
        upload_id: &str,
    ) -> StoreResult<Vec<String>> {
        let now = self.now();
        let mut tx = self.write().await?;
        let schedule_id: i64 =
            query_scalar("SELECT schedule_id FROM bases WHERE id = $1 AND account_id = $2")
                .bind(base_id)
                .bind(actor.account_id)
                .fetch_optional(&mut tx)
                .await?
                .ok_or_else(|| StoreError::NotFound("base"))?;
        // Unlike the other changes of a base, a companion is attached while the server runs
        // (seed 001: a Client connected to the hosted server completes the base): the base's
        // files change in this one transaction, so a reader (a safeguard, a download) sees the
        // old set or the new one, never half of each.
        let (filename, kind, blob_id) = take_upload(&mut tx, actor.account_id, upload_id).await?;
        if kind == FileKind::Base {
            return Err(Refusal::NotACompanion { filename }.into());
        }
        let old: Option<i64> =
            query_scalar("SELECT blob_id FROM base_files WHERE base_id = $1 AND kind = $2")
                .bind(base_id)
                .bind(kind)
                .fetch_optional(&mut tx)
                .await?;
        query("DELETE FROM base_files WHERE base_id = $1 AND kind = $2")
            .bind(base_id)
            .bind(kind)
            .execute(&mut tx)
            .await?;
        insert_base_file(&mut tx, base_id, kind, &filename, blob_id, now).await?;
        let keys = match old {
            Some(old) => delete_blob(&mut tx, old).await?,
            None => Vec::new(),
        };
        audit::record(
            &mut tx,
            actor,
            now,
            "base.completed",
            json!({"base_id": base_id, "schedule_id": schedule_id, "kind": kind, "filename": filename}),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// One base of the account.
    pub async fn base(&self, account_id: i64, base_id: i64) -> StoreResult<BaseRow> {
        query_as::<BaseRow>(
            "SELECT id, schedule_id, name, origin, created_at, activated_at, version FROM bases WHERE id = $1 AND account_id = $2",
        )
        .bind(base_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("base"))
    }

    /// The bases of a schedule (newest first) with their files.
    pub async fn bases(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> StoreResult<Vec<(BaseRow, Vec<BaseFileRow>)>> {
        let bases = query_as::<BaseRow>(
            "SELECT id, schedule_id, name, origin, created_at, activated_at, version FROM bases WHERE schedule_id = $1 AND account_id = $2 ORDER BY id DESC",
        )
        .bind(schedule_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let files = query_as::<BaseFileRow>(
            "SELECT f.base_id, f.kind, f.filename, f.blob_id, f.added_at, b.size, b.sha256 FROM base_files f JOIN blobs b ON b.id = f.blob_id JOIN bases s ON s.id = f.base_id WHERE s.schedule_id = $1 AND s.account_id = $2",
        )
        .bind(schedule_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(bases
            .into_iter()
            .map(|base| {
                let mine = files
                    .iter()
                    .filter(|f| f.base_id == base.id)
                    .cloned()
                    .collect();
                (base, mine)
            })
            .collect())
    }

    /// The files of one base.
    pub async fn base_files(&self, base_id: i64) -> StoreResult<Vec<BaseFileRow>> {
        Ok(query_as::<BaseFileRow>(
            "SELECT f.base_id, f.kind, f.filename, f.blob_id, f.added_at, b.size, b.sha256 FROM base_files f JOIN blobs b ON b.id = f.blob_id WHERE f.base_id = $1",
        )
        .bind(base_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Opens a base on its schedule's (stopped) server.
    pub async fn open_base(&self, actor: &Actor, base_id: i64) -> StoreResult<i64> {
        let now = self.now();
        let mut tx = self.write().await?;
        let schedule_id: i64 =
            query_scalar("SELECT schedule_id FROM bases WHERE id = $1 AND account_id = $2")
                .bind(base_id)
                .bind(actor.account_id)
                .fetch_optional(&mut tx)
                .await?
                .ok_or_else(|| StoreError::NotFound("base"))?;
        ensure_stopped(&mut tx, actor.account_id, schedule_id, Change::OpeningBase).await?;
        query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(schedule_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "base.opened",
            json!({"schedule_id": schedule_id, "base_id": base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(schedule_id)
    }
}

pub(super) async fn insert_base_file(
    tx: &mut Tx,
    base_id: i64,
    kind: FileKind,
    filename: &str,
    blob_id: i64,
    now: i64,
) -> StoreResult<()> {
    query(
        "INSERT INTO base_files (base_id, kind, filename, blob_id, added_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(base_id)
    .bind(kind)
    .bind(filename)
    .bind(blob_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem("Collège 2026.HNOT"), "Collège 2026");
        assert_eq!(stem("noext"), "noext");
    }
}
