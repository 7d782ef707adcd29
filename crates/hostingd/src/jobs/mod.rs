//! Background jobs, one runner at once across the instances over one database (a lease): expiry
//! of unfinished uploads, safeguards of the active bases and their retention, the hourly sweep of
//! the blob store, the school year's (the yearly upgrade, the year-end archive, the new base of
//! September: [`school_year`]), and the hourly notifications of dates that come near
//! ([`notices`]). They read the service clock, so tests move time instead of
//! waiting; each is idempotent, so a run cut short is simply done again by the next.

mod notices;
mod school_year;

use std::collections::HashSet;

use crate::base_files::{copy_files, keys_of};
use crate::fault::Fault;
use crate::store::{Actor, Claim, FileKind, KeyScope, RunningSchedule};
pub use notices::{CERTIFICATE_NOTICE_DAYS, UPGRADE_NOTICE_DAYS};
pub use school_year::YearDays;

/// How safeguards are taken and kept.
#[derive(Debug, Clone)]
pub struct SafeguardPolicy {
    /// Seconds between two safeguards of a running schedule.
    pub interval_seconds: i64,
    /// The newest N are kept.
    pub keep_last: usize,
    /// The newest of each of the last N days that have one are kept.
    pub keep_daily: usize,
    /// The newest of each of the last N weeks (Monday to Sunday) that have one are kept.
    pub keep_weekly: usize,
}

/// Objects recorded this long ago (service clock; for objects without a record, written this
/// long ago by the wall clock) and referenced by nothing are deleted: an object is written
/// before the transaction that references it, so younger ones may be in flight.
pub const ORPHAN_GRACE_SECONDS: i64 = 6 * 3600;
/// Seconds between two sweeps of the blob store.
pub const SWEEP_EVERY_SECONDS: u64 = 3600;

/// The lease of a run: one instance runs the jobs at a time.
pub const RUN_LEASE: &str = "jobs:run";
/// Longest run before another instance may take over (a run is seconds long; an instance that
/// died mid-run frees it after this).
pub const RUN_LEASE_SECONDS: i64 = 600;
/// Taken by the run that sweeps, never given back: it marks the sweep as done for the hour,
/// whichever instance did it.
const SWEEP_LEASE: &str = "jobs:sweep";
/// Taken by the run that looks for the dates that come near, never given back, like the sweep's.
const NOTICES_LEASE: &str = "jobs:notices";
/// Seconds between two looks for the dates that come near.
pub const NOTICES_EVERY_SECONDS: i64 = 3600;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Unfinished uploads deleted at expiry.
    pub expired_uploads: usize,
    /// Safeguards taken.
    pub safeguards_taken: usize,
    /// Safeguards deleted by the retention.
    pub safeguards_pruned: usize,
    /// Objects of the blob store that nothing referred to (left by a crash), deleted.
    pub orphans_deleted: usize,
    /// Schools upgraded to the next release.
    pub upgrades_done: usize,
    /// Upgrades that failed (tried again the next day).
    pub upgrades_failed: usize,
    /// Active bases archived as the base of the school year that ended.
    pub years_archived: usize,
    /// New empty bases of September made.
    pub september_bases: usize,
    /// Reminders of a contract's end e-mailed.
    pub contract_reminders: usize,
    /// Notifications of dates that come near (the upgrade, a certificate's end) written.
    pub notifications: usize,
}

/// The safeguards to keep among `taken` (id, time), newest first.
pub fn retained(taken: &[(i64, i64)], policy: &SafeguardPolicy) -> HashSet<i64> {
    let mut keep: HashSet<i64> = taken.iter().take(policy.keep_last).map(|t| t.0).collect();
    let mut bucketed = |bucket: &dyn Fn(i64) -> i64, count: usize| {
        let mut seen = Vec::new();
        for (id, at) in taken {
            if seen.len() >= count {
                break;
            }
            let b = bucket(*at);
            if !seen.contains(&b) {
                seen.push(b);
                keep.insert(*id);
            }
        }
    };
    bucketed(&|at| at.div_euclid(86_400), policy.keep_daily);
    // 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
    bucketed(
        &|at| (at.div_euclid(86_400) + 3).div_euclid(7),
        policy.keep_weekly,
    );
    keep
}

/// What the jobs use of the service: the database, the objects, the settings and the
/// endpoints (to shut a server down and start it again around an upgrade).
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub store: crate::store::Store,
    /// The objects.
    pub blobs: crate::blobs::Blobs,
    /// The settings.
    pub settings: std::sync::Arc<crate::settings::Settings>,
    /// The listeners of the running schedules.
    pub endpoints: std::sync::Arc<crate::endpoints::Endpoints>,
    /// Where the fault suite makes a job fail or wait.
    pub faults: std::sync::Arc<crate::fault::FaultPoints>,
}

