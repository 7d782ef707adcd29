//! The school year on the service clock: the clock walks a school through a summer, from the
//! pre-release in July to the new base of September, and each job runs twice on its day with no
//! second effect. Workstations enroll before the clock moves (their certificates are checked by
//! TLS against the real time), and log in again after each jump.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::files::{School, upload, write_file};
use common::{SUPERADMIN_PASSWORD, TestService, assert_api_error};
use hosting_api::{
    BaseOrigin, Client, LoadBase, LoadYearBase, ScheduleUpdate, ServerState, UpgradeChoice,
    UpgradeStatus, YearOrigin,
};
use hostingd::jobs::JobReport;
use time::{Date, Month};

/// 1 July of the next summer: time only moves forward.
pub(crate) fn next_july_first() -> Date {
    let today = time::OffsetDateTime::now_utc().date();
    let year = if today < Date::from_calendar_date(today.year(), Month::July, 1).unwrap() {
        today.year()
    } else {
        today.year() + 1
    };
    Date::from_calendar_date(year, Month::July, 1).unwrap()
}

pub(crate) fn day(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap()
}

/// A service whose background runner waits a day: the test runs the jobs itself. Certificates
/// last long enough for the walk.
pub(crate) async fn service() -> TestService {
    TestService::start_with(|c| {
        c.job_interval_seconds = 86_400;
        c.cert_lifetime_days = 800;
    })
    .await
}

/// Moves the clock to 09:00 UTC of `date`, and logs the clients in again.
async fn go_to(service: &TestService, date: Date, clients: &[(&Client, &str)]) {
    service.clock.advance_to_day(date, 9);
    for (client, password) in clients {
        client.login(password).await.unwrap();
    }
}

pub(crate) async fn run(service: &TestService) -> JobReport {
    service.service.run_jobs().await.unwrap()
}

/// What the school year's jobs did in a run: (upgrades done, failed, years archived, September
/// bases). A run also takes the safeguards of bases that changed, which is not the year's.
fn year_effects(report: &JobReport) -> (usize, usize, usize, usize) {
    (
        report.upgrades_done,
        report.upgrades_failed,
        report.years_archived,
        report.september_bases,
    )
}

/// Loads a fresh base on a stopped schedule, opens and activates it; returns its id.
async fn put_online(s: &School, schedule_id: i64, name: &str, seed: u8) -> i64 {
    let path = write_file(s.dir.path(), name, 200_000 + usize::from(seed), seed);
    let upload_id = upload(&s.client, &path).await;
    let base = s
        .client
        .load_base(
            schedule_id,
            &LoadBase {
                upload_id,
                companions: vec![],
            },
        )
        .await
        .unwrap();
    s.client.open_base(base.id).await.unwrap();
    s.client.activate(schedule_id).await.unwrap();
    base.id
}

