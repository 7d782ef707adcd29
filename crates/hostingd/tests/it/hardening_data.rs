//! Issue 8, "Data loss and jobs" and the audit of safeguard downloads: each test is named after
//! the point it checks, over a real TLS service with the injectable clock.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::files::{School, school, stored_keys, stored_sha256, upload, write_file};
use common::{TestService, assert_api_error};
use hosting_api::tus::hash_file;
use hosting_api::{
    AddCompanion, Base, ClientError, LoadBase, NewEmptyBase, ServerState, TimeGrid, UploadMetadata,
};
use hostingd::store::{Actor, FileKind as StoredKind, NewUpload};

/// A school whose schedule runs a base made of one `*.HNOT` of `size` bytes.
async fn running_school(service: &TestService, name: &str, size: usize) -> (School, Base) {
    let s = school(service, name).await;
    let hnot = write_file(s.dir.path(), &format!("{name}.HNOT"), size, 21);
    let id = upload(&s.client, &hnot).await;
    let base = s
        .client
        .load_base(
            s.schedule_id,
            &LoadBase {
                upload_id: id,
                companions: vec![],
            },
        )
        .await
        .unwrap();
    s.client.open_base(base.id).await.unwrap();
    s.client.activate(s.schedule_id).await.unwrap();
    (s, base)
}

/// Moves the modification time of every object of a local blob directory `seconds` into the past
/// (an S3 store has no such thing to move).
fn age_every_object(service: &TestService, seconds: u64) {
    let hostingd::blobs::BlobLocation::Local(dir) = service.service.state.blobs.location() else {
        return;
    };
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(seconds);
    for file in common::files::files_under(dir) {
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
}

fn audit_actions(entries: &[hostingd::store::AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.action.as_str()).collect()
}

#[tokio::test]
async fn finished_uploads_never_expire() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Photos").await;
    let empty = s
        .client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    let photos = write_file(s.dir.path(), "Photos.HPHOTOS", 300_000, 3);
    let (_, photos_sha) = hash_file(&photos, |_| {}).unwrap();
    let finished = upload(&s.client, &photos).await;
    // An unfinished one, for comparison: it expires.
    let unfinished = s
        .client
        .create_upload(
            &UploadMetadata {
                filename: "Half.HNOT".into(),
                kind: hosting_api::FileKind::Base,
                sha256: Some("00".repeat(32)),
            },
            1000,
        )
        .await
        .unwrap();

    service.clock.advance(73 * 3600);
    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report.expired_uploads, 1, "only the unfinished upload");
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    let uploads = s.client.uploads().await.unwrap();
    assert_eq!(uploads.len(), 1);
    assert_eq!(
        (uploads[0].id.as_str(), uploads[0].complete),
        (finished.as_str(), true)
    );
    assert!(uploads.iter().all(|u| u.id != unfinished));

    // Three days later, the photos are attached to the base, bytes intact.
    let completed = s
        .client
        .add_companion(
            empty.id,
            &AddCompanion {
                upload_id: finished,
            },
        )
        .await
        .unwrap();
    let attached = completed
        .files
        .iter()
        .find(|f| f.kind == hosting_api::FileKind::Photos)
        .unwrap();
    assert_eq!(attached.sha256, photos_sha);
    let files = service.store().base_files(empty.id).await.unwrap();
    let photos_row = files.iter().find(|f| f.kind == StoredKind::Photos).unwrap();
    let parts = service
        .store()
        .blob_parts(photos_row.blob_id)
        .await
        .unwrap();
    assert_eq!(
        service.service.state.blobs.sha256(parts).await.unwrap(),
        photos_sha
    );
}

