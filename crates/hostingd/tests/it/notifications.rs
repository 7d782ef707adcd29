//! Notifications (the console's bell): each event notifies once, with one e-mail for those that
//! need action; the dates that come near follow the clock; read marks are per person; a
//! superadministrator sees only their schedules' notifications and their own workstation's.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::roles::{Superadmin, current_workstation, superadmin};
use common::{Logins, SUPERADMIN_PASSWORD, TestService, assert_api_error};
use hosting_api::{
    Client, NewEmptyBase, Notification, NotificationKind, ScheduleUpdate, UpgradeChoice,
};
use hostingd::rules::school_year::iso;
use hostingd::store::NotificationScope;
use time::Duration;

/// A service whose background runner waits a day: the test runs the jobs itself.
async fn service() -> TestService {
    TestService::start_with(|c| c.job_interval_seconds = 86_400).await
}

/// The caller's notifications of `kind`, newest first.
async fn of_kind(client: &Client, kind: NotificationKind) -> Vec<Notification> {
    let list = client.notifications().await.unwrap();
    assert!(list.items.windows(2).all(|w| w[0].id > w[1].id));
    list.items.into_iter().filter(|n| n.kind == kind).collect()
}

/// The e-mails of the account whose subject has `words`, as (recipient, body).
async fn emails(service: &TestService, account_id: i64, words: &str) -> Vec<(String, String)> {
    let outbox = service.store().outbox(Some(account_id)).await.unwrap();
    outbox
        .into_iter()
        .filter(|m| m.channel == "email" && m.subject.contains(words))
        .map(|m| (m.recipient, m.body))
        .collect()
}

/// The manager's e-mail, as `testing::new_account` makes it.
fn manager_email(school: &str) -> String {
    format!("manager@{}.fr", school.to_lowercase().replace(' ', "-"))
}

/// An account with the manager and a superadministrator `alice` logged in.
async fn account(service: &TestService, school: &str) -> (Logins, Client, Superadmin) {
    let logins = service.provision(school).await;
    let (manager, _) = service.manager(&logins).await;
    let alice = superadmin(service, &manager, &logins, "alice").await;
    (logins, manager, alice)
}

#[tokio::test]
async fn each_enrolled_workstation_notifies_the_manager_once_and_reads_are_per_account() {
    let service = service().await;
    let (logins, manager, alice) = account(&service, "Lycee Cloche").await;
    let list = manager.notifications().await.unwrap();
    let enrolled = of_kind(&manager, NotificationKind::WorkstationEnrolled).await;
    assert_eq!((list.unread, enrolled.len()), (2, 2), "{list:?}");
    // Newest first: alice's workstation, then the manager's own.
    assert_eq!(enrolled[0].detail["role"], "superadmin");
    assert_eq!(enrolled[0].detail["username"], "alice");
    assert_eq!(enrolled[1].detail["role"], "manager");
    let station = manager
        .workstations()
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.current)
        .unwrap();
    assert_eq!(enrolled[1].workstation_id, Some(station.id));
    assert_eq!(enrolled[1].detail["name"], station.name.as_str());
    assert!(enrolled.iter().all(|n| !n.read && n.schedule_id.is_none()));
    // The enrollment e-mail already goes: no second one.
    assert_eq!(
        emails(&service, logins.account_id, "workstation")
            .await
            .len(),
        2
    );

    // They are the manager's: a superadministrator neither sees nor marks them.
    let theirs = alice.client.notifications().await.unwrap();
    assert_eq!((theirs.unread, theirs.items.len()), (0, 0));
    assert_api_error(
        alice.client.mark_notification_read(enrolled[0].id).await,
        404,
        "not_found",
    );

    // Marked read once or twice: the same.
    manager
        .mark_notification_read(enrolled[1].id)
        .await
        .unwrap();
    manager
        .mark_notification_read(enrolled[1].id)
        .await
        .unwrap();
    let list = manager.notifications().await.unwrap();
    assert_eq!(list.unread, 1);
    let read: Vec<bool> = list.items.iter().map(|n| n.read).collect();
    assert_eq!(read, [false, true]);
    assert_api_error(
        manager.mark_notification_read(999_999).await,
        404,
        "not_found",
    );

    // Another account: its own notification, and not a mark on this one's.
    let other = service.provision("Lycee Voisin").await;
    let (neighbour, _) = service.manager(&other).await;
    assert_api_error(
        neighbour.mark_notification_read(enrolled[0].id).await,
        404,
        "not_found",
    );
    manager.mark_all_notifications_read().await.unwrap();
    assert_eq!(manager.notifications().await.unwrap().unread, 0);
    let theirs = neighbour.notifications().await.unwrap();
    assert_eq!((theirs.unread, theirs.items.len()), (1, 1));
}