/// The school: planning01 and planning02 with a domain each, both running a base; the
/// superadministrator is a member of planning01's Administration profile.
pub(crate) async fn school_with_two_running_schedules(
    service: &TestService,
) -> (School, i64, String) {
    let s = common::files::school(service, "Lycee Ete").await;
    let schedules = s.manager.schedules().await.unwrap();
    let planning02 = schedules[1].id;
    s.manager
        .update_schedule(
            planning02,
            &ScheduleUpdate {
                domain: Some("lycee-ete-p2".to_string()),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .unwrap();
    let users = s.manager.users().await.unwrap();
    let spr = users
        .iter()
        .find(|u| u.username == format!("spr{}", s.account_id))
        .unwrap();
    s.manager
        .set_profile_members(s.schedule_id, "Administration", &[spr.id])
        .await
        .unwrap();
    put_online(&s, s.schedule_id, "Ete 2026.HNOT", 1).await;
    put_online(&s, planning02, "Ete P2 2026.HNOT", 2).await;
    let password = service_password(service, s.account_id).await;
    (s, planning02, password)
}

/// The manager's console password, read from the SMS of the outbox.
async fn service_password(service: &TestService, account_id: i64) -> String {
    let outbox = service.store().outbox(Some(account_id)).await.unwrap();
    let sms = outbox.iter().find(|m| m.channel == "sms").unwrap();
    common::password_in_sms(&sms.body)
}

fn actions(entries: &[hostingd::store::AuditEntry]) -> Vec<String> {
    entries.iter().map(|e| e.action.clone()).collect()
}

#[tokio::test]
async fn the_summer_from_1_july_to_15_september() {
    let service = service().await;
    let (s, planning02, manager_password) = school_with_two_running_schedules(&service).await;
    let july = next_july_first();
    let y = july.year();
    let version = y.to_string();
    hostingd::operator::publish_release(
        service.store(),
        &version,
        &format!("{y}-07-01"),
        &format!("{y}-08-21..{y}-08-24"),
    )
    .await
    .unwrap();
    let clients = [
        (&s.client, SUPERADMIN_PASSWORD),
        (&s.manager, manager_password.as_str()),
    ];

    // 30 June: the pre-release is not open yet, and the refusal gives its date.
    go_to(&service, day(y, Month::June, 30), &clients).await;
    let upgrade = s.manager.upgrade().await.unwrap();
    assert_eq!(upgrade.current_version, "2026");
    assert_eq!(upgrade.next_version.as_deref(), Some(version.as_str()));
    assert_eq!(upgrade.state, UpgradeStatus::Pending);
    assert_eq!(upgrade.effective_date, Some(format!("{y}-08-21")));
    assert_eq!(upgrade.today, format!("{y}-06-30"));
    let early = s
        .manager
        .choose_upgrade(&UpgradeChoice {
            prerelease: Some(true),
            ..UpgradeChoice::default()
        })
        .await;
    match &early {
        Err(hosting_api::ClientError::Api { message, .. }) => {
            assert!(message.contains(&format!("{y}-07-01")), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_api_error(early, 409, "prerelease_not_yet");

    // 1 July: the school chooses 22 August; a day outside the window, a past day and a day
    // that is no day are refused and change nothing.
    go_to(&service, july, &clients).await;
    let audit = service.audit_count(s.account_id).await;
    for (chosen, code) in [
        (format!("{y}-08-25"), "upgrade_date_outside_window"),
        (format!("{y}-06-30"), "upgrade_date_past"),
        ("22/08".to_string(), "invalid_date"),
    ] {
        let choice = UpgradeChoice {
            chosen_date: Some(chosen),
            ..UpgradeChoice::default()
        };
        assert_api_error(s.client.choose_upgrade(&choice).await, 422, code);
    }
    assert_eq!(service.audit_count(s.account_id).await, audit);
    let chosen = s
        .client
        .choose_upgrade(&UpgradeChoice {
            chosen_date: Some(format!("{y}-08-22")),
            ..UpgradeChoice::default()
        })
        .await
        .unwrap();
    assert_eq!(chosen.chosen_date, Some(format!("{y}-08-22")));
    assert_eq!(chosen.effective_date, Some(format!("{y}-08-22")));
    assert_eq!(s.manager.upgrade().await.unwrap(), chosen);

    // 30 July: nothing archived yet; the last finished year is the one before.
    go_to(&service, day(y, Month::July, 30), &clients).await;
    assert_eq!(run(&service).await.years_archived, 0);
    let years = s.client.schedule_years(s.schedule_id).await.unwrap();
    assert_eq!(years.years[0].school_year, format!("{}-{}", y - 2, y - 1));
    assert!(years.years.iter().all(|c| c.base.is_none()));
    assert!(years.may_change);
    assert!(
        !s.manager
            .schedule_years(s.schedule_id)
            .await
            .unwrap()
            .may_change
    );

    // 31 July: each schedule's active base is archived as the year that ends; the servers run
    // on. A second run the same day does nothing.
    go_to(&service, day(y, Month::July, 31), &clients).await;
    assert_eq!(run(&service).await.years_archived, 2);
    assert_eq!(year_effects(&run(&service).await), (0, 0, 0, 0));
    let finished = format!("{}-{y}", y - 1);
    for (schedule_id, name) in [(s.schedule_id, "Ete 2026"), (planning02, "Ete P2 2026")] {
        let years = s.client.schedule_years(schedule_id).await.unwrap();
        assert_eq!(years.years.len(), 5);
        assert_eq!(years.years[0].school_year, finished);
        let archived = years.years[0].base.as_ref().unwrap();
        assert_eq!(
            (
                archived.name.as_str(),
                archived.origin,
                archived.version.as_deref()
            ),
            (name, YearOrigin::Archive, Some("2026"))
        );
        assert!(years.years[1..].iter().all(|c| c.base.is_none()));
    }
    let schedules = s.client.schedules().await.unwrap();
    assert!(
        schedules
            .iter()
            .all(|x| x.server.state == ServerState::Running)
    );

    // 5 August: planning02 gets a new base online (the new year's); planning01 keeps last year's.
    go_to(&service, day(y, Month::August, 5), &clients).await;
    s.client.shutdown(planning02).await.unwrap();
    put_online(&s, planning02, "Ete P2 new year.HNOT", 3).await;

    // 21 August: the school chose the 22nd, nothing happens.
    go_to(&service, day(y, Month::August, 21), &clients).await;
    assert_eq!(run(&service).await.upgrades_done, 0);
    assert_eq!(s.client.upgrade().await.unwrap().current_version, "2026");

    // 22 August: a safeguard of each running base, each active base converted, the servers
    // restarted; every step audited in order; the manager told. Not twice.
    go_to(&service, day(y, Month::August, 22), &clients).await;
    let before = service.store().audit_log(s.account_id).await.unwrap().len();
    let report = run(&service).await;
    assert_eq!((report.upgrades_done, report.upgrades_failed), (1, 0));
    assert_eq!(year_effects(&run(&service).await), (0, 0, 0, 0));
    let upgrade = s.client.upgrade().await.unwrap();
    assert_eq!(upgrade.current_version, version);
    assert_eq!(upgrade.state, UpgradeStatus::Done);
    let log = service.store().audit_log(s.account_id).await.unwrap();
    let steps: Vec<String> = actions(&log[before..])
        .into_iter()
        .filter(|a| a.starts_with("upgrade."))
        .collect();
    assert_eq!(
        steps,
        [
            "upgrade.started",
            "upgrade.safeguard",
            "upgrade.safeguard",
            "upgrade.converted",
            "upgrade.restarted",
            "upgrade.converted",
            "upgrade.restarted",
            "upgrade.done"
        ]
    );
    let safeguards = service
        .store()
        .safeguards(s.account_id, s.schedule_id)
        .await
        .unwrap();
    assert!(
        safeguards[0].taken_at >= service.store().clock().now() - 3600,
        "a safeguard of the day"
    );
    for schedule in s.client.schedules().await.unwrap() {
        assert_eq!(schedule.server.state, ServerState::Running);
        let active = schedule.server.active_base_id.unwrap();
        let base = s
            .client
            .bases(schedule.id)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.id == active)
            .unwrap();
        assert_eq!(base.origin, BaseOrigin::Upgraded);
        assert_eq!(base.version.as_deref(), Some(version.as_str()));
    }
    let running = service.store().running_schedules().await.unwrap();
    assert!(
        running
            .iter()
            .filter(|r| r.account_id == s.account_id)
            .all(|r| r.version == version)
    );
    let outbox = service.store().outbox(Some(s.account_id)).await.unwrap();
    assert!(
        outbox.iter().any(|m| m
            .subject
            .ends_with(&format!("Your hosted server runs version {version}"))),
        "the manager is told"
    );

    // 31 August: planning01 (no base put online since the archive: its upgraded base is last
    // year's) gets a new empty base, opened and activated; planning02 keeps its new base.
    go_to(&service, day(y, Month::August, 31), &clients).await;
    let p2_active = s.client.schedules().await.unwrap()[1].server.active_base_id;
    let report = run(&service).await;
    assert_eq!(report.september_bases, 1);
    assert_eq!(year_effects(&run(&service).await), (0, 0, 0, 0));
    let schedules = s.client.schedules().await.unwrap();
    let p1 = schedules.iter().find(|x| x.id == s.schedule_id).unwrap();
    assert_eq!(p1.server.state, ServerState::Running);
    let fresh = s
        .client
        .bases(s.schedule_id)
        .await
        .unwrap()
        .into_iter()
        .find(|b| Some(b.id) == p1.server.active_base_id)
        .unwrap();
    assert_eq!(fresh.origin, BaseOrigin::Created);
    assert_eq!(fresh.version.as_deref(), Some(version.as_str()));
    let p2 = schedules.iter().find(|x| x.id == planning02).unwrap();
    assert_eq!(p2.server.active_base_id, p2_active);
    assert_eq!(
        service.store().year_steps(planning02).await.unwrap(),
        [
            ("archive".to_string(), finished.clone(), "done".to_string()),
            (
                "september_base".to_string(),
                format!("{y}-{}", y + 1),
                "skipped:online".to_string()
            )
        ]
    );

    // 15 September: nothing more happens; the archive is still there.
    go_to(&service, day(y, Month::September, 15), &clients).await;
    assert_eq!(year_effects(&run(&service).await), (0, 0, 0, 0));
    let years = s.client.schedule_years(s.schedule_id).await.unwrap();
    assert_eq!(years.years[0].school_year, finished);
    assert!(years.years[0].base.is_some());
    assert_eq!(s.client.upgrade().await.unwrap().state, UpgradeStatus::Done);
}

#[tokio::test]
async fn only_administration_members_replace_and_download_a_year() {
    let service = service().await;
    let (s, planning02, _) = school_with_two_running_schedules(&service).await;
    let july = next_july_first();
    let y = july.year();
    service.clock.advance_to_day(day(y, Month::July, 31), 9);
    s.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    assert_eq!(run(&service).await.years_archived, 2);
    let finished = format!("{}-{y}", y - 1);
    let older = format!("{}-{}", y - 3, y - 2);

    // The manager is not a member of the profile: refused, like a superadministrator who is not.
    let path = write_file(s.dir.path(), "Loaded.HNOT", 123_457, 7);
    let upload_id = upload(&s.client, &path).await;
    let load = LoadYearBase {
        upload_id: upload_id.clone(),
        companions: vec![],
    };
    let manager_password = service_password(&service, s.account_id).await;
    s.manager.login(&manager_password).await.unwrap();
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.manager
            .load_year_base(s.schedule_id, &finished, &load)
            .await,
        403,
        "administration_only",
    );
    assert_api_error(
        s.client.load_year_base(planning02, &finished, &load).await,
        403,
        "administration_only",
    );
    let target = s.dir.path().join("refused.HNOT");
    assert_api_error(
        s.manager
            .download_year_base(s.schedule_id, &finished, &target, |_, _| {})
            .await,
        403,
        "administration_only",
    );
    // A year not finished, or not written as a school year.
    for year in [
        format!("{y}-{}", y + 1),
        "2026".to_string(),
        "2026-2028".to_string(),
    ] {
        assert_api_error(
            s.client.load_year_base(s.schedule_id, &year, &load).await,
            422,
            "invalid_school_year",
        );
    }
    assert_eq!(service.audit_count(s.account_id).await, audit);

    // A member completes an empty year, then replaces the archived one.
    let cell = s
        .client
        .load_year_base(s.schedule_id, &older, &load)
        .await
        .unwrap();
    let base = cell.base.unwrap();
    assert_eq!((base.origin, base.size), (YearOrigin::Loaded, 123_457));
    let replacement = write_file(s.dir.path(), "Replacement.HNOT", 98_765, 8);
    let (_, replacement_sha) = hosting_api::tus::hash_file(&replacement, |_| {}).unwrap();
    let replacement_upload = upload(&s.client, &replacement).await;
    let keys_before = common::files::stored_keys(&service).await;
    let cell = s
        .client
        .load_year_base(
            s.schedule_id,
            &finished,
            &LoadYearBase {
                upload_id: replacement_upload,
                companions: vec![],
            },
        )
        .await
        .unwrap();
    let base = cell.base.unwrap();
    assert_eq!(base.name, "Replacement");
    assert_eq!(base.sha256, replacement_sha);
    // The archive's copy is gone from storage; the live base's files are not.
    let keys_after = common::files::stored_keys(&service).await;
    assert!(
        keys_after.len() < keys_before.len(),
        "{keys_before:?} {keys_after:?}"
    );
    let years = s.client.schedule_years(s.schedule_id).await.unwrap();
    assert_eq!(years.years[0].base.as_ref().unwrap().name, "Replacement");
    assert_eq!(years.years[2].base.as_ref().unwrap().name, "Loaded");

    // The member downloads it with its hash checked.
    let target = s.dir.path().join("downloaded.HNOT");
    let sha = s
        .client
        .download_year_base(s.schedule_id, &finished, &target, |_, _| {})
        .await
        .unwrap();
    assert_eq!(sha, replacement_sha);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&replacement).unwrap()
    );
    let log = service.store().audit_log(s.account_id).await.unwrap();
    let year_actions: Vec<String> = actions(&log)
        .into_iter()
        .filter(|a| a.starts_with("year."))
        .collect();
    assert_eq!(
        year_actions,
        [
            "year.archived",
            "year.archived",
            "year.completed",
            "year.replaced",
            "year.downloaded"
        ]
    );

    // The running server was never touched.
    assert!(
        s.client
            .schedules()
            .await
            .unwrap()
            .iter()
            .all(|x| x.server.state == ServerState::Running)
    );
}

#[tokio::test]
async fn a_damaged_base_fails_the_upgrade_which_keeps_the_old_version_and_tells_the_manager() {
    let service = service().await;
    let (s, _, _) = school_with_two_running_schedules(&service).await;
    let y = next_july_first().year();
    let version = y.to_string();
    hostingd::operator::publish_release(
        service.store(),
        &version,
        &format!("{y}-07-01"),
        &format!("{y}-08-21..{y}-08-24"),
    )
    .await
    .unwrap();
    // Damage the stored bytes of planning02's active base (a disk fault).
    let schedules = s.client.schedules().await.unwrap();
    let p2 = &schedules[1];
    let active_p1 = schedules[0].server.active_base_id;
    let active_p2 = p2.server.active_base_id.unwrap();
    let files = service.store().base_files(active_p2).await.unwrap();
    let parts = service.store().blob_parts(files[0].blob_id).await.unwrap();
    // Written anew in place (a local directory replaces the file, so the safeguards that share
    // its bytes through a hard link keep theirs).
    let damaged = vec![0x5a_u8; usize::try_from(parts[0].size).unwrap()];
    service
        .service
        .state
        .blobs
        .put(&parts[0].object_key, damaged)
        .await
        .unwrap();

    service.clock.advance_to_day(day(y, Month::August, 21), 9);
    s.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    let report = run(&service).await;
    assert_eq!((report.upgrades_done, report.upgrades_failed), (0, 1));
    // Not tried a second time the same day.
    assert_eq!(run(&service).await.upgrades_failed, 0);
    let upgrade = s.client.upgrade().await.unwrap();
    assert_eq!(upgrade.current_version, "2026");
    assert_eq!(upgrade.state, UpgradeStatus::Pending);
    assert!(upgrade.last_error.as_deref().unwrap().contains("damaged"));
    // Both schedules run their old bases again.
    let schedules = s.client.schedules().await.unwrap();
    assert_eq!(schedules[0].server.active_base_id, active_p1);
    assert_eq!(schedules[1].server.active_base_id, Some(active_p2));
    assert!(
        schedules
            .iter()
            .all(|x| x.server.state == ServerState::Running)
    );
    let outbox = service.store().outbox(Some(s.account_id)).await.unwrap();
    let told = outbox
        .iter()
        .find(|m| {
            m.subject
                .ends_with("The upgrade of your hosted server did not happen")
        })
        .unwrap();
    assert!(told.body.contains("damaged"), "{}", told.body);
    let log = service.store().audit_log(s.account_id).await.unwrap();
    assert!(actions(&log).contains(&"upgrade.failed".to_string()));

    // The next day it is tried again (and fails again: the base is still damaged).
    service.clock.advance_to_day(day(y, Month::August, 22), 9);
    assert_eq!(run(&service).await.upgrades_failed, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_runs_at_once_archive_each_schedule_once() {
    let service = service().await;
    let (s, planning02, _) = school_with_two_running_schedules(&service).await;
    let y = next_july_first().year();
    service.clock.advance_to_day(day(y, Month::July, 31), 9);
    // Two runners at the same moment (two instances over one database take the same lease):
    // one runs the jobs, the other does nothing; then a third run finds the ledger.
    let (a, b) = tokio::join!(service.service.run_jobs(), service.service.run_jobs());
    let archived = a.unwrap().years_archived + b.unwrap().years_archived;
    assert_eq!(archived, 2);
    assert_eq!(run(&service).await.years_archived, 0);
    for schedule in [s.schedule_id, planning02] {
        let rows = service
            .store()
            .year_bases(s.account_id, schedule)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "schedule {schedule}");
    }
}