#[tokio::test]
async fn one_failing_schedule_does_not_stop_the_safeguards_of_others() {
    let service = TestService::start().await;
    // The broken school comes first: the run meets it before the healthy one.
    let (broken, broken_base) = running_school(&service, "Lycee Broken", 50_000).await;
    let (healthy, _) = running_school(&service, "Lycee Healthy", 60_000).await;
    assert!(broken.schedule_id < healthy.schedule_id);
    // The broken school's base lost its bytes (a disk error, an operator's mistake...).
    let store = service.store();
    for file in store.base_files(broken_base.id).await.unwrap() {
        for part in store.blob_parts(file.blob_id).await.unwrap() {
            service.service.state.blobs.delete(&[part.object_key]).await;
        }
    }

    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report.safeguards_taken, 1);
    assert_eq!(
        healthy
            .client
            .safeguards(healthy.schedule_id)
            .await
            .unwrap()
            .len(),
        1,
        "the other school got its safeguard"
    );
    assert!(
        broken
            .client
            .safeguards(broken.schedule_id)
            .await
            .unwrap()
            .is_empty()
    );
    let log = store.audit_log(broken.account_id).await.unwrap();
    let failure = log.iter().find(|e| e.action == "safeguard.failed").unwrap();
    assert!(
        failure
            .detail
            .contains(&format!("\"schedule_id\":{}", broken.schedule_id))
    );
    assert!(
        failure.detail.contains("could not be copied"),
        "{}",
        failure.detail
    );
    assert!(
        !audit_actions(&store.audit_log(healthy.account_id).await.unwrap())
            .contains(&"safeguard.failed")
    );
    // Nothing of the failed attempt is left in blob storage: only the healthy safeguard's copies.
    let taken = healthy
        .client
        .safeguards(healthy.schedule_id)
        .await
        .unwrap()[0]
        .id;
    let row = store.safeguard(healthy.account_id, taken).await.unwrap();
    let copies = store.blob_parts(row.blob_id).await.unwrap().len();
    let safeguard_objects = stored_keys(&service)
        .await
        .into_iter()
        .filter(|k| k.contains("/safeguards/"))
        .count();
    assert_eq!(safeguard_objects, copies);
}

#[tokio::test]
async fn sweep_never_deletes_an_object_a_commit_is_about_to_reference() {
    let service = TestService::start().await;
    let (s, _) = running_school(&service, "Lycee Link", 200_000).await;
    service.service.run_jobs().await.unwrap();
    let listed = s.client.safeguards(s.schedule_id).await.unwrap();
    s.client.shutdown(s.schedule_id).await.unwrap();
    let state = &service.service.state;
    let safeguard = state
        .store
        .safeguard(s.account_id, listed[0].id)
        .await
        .unwrap();
    let parts = state.store.blob_parts(safeguard.blob_id).await.unwrap();
    // Every object was written long ago: a hard link made now keeps that old time.
    age_every_object(&service, 7 * 3600);

    // What opening a safeguard does, with the sweep running between the copy and the commit. The
    // copies are put in a day folder two days old, which the sweep lists.
    let old_day = |name: &str| hostingd::blobs::day_key(state.store.now() - 2 * 86_400, name);
    let copies = state
        .blobs
        .copy_parts(
            &state.store,
            s.account_id,
            &parts,
            &old_day("bases/linked/base"),
        )
        .await
        .unwrap();
    let linked = &copies[0].object_key;
    if let hostingd::blobs::BlobLocation::Local(dir) = state.blobs.location() {
        let modified = std::fs::metadata(dir.join(linked))
            .unwrap()
            .modified()
            .unwrap();
        assert!(modified < std::time::SystemTime::now() - std::time::Duration::from_secs(6 * 3600));
    }
    let deleted = hostingd::jobs::sweep_orphans(&state.job_services())
        .await
        .unwrap();
    assert_eq!(deleted, 0);
    assert!(
        stored_keys(&service).await.contains(linked),
        "the copy about to be committed is kept"
    );
    let actor = Actor::operator(s.account_id);
    let files = [(
        StoredKind::Base,
        safeguard.filename.clone(),
        safeguard.sha256.clone(),
        copies,
    )];
    let base_id = state
        .store
        .open_safeguard(&actor, &safeguard, &files, i64::MAX)
        .await
        .unwrap();
    assert_eq!(
        stored_sha256(&service, base_id, s.account_id).await,
        safeguard.sha256
    );

    // A commit that comes after the grace period: the sweep claims the copy first, and the commit
    // is then refused, instead of recording a base whose bytes are gone.
    let copies = state
        .blobs
        .copy_parts(
            &state.store,
            s.account_id,
            &parts,
            &old_day("bases/late/base"),
        )
        .await
        .unwrap();
    service.clock.advance(7 * 3600);
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        1
    );
    let bases_before = state
        .store
        .bases(s.account_id, s.schedule_id)
        .await
        .unwrap()
        .len();
    let files = [(
        StoredKind::Base,
        safeguard.filename.clone(),
        safeguard.sha256.clone(),
        copies,
    )];
    match state
        .store
        .open_safeguard(&actor, &safeguard, &files, i64::MAX)
        .await
        .map_err(hostingd::http::error::ApiError::from)
    {
        Err(hostingd::http::error::ApiError::Client { code, status, .. }) => {
            assert_eq!(
                (status.as_u16(), code),
                (409, hosting_api::ErrorCode::ObjectSwept)
            );
        }
        other => panic!("expected 409 object_swept, got {other:?}"),
    }
    assert_eq!(
        state
            .store
            .bases(s.account_id, s.schedule_id)
            .await
            .unwrap()
            .len(),
        bases_before
    );
    // And every base left references bytes that exist.
    let keys = stored_keys(&service).await;
    for (_, files) in state
        .store
        .bases(s.account_id, s.schedule_id)
        .await
        .unwrap()
    {
        for file in files {
            for part in state.store.blob_parts(file.blob_id).await.unwrap() {
                assert!(keys.contains(&part.object_key), "{}", part.object_key);
            }
        }
    }
}