/// Runs what is due now. A schedule whose safeguard fails is logged and audited, and the others
/// still get theirs.
/// Another instance running the jobs at that moment: this run does nothing.
pub async fn run_due(state: &Services) -> anyhow::Result<JobReport> {
    let holder = crate::instance::lease_holder();
    if !state
        .store
        .acquire_lease(RUN_LEASE, &holder, RUN_LEASE_SECONDS)
        .await?
    {
        tracing::debug!("another instance runs the jobs");
        return Ok(JobReport::default());
    }
    let report = run_all(state, &holder).await;
    if let Err(error) = state.store.release_lease(RUN_LEASE, &holder).await {
        tracing::warn!(%error, "the jobs' lease was not given back; it expires");
    }
    report
}

/// Renews the run's lease when a third of it has passed (by the service's clock), so that a long
/// run (many schools, big safeguards) does not outlast it while another instance starts the
/// jobs; false once it is lost (another instance has it): the run stops where it is.
pub struct RunLease<'a> {
    store: &'a crate::store::Store,
    holder: &'a str,
    renewed_at: i64,
}

impl<'a> RunLease<'a> {
    /// The lease `holder` has just taken.
    pub fn taken(store: &'a crate::store::Store, holder: &'a str) -> RunLease<'a> {
        RunLease {
            store,
            holder,
            renewed_at: store.now(),
        }
    }

    /// Whether the run still has its lease (renewed if a third of it has passed).
    pub async fn keep(&mut self) -> anyhow::Result<bool> {
        if self.store.now() - self.renewed_at < RUN_LEASE_SECONDS / 3 {
            return Ok(true);
        }
        self.renew().await
    }

    /// Renews the lease now (before a step that may be long, such as a school's upgrade);
    /// false once it is lost.
    pub async fn renew(&mut self) -> anyhow::Result<bool> {
        let now = self.store.now();
        let kept = self
            .store
            .acquire_lease(RUN_LEASE, self.holder, RUN_LEASE_SECONDS)
            .await?;
        if kept {
            self.renewed_at = now;
        } else {
            tracing::warn!("the jobs' lease was lost; this run stops, the next one goes on");
        }
        Ok(kept)
    }
}

/// The jobs of one run, under its lease.
async fn run_all(state: &Services, holder: &str) -> anyhow::Result<JobReport> {
    let mut lease = RunLease::taken(&state.store, holder);
    let mut report = JobReport::default();
    let sweep_due = state
        .store
        .acquire_lease(SWEEP_LEASE, holder, SWEEP_EVERY_SECONDS as i64)
        .await?;
    if sweep_due {
        report.orphans_deleted = sweep_orphans(state).await?;
    }
    let now = state.store.now();
    for (account_id, id) in state.store.expired_uploads(now).await? {
        let actor = Actor::service(account_id);
        match state.store.delete_upload(&actor, &id).await {
            Ok(keys) => {
                state.blobs.delete_released(&state.store, &keys).await;
                report.expired_uploads += 1;
            }
            Err(error) => tracing::warn!(upload = %id, %error, "an expired upload was not deleted"),
        }
    }
    for running in state.store.running_schedules().await? {
        if !lease.keep().await? {
            return Ok(report);
        }
        if let Err(failure) = safeguard_schedule(state, &running, now, &mut report).await {
            tracing::error!(
                schedule = running.schedule_id,
                account = running.account_id,
                error = %failure.error,
                "the safeguard of a schedule failed; the other schedules go on"
            );
            if let Err(error) = state
                .store
                .record_safeguard_failure(&running, failure.reason)
                .await
            {
                tracing::error!(schedule = running.schedule_id, %error, "could not audit a failed safeguard");
            }
        }
    }
    if !lease.keep().await? {
        return Ok(report);
    }
    // The notices do not wait on the school year: a failing upgrade must not silence the
    // notice of a certificate that ends.
    let school_year = school_year::run(state, &mut lease, &mut report).await;
    if state
        .store
        .acquire_lease(NOTICES_LEASE, holder, NOTICES_EVERY_SECONDS)
        .await?
    {
        notices::run(state, &mut report).await;
    }
    school_year?;
    Ok(report)
}

/// Why the safeguard of one schedule failed: a sentence for the audit log, the error for the
/// service's log.
struct Failure {
    reason: &'static str,
    error: Fault,
}

fn failed<E: Into<Fault>>(reason: &'static str) -> impl FnOnce(E) -> Failure {
    move |error| Failure {
        reason,
        error: error.into(),
    }
}

