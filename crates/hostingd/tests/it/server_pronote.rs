//! Server PRONOTE over real TLS: bases, the server's rules, the schedule endpoint, safeguards on
//! the service clock, licences, and one account never touching another's files.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::files::{patch, school, stored_sha256, upload, write_file};
use common::{TestService, assert_api_error};
use hosting_api::tus::hash_file;
use hosting_api::{FileKind, LoadBase, MonitoringUpdate, NewEmptyBase, ServerState};
use reqwest::Method;

#[tokio::test]
async fn a_base_and_its_companions_are_loaded_opened_activated_and_reachable() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Hugo").await;
    let hnot = write_file(s.dir.path(), "Hugo 2026.HNOT", 3 * 1024 * 1024 + 17, 1);
    let (_, hnot_sha) = hash_file(&hnot, |_| {}).unwrap();
    let mut companions = Vec::new();
    for (i, name) in ["Hugo.HCOURRIERS", "Hugo.HDOCJOINTS", "Hugo.HPHOTOS"]
        .iter()
        .enumerate()
    {
        let path = write_file(s.dir.path(), name, 100_000 + i, 2 + i as u8);
        companions.push(upload(&s.client, &path).await);
    }
    let base_upload = upload(&s.client, &hnot).await;
    let listed = s.client.uploads().await.unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|u| u.complete && u.offset == u.length));

    let base = s
        .client
        .load_base(
            s.schedule_id,
            &LoadBase {
                upload_id: base_upload.clone(),
                companions: companions.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(base.name, "Hugo 2026");
    assert_eq!(base.sha256, hnot_sha);
    assert_eq!(base.files.len(), 4);
    assert_eq!(
        stored_sha256(&service, base.id, s.account_id).await,
        hnot_sha
    );
    assert!(s.client.uploads().await.unwrap().is_empty(), "consumed");

    // Activating needs an open base.
    assert_api_error(s.client.activate(s.schedule_id).await, 409, "no_open_base");
    let schedule = s.client.open_base(base.id).await.unwrap();
    assert_eq!(schedule.server.open_base_id, Some(base.id));
    let schedule = s.client.activate(s.schedule_id).await.unwrap();
    assert_eq!(schedule.server.state, ServerState::Running);
    assert_eq!(schedule.server.active_base_id, Some(base.id));

    // The connection details handed over in step 6 work.
    let host = schedule.host.clone().unwrap();
    let port = schedule.port.unwrap();
    let status = s.client.endpoint_status(&host, port).await.unwrap();
    assert_eq!(
        (
            status.school.as_str(),
            status.schedule.as_str(),
            status.base.as_str()
        ),
        ("Lycee Hugo", "planning01", "Hugo 2026")
    );

    // While the server runs: loading, opening, creating and activating are refused, and change nothing.
    let other = write_file(s.dir.path(), "Other.HNOT", 1000, 9);
    let other_upload = upload(&s.client, &other).await;
    let audit = service.audit_count(s.account_id).await;
    let load = LoadBase {
        upload_id: other_upload.clone(),
        companions: vec![],
    };
    assert_api_error(
        s.client.load_base(s.schedule_id, &load).await,
        409,
        "server_running",
    );
    assert_api_error(s.client.open_base(base.id).await, 409, "server_running");
    assert_api_error(
        s.client
            .create_empty_base(s.schedule_id, &NewEmptyBase::default())
            .await,
        409,
        "server_running",
    );
    assert_api_error(
        s.client.activate(s.schedule_id).await,
        409,
        "server_running",
    );
    assert_eq!(service.audit_count(s.account_id).await, audit);
    assert_eq!(
        s.client.uploads().await.unwrap().len(),
        1,
        "the upload is kept"
    );

    // Shut down: the endpoint stops answering; loading works again.
    let schedule = s.client.shutdown(s.schedule_id).await.unwrap();
    assert_eq!(schedule.server.state, ServerState::Stopped);
    assert!(s.client.endpoint_status(&host, port).await.is_err());
    assert_api_error(
        s.client.shutdown(s.schedule_id).await,
        409,
        "server_stopped",
    );
    s.client.load_base(s.schedule_id, &load).await.unwrap();
    let bases = s.client.bases(s.schedule_id).await.unwrap();
    assert_eq!(bases.len(), 2);
    assert!(
        bases
            .iter()
            .any(|b| b.id == base.id && b.activated_at.is_some())
    );

    // Complete the hosted base later: a new *.HDOCJOINTS replaces the old one.
    let docs = write_file(s.dir.path(), "Hugo v2.HDOCJOINTS", 5000, 7);
    let docs_upload = upload(&s.client, &docs).await;
    let completed = s
        .client
        .add_companion(
            base.id,
            &hosting_api::AddCompanion {
                upload_id: docs_upload,
            },
        )
        .await
        .unwrap();
    assert_eq!(completed.files.len(), 4);
    assert!(
        completed
            .files
            .iter()
            .any(|f| f.filename == "Hugo v2.HDOCJOINTS")
    );

    // An empty base with the default grid is created and opened, then activated.
    let empty = s
        .client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    let schedule = s.client.schedules().await.unwrap()[0].clone();
    assert_eq!(schedule.server.open_base_id, Some(empty.id));
    s.client.activate(s.schedule_id).await.unwrap();
    let status = s.client.endpoint_status(&host, port).await.unwrap();
    assert_eq!(status.base, empty.name);
}

#[tokio::test]
async fn safeguards_follow_the_clock_and_restore_a_base() {
    let service = TestService::start_with(|config| {
        config.safeguard_interval_minutes = 60;
        config.safeguard_keep_last = 2;
        config.safeguard_keep_daily = 0;
        config.safeguard_keep_weekly = 0;
    })
    .await;
    let s = school(&service, "Lycee Safe").await;
    let hnot = write_file(s.dir.path(), "Safe.HNOT", 700_000, 8);
    let (_, sha) = hash_file(&hnot, |_| {}).unwrap();
    let photos = write_file(s.dir.path(), "Safe.HPHOTOS", 10_000, 9);
    let photos_upload = upload(&s.client, &photos).await;
    let id = upload(&s.client, &hnot).await;
    let base = s
        .client
        .load_base(
            s.schedule_id,
            &LoadBase {
                upload_id: id,
                companions: vec![photos_upload],
            },
        )
        .await
        .unwrap();
    s.client.open_base(base.id).await.unwrap();
    s.client.activate(s.schedule_id).await.unwrap();

    assert_eq!(
        service.service.run_jobs().await.unwrap().safeguards_taken,
        1
    );
    service.clock.advance(30 * 60);
    assert_eq!(
        service.service.run_jobs().await.unwrap().safeguards_taken,
        0
    );
    for _ in 0..3 {
        service.clock.advance(60 * 60);
        assert_eq!(
            service.service.run_jobs().await.unwrap().safeguards_taken,
            1
        );
    }
    // Hours went by: the session ended meanwhile.
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    let safeguards = s.client.safeguards(s.schedule_id).await.unwrap();
    assert_eq!(safeguards.len(), 2, "keep the last 2");
    assert!(safeguards[0].taken_at > safeguards[1].taken_at);
    assert!(
        safeguards
            .iter()
            .all(|g| g.sha256 == sha && g.size == 700_000)
    );

    // Download it and check its hash.
    let target = s.dir.path().join("download.HNOT");
    let hash = s
        .client
        .download_safeguard(safeguards[0].id, &target, |_, _| {})
        .await
        .unwrap();
    assert_eq!(hash, sha);
    assert_eq!(hash_file(&target, |_| {}).unwrap().1, sha);

    // The photos change after the last safeguard (with the server shut down, like every change of
    // a base): opening it brings back the photos it kept.
    s.client.shutdown(s.schedule_id).await.unwrap();
    let (_, photos_sha) = hash_file(&photos, |_| {}).unwrap();
    let new_photos = write_file(s.dir.path(), "Safe v2.HPHOTOS", 12_000, 12);
    let new_photos_upload = upload(&s.client, &new_photos).await;
    let replaced = s
        .client
        .add_companion(
            base.id,
            &hosting_api::AddCompanion {
                upload_id: new_photos_upload,
            },
        )
        .await
        .unwrap();
    assert!(
        replaced
            .files
            .iter()
            .any(|f| f.filename == "Safe v2.HPHOTOS")
    );
    s.client.activate(s.schedule_id).await.unwrap();

    // Open it: the server must be shut down first; then it replaces the open base.
    assert_api_error(
        s.client.open_safeguard(safeguards[0].id).await,
        409,
        "server_running",
    );
    s.client.shutdown(s.schedule_id).await.unwrap();
    let schedule = s.client.open_safeguard(safeguards[0].id).await.unwrap();
    let restored = schedule.server.open_base_id.unwrap();
    assert_ne!(restored, base.id);
    let schedule = s.client.activate(s.schedule_id).await.unwrap();
    assert_eq!(schedule.server.active_base_id, Some(restored));
    let bases = s.client.bases(s.schedule_id).await.unwrap();
    let restored_base = bases.iter().find(|b| b.id == restored).unwrap();
    assert_eq!(restored_base.origin, hosting_api::BaseOrigin::Safeguard);
    assert_eq!(restored_base.sha256, sha);
    assert_eq!(restored_base.files.len(), 2, "the companions come along");
    let restored_photos = restored_base
        .files
        .iter()
        .find(|f| f.kind == FileKind::Photos)
        .unwrap();
    assert_eq!(
        (
            restored_photos.filename.as_str(),
            restored_photos.sha256.as_str()
        ),
        ("Safe.HPHOTOS", photos_sha.as_str()),
        "the photos as they were when the safeguard was taken"
    );
    let status = s
        .client
        .endpoint_status(schedule.host.as_deref().unwrap(), schedule.port.unwrap())
        .await
        .unwrap();
    assert_eq!(status.base, restored_base.name);
}

#[tokio::test]
async fn licences_are_reserved_within_the_contract() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Licence").await;
    let monitoring = s.client.monitoring(s.schedule_id).await.unwrap();
    assert_eq!(monitoring.contract_licences, 5);
    assert_eq!(monitoring.administration_reserved, 0);
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client
            .set_monitoring(
                s.schedule_id,
                &MonitoringUpdate {
                    administration_reserved: 6,
                },
            )
            .await,
        422,
        "too_many_reserved",
    );
    assert_eq!(service.audit_count(s.account_id).await, audit);
    let saved = s
        .client
        .set_monitoring(
            s.schedule_id,
            &MonitoringUpdate {
                administration_reserved: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.administration_reserved, 2);
    assert_eq!(s.manager.monitoring(s.schedule_id).await.unwrap(), saved);
    assert_eq!(
        s.manager
            .account()
            .await
            .unwrap()
            .contract
            .administration_licences,
        5
    );

    // Seed 001: the reservations of all schedules together stay within the contract. The
    // other schedule holds 2 of the 5: it may take 3 more, not 4, and says so up front.
    let other = s
        .client
        .schedules()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id != s.schedule_id)
        .unwrap()
        .id;
    let before = s.client.monitoring(other).await.unwrap();
    assert_eq!((before.reserved_elsewhere, before.reservable()), (2, 3));
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client
            .set_monitoring(
                other,
                &MonitoringUpdate {
                    administration_reserved: 4,
                },
            )
            .await,
        422,
        "too_many_reserved",
    );
    assert_eq!(service.audit_count(s.account_id).await, audit);
    assert_eq!(s.client.monitoring(other).await.unwrap(), before);
    let full = s
        .client
        .set_monitoring(
            other,
            &MonitoringUpdate {
                administration_reserved: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(full.reservable(), 3);
    assert_eq!(
        s.client
            .monitoring(s.schedule_id)
            .await
            .unwrap()
            .reserved_elsewhere,
        3
    );
}

#[tokio::test]
async fn one_account_cannot_touch_another_accounts_files() {
    let service = TestService::start().await;
    let a = school(&service, "Lycee Alpha").await;
    let b = school(&service, "Lycee Beta").await;
    let hnot = write_file(a.dir.path(), "Alpha.HNOT", 50_000, 10);
    let pending = upload(&a.client, &hnot).await;
    let loaded_upload = upload(&a.client, &hnot).await;
    let base = a
        .client
        .load_base(
            a.schedule_id,
            &LoadBase {
                upload_id: loaded_upload,
                companions: vec![],
            },
        )
        .await
        .unwrap();
    a.client.open_base(base.id).await.unwrap();
    a.client.activate(a.schedule_id).await.unwrap();
    service.service.run_jobs().await.unwrap();
    let safeguard = a.client.safeguards(a.schedule_id).await.unwrap()[0].clone();
    let audit = service.audit_count(a.account_id).await;

    assert_api_error(
        b.client.upload_offset(&pending).await,
        404,
        "upload_not_found",
    );
    let response = patch(&b.client, &pending, 0, b"x", None).await;
    assert_eq!(response.status().as_u16(), 404);
    assert_api_error(b.client.delete_upload(&pending).await, 404, "not_found");
    assert!(b.client.uploads().await.unwrap().is_empty());
    let steal = LoadBase {
        upload_id: pending.clone(),
        companions: vec![],
    };
    assert_api_error(
        b.client.load_base(b.schedule_id, &steal).await,
        404,
        "not_found",
    );
    assert_api_error(
        b.client.load_base(a.schedule_id, &steal).await,
        404,
        "not_found",
    );
    assert_api_error(b.client.bases(a.schedule_id).await, 404, "not_found");
    assert_api_error(b.client.open_base(base.id).await, 404, "not_found");
    assert_api_error(b.client.shutdown(a.schedule_id).await, 404, "not_found");
    assert_api_error(b.client.safeguards(a.schedule_id).await, 404, "not_found");
    assert_api_error(
        b.client.open_safeguard(safeguard.id).await,
        404,
        "not_found",
    );
    let target = b.dir.path().join("stolen.HNOT");
    assert_api_error(
        b.client
            .download_safeguard(safeguard.id, &target, |_, _| {})
            .await,
        404,
        "not_found",
    );
    assert!(!target.exists());
    assert_api_error(b.client.monitoring(a.schedule_id).await, 404, "not_found");
    assert_eq!(service.audit_count(a.account_id).await, audit);
    assert!(a.client.upload_offset(&pending).await.is_ok());
}

#[tokio::test]
async fn bad_requests_on_the_server_routes_say_what_to_fix_and_change_nothing() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Bad").await;
    let audit = service.audit_count(s.account_id).await;
    let grid = NewEmptyBase {
        time_grid: Some(hosting_api::TimeGrid {
            day_starts_at: "25:00".into(),
            slot_minutes: 60,
            slots_per_day: 8,
        }),
    };
    assert_api_error(
        s.client.create_empty_base(s.schedule_id, &grid).await,
        422,
        "invalid_time_grid",
    );
    let unknown = LoadBase {
        upload_id: "0123456789abcdef0123456789abcdef".into(),
        companions: vec![],
    };
    assert_api_error(
        s.client.load_base(s.schedule_id, &unknown).await,
        404,
        "not_found",
    );
    assert_api_error(s.client.load_base(9999, &unknown).await, 404, "not_found");
    // A companion loaded as a base, and a base given as a companion.
    let photos = write_file(s.dir.path(), "Bad.HPHOTOS", 1000, 11);
    let photos_upload = upload(&s.client, &photos).await;
    let as_base = LoadBase {
        upload_id: photos_upload.clone(),
        companions: vec![],
    };
    assert_api_error(
        s.client.load_base(s.schedule_id, &as_base).await,
        400,
        "not_a_base",
    );
    assert_eq!(
        s.client.uploads().await.unwrap().len(),
        1,
        "nothing consumed"
    );
    let (status, body) = s
        .client
        .raw(
            Method::POST,
            &format!("/schedules/{}/bases", s.schedule_id),
            Some("application/json"),
            b"{\"upload\": 1}".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status.as_u16(), 422, "{}", String::from_utf8_lossy(&body));
    let (status, _) = s
        .client
        .raw(
            Method::PUT,
            &format!("/schedules/{}/monitoring", s.schedule_id),
            Some("application/json"),
            b"{\"administration_reserved\": -1}".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status.as_u16(), 422);
    assert_api_error(s.client.open_base(424242).await, 404, "not_found");
    assert_api_error(s.client.open_safeguard(424242).await, 404, "not_found");
    assert_eq!(
        service.audit_count(s.account_id).await,
        audit + 2,
        "only the two uploads"
    );
}

/// A schedule's endpoint reads its own row at each request (issue 23: it read every school's
/// running servers): the row of a running schedule, none for a stopped one.
#[tokio::test(flavor = "multi_thread")]
async fn a_running_schedule_is_read_on_its_own() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Seul").await;
    hostingd::testing::onboard(&t.service, &logins, "seul").await;
    let (manager, _) = t.manager(&logins).await;
    let schedules = manager.schedules().await.unwrap();
    let (running, stopped) = (schedules[0].id, schedules[1].id);
    manager
        .create_empty_base(running, &hosting_api::NewEmptyBase::default())
        .await
        .unwrap();
    manager.activate(running).await.unwrap();
    let store = t.store();
    let all = store.running_schedules().await.unwrap();
    let own = store.running_schedule(running).await.unwrap().unwrap();
    assert_eq!(Some(&own), all.iter().find(|r| r.schedule_id == running));
    assert_eq!(own.name, "planning01");
    assert!(store.running_schedule(stopped).await.unwrap().is_none());
    assert!(store.running_schedule(-1).await.unwrap().is_none());
}