#[tokio::test]
async fn quota_counts_shared_safeguard_objects_once() {
    let service = TestService::start_with(|config| {
        config.account_quota_bytes = 3_000_000;
        config.safeguard_interval_minutes = 60;
        config.safeguard_keep_last = 10;
    })
    .await;
    let (s, _) = running_school(&service, "Lycee Links", 1_200_000).await;
    for _ in 0..3 {
        assert_eq!(
            service.service.run_jobs().await.unwrap().safeguards_taken,
            1
        );
        service.clock.advance(3600);
    }
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    assert_eq!(s.client.safeguards(s.schedule_id).await.unwrap().len(), 3);
    // Three safeguards are hard links of the base: the account uses the base's bytes once.
    assert_eq!(s.client.storage().await.unwrap().used_bytes, 1_200_000);
    // Opening one adds links, not bytes.
    s.client.shutdown(s.schedule_id).await.unwrap();
    let safeguard = s.client.safeguards(s.schedule_id).await.unwrap()[0].id;
    s.client.open_safeguard(safeguard).await.unwrap();
    assert_eq!(s.client.storage().await.unwrap().used_bytes, 1_200_000);
    // So there is room for another file of 1.5 MB (at full size, 5 copies would be 6 MB).
    let metadata = UploadMetadata {
        filename: "Next.HNOT".into(),
        kind: hosting_api::FileKind::Base,
        sha256: Some("00".repeat(32)),
    };
    s.client.create_upload(&metadata, 1_500_000).await.unwrap();
    assert_eq!(s.client.storage().await.unwrap().used_bytes, 2_700_000);
}

