//! The bases of the finished school years (read-only copies) and the ledger of the year's jobs:
//! each effect is written in one transaction with its ledger row, so that a second run (the same
//! day, or on another instance) finds the row and does nothing.

use hosting_api::school_year::YearOrigin;
use serde_json::json;

use super::db::{Exec, Tx, query, query_as, query_scalar};
use super::safeguards::FileCopy;
use super::uploads::{FileKind, delete_blob, insert_blob};
use super::{ADMINISTRATION, Actor, Store, StoreResult, audit};
use crate::rules::Refusal;

/// The base of a finished school year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct YearBaseRow {
    /// Identifier.
    pub id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// `2026-2027`.
    pub school_year: String,
    /// Archived by the service or loaded by a person.
    pub origin: hosting_api::school_year::YearOrigin,
    /// Name of the base.
    pub base_name: String,
    /// Version it was made with.
    pub version: Option<String>,
    /// When it was archived or loaded.
    pub recorded_at: i64,
    /// Who did it (an actor label).
    pub recorded_by: String,
}

/// A file of a year's base.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct YearFileRow {
    /// The year's base.
    pub year_base_id: i64,
    /// Kind.
    pub kind: FileKind,
    /// File name.
    pub filename: String,
    /// Blob.
    pub blob_id: i64,
    /// Size.
    pub size: i64,
    /// SHA-256.
    pub sha256: String,
}

/// A step of the year's jobs, for its ledger row.
#[derive(Debug, Clone, Copy)]
pub struct YearStep<'a> {
    /// `archive` or `september_base`.
    pub step: &'a str,
    /// The school year.
    pub school_year: &'a str,
}

/// A schedule whose active base the year-end job archives.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ArchiveCandidate {
    /// Account.
    pub account_id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Its active base.
    pub base_id: i64,
    /// The base's name.
    pub base_name: String,
    /// The base's version.
    pub version: Option<String>,
}

/// A schedule the September job looks at.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SeptemberCandidate {
    /// Account.
    pub account_id: i64,
    /// Schedule.
    pub schedule_id: i64,
    /// Whether a base was put online since the archive (then nothing is done).
    pub online_since: bool,
}

const YEAR_SELECT: &str = "SELECT id, schedule_id, school_year, origin, base_name, version, recorded_at, recorded_by FROM year_bases";
const YEAR_FILES: &str = "SELECT f.year_base_id, f.kind, f.filename, f.blob_id, b.size, b.sha256 FROM year_base_files f JOIN blobs b ON b.id = f.blob_id JOIN year_bases y ON y.id = f.year_base_id";

