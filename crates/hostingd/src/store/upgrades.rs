//! The provider's releases and each school's yearly upgrade: the school's choice, and the steps
//! of the upgrade job, each written in the transaction of its effect with its audit record.

use serde_json::json;
use time::Date;

use super::db::{query, query_as, query_scalar};
use super::safeguards::FileCopy;
use super::uploads::insert_blob;
use super::{Actor, Store, StoreError, StoreResult, audit, outbox};
use crate::rules::Change;
use crate::rules::school_year::{self, Release, Stage, iso, parse_date, version_order};
use hosting_api::bases::BaseOrigin;
use hosting_api::school_year::UpgradeStatus;

/// A published release.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReleaseRow {
    /// Version.
    pub version: String,
    /// First day of the pre-release (YYYY-MM-DD).
    pub prerelease_from: String,
    /// First day of the window.
    pub window_start: String,
    /// Last day of the window.
    pub window_end: String,
    /// When it was published (Unix seconds).
    pub published_at: i64,
}

impl ReleaseRow {
    /// The release with its days, for the rules.
    pub fn release(&self) -> StoreResult<Release> {
        let day = |text: &str| {
            parse_date(text).ok_or_else(|| {
                StoreError::internal(format!("release {}: {text:?} is no day", self.version))
            })
        };
        Ok(Release {
            version: self.version.clone(),
            prerelease_from: day(&self.prerelease_from)?,
            window_start: day(&self.window_start)?,
            window_end: day(&self.window_end)?,
        })
    }
}

/// A school's upgrade to one release.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UpgradeRow {
    /// Account.
    pub account_id: i64,
    /// The release.
    pub to_version: String,
    /// The version before.
    pub from_version: String,
    /// The day the school chose.
    pub chosen_date: Option<String>,
    /// When the school asked for the pre-release.
    pub prerelease_requested_at: Option<i64>,
    /// Pending, running, done or failed (never `None`).
    pub state: hosting_api::school_year::UpgradeStatus,
    /// Tries so far.
    pub attempts: i64,
    /// The day of the last try.
    pub last_attempt_on: Option<String>,
    /// Why the last try failed.
    pub last_error: Option<String>,
}

const UPGRADE_SELECT: &str = "SELECT account_id, to_version, from_version, chosen_date, prerelease_requested_at, state, attempts, last_attempt_on, last_error FROM upgrades";

/// An upgrade that is due, for the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueUpgrade {
    /// Account.
    pub account_id: i64,
    /// School.
    pub school_name: String,
    /// The version it runs.
    pub from_version: String,
    /// The release.
    pub release: ReleaseRow,
}