/// Takes the safeguard of one running schedule if it is due, then applies the retention.
async fn safeguard_schedule(
    state: &Services,
    running: &RunningSchedule,
    now: i64,
    report: &mut JobReport,
) -> Result<(), Failure> {
    let policy = &state.settings.safeguards;
    let existing = state
        .store
        .safeguards(running.account_id, running.schedule_id)
        .await
        .map_err(failed("the safeguards of the schedule could not be read"))?;
    let due = existing.first().is_none_or(|last| {
        last.taken_at + policy.interval_seconds <= now || last.base_id != running.active_base_id
    });
    let mut taken: Vec<(i64, i64)> = existing.iter().map(|g| (g.id, g.taken_at)).collect();
    if due && let Some(id) = take_safeguard(state, running, now).await? {
        taken.insert(0, (id, now));
        report.safeguards_taken += 1;
    }
    let keep = retained(&taken, policy);
    let drop: Vec<i64> = taken
        .iter()
        .map(|t| t.0)
        .filter(|id| !keep.contains(id))
        .collect();
    if !drop.is_empty() {
        let keys = state
            .store
            .delete_safeguards(running.account_id, &drop)
            .await
            .map_err(failed("old safeguards could not be deleted"))?;
        state.blobs.delete_released(&state.store, &keys).await;
        report.safeguards_pruned += drop.len();
    }
    Ok(())
}

/// Copies every file of the active base (hard links on a local directory, server-side copies on
/// S3) and records the safeguard; `None` when the base has no `*.HNOT`.
async fn take_safeguard(
    state: &Services,
    running: &RunningSchedule,
    now: i64,
) -> Result<Option<i64>, Failure> {
    let read = || async {
        state
            .store
            .base_files(running.active_base_id)
            .await
            .map_err(failed("the files of the active base could not be read"))
    };
    let mut files = read().await?;
    if !files.iter().any(|f| f.kind == FileKind::Base) {
        return Ok(None);
    }
    // A companion attached while the server runs replaces a file between the reading and the
    // copy: read the new set once and copy it.
    let copies = loop {
        let copied = copy_files(
            &state.store,
            &state.blobs,
            running.account_id,
            files.iter().cloned().map(Into::into).collect(),
            "safeguards",
        )
        .await;
        match copied {
            Ok(copies) => break copies,
            Err(error) => {
                let again = read().await?;
                let blobs = |files: &[crate::store::BaseFileRow]| {
                    files.iter().map(|f| f.blob_id).collect::<Vec<_>>()
                };
                if blobs(&again) == blobs(&files) {
                    return Err(failed("the files of the active base could not be copied")(
                        error,
                    ));
                }
                files = again;
            }
        }
    };
    let keys = keys_of(&copies);
    let mut base = None;
    let mut companions = Vec::new();
    for copy in copies {
        if copy.0 == FileKind::Base {
            base = Some(copy);
        } else {
            companions.push(copy);
        }
    }
    let Some(base) = base else { return Ok(None) };
    match state
        .store
        .record_safeguard(running, &base, &companions, now)
        .await
    {
        Ok(id) => Ok(Some(id)),
        Err(error) => {
            state.blobs.delete(&keys).await;
            Err(failed("the safeguard could not be recorded")(error))
        }
    }
}

/// Marks of the sweep in the database: the last day swept, and whether the keys without a day
/// were.
const SWEPT_DAYS: &str = "days";
const SWEPT_UNDATED: &str = "undated";

/// True when every object of the UTC day `day` (`YYYY-MM-DD`) is past the grace period at `now`
/// (service clock): the day ended at least [`ORPHAN_GRACE_SECONDS`] ago.
pub fn day_is_sweepable(day: &str, now: i64) -> bool {
    crate::blobs::day_end(day).is_some_and(|end| end + ORPHAN_GRACE_SECONDS <= now)
}

