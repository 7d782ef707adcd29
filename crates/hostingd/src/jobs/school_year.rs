//! The school year's jobs, driven by the service clock: the yearly upgrade on the day each
//! school chose, the year-end archive of each schedule's active base, and the new base of
//! September. Each is due on or after its day (a service that was down catches up) and is
//! written with a ledger row in the transaction of its effect, so that a second run does
//! nothing twice.

use hosting_api::ServerState;
use serde_json::json;

use super::Services;
use super::notices::server_stopped;
use super::{JobReport, take_safeguard};
use crate::base_files::{self, copy_files, keys_of};
use crate::fault::{Fault, FaultPoint};
use crate::rules::school_year::{MonthDay, RETRY_DAYS_AFTER_WINDOW, school_year, start_of};
use crate::store::{Actor, ArchiveCandidate, DueUpgrade, ScheduleRow, YearStep};

/// The days of the year's jobs.
#[derive(Debug, Clone, Copy)]
pub struct YearDays {
    /// The year-end archive (default 31 July).
    pub archive: MonthDay,
    /// The new base of September, made at the end of August (default 31 August).
    pub new_base: MonthDay,
}

/// Runs the school year's jobs that are due today.
pub(super) async fn run(
    state: &Services,
    lease: &mut super::RunLease<'_>,
    report: &mut JobReport,
) -> anyhow::Result<()> {
    let today = state.store.clock().today();
    let days = state.settings.year;
    let archive_day = days.archive.in_year(today.year());
    let new_base_day = days.new_base.in_year(today.year()).max(archive_day);
    // Between the archive day and the new base's day: the year that ends is archived.
    if today >= archive_day && today < new_base_day {
        archive_year(state, today.year() - 1, start_of(archive_day), report).await?;
    }
    upgrades(state, lease, report).await?;
    contract_reminders(state, report).await?;
    // From the new base's day to the end of the calendar year: the year that starts.
    if today >= new_base_day {
        // Archives missed by a service down on every day between the two days come first.
        archive_year(state, today.year() - 1, start_of(archive_day), report).await?;
        september_bases(state, today.year(), start_of(archive_day), report).await?;
    }
    Ok(())
}

/// Archives the active base of every schedule as the base of the school year starting in
/// `start_year`.
async fn archive_year(
    state: &Services,
    start_year: i32,
    archive_start: i64,
    report: &mut JobReport,
) -> anyhow::Result<()> {
    let year = school_year(start_year);
    for candidate in state.store.archive_candidates(&year, archive_start).await? {
        if let Err(error) = archive_one(state, &candidate, &year, report).await {
            tracing::error!(schedule = candidate.schedule_id, %error, "the year-end archive of a schedule failed; it is tried again at the next run");
        }
    }
    Ok(())
}

async fn archive_one(
    state: &Services,
    candidate: &ArchiveCandidate,
    year: &str,
    report: &mut JobReport,
) -> Result<(), Fault> {
    let files = state.store.base_files(candidate.base_id).await?;
    let copies = copy_files(
        &state.store,
        &state.blobs,
        candidate.account_id,
        files.into_iter().map(Into::into).collect(),
        "years",
    )
    .await?;
    match state.store.record_archive(candidate, year, &copies).await {
        Ok(true) => {
            report.years_archived += 1;
            Ok(())
        }
        Ok(false) => {
            state.blobs.delete(&keys_of(&copies)).await;
            Ok(())
        }
        Err(error) => {
            state.blobs.delete(&keys_of(&copies)).await;
            Err(error.into())
        }
    }
}

/// The ledger's step of the new base of September.
const SEPTEMBER_BASE: &str = "september_base";