#[tokio::test]
async fn a_failed_safeguard_notifies_once_a_day_the_manager_and_its_schedules_superadmins() {
    let service = service().await;
    let school = "Lycee Faille";
    let (logins, manager, alice) = account(&service, school).await;
    let bob = superadmin(&service, &manager, &logins, "bob").await;
    // 09:00 UTC tomorrow: the runs below fall on one day. (The certificates are made first:
    // TLS checks them against the real time.)
    let day1 = service.clock.today() + Duration::days(1);
    service.clock.advance_to_day(day1, 9);
    manager.login(&logins.password).await.unwrap();
    alice.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    bob.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    let schedule_id = manager.schedules().await.unwrap()[0].id;
    manager
        .update_schedule(
            schedule_id,
            &ScheduleUpdate {
                domain: Some("lycee-faille-p1".to_string()),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .unwrap();
    // alice is in planning01's Administration profile, bob in none.
    manager
        .set_profile_members(schedule_id, "Administration", &[alice.user_id])
        .await
        .unwrap();
    let base = manager
        .create_empty_base(schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    manager.activate(schedule_id).await.unwrap();
    // The running base lost its bytes: its safeguard cannot be taken.
    let store = service.store();
    for file in store.base_files(base.id).await.unwrap() {
        for part in store.blob_parts(file.blob_id).await.unwrap() {
            service.service.state.blobs.delete(&[part.object_key]).await;
        }
    }
    let subject = "The safeguard of planning01 failed";

    service.service.run_jobs().await.unwrap();
    service.service.run_jobs().await.unwrap();
    let failures = store
        .audit_log(logins.account_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "safeguard.failed")
        .count();
    assert_eq!(failures, 2, "two failed runs");
    let seen = of_kind(&manager, NotificationKind::SafeguardFailed).await;
    assert_eq!(seen.len(), 1, "one notification a day: {seen:?}");
    let notice = &seen[0];
    assert_eq!(notice.schedule_id, Some(schedule_id));
    assert_eq!(notice.schedule_name.as_deref(), Some("planning01"));
    assert_eq!(notice.detail["day"], iso(day1));
    assert!(notice.detail["reason"].as_str().unwrap().len() > 10);
    // One e-mail each to the manager and to alice, who runs planning01's server (its
    // Administration profile); none to bob.
    let sent = emails(&service, logins.account_id, subject).await;
    let mut recipients: Vec<&str> = sent.iter().map(|(to, _)| to.as_str()).collect();
    recipients.sort_unstable();
    assert_eq!(
        recipients,
        ["alice@school.fr", manager_email(school).as_str()],
        "one e-mail each"
    );
    assert!(sent[0].1.contains(school) && sent[0].1.contains("Safeguards"));

    // alice sees it; bob, outside planning01's profile, does not.
    let alices = of_kind(&alice.client, NotificationKind::SafeguardFailed).await;
    assert_eq!(alices.len(), 1);
    assert!(
        of_kind(&bob.client, NotificationKind::SafeguardFailed)
            .await
            .is_empty()
    );
    assert_api_error(
        bob.client.mark_notification_read(notice.id).await,
        404,
        "not_found",
    );
    // The manager reading it does not read it for alice.
    manager.mark_notification_read(notice.id).await.unwrap();
    assert!(of_kind(&manager, NotificationKind::SafeguardFailed).await[0].read);
    assert!(!of_kind(&alice.client, NotificationKind::SafeguardFailed).await[0].read);
    alice.client.mark_all_notifications_read().await.unwrap();
    assert_eq!(alice.client.notifications().await.unwrap().unread, 0);
    assert!(of_kind(&alice.client, NotificationKind::SafeguardFailed).await[0].read);

    // The next day, a failure is told again.
    service.clock.advance_to_day(day1 + Duration::days(1), 9);
    manager.login(&logins.password).await.unwrap();
    service.service.run_jobs().await.unwrap();
    assert_eq!(
        of_kind(&manager, NotificationKind::SafeguardFailed)
            .await
            .len(),
        2
    );
    assert_eq!(emails(&service, logins.account_id, subject).await.len(), 4);
}

#[tokio::test]
async fn a_server_that_cannot_listen_at_start_is_notified_with_an_email() {
    let service = service().await;
    let school = "Lycee Arret";
    let s = common::files::school(&service, school).await;
    s.client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    s.client.activate(s.schedule_id).await.unwrap();
    let port = s.client.schedules().await.unwrap()[0].port.unwrap();
    // The service restarts while another program holds the schedule's port.
    let port_range = service.service.state.settings.port_range.clone();
    let TestService {
        service: running,
        dir,
        clock,
    } = service;
    running.shutdown().await.unwrap();
    let taken = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let mut config = hostingd::testing::local_config(dir.path().to_path_buf());
    config.port_range = port_range;
    config.max_concurrent_hashes = Some(2);
    config.job_interval_seconds = 86_400;
    let restarted = hostingd::start(config, clock).await.unwrap();
    drop(taken);
    let store = &restarted.state.store;
    let scope = NotificationScope::Manager { workstation_id: 0 };
    let list = store
        .notifications(s.account_id, "manager", &scope, 100)
        .await
        .unwrap();
    let stopped: Vec<_> = list
        .items
        .iter()
        .filter(|n| n.kind == NotificationKind::ServerStopped.as_str())
        .collect();
    assert_eq!(stopped.len(), 1, "{list:?}");
    assert_eq!(stopped[0].schedule_id, Some(s.schedule_id));
    assert!(stopped[0].detail.contains("\"cause\":\"listener_failed\""));
    let outbox = store.outbox(Some(s.account_id)).await.unwrap();
    let told: Vec<_> = outbox
        .iter()
        .filter(|m| m.subject.contains("The server of planning01 is stopped"))
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].recipient, manager_email(school));
    restarted.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_upgrade_is_told_seven_days_before_its_day_and_again_for_a_new_day() {
    let service = service().await;
    let school = "Lycee Version";
    let (logins, manager, alice) = account(&service, school).await;
    let today = service.clock.today();
    let start = today + Duration::days(10);
    hostingd::operator::publish_release(
        service.store(),
        "2099",
        &iso(today),
        &format!("{}..{}", iso(start), iso(start + Duration::days(10))),
    )
    .await
    .unwrap();
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 0);

    // Six days before the window's first day (the default day).
    service.clock.advance_to_day(today + Duration::days(4), 9);
    manager.login(&logins.password).await.unwrap();
    alice.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 1);
    service.clock.advance(2 * 3600);
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 0);
    manager.login(&logins.password).await.unwrap();
    alice.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    let coming = of_kind(&manager, NotificationKind::UpgradeComing).await;
    assert_eq!(coming.len(), 1);
    assert_eq!(coming[0].detail["version"], "2099");
    assert_eq!(coming[0].detail["from_version"], "2026");
    assert_eq!(coming[0].detail["day"], iso(start));
    // About no schedule: every superadministrator sees it.
    assert_eq!(
        of_kind(&alice.client, NotificationKind::UpgradeComing)
            .await
            .len(),
        1
    );
    let subject = "is upgraded to version 2099";
    let sent = emails(&service, logins.account_id, subject).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, manager_email(school));

    // Another day, still within 7 days: told again, for that day.
    let later = start + Duration::days(1);
    manager
        .choose_upgrade(&UpgradeChoice {
            chosen_date: Some(iso(later)),
            prerelease: None,
        })
        .await
        .unwrap();
    service.clock.advance(2 * 3600);
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 1);
    manager.login(&logins.password).await.unwrap();
    let coming = of_kind(&manager, NotificationKind::UpgradeComing).await;
    assert_eq!(coming.len(), 2);
    assert_eq!(coming[0].detail["day"], iso(later));
    assert_eq!(emails(&service, logins.account_id, subject).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_ending_within_30_days_is_told_to_its_workstation_only() {
    let service = service().await;
    let school = "Lycee Certificat";
    let (logins, manager, alice) = account(&service, school).await;
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 0);
    let manager_station = current_workstation(&manager).await;

    // The certificates last 365 days: 29 days left.
    service.clock.advance(336 * 86_400);
    manager.login(&logins.password).await.unwrap();
    alice.client.login(SUPERADMIN_PASSWORD).await.unwrap();
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 2);
    service.clock.advance(2 * 3600);
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 0);
    manager.login(&logins.password).await.unwrap();
    alice.client.login(SUPERADMIN_PASSWORD).await.unwrap();

    let mine = of_kind(&manager, NotificationKind::CertificateExpiring).await;
    assert_eq!(mine.len(), 1, "the manager's workstation only: {mine:?}");
    assert_eq!(mine[0].workstation_id, Some(manager_station));
    assert_eq!(mine[0].detail["name"], "Test workstation");
    let days = mine[0].detail["days_left"].as_i64().unwrap();
    assert!((28..=30).contains(&days), "{days}");
    assert!(mine[0].detail["not_after"].as_str().unwrap().ends_with('Z'));
    let hers = of_kind(&alice.client, NotificationKind::CertificateExpiring).await;
    assert_eq!(hers.len(), 1);
    assert_ne!(hers[0].id, mine[0].id);
    // Each e-mail goes to the person of the workstation.
    let sent = emails(&service, logins.account_id, "expires on").await;
    let mut recipients: Vec<&str> = sent.iter().map(|(to, _)| to.as_str()).collect();
    recipients.sort_unstable();
    let manager_address = manager_email(school);
    assert_eq!(recipients, ["alice@school.fr", manager_address.as_str()]);

    // Renewed: the new certificate's workstation has nothing to renew. (Its certificate starts
    // at the moved clock, which TLS would not take yet: its view is read from the store.)
    let key = hosting_api::WorkstationKey::generate("Alice PC").unwrap();
    let renewed = alice.client.renew_certificate(&key.csr_pem).await.unwrap();
    let scope = NotificationScope::Superadmin {
        workstation_id: renewed.workstation_id,
        schedules: Vec::new(),
    };
    let list = service
        .store()
        .notifications(logins.account_id, "superadmin:alice", &scope, 100)
        .await
        .unwrap();
    assert!(
        list.items
            .iter()
            .all(|n| n.kind != NotificationKind::CertificateExpiring.as_str()),
        "{list:?}"
    );
    service.clock.advance(2 * 3600);
    assert_eq!(service.service.run_jobs().await.unwrap().notifications, 0);
}