#[tokio::test]
async fn open_safeguard_and_create_empty_check_the_quota() {
    let service = TestService::start_with(|config| {
        config.account_quota_bytes = 1_000_000;
    })
    .await;
    let (s, _) = running_school(&service, "Lycee Full", 400_000).await;
    service.service.run_jobs().await.unwrap();
    s.client.shutdown(s.schedule_id).await.unwrap();
    let safeguard = s.client.safeguards(s.schedule_id).await.unwrap()[0].id;
    let metadata = UploadMetadata {
        filename: "Big.HNOT".into(),
        kind: hosting_api::FileKind::Base,
        sha256: Some("00".repeat(32)),
    };
    // 400 000 + 599 950 bytes: 50 bytes left, less than an empty base.
    s.client.create_upload(&metadata, 599_950).await.unwrap();
    let bases = s.client.bases(s.schedule_id).await.unwrap().len();
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client
            .create_empty_base(s.schedule_id, &NewEmptyBase::default())
            .await,
        413,
        "quota_exceeded",
    );
    assert_eq!(s.client.bases(s.schedule_id).await.unwrap().len(), bases);
    assert!(
        !stored_keys(&service)
            .await
            .iter()
            .any(|k| k.contains("/created/")),
        "the refused base's object is deleted"
    );

    // The provider lowered the space below what the account holds (an upload reserved under the
    // old quota): opening a safeguard is refused until the school makes room.
    let reserved = NewUpload {
        id: "f".repeat(32),
        filename: "Reserved.HNOT".into(),
        kind: StoredKind::Base,
        sha256: Some("00".repeat(32)),
        length: 500_000,
        expires_at: service.store().now() + 3600,
    };
    service
        .store()
        .create_upload(&Actor::operator(s.account_id), &reserved, i64::MAX)
        .await
        .unwrap();
    assert!(s.client.storage().await.unwrap().used_bytes > 1_000_000);
    assert_api_error(
        s.client.open_safeguard(safeguard).await,
        413,
        "quota_exceeded",
    );
    assert_eq!(s.client.bases(s.schedule_id).await.unwrap().len(), bases);
    assert_eq!(service.audit_count(s.account_id).await, audit + 1);
    // Once room is made, it opens.
    s.client.delete_upload(&reserved.id).await.unwrap();
    s.client.open_safeguard(safeguard).await.unwrap();
}

#[tokio::test]
async fn failed_listener_leaves_the_schedule_stopped() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Port").await;
    let base = s
        .client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    let port = s.client.schedules().await.unwrap()[0].port.unwrap();

    // The port is taken: a clear 409, and the server stays shut down.
    let taken = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client.activate(s.schedule_id).await,
        409,
        "port_unavailable",
    );
    let schedule = s.client.schedules().await.unwrap()[0].clone();
    assert_eq!(schedule.server.state, ServerState::Stopped);
    assert_eq!(service.audit_count(s.account_id).await, audit);
    assert!(service.service.state.endpoints.listening().await.is_empty());
    drop(taken);
    let schedule = s.client.activate(s.schedule_id).await.unwrap();
    assert_eq!(schedule.server.active_base_id, Some(base.id));

    // The service restarts while another program holds the port: the schedule that cannot
    // answer is recorded as shut down, not left "running" without a listener.
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
    let restarted = hostingd::start(config, clock).await.unwrap();
    let row = restarted
        .state
        .store
        .schedule(s.account_id, s.schedule_id)
        .await
        .unwrap();
    assert_eq!(row.server_state, hosting_api::ServerState::Stopped);
    let log = restarted.state.store.audit_log(s.account_id).await.unwrap();
    assert!(audit_actions(&log).contains(&"server.listener_failed"));
    assert!(restarted.state.endpoints.listening().await.is_empty());
    drop(taken);
    restarted.shutdown().await.unwrap();
}

#[tokio::test]
async fn concurrent_activations_start_one_listener() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Twice").await;
    s.client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    for round in 0..6 {
        let (a, b) = tokio::join!(
            s.client.activate(s.schedule_id),
            s.manager.activate(s.schedule_id)
        );
        let (ok, refused) = match (a, b) {
            (Ok(ok), Err(refused)) | (Err(refused), Ok(ok)) => (ok, refused),
            other => panic!("round {round}: exactly one activation must succeed: {other:?}"),
        };
        assert!(
            matches!(&refused, ClientError::Api { status: 409, code, .. } if code == "server_running"),
            "{refused:?}"
        );
        assert_eq!(ok.server.state, ServerState::Running);
        assert_eq!(
            service.service.state.endpoints.listening().await,
            vec![s.schedule_id]
        );
        let status = s
            .client
            .endpoint_status(ok.host.as_deref().unwrap(), ok.port.unwrap())
            .await
            .unwrap();
        assert_eq!(status.schedule, ok.name);
        s.client.shutdown(s.schedule_id).await.unwrap();
        assert!(service.service.state.endpoints.listening().await.is_empty());
    }
}