/// Gives a new empty base to each schedule with no base put online since the archive. Each
/// schedule's ledger row is claimed before anything is done to it, so that two runs (one that
/// outlived its lease and the next, on another instance) never both shut a server down; a
/// failure releases it for the next day.
async fn september_bases(
    state: &Services,
    start_year: i32,
    archive_start: i64,
    report: &mut JobReport,
) -> anyhow::Result<()> {
    let year = school_year(start_year);
    let today_start = start_of(state.store.clock().today());
    for candidate in state
        .store
        .september_candidates(&year, archive_start, today_start)
        .await?
    {
        let schedule_id = candidate.schedule_id;
        if !state
            .store
            .claim_year_step(SEPTEMBER_BASE, &year, schedule_id, today_start)
            .await?
        {
            continue;
        }
        if candidate.online_since {
            state
                .store
                .record_year_step(SEPTEMBER_BASE, &year, schedule_id, "skipped:online")
                .await?;
            continue;
        }
        let actor = Actor::service(candidate.account_id);
        match september_base(state, &actor, schedule_id, &year).await {
            Ok(()) => report.september_bases += 1,
            Err(error) => {
                tracing::error!(schedule = schedule_id, %error, "the new base of September could not be made; it is tried again tomorrow");
                state
                    .store
                    .fail_year_step(SEPTEMBER_BASE, &year, schedule_id)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Makes the new base of one schedule whose ledger row this run claimed: a running server is
/// shut down, the empty base made and opened, then activated (with a domain). Any failure after
/// the shutdown puts the base that ran back online.
async fn september_base(
    state: &Services,
    actor: &Actor,
    schedule_id: i64,
    year: &str,
) -> Result<(), Fault> {
    let schedule = state.store.schedule(actor.account_id, schedule_id).await?;
    let was_running = schedule.server_state == ServerState::Running;
    if was_running {
        state
            .faults
            .pass(FaultPoint::SeptemberBeforeShutdown)
            .await?;
        state.endpoints.shutdown(actor, schedule_id).await?;
    }
    let made: Result<(), Fault> = async {
        state
            .faults
            .pass(FaultPoint::SeptemberAfterShutdown)
            .await?;
        let ledger = YearStep {
            step: SEPTEMBER_BASE,
            school_year: year,
        };
        base_files::make_empty_base(
            &state.store,
            &state.blobs,
            state.settings.quota(),
            actor,
            schedule_id,
            &hosting_api::bases::TimeGrid::default(),
            Some(ledger),
        )
        .await?;
        if schedule.domain.is_some() {
            state.endpoints.activate(actor, schedule_id).await?;
        }
        Ok(())
    }
    .await;
    if made.is_err() && was_running {
        put_back_online(state, actor, &schedule).await;
    }
    made
}

/// Opens the base that ran before a failed September base again and starts its server; a
/// server that does not start again is notified (`server_stopped`).
async fn put_back_online(state: &Services, actor: &Actor, schedule: &ScheduleRow) {
    let restarted: Result<(), Fault> = async {
        state.faults.pass(FaultPoint::SeptemberPutBack).await?;
        if let Some(base_id) = schedule.active_base_id {
            state
                .store
                .reopen_base(actor.account_id, schedule.id, base_id)
                .await?;
        }
        state.endpoints.activate(actor, schedule.id).await
    }
    .await;
    if let Err(error) = restarted {
        tracing::error!(schedule = schedule.id, %error, "a server could not start again on its base after the new base of September failed");
        server_stopped(state, actor, schedule.id, SEPTEMBER_BASE, &error).await;
    }
}

/// Runs the upgrades due today. Between two schools the run's lease is renewed, so that a day
/// of many upgrades does not outlast it and let another instance start the jobs meanwhile.
async fn upgrades(
    state: &Services,
    lease: &mut super::RunLease<'_>,
    report: &mut JobReport,
) -> anyhow::Result<()> {
    let today = state.store.clock().today();
    state.store.release_stale_upgrades(today).await?;
    for due in state.store.due_upgrades(today).await? {
        // The remaining upgrades wait for the next run once the lease is lost.
        if !lease.renew().await? {
            return Ok(());
        }
        if !state.store.claim_upgrade(&due, today).await? {
            continue;
        }
        match upgrade_account(state, &due).await {
            Ok(()) => {
                state.store.finish_upgrade(&due).await?;
                report.upgrades_done += 1;
            }
            Err((step, reason)) => {
                let window_end = due.release.release()?.window_end;
                let give_up = today > window_end + time::Duration::days(RETRY_DAYS_AFTER_WINDOW);
                if give_up {
                    tracing::error!(account = due.account_id, to = %due.release.version, %reason, "an upgrade kept failing after its window and was given up: upgrade this school by hand");
                } else {
                    tracing::warn!(account = due.account_id, to = %due.release.version, %reason, "an upgrade failed; it is tried again tomorrow");
                }
                state
                    .store
                    .fail_upgrade(&due, step, &reason, give_up)
                    .await?;
                report.upgrades_failed += 1;
            }
        }
    }
    Ok(())
}

/// A schedule converted by an upgrade, to put back if a later step fails.
struct Converted {
    schedule_id: i64,
    old_base_id: i64,
    was_running: bool,
}

/// Upgrades one school: a safeguard of each running base, then each schedule's active base
/// converted and opened (its server stopped and restarted around it). On failure everything is
/// put back as it was: `Err((step, reason))`.
async fn upgrade_account(state: &Services, due: &DueUpgrade) -> Result<(), (&'static str, String)> {
    let account_id = due.account_id;
    let actor = Actor::service(account_id);
    let schedules = state
        .store
        .schedules(account_id)
        .await
        .map_err(|e| ("start", e.to_string()))?;
    let running: Vec<_> = state
        .store
        .running_schedules()
        .await
        .map_err(|e| ("start", e.to_string()))?
        .into_iter()
        .filter(|r| r.account_id == account_id)
        .collect();
    let now = state.store.now();
    for schedule in &running {
        match take_safeguard(state, schedule, now).await {
            Ok(id) => {
                let step = state
                    .store
                    .record_upgrade_step(
                        account_id,
                        "upgrade.safeguard",
                        json!({"schedule_id": schedule.schedule_id, "safeguard_id": id}),
                    )
                    .await;
                if let Err(error) = step {
                    return Err(("safeguard", error.to_string()));
                }
            }
            Err(failure) => {
                return Err((
                    "safeguard",
                    format!(
                        "the safeguard of {} could not be taken ({})",
                        schedule.name, failure.reason
                    ),
                ));
            }
        }
    }
    let mut converted: Vec<Converted> = Vec::new();
    for schedule in schedules.iter().filter(|s| s.active_base_id.is_some()) {
        let Some(old_base_id) = schedule.active_base_id else {
            continue;
        };
        let was_running = schedule.server_state == ServerState::Running;
        let step = convert_schedule(
            state,
            &actor,
            due,
            schedule.id,
            &schedule.name,
            old_base_id,
            was_running,
        )
        .await;
        match step {
            Ok(()) => converted.push(Converted {
                schedule_id: schedule.id,
                old_base_id,
                was_running,
            }),
            Err((step, reason)) => {
                put_back(state, &actor, &converted).await;
                return Err((step, reason));
            }
        }
    }
    Ok(())
}

/// The files of a base whose stored bytes still have the SHA-256 recorded when they were loaded;
/// a damaged base is refused with the sentence of what to do.
async fn intact_files(
    state: &Services,
    name: &str,
    base_id: i64,
) -> Result<Vec<crate::store::BaseFileRow>, (&'static str, String)> {
    let failed = |e: Fault| ("convert", e.to_string());
    let files = state
        .store
        .base_files(base_id)
        .await
        .map_err(|e| failed(e.into()))?;
    for file in &files {
        let parts = state
            .store
            .blob_parts(file.blob_id)
            .await
            .map_err(|e| failed(e.into()))?;
        let actual = state.blobs.sha256(parts).await.map_err(failed)?;
        if actual != file.sha256 {
            return Err((
                "convert",
                format!(
                    "the stored file {} of {name} is damaged (its SHA-256 is not the one recorded when it was loaded); restore a safeguard of {name}, or load the base again",
                    file.filename
                ),
            ));
        }
    }
    Ok(files)
}

/// Converts the active base of one schedule: its stored bytes are checked against their
/// SHA-256 (a damaged base is not converted), copied as a base of the new version and opened;
/// a running server is stopped around it and started again. A server that cannot start again
/// is put back on its old base.
async fn convert_schedule(
    state: &Services,
    actor: &Actor,
    due: &DueUpgrade,
    schedule_id: i64,
    name: &str,
    old_base_id: i64,
    was_running: bool,
) -> Result<(), (&'static str, String)> {
    let failed = |step: &'static str| move |e: Fault| (step, e.to_string());
    let files = intact_files(state, name, old_base_id).await?;
    let copies = copy_files(
        &state.store,
        &state.blobs,
        actor.account_id,
        files.iter().cloned().map(Into::into).collect(),
        "upgrades",
    )
    .await
    .map_err(failed("convert"))?;
    let keys = keys_of(&copies);
    if was_running && let Err(error) = state.endpoints.shutdown(actor, schedule_id).await {
        state.blobs.delete(&keys).await;
        return Err(("restart", error.to_string()));
    }
    let recorded = state
        .store
        .record_converted_base(
            actor.account_id,
            schedule_id,
            old_base_id,
            &copies,
            &due.release.version,
        )
        .await;
    if let Err(error) = recorded {
        state.blobs.delete(&keys).await;
        if was_running && let Err(error) = state.endpoints.activate(actor, schedule_id).await {
            server_stopped(state, actor, schedule_id, "upgrade", &error).await;
        }
        return Err(("convert", error.to_string()));
    }
    if was_running {
        if let Err(error) = state.endpoints.activate(actor, schedule_id).await {
            put_back(
                state,
                actor,
                &[Converted {
                    schedule_id,
                    old_base_id,
                    was_running: false,
                }],
            )
            .await;
            if let Err(error) = state.endpoints.activate(actor, schedule_id).await {
                server_stopped(state, actor, schedule_id, "upgrade", &error).await;
            }
            return Err(("restart", error.to_string()));
        }
        let _ = state
            .store
            .record_upgrade_step(
                actor.account_id,
                "upgrade.restarted",
                json!({"schedule_id": schedule_id, "version": due.release.version}),
            )
            .await;
    }
    Ok(())
}

/// Puts the schedules converted so far back on their old base, running again if they were.
async fn put_back(state: &Services, actor: &Actor, converted: &[Converted]) {
    for c in converted {
        if c.was_running {
            let _ = state.endpoints.shutdown(actor, c.schedule_id).await;
        }
        if let Err(error) = state
            .store
            .reopen_base(actor.account_id, c.schedule_id, c.old_base_id)
            .await
        {
            tracing::error!(schedule = c.schedule_id, %error, "a schedule could not be put back on its base after a failed upgrade");
            if c.was_running {
                let error = Fault::from(error);
                server_stopped(state, actor, c.schedule_id, "upgrade", &error).await;
            }
            continue;
        }
        if c.was_running
            && let Err(error) = state.endpoints.activate(actor, c.schedule_id).await
        {
            tracing::error!(schedule = c.schedule_id, %error, "a schedule could not be restarted after a failed upgrade");
            server_stopped(state, actor, c.schedule_id, "upgrade", &error).await;
        }
    }
}

/// E-mails the manager of each contract that ends within a reminder's days (60, 30 and 7 by
/// default): one e-mail per threshold reached, and one only when a service that was down
/// passed several (the ledger records them all).
async fn contract_reminders(state: &Services, report: &mut JobReport) -> anyhow::Result<()> {
    let thresholds = &state.settings.contract_reminder_days;
    let Some(&largest) = thresholds.first() else {
        return Ok(());
    };
    let today = state.store.clock().today();
    let last = today + time::Duration::days(largest);
    for contract in state
        .store
        .contracts_ending(
            &crate::rules::school_year::iso(today),
            &crate::rules::school_year::iso(last),
        )
        .await?
    {
        let Some(ends_on) = crate::rules::school_year::parse_date(&contract.contract_ends_on)
        else {
            continue;
        };
        let left = (ends_on - today).whole_days();
        let covers: Vec<i64> = thresholds.iter().copied().filter(|t| *t >= left).collect();
        let Some(&smallest) = covers.last() else {
            continue;
        };
        let message = crate::messages::contract_ending_email(&contract.school_name, ends_on, left);
        if state
            .store
            .send_contract_reminder(&contract, smallest, &covers, &message)
            .await?
        {
            report.contract_reminders += 1;
        }
    }
    Ok(())
}