#[tokio::test]
async fn a_contract_reminder_is_on_the_bell_of_everyone_without_a_second_email() {
    let service = service().await;
    let (logins, manager, alice) = account(&service, "Lycee Contrat").await;
    let ends = service.clock.today() + Duration::days(20);
    hostingd::operator::set_contract(
        service.store(),
        &logins.hosting_number,
        &hostingd::store::ContractChange {
            ends_on: Some(iso(ends)),
            ..hostingd::store::ContractChange::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        service.service.run_jobs().await.unwrap().contract_reminders,
        1
    );
    let ending = of_kind(&manager, NotificationKind::ContractEnding).await;
    assert_eq!(ending.len(), 1);
    assert_eq!(ending[0].detail["ends_on"], iso(ends));
    assert_eq!(ending[0].detail["days_left"], 20);
    assert_eq!(
        of_kind(&alice.client, NotificationKind::ContractEnding)
            .await
            .len(),
        1
    );
    // One e-mail each for the manager and for alice (a superadministrator with console access,
    // who can renew); the bell adds none.
    let reminders = emails(&service, logins.account_id, "contract").await;
    assert_eq!(reminders.len(), 2, "the reminder is the only e-mail");
    assert!(reminders.iter().any(|(to, _)| to == "alice@school.fr"));
    assert!(
        reminders
            .iter()
            .any(|(to, _)| *to == manager_email("Lycee Contrat"))
    );
}