#[tokio::test]
async fn database_commits_are_durable() {
    let service = TestService::start().await;
    // A commit is on disk when it returns, before objects are deleted after it: SQLite's
    // synchronous FULL; on PostgreSQL synchronous_commit on, even on a server whose default is
    // off (the CI cluster's).
    assert!(service.store().commits_are_durable().await.unwrap());
}

/// Seed 001: "from a Client connected to the hosted Server, … Complete the hosted base": a
/// companion is attached to the running active base, which stays in service, and replaced the
/// same way; the next safeguard copies the new set.
#[tokio::test]
async fn a_companion_completes_the_running_base_at_once() {
    let service = TestService::start().await;
    let (s, base) = running_school(&service, "Lycee Running", 30_000).await;
    let docs = write_file(s.dir.path(), "Docs.HDOCJOINTS", 5000, 4);
    let request = AddCompanion {
        upload_id: upload(&s.client, &docs).await,
    };
    let completed = s.client.add_companion(base.id, &request).await.unwrap();
    assert_eq!(completed.files.len(), 2);
    assert!(
        s.client.uploads().await.unwrap().is_empty(),
        "the upload is used"
    );
    let schedules = s.client.schedules().await.unwrap();
    let schedule = schedules.iter().find(|x| x.id == s.schedule_id).unwrap();
    assert_eq!(schedule.server.state, ServerState::Running);
    assert_eq!(schedule.server.active_base_id, Some(base.id));
    assert_eq!(
        service.service.state.endpoints.listening().await,
        vec![s.schedule_id],
        "the server was not stopped"
    );
    let audit = service.store().audit_log(s.account_id).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "base.completed"));

    // Replaced while it runs: one file of that kind, the new one; the old bytes are released.
    let newer = write_file(s.dir.path(), "Newer.HDOCJOINTS", 7000, 9);
    let replaced = s
        .client
        .add_companion(
            base.id,
            &AddCompanion {
                upload_id: upload(&s.client, &newer).await,
            },
        )
        .await
        .unwrap();
    let docs: Vec<_> = replaced
        .files
        .iter()
        .filter(|f| f.filename.ends_with(".HDOCJOINTS"))
        .collect();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].filename, "Newer.HDOCJOINTS");
    assert_eq!(docs[0].size, 7000);

    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report.safeguards_taken, 1);
}

#[tokio::test]
async fn absurd_time_grids_are_refused_with_422() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Grid").await;
    let audit = service.audit_count(s.account_id).await;
    let grid = |day_starts_at: &str, slot_minutes: u32, slots_per_day: u32| NewEmptyBase {
        time_grid: Some(TimeGrid {
            day_starts_at: day_starts_at.to_string(),
            slot_minutes,
            slots_per_day,
        }),
    };
    let absurd = [
        // 240 × u32::MAX overflows.
        grid("08:00", 240, u32::MAX),
        // 240 × 17 895 698 wraps around to 224 minutes in 32 bits.
        grid("08:00", 240, 17_895_698),
        grid("08:00", u32::MAX, 2),
        grid("08:00", 0, 10),
        grid("08:00", 60, 0),
        grid("00:00", 5, 289),
        grid("+8:00", 60, 10),
        grid("08:+5", 60, 10),
        grid("08:00:00", 60, 10),
        grid("99999999999:00", 60, 10),
        grid("", 60, 10),
    ];
    for request in &absurd {
        let result = s.client.create_empty_base(s.schedule_id, request).await;
        match result {
            Err(ClientError::Api {
                status,
                code,
                message,
                field,
                ..
            }) => {
                assert_eq!(
                    (status, code.as_str()),
                    (422, "invalid_time_grid"),
                    "{request:?}"
                );
                assert!(message.len() > 10);
                assert_eq!(field.as_deref(), Some("time_grid"));
            }
            other => panic!("{request:?}: expected 422, got {other:?}"),
        }
    }
    assert_eq!(service.audit_count(s.account_id).await, audit);
    assert!(s.client.bases(s.schedule_id).await.unwrap().is_empty());
    // The edges that fit are accepted: a whole day of 5-minute slots, a start at 8:00 in one digit.
    s.client
        .create_empty_base(s.schedule_id, &grid("00:00", 5, 288))
        .await
        .unwrap();
    s.client
        .create_empty_base(s.schedule_id, &grid("8:00", 60, 10))
        .await
        .unwrap();
}

