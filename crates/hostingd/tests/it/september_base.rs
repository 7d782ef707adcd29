//! The new base of September when something goes wrong (issue 23): each schedule's ledger row
//! is claimed before its server is shut down, so two runs never both shut it down; a failure
//! after the shutdown puts the base that ran back online, and a server that cannot start again
//! is notified. Faults are made with the service's fault points (`hostingd::fault`).
#![allow(clippy::unwrap_used)]

use crate::common::TestService;
use crate::school_year::{day, next_july_first, run, school_with_two_running_schedules, service};
use hosting_api::{BaseOrigin, NotificationKind, ServerState};
use hostingd::fault::FaultPoint;
use hostingd::store::NotificationScope;
use time::Month;

/// Each schedule's server state and active base, from the store (no session needed).
async fn servers(t: &TestService, account_id: i64) -> Vec<(i64, ServerState, Option<i64>)> {
    t.store()
        .schedules(account_id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.server_state, s.active_base_id))
        .collect()
}

/// The bases the service created on a schedule (the September bases).
async fn created(t: &TestService, account_id: i64, schedule_id: i64) -> usize {
    let bases = t.store().bases(account_id, schedule_id).await.unwrap();
    bases
        .iter()
        .filter(|(b, _)| b.origin == BaseOrigin::Created)
        .count()
}

/// The September step's outcome in a schedule's ledger.
async fn september_step(t: &TestService, schedule_id: i64) -> Option<String> {
    let steps = t.store().year_steps(schedule_id).await.unwrap();
    steps
        .into_iter()
        .find(|(step, _, _)| step == "september_base")
        .map(|(_, _, outcome)| outcome)
}

/// The `server_stopped` notifications of the account, and the e-mails that tell the manager.
async fn stopped_told(t: &TestService, account_id: i64) -> (usize, usize) {
    let scope = NotificationScope::Manager { workstation_id: 0 };
    let list = t
        .store()
        .notifications(account_id, "manager", &scope, 100)
        .await
        .unwrap();
    let notified = list
        .items
        .iter()
        .filter(|n| n.kind == NotificationKind::ServerStopped.as_str())
        .filter(|n| n.detail.contains("\"cause\":\"september_base\""))
        .count();
    let manager = t.store().account_by_id(account_id).await.unwrap().email;
    let outbox = t.store().outbox(Some(account_id)).await.unwrap();
    let mailed = outbox
        .iter()
        .filter(|m| m.subject.contains("is stopped") && m.recipient == manager)
        .count();
    (notified, mailed)
}

#[tokio::test]
async fn a_failure_after_the_shutdown_puts_the_old_base_back_online_and_is_tried_tomorrow() {
    let t = service().await;
    let (s, _, _) = school_with_two_running_schedules(&t).await;
    let before = servers(&t, s.account_id).await;
    assert!(
        before
            .iter()
            .all(|(_, state, _)| *state == ServerState::Running)
    );
    let y = next_july_first().year();
    t.clock.advance_to_day(day(y, Month::August, 31), 9);
    // The blob store (say) fails once the servers are shut down.
    let faults = &t.service.state.faults;
    faults.fail_at(FaultPoint::SeptemberAfterShutdown);
    assert_eq!(run(&t).await.september_bases, 0);
    // Both schedules run the base they ran before, and nobody is told of a stopped server.
    assert_eq!(servers(&t, s.account_id).await, before);
    assert_eq!(stopped_told(&t, s.account_id).await, (0, 0));
    assert_eq!(
        september_step(&t, s.schedule_id).await.as_deref(),
        Some("failed")
    );
    assert_eq!(created(&t, s.account_id, s.schedule_id).await, 0);

    // Not tried again the same day, even once the fault is gone; the next day it is.
    faults.clear(FaultPoint::SeptemberAfterShutdown);
    assert_eq!(run(&t).await.september_bases, 0);
    t.clock.advance_to_day(day(y, Month::September, 1), 9);
    assert_eq!(run(&t).await.september_bases, 2);
    for (schedule_id, state, active) in servers(&t, s.account_id).await {
        assert_eq!(state, ServerState::Running);
        assert_eq!(created(&t, s.account_id, schedule_id).await, 1);
        let old = before.iter().find(|(id, _, _)| *id == schedule_id).unwrap();
        assert_ne!(active, old.2, "the new base is the active one");
        assert_eq!(
            september_step(&t, schedule_id).await.as_deref(),
            Some("done")
        );
    }
    assert_eq!(run(&t).await.september_bases, 0);
}

#[tokio::test]
async fn a_server_that_cannot_start_again_after_a_failed_september_base_is_notified() {
    let t = service().await;
    let (s, _, _) = school_with_two_running_schedules(&t).await;
    let y = next_july_first().year();
    t.clock.advance_to_day(day(y, Month::August, 31), 9);
    let faults = &t.service.state.faults;
    faults.fail_at(FaultPoint::SeptemberAfterShutdown);
    faults.fail_at(FaultPoint::SeptemberPutBack);
    assert_eq!(run(&t).await.september_bases, 0);
    assert!(
        servers(&t, s.account_id)
            .await
            .iter()
            .all(|(_, state, _)| *state == ServerState::Stopped)
    );
    // One notification and one e-mail to the manager for each schedule left stopped.
    assert_eq!(stopped_told(&t, s.account_id).await, (2, 2));
}

#[tokio::test]
async fn two_runs_never_both_shut_a_server_down() {
    let t = service().await;
    let (s, _, _) = school_with_two_running_schedules(&t).await;
    let y = next_july_first().year();
    t.clock.advance_to_day(day(y, Month::August, 31), 9);
    // The first run stops just before it shuts planning01's server down, and stays there longer
    // than its lease: the next run (another instance's, say) takes the lease meanwhile.
    let mut paused = t
        .service
        .state
        .faults
        .pause_at(FaultPoint::SeptemberBeforeShutdown);
    let first = t.service.run_jobs();
    let second = async {
        paused.reached().await;
        t.clock.advance(hostingd::jobs::RUN_LEASE_SECONDS + 1);
        let report = t.service.run_jobs().await.unwrap();
        paused.resume();
        report
    };
    let (first, second) = tokio::join!(first, second);
    // Each schedule got one new base, from one of the runs, and runs it.
    assert_eq!(first.unwrap().september_bases + second.september_bases, 2);
    for (schedule_id, state, _) in servers(&t, s.account_id).await {
        assert_eq!(state, ServerState::Running, "schedule {schedule_id}");
        assert_eq!(created(&t, s.account_id, schedule_id).await, 1);
    }
    assert_eq!(stopped_told(&t, s.account_id).await, (0, 0));
}
