//! Background jobs, one runner at once: expiry of unfinished uploads, safeguards of the active
//! bases and their retention. They read the service clock, so tests move time instead of waiting.

use std::collections::HashSet;

use crate::http::AppState;
use crate::store::Actor;

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

/// Objects written this long ago (wall clock) and referenced by nothing are deleted: an object
/// is written before the transaction that records it, so younger ones may be in flight.
pub const ORPHAN_GRACE_SECONDS: i64 = 6 * 3600;
/// Seconds between two sweeps of the blob store.
pub const SWEEP_EVERY_SECONDS: u64 = 3600;

/// What the runner remembers between runs.
#[derive(Debug, Default)]
pub struct JobMemory {
    last_sweep: Option<std::time::Instant>,
}

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

/// Runs what is due now.
pub async fn run_due(state: &AppState) -> anyhow::Result<JobReport> {
    let mut memory = state.jobs.lock().await;
    let mut report = JobReport::default();
    let sweep_due = memory
        .last_sweep
        .is_none_or(|at| at.elapsed().as_secs() >= SWEEP_EVERY_SECONDS);
    if sweep_due {
        memory.last_sweep = Some(std::time::Instant::now());
        report.orphans_deleted = sweep_orphans(state).await?;
    }
    let now = state.store.now();
    for (account_id, id) in state.store.expired_uploads(now).await? {
        let actor = Actor {
            account_id,
            label: "service".to_string(),
            workstation_id: None,
        };
        match state.store.delete_upload(&actor, &id).await {
            Ok(keys) => {
                state.blobs.delete(&keys).await;
                state.uploads.forget(&id);
                report.expired_uploads += 1;
            }
            Err(error) => tracing::warn!(upload = %id, %error, "an expired upload was not deleted"),
        }
    }
    let policy = &state.settings.safeguards;
    for running in state.store.running_schedules().await? {
        let existing = state
            .store
            .safeguards(running.account_id, running.schedule_id)
            .await?;
        let due = existing.first().is_none_or(|last| {
            last.taken_at + policy.interval_seconds <= now || last.base_id != running.active_base_id
        });
        let mut taken: Vec<(i64, i64)> = existing.iter().map(|g| (g.id, g.taken_at)).collect();
        if due {
            // Every file of the base, as it is now (hard links on a local directory).
            let files = state.store.base_files(running.active_base_id).await?;
            if !files.iter().any(|f| f.kind == "base") {
                continue;
            }
            let prefix = format!("safeguards/{}", hex::encode(rand::random::<[u8; 16]>()));
            let mut base = None;
            let mut companions = Vec::new();
            let mut keys = Vec::new();
            for file in files {
                let parts = state.store.blob_parts(file.blob_id).await?;
                let copies = match state
                    .blobs
                    .copy_parts(&parts, &format!("{prefix}/{}", file.kind))
                    .await
                {
                    Ok(copies) => copies,
                    Err(error) => {
                        state.blobs.delete(&keys).await;
                        return Err(error.into());
                    }
                };
                keys.extend(copies.iter().map(|p| p.object_key.clone()));
                let copy = (file.kind.clone(), file.filename, file.sha256, copies);
                if file.kind == "base" {
                    base = Some(copy);
                } else {
                    companions.push(copy);
                }
            }
            let Some(base) = base else { continue };
            match state
                .store
                .record_safeguard(&running, &base, &companions, now)
                .await
            {
                Ok(id) => {
                    taken.insert(0, (id, now));
                    report.safeguards_taken += 1;
                }
                Err(error) => {
                    state.blobs.delete(&keys).await;
                    return Err(error.into());
                }
            }
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
                .await?;
            state.blobs.delete(&keys).await;
            report.safeguards_pruned += drop.len();
        }
    }
    Ok(report)
}

/// Deletes the objects that no blob and no upload refers to, once they are old enough.
pub async fn sweep_orphans(state: &AppState) -> anyhow::Result<usize> {
    let cutoff = time::OffsetDateTime::now_utc().unix_timestamp() - ORPHAN_GRACE_SECONDS;
    let old = state.blobs.older_than(cutoff).await?;
    let orphans = state.store.unreferenced(&old).await?;
    if !orphans.is_empty() {
        tracing::info!(count = orphans.len(), "deleting orphan objects");
        state.blobs.delete(&orphans).await;
    }
    Ok(orphans.len())
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