#[tokio::test]
async fn safeguard_downloads_are_audited_with_the_workstation_and_source_address() {
    let service = TestService::start().await;
    let (s, _) = running_school(&service, "Lycee Copy", 80_000).await;
    service.service.run_jobs().await.unwrap();
    let safeguard = s.client.safeguards(s.schedule_id).await.unwrap()[0].clone();
    let target = s.dir.path().join("copy.HNOT");
    s.client
        .download_safeguard(safeguard.id, &target, |_, _| {})
        .await
        .unwrap();
    let log = service.store().audit_log(s.account_id).await.unwrap();
    let download = log
        .iter()
        .find(|e| e.action == "safeguard.downloaded")
        .unwrap();
    assert!(
        download
            .detail
            .contains(&format!("\"safeguard_id\":{}", safeguard.id))
    );
    assert!(
        download.actor.starts_with("superadmin:"),
        "{}",
        download.actor
    );
    // The workstation it went to: the one that loaded the base.
    let loaded = log.iter().find(|e| e.action == "base.loaded").unwrap();
    assert!(download.workstation_id.is_some());
    assert_eq!(download.workstation_id, loaded.workstation_id);
    assert_eq!(download.source_addr.as_deref(), Some("127.0.0.1"));
    // Another school's download attempt is not found and audits nothing for this account.
    let count = log.len();
    let other = school(&service, "Lycee Other").await;
    assert_api_error(
        other
            .client
            .download_safeguard(safeguard.id, &other.dir.path().join("x"), |_, _| {})
            .await,
        404,
        "not_found",
    );
    assert_eq!(service.audit_count(s.account_id).await, count);
}

#[tokio::test]
async fn unknown_file_kind_or_origin_in_the_database_is_an_error() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Corrupt").await;
    let base = s
        .client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    let photos = write_file(s.dir.path(), "P.HPHOTOS", 1000, 5);
    upload(&s.client, &photos).await;
    let pool = hostingd::testing::raw_database(service.dir.path()).await;
    let internal = |result: Result<_, ClientError>| match result {
        Err(ClientError::Api { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (500, "internal_error"))
        }
        Ok(value) => panic!("an unknown value must not read as a default: {:?}", value),
        Err(other) => panic!("{other:?}"),
    };

    // An origin the service does not know.
    sqlx::query("UPDATE bases SET origin = 'imported' WHERE id = $1")
        .bind(base.id)
        .execute(&pool)
        .await
        .unwrap();
    internal(
        s.client
            .bases(s.schedule_id)
            .await
            .map(|b| format!("{b:?}")),
    );
    sqlx::query("UPDATE bases SET origin = 'created' WHERE id = $1")
        .bind(base.id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(s.client.bases(s.schedule_id).await.unwrap().len(), 1);

    // A file kind it does not know, on a base file and on an upload.
    sqlx::query("UPDATE base_files SET kind = 'video' WHERE base_id = $1")
        .bind(base.id)
        .execute(&pool)
        .await
        .unwrap();
    internal(
        s.client
            .bases(s.schedule_id)
            .await
            .map(|b| format!("{b:?}")),
    );
    sqlx::query("UPDATE uploads SET kind = 'BASE'")
        .execute(&pool)
        .await
        .unwrap();
    internal(s.client.uploads().await.map(|u| format!("{u:?}")));
    pool.close().await;
}