impl Store {
    /// Publishes a release, or changes the days of one no school has been upgraded to yet.
    pub async fn publish_release(&self, release: &Release) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let started: i64 = query_scalar(
            "SELECT COUNT(*) FROM upgrades WHERE to_version = $1 AND state <> 'pending'",
        )
        .bind(&release.version)
        .fetch_one(&mut tx)
        .await?;
        if started > 0 {
            return Err(StoreError::internal(format!(
                "schools are already upgraded to {}: its days can no longer change",
                release.version
            )));
        }
        query(
            "INSERT INTO releases (version, prerelease_from, window_start, window_end, published_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO UPDATE SET prerelease_from = excluded.prerelease_from, window_start = excluded.window_start, window_end = excluded.window_end, published_at = excluded.published_at",
        )
        .bind(&release.version)
        .bind(iso(release.prerelease_from))
        .bind(iso(release.window_start))
        .bind(iso(release.window_end))
        .bind(now)
        .execute(&mut tx)
        .await?;
        // A chosen day that the new window leaves out falls back to the window's first day.
        query(
            "UPDATE upgrades SET chosen_date = NULL WHERE to_version = $1 AND state = 'pending' AND (chosen_date < $2 OR chosen_date > $3)",
        )
        .bind(&release.version)
        .bind(iso(release.window_start))
        .bind(iso(release.window_end))
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every published release, oldest version first.
    pub async fn releases(&self) -> StoreResult<Vec<ReleaseRow>> {
        let mut rows = query_as::<ReleaseRow>(
            "SELECT version, prerelease_from, window_start, window_end, published_at FROM releases",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.sort_by(|a, b| version_order(&a.version, &b.version));
        Ok(rows)
    }

    /// The version an account runs.
    pub async fn current_version(&self, account_id: i64) -> StoreResult<String> {
        query_scalar::<String>("SELECT current_version FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("account"))
    }

    /// The first release after `current`, if any.
    pub async fn next_release(&self, current: &str) -> StoreResult<Option<ReleaseRow>> {
        Ok(self
            .releases()
            .await?
            .into_iter()
            .find(|r| version_order(&r.version, current).is_gt()))
    }

    /// An account's upgrade to `to_version`, if it chose or ran one.
    pub async fn upgrade(
        &self,
        account_id: i64,
        to_version: &str,
    ) -> StoreResult<Option<UpgradeRow>> {
        Ok(query_as::<UpgradeRow>(sqlx::AssertSqlSafe(format!(
            "{UPGRADE_SELECT} WHERE account_id = $1 AND to_version = $2"
        )))
        .bind(account_id)
        .bind(to_version)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records the school's choice for the next release on `today`: a day of the window
    /// (`Some(None)` goes back to the default day) and/or the pre-release at once. Checked and
    /// audited in one transaction.
    pub async fn choose_upgrade(
        &self,
        actor: &Actor,
        today: Date,
        chosen_date: Option<Option<Date>>,
        prerelease: Option<bool>,
    ) -> StoreResult<()> {
        let now = self.now();
        let current = self.current_version(actor.account_id).await?;
        let release =
            self.next_release(&current)
                .await?
                .ok_or(crate::rules::Refusal::NoUpgradePlanned {
                    current: current.clone(),
                })?;
        let rule = release.release()?;
        let mut tx = self.write().await?;
        let before = query_as::<UpgradeRow>(sqlx::AssertSqlSafe(format!(
            "{UPGRADE_SELECT} WHERE account_id = $1 AND to_version = $2"
        )))
        .bind(actor.account_id)
        .bind(&release.version)
        .fetch_optional(&mut tx)
        .await?;
        let stage = match before.as_ref().map(|u| u.state) {
            None | Some(UpgradeStatus::Pending) => Stage::Pending,
            Some(_) => Stage::Closed,
        };
        let old_date = before
            .as_ref()
            .and_then(|u| u.chosen_date.as_deref())
            .and_then(parse_date);
        let date = chosen_date.unwrap_or(old_date);
        school_year::check_choice(today, &rule, stage, date, prerelease == Some(true))?;
        let requested = match prerelease {
            Some(true) => Some(
                before
                    .as_ref()
                    .and_then(|u| u.prerelease_requested_at)
                    .unwrap_or(now),
            ),
            Some(false) => None,
            None => before.as_ref().and_then(|u| u.prerelease_requested_at),
        };
        query(
            "INSERT INTO upgrades (account_id, to_version, from_version, chosen_date, prerelease_requested_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, to_version) DO UPDATE SET chosen_date = excluded.chosen_date, prerelease_requested_at = excluded.prerelease_requested_at",
        )
        .bind(actor.account_id)
        .bind(&release.version)
        .bind(&current)
        .bind(date.map(iso))
        .bind(requested)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            "upgrade.chosen",
            json!({
                "version": release.version,
                "before": {"chosen_date": old_date.map(iso), "prerelease": before.as_ref().is_some_and(|u| u.prerelease_requested_at.is_some())},
                "after": {"chosen_date": date.map(iso), "prerelease": requested.is_some()},
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upgrades due on `today`: the pre-release asked for, or the effective day reached,
    /// not tried yet today, for every account behind a release.
    pub async fn due_upgrades(&self, today: Date) -> StoreResult<Vec<DueUpgrade>> {
        let rows = query_as::<(i64, String, String, String, String, String, String, i64)>(
            "SELECT a.id, a.school_name, a.current_version, r.version, r.prerelease_from, r.window_start, r.window_end, r.published_at FROM accounts a JOIN releases r ON r.version <> a.current_version LEFT JOIN upgrades u ON u.account_id = a.id AND u.to_version = r.version WHERE (u.state IS NULL OR u.state = 'pending') AND (u.last_attempt_on IS NULL OR u.last_attempt_on < $1) AND (u.prerelease_requested_at IS NOT NULL OR COALESCE(u.chosen_date, r.window_start) <= $1) ORDER BY a.id",
        )
        .bind(iso(today))
        .fetch_all(&self.pool)
        .await?;
        let mut due: Vec<DueUpgrade> = Vec::new();
        for (account_id, school_name, from_version, version, pre, start, end, published) in rows {
            if !version_order(&version, &from_version).is_gt() {
                continue;
            }
            let release = ReleaseRow {
                version,
                prerelease_from: pre,
                window_start: start,
                window_end: end,
                published_at: published,
            };
            match due.last_mut() {
                // One release at a time: the nearest one.
                Some(last) if last.account_id == account_id => {
                    if version_order(&release.version, &last.release.version).is_lt() {
                        last.release = release;
                    }
                }
                _ => due.push(DueUpgrade {
                    account_id,
                    school_name,
                    from_version,
                    release,
                }),
            }
        }
        Ok(due)
    }

    /// Takes an upgrade for a run on `today`: `false` when it is no longer due (done, running,
    /// or tried today by another run).
    pub async fn claim_upgrade(&self, due: &DueUpgrade, today: Date) -> StoreResult<bool> {
        let now = self.now();
        let mut tx = self.write().await?;
        query(
            "INSERT INTO upgrades (account_id, to_version, from_version) VALUES ($1, $2, $3) ON CONFLICT (account_id, to_version) DO NOTHING",
        )
        .bind(due.account_id)
        .bind(&due.release.version)
        .bind(&due.from_version)
        .execute(&mut tx)
        .await?;
        let taken = query(
            "UPDATE upgrades SET state = 'running', attempts = attempts + 1, last_attempt_on = $3, from_version = $4 WHERE account_id = $1 AND to_version = $2 AND state = 'pending' AND (last_attempt_on IS NULL OR last_attempt_on < $3)",
        )
        .bind(due.account_id)
        .bind(&due.release.version)
        .bind(iso(today))
        .bind(&due.from_version)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Ok(false);
        }
        audit::record(
            &mut tx,
            &Actor::service(due.account_id),
            now,
            "upgrade.started",
            json!({"from": due.from_version, "to": due.release.version}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a step of a running upgrade in the audit log.
    pub async fn record_upgrade_step(
        &self,
        account_id: i64,
        action: &str,
        details: serde_json::Value,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        audit::record(&mut tx, &Actor::service(account_id), now, action, details).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the converted copy of a schedule's base (version `to_version`) and opens it on
    /// the schedule's stopped server.
    pub async fn record_converted_base(
        &self,
        account_id: i64,
        schedule_id: i64,
        source_base_id: i64,
        files: &[FileCopy],
        to_version: &str,
    ) -> StoreResult<i64> {
        let now = self.now();
        let actor = Actor::service(account_id);
        let mut tx = self.write().await?;
        super::activation::ensure_stopped(&mut tx, account_id, schedule_id, Change::OpeningBase)
            .await?;
        let name: String = query_scalar("SELECT name FROM bases WHERE id = $1 AND account_id = $2")
            .bind(source_base_id)
            .bind(account_id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound("base"))?;
        let base_id: i64 = query_scalar(
            "INSERT INTO bases (account_id, schedule_id, name, origin, created_at, version) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(account_id)
        .bind(schedule_id)
        .bind(&name)
        .bind(BaseOrigin::Upgraded)
        .bind(now)
        .bind(to_version)
        .fetch_one(&mut tx)
        .await?;
        for (kind, filename, sha256, parts) in files {
            let blob = insert_blob(&mut tx, account_id, sha256, parts, now).await?;
            super::bases::insert_base_file(&mut tx, base_id, *kind, filename, blob, now).await?;
        }
        query("UPDATE schedules SET open_base_id = $1 WHERE id = $2")
            .bind(base_id)
            .bind(schedule_id)
            .execute(&mut tx)
            .await?;
        audit::record(
            &mut tx,
            &actor,
            now,
            "upgrade.converted",
            json!({"schedule_id": schedule_id, "from_base_id": source_base_id, "base_id": base_id, "version": to_version}),
        )
        .await?;
        tx.commit().await?;
        Ok(base_id)
    }

    /// Opens `base_id` again on its schedule's stopped server (an upgrade that failed puts the
    /// base it started from back).
    pub async fn reopen_base(
        &self,
        account_id: i64,
        schedule_id: i64,
        base_id: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        super::activation::ensure_stopped(&mut tx, account_id, schedule_id, Change::OpeningBase)
            .await?;
        query("UPDATE schedules SET open_base_id = $1 WHERE id = $2 AND account_id = $3")
            .bind(base_id)
            .bind(schedule_id)
            .bind(account_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upgrade went through: the school runs `to_version`; the manager is told.
    pub async fn finish_upgrade(&self, due: &DueUpgrade) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query("UPDATE accounts SET current_version = $1 WHERE id = $2")
            .bind(&due.release.version)
            .bind(due.account_id)
            .execute(&mut tx)
            .await?;
        query(
            "UPDATE upgrades SET state = 'done', done_at = $3, last_error = NULL WHERE account_id = $1 AND to_version = $2",
        )
        .bind(due.account_id)
        .bind(&due.release.version)
        .bind(now)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            &Actor::service(due.account_id),
            now,
            "upgrade.done",
            json!({"from": due.from_version, "to": due.release.version}),
        )
        .await?;
        let email: String = query_scalar("SELECT email FROM accounts WHERE id = $1")
            .bind(due.account_id)
            .fetch_one(&mut tx)
            .await?;
        let message = crate::messages::upgrade_done_email(&due.school_name, &due.release.version);
        outbox::enqueue(&mut tx, due.account_id, now, "email", &email, &message).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upgrade failed at `step`: the school stays on its version, the upgrade is tried again
    /// the next day (or given up when `give_up`), and the manager is told.
    pub async fn fail_upgrade(
        &self,
        due: &DueUpgrade,
        step: &str,
        reason: &str,
        give_up: bool,
    ) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        query(
            "UPDATE upgrades SET state = $3, last_error = $4 WHERE account_id = $1 AND to_version = $2",
        )
        .bind(due.account_id)
        .bind(&due.release.version)
        .bind(if give_up { "failed" } else { "pending" })
        .bind(reason)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            &Actor::service(due.account_id),
            now,
            "upgrade.failed",
            json!({"from": due.from_version, "to": due.release.version, "step": step, "reason": reason, "given_up": give_up}),
        )
        .await?;
        let email: String = query_scalar("SELECT email FROM accounts WHERE id = $1")
            .bind(due.account_id)
            .fetch_one(&mut tx)
            .await?;
        let message = crate::messages::upgrade_failed_email(
            &due.school_name,
            &due.from_version,
            &due.release.version,
            reason,
        );
        outbox::enqueue(&mut tx, due.account_id, now, "email", &email, &message).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Upgrades left `running` by a run that died (its instance stopped mid-way): they go back
    /// to `pending`, to be tried again the next day.
    pub async fn release_stale_upgrades(&self, today: Date) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let count = query(
            "UPDATE upgrades SET state = 'pending', last_error = 'the run was interrupted' WHERE state = 'running' AND last_attempt_on < $1",
        )
        .bind(iso(today))
        .execute(&mut tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(count)
    }
}