/// Inserts a year's base and its files.
#[allow(clippy::too_many_arguments)]
async fn insert_year_base(
    tx: &mut Tx,
    account_id: i64,
    schedule_id: i64,
    school_year: &str,
    origin: YearOrigin,
    base_name: &str,
    version: Option<&str>,
    source_base_id: Option<i64>,
    recorded_by: &str,
    now: i64,
) -> StoreResult<i64> {
    Ok(query_scalar(
        "INSERT INTO year_bases (account_id, schedule_id, school_year, origin, base_name, version, source_base_id, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(account_id)
    .bind(schedule_id)
    .bind(school_year)
    .bind(origin)
    .bind(base_name)
    .bind(version.map(str::to_string))
    .bind(source_base_id)
    .bind(now)
    .bind(recorded_by)
    .fetch_one(&mut *tx)
    .await?)
}

async fn insert_year_file(
    tx: &mut Tx,
    year_base_id: i64,
    kind: FileKind,
    filename: &str,
    blob_id: i64,
) -> StoreResult<()> {
    query("INSERT INTO year_base_files (year_base_id, kind, filename, blob_id) VALUES ($1, $2, $3, $4)")
        .bind(year_base_id)
        .bind(kind)
        .bind(filename)
        .bind(blob_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Writes the ledger row of a year step; `false` when it was already there.
pub(super) async fn record_step(
    tx: &mut Tx,
    step: &str,
    school_year: &str,
    schedule_id: i64,
    outcome: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = query(
        "INSERT INTO year_steps (step, school_year, schedule_id, outcome, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (step, school_year, schedule_id) DO NOTHING",
    )
    .bind(step)
    .bind(school_year)
    .bind(schedule_id)
    .bind(outcome)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The outcome of a step claimed and not yet finished.
pub(super) const CLAIMED: &str = "claimed";
/// The outcome of a step that failed (claimed again the next day).
const FAILED: &str = "failed";

/// Sets the outcome of the ledger row of `(step, school year, schedule)` in `tx`, only from
/// the outcome `from` when one is given; `false` when no row was changed.
pub(super) async fn set_step(
    tx: &mut Tx,
    (step, school_year, schedule_id): (&str, &str, i64),
    from: Option<&str>,
    outcome: &str,
    now: i64,
) -> StoreResult<bool> {
    let changed = query(
        "UPDATE year_steps SET outcome = $4, at = $5 WHERE step = $1 AND school_year = $2 AND schedule_id = $3 AND ($6 IS NULL OR outcome = $6)",
    )
    .bind(step)
    .bind(school_year)
    .bind(schedule_id)
    .bind(outcome)
    .bind(now)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// Deletes a year's base and its files; returns the object keys no longer referenced.
async fn delete_year_base(tx: &mut Tx, year_base_id: i64) -> StoreResult<Vec<String>> {
    let blobs = query_scalar::<i64>("SELECT blob_id FROM year_base_files WHERE year_base_id = $1")
        .bind(year_base_id)
        .fetch_all(&mut *tx)
        .await?;
    query("DELETE FROM year_base_files WHERE year_base_id = $1")
        .bind(year_base_id)
        .execute(&mut *tx)
        .await?;
    query("DELETE FROM year_bases WHERE id = $1")
        .bind(year_base_id)
        .execute(&mut *tx)
        .await?;
    let mut keys = Vec::new();
    for blob in blobs {
        keys.extend(delete_blob(tx, blob).await?);
    }
    Ok(keys)
}

impl Store {
    /// The bases of the finished years of a schedule, newest year first, with their files.
    pub async fn year_bases(
        &self,
        account_id: i64,
        schedule_id: i64,
    ) -> StoreResult<Vec<(YearBaseRow, Vec<YearFileRow>)>> {
        let rows = query_as::<YearBaseRow>(sqlx::AssertSqlSafe(format!(
            "{YEAR_SELECT} WHERE account_id = $1 AND schedule_id = $2 ORDER BY school_year DESC"
        )))
        .bind(account_id)
        .bind(schedule_id)
        .fetch_all(&self.pool)
        .await?;
        let files = query_as::<YearFileRow>(sqlx::AssertSqlSafe(format!(
            "{YEAR_FILES} WHERE y.account_id = $1 AND y.schedule_id = $2"
        )))
        .bind(account_id)
        .bind(schedule_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mine = files
                    .iter()
                    .filter(|f| f.year_base_id == row.id)
                    .cloned()
                    .collect();
                (row, mine)
            })
            .collect())
    }

    /// Whether `user_id` is a member of the schedule's Administration profile.
    pub async fn is_administration_member(
        &self,
        schedule_id: i64,
        user_id: Option<i64>,
    ) -> StoreResult<bool> {
        administration_member(&self.pool, schedule_id, user_id).await
    }

    /// Makes finished uploads the base of `school_year` of a schedule, replacing the one it had
    /// (a member of the Administration profile, `user_id`, checked in the transaction). Returns
    /// the object keys of the replaced base, to delete after the commit.
    pub async fn load_year_base(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
        schedule_id: i64,
        school_year: &str,
        base_upload: &str,
        companions: &[String],
    ) -> StoreResult<Vec<String>> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (schedule, _, _) =
            super::activation::schedule_in(&mut tx, actor.account_id, schedule_id).await?;
        if !administration_member(&mut tx, schedule_id, user_id).await? {
            return Err(Refusal::AdministrationOnly { schedule }.into());
        }
        let taken =
            super::bases::take_base(&mut tx, actor.account_id, base_upload, companions).await?;
        let old: Option<i64> =
            query_scalar("SELECT id FROM year_bases WHERE schedule_id = $1 AND school_year = $2")
                .bind(schedule_id)
                .bind(school_year)
                .fetch_optional(&mut tx)
                .await?;
        let replaced = match old {
            Some(old) => delete_year_base(&mut tx, old).await?,
            None => Vec::new(),
        };
        let year_base_id = insert_year_base(
            &mut tx,
            actor.account_id,
            schedule_id,
            school_year,
            YearOrigin::Loaded,
            &taken.name,
            None,
            None,
            &actor.label,
            now,
        )
        .await?;
        for (kind, filename, blob_id) in &taken.files {
            insert_year_file(&mut tx, year_base_id, *kind, filename, *blob_id).await?;
        }
        let kinds = taken.kinds();
        audit::record(
            &mut tx,
            actor,
            now,
            if old.is_some() {
                "year.replaced"
            } else {
                "year.completed"
            },
            json!({"schedule_id": schedule_id, "school_year": school_year, "files": kinds}),
        )
        .await?;
        tx.commit().await?;
        Ok(replaced)
    }

    /// Records, in the audit log, that `actor` downloaded the base of a year.
    pub async fn record_year_download(
        &self,
        actor: &Actor,
        schedule_id: i64,
        school_year: &str,
        sha256: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "year.downloaded",
            json!({"schedule_id": schedule_id, "school_year": school_year, "sha256": sha256}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The schedules whose active base the year-end job archives as `school_year`: those with
    /// an active base, of accounts made before the archive day (`archive_start`, Unix seconds),
    /// not archived yet.
    pub async fn archive_candidates(
        &self,
        school_year: &str,
        archive_start: i64,
    ) -> StoreResult<Vec<ArchiveCandidate>> {
        Ok(query_as::<ArchiveCandidate>(
            "SELECT s.account_id, s.id AS schedule_id, b.id AS base_id, b.name AS base_name, COALESCE(b.version, a.current_version) AS version FROM schedules s JOIN accounts a ON a.id = s.account_id JOIN bases b ON b.id = s.active_base_id WHERE a.created_at < $2 AND NOT EXISTS (SELECT 1 FROM year_steps y WHERE y.step = 'archive' AND y.school_year = $1 AND y.schedule_id = s.id) ORDER BY s.id",
        )
        .bind(school_year)
        .bind(archive_start)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records the archive of a schedule's active base as `school_year` with its ledger row.
    /// A year a member already loaded keeps theirs (the ledger says so, and `Ok(false)` tells
    /// the caller to delete its copies); so does a second run.
    pub async fn record_archive(
        &self,
        candidate: &ArchiveCandidate,
        school_year: &str,
        files: &[FileCopy],
    ) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let loaded: bool = query_scalar(
            "SELECT EXISTS (SELECT 1 FROM year_bases WHERE schedule_id = $1 AND school_year = $2)",
        )
        .bind(candidate.schedule_id)
        .bind(school_year)
        .fetch_one(&mut tx)
        .await?;
        let outcome = if loaded { "skipped:loaded" } else { "done" };
        if !record_step(
            &mut tx,
            "archive",
            school_year,
            candidate.schedule_id,
            outcome,
            now,
        )
        .await?
        {
            return Ok(false);
        }
        if loaded {
            tx.commit().await?;
            return Ok(false);
        }
        let year_base_id = insert_year_base(
            &mut tx,
            candidate.account_id,
            candidate.schedule_id,
            school_year,
            YearOrigin::Archive,
            &candidate.base_name,
            candidate.version.as_deref(),
            Some(candidate.base_id),
            "service",
            now,
        )
        .await?;
        for (kind, filename, sha256, parts) in files {
            let blob = insert_blob(&mut tx, candidate.account_id, sha256, parts, now).await?;
            insert_year_file(&mut tx, year_base_id, *kind, filename, blob).await?;
        }
        audit::record(
            &mut tx,
            &Actor::service(candidate.account_id),
            now,
            "year.archived",
            json!({"schedule_id": candidate.schedule_id, "school_year": school_year, "base_id": candidate.base_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The schedules the September job has not looked at for `school_year` (starting), of
    /// accounts made before the archive day (`archive_start`), with whether a base was put
    /// online since then (a base the upgrade converted does not count: it is last year's, nor
    /// does the old base a failed attempt put back online). A step that failed, or was claimed
    /// and never finished, before `today_start` is looked at again.
    pub async fn september_candidates(
        &self,
        school_year: &str,
        archive_start: i64,
        today_start: i64,
    ) -> StoreResult<Vec<SeptemberCandidate>> {
        Ok(query_as::<SeptemberCandidate>(
            "SELECT s.account_id, s.id AS schedule_id, EXISTS (SELECT 1 FROM bases b WHERE b.schedule_id = s.id AND b.activated_at >= $2 AND b.origin <> 'upgraded' AND b.activated_at > COALESCE((SELECT f.at FROM year_steps f WHERE f.step = 'september_base' AND f.school_year = $1 AND f.schedule_id = s.id AND f.outcome = 'failed'), 0)) AS online_since FROM schedules s JOIN accounts a ON a.id = s.account_id WHERE a.created_at < $2 AND NOT EXISTS (SELECT 1 FROM year_steps y WHERE y.step = 'september_base' AND y.school_year = $1 AND y.schedule_id = s.id AND NOT (y.outcome IN ('claimed', 'failed') AND y.at < $3)) ORDER BY s.id",
        )
        .bind(school_year)
        .bind(archive_start)
        .bind(today_start)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Claims a year step of a schedule before its first effect (the September base shuts a
    /// server down): `true` for the one run that gets it. A step done, skipped or claimed today
    /// is not claimed again; one that failed (or was claimed and never finished: its instance
    /// stopped) before `today_start` is, so a failure is tried again the next day.
    pub async fn claim_year_step(
        &self,
        step: &str,
        school_year: &str,
        schedule_id: i64,
        today_start: i64,
    ) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        let ledger: Option<(String, i64)> = query_as(
            "SELECT outcome, at FROM year_steps WHERE step = $1 AND school_year = $2 AND schedule_id = $3",
        )
        .bind(step)
        .bind(school_year)
        .bind(schedule_id)
        .fetch_optional(&mut tx)
        .await?;
        let claimed = match ledger {
            None => record_step(&mut tx, step, school_year, schedule_id, CLAIMED, now).await?,
            Some((outcome, at))
                if (outcome == CLAIMED || outcome == FAILED) && at < today_start =>
            {
                set_step(
                    &mut tx,
                    (step, school_year, schedule_id),
                    None,
                    CLAIMED,
                    now,
                )
                .await?
            }
            Some(_) => false,
        };
        tx.commit().await?;
        Ok(claimed)
    }

    /// Ends a step this run claimed with `outcome` (`skipped:online`: nothing to do).
    pub async fn record_year_step(
        &self,
        step: &str,
        school_year: &str,
        schedule_id: i64,
        outcome: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        set_step(
            &mut tx,
            (step, school_year, schedule_id),
            None,
            outcome,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The step this run claimed (or did) failed: its row says so, and the step is claimed
    /// again the next day.
    pub async fn fail_year_step(
        &self,
        step: &str,
        school_year: &str,
        schedule_id: i64,
    ) -> StoreResult<()> {
        self.record_year_step(step, school_year, schedule_id, FAILED)
            .await
    }

    /// The ledger of the year's jobs for a schedule: (step, school year, outcome).
    pub async fn year_steps(&self, schedule_id: i64) -> StoreResult<Vec<(String, String, String)>> {
        Ok(query_as::<(String, String, String)>(
            "SELECT step, school_year, outcome FROM year_steps WHERE schedule_id = $1 ORDER BY at, step",
        )
        .bind(schedule_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Whether `user_id` (none: the hosting manager, in no profile) is a member of the schedule's
/// Administration profile, read through `exec` (the pool, or a transaction that checks it).
pub(super) async fn administration_member<'c>(
    exec: impl Into<Exec<'c>>,
    schedule_id: i64,
    user_id: Option<i64>,
) -> StoreResult<bool> {
    let Some(user_id) = user_id else {
        return Ok(false);
    };
    Ok(query_scalar::<bool>(
        "SELECT EXISTS (SELECT 1 FROM profile_members m JOIN profiles p ON p.id = m.profile_id WHERE p.schedule_id = $1 AND p.name = $2 AND m.user_id = $3)",
    )
    .bind(schedule_id)
    .bind(ADMINISTRATION)
    .bind(user_id)
    .fetch_one(exec)
    .await?)
}