/// Deletes the objects of blob storage that nothing refers to, without listing the whole store:
///
/// 1. the objects queued for deletion by a commit that stopped referencing them (a crash between
///    that commit and the delete left them);
/// 2. the day folders `d/<day>/` after the day cursor whose day ended [`ORPHAN_GRACE_SECONDS`]
///    ago; the cursor then moves over the days where nothing was left undecided;
/// 3. once, the keys made before keys carried their day.
///
/// The decision is taken object by object in the database ([`crate::store::Store::claim_orphan`]):
/// an object recorded by a writer is kept for [`ORPHAN_GRACE_SECONDS`] after its record (service
/// clock), whatever its modification time, and once its record is claimed no commit can
/// reference it any more. An unrecorded object under a day is deleted at once (its day is its
/// age); one without a day once it was modified [`ORPHAN_GRACE_SECONDS`] ago (wall clock).
/// Returns the number of objects deleted.
pub async fn sweep_orphans(state: &Services) -> anyhow::Result<usize> {
    let now = state.store.now();
    let recorded_before = now - ORPHAN_GRACE_SECONDS;
    let mut deleted = 0;

    let queued = state.store.queued_deletions().await?;
    if !queued.is_empty() {
        let gone = state.blobs.delete_released(&state.store, &queued).await;
        tracing::info!(count = gone, "deleted the objects queued for deletion");
        deleted += gone;
    }

    let referenced = state.store.referenced_objects().await?;
    let cursor = state.store.sweep_mark(SWEPT_DAYS).await?;
    let mut swept_through = cursor.clone();
    let mut contiguous = true;
    for day in state.blobs.days().await? {
        if cursor.as_ref().is_some_and(|c| day <= *c) || !day_is_sweepable(&day, now) {
            continue;
        }
        let folder = format!("{}/{day}/", crate::blobs::DAY_PREFIX);
        let objects = state.blobs.list_under(Some(&folder)).await?;
        // A day key's age is its day: modified_before = MAX deletes it once unrecorded.
        let swept = sweep_listed(state, &objects, &referenced, recorded_before, i64::MAX).await?;
        deleted += swept.deleted;
        forget_stale(state, KeyScope::Under(&folder), recorded_before, objects).await?;
        if swept.undecided == 0 && contiguous {
            swept_through = Some(day);
        } else {
            contiguous = false;
        }
    }
    if swept_through != cursor
        && let Some(day) = &swept_through
    {
        state.store.set_sweep_mark(SWEPT_DAYS, day).await?;
    }

    if state.store.sweep_mark(SWEPT_UNDATED).await?.is_none() {
        let modified_before =
            time::OffsetDateTime::now_utc().unix_timestamp() - ORPHAN_GRACE_SECONDS;
        let objects = state.blobs.undated().await?;
        let swept = sweep_listed(
            state,
            &objects,
            &referenced,
            recorded_before,
            modified_before,
        )
        .await?;
        deleted += swept.deleted;
        forget_stale(state, KeyScope::Undated, recorded_before, objects).await?;
        if swept.undecided == 0 {
            state
                .store
                .set_sweep_mark(SWEPT_UNDATED, &crate::blobs::day_of(now))
                .await?;
        }
    }
    if deleted > 0 {
        tracing::info!(count = deleted, "deleted orphan objects");
    }
    Ok(deleted)
}

/// What the sweep of a listing did.
struct Swept {
    deleted: usize,
    /// Objects unreferenced when listed but kept (recorded recently, or referenced since): the
    /// listing must be done again.
    undecided: usize,
}

/// Claims and deletes the orphans among `objects`.
async fn sweep_listed(
    state: &Services,
    objects: &[(String, i64)],
    referenced: &HashSet<String>,
    recorded_before: i64,
    modified_before: i64,
) -> anyhow::Result<Swept> {
    let mut swept = Swept {
        deleted: 0,
        undecided: 0,
    };
    for (key, modified_at) in objects {
        if referenced.contains(key) {
            continue;
        }
        let claim = state
            .store
            .claim_orphan(key, *modified_at, recorded_before, modified_before)
            .await?;
        if claim == Claim::Delete {
            state.blobs.delete(std::slice::from_ref(key)).await;
            swept.deleted += 1;
        } else {
            swept.undecided += 1;
        }
    }
    Ok(swept)
}

/// Removes the old records of `scope` whose object is not among `listed` (a write that failed).
async fn forget_stale(
    state: &Services,
    scope: KeyScope<'_>,
    recorded_before: i64,
    listed: Vec<(String, i64)>,
) -> anyhow::Result<()> {
    let present: HashSet<String> = listed.into_iter().map(|(key, _)| key).collect();
    state
        .store
        .forget_stale_records_in(scope, recorded_before, &present)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_last_daily_and_weekly() {
        let policy = SafeguardPolicy {
            interval_seconds: 3600,
            keep_last: 3,
            keep_daily: 2,
            keep_weekly: 2,
        };
        // Hourly for 20 days, newest first; day 0 starts on Monday 2026-01-05.
        let monday = 1_767_571_200;
        let taken: Vec<(i64, i64)> = (0..480).rev().map(|h| (h, monday + h * 3600)).collect();
        let keep = retained(&taken, &policy);
        // Last 3 (479, 478, 477), newest of the last 2 days (479, 455), newest of the last 2 weeks
        // (week 3 = days 14..20: 479; week 2 = days 7..13: hour 335).
        let mut kept: Vec<i64> = keep.into_iter().collect();
        kept.sort_unstable();
        assert_eq!(kept, vec![335, 455, 477, 478, 479]);
        assert!(retained(&[], &policy).is_empty());
    }
}
