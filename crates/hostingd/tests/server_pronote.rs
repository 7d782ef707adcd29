//! Server PRONOTE over real TLS: tus uploads, bases, the server's rules, the schedule endpoint,
//! safeguards on the service clock, licences, and one account never touching another's files.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{TestService, assert_api_error};
use hosting_api::tus::{chunk_checksum, hash_file};
use hosting_api::{
    Client, ClientError, FileKind, LoadBase, MonitoringUpdate, NewEmptyBase, ScheduleUpdate,
    ServerState, TusOptions, UploadMetadata,
};
use reqwest::Method;

/// Writes `size` pseudo-random bytes (seeded) to `dir/name`.
fn write_file(dir: &Path, name: &str, size: usize, seed: u8) -> PathBuf {
    let path = dir.join(name);
    let mut data = Vec::with_capacity(size);
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    while data.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.truncate(size);
    std::fs::write(&path, data).unwrap();
    path
}

fn small_chunks() -> TusOptions {
    TusOptions {
        chunk_size: 256 * 1024,
        ..TusOptions::default()
    }
}

/// Creates an upload for `path` and sends it whole; returns the upload id.
async fn upload(client: &Client, path: &Path) -> String {
    let name = path.file_name().unwrap().to_str().unwrap().to_string();
    let (length, sha256) = hash_file(path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        kind: FileKind::of_filename(&name).unwrap(),
        filename: name,
        sha256,
    };
    let id = client.create_upload(&metadata, length).await.unwrap();
    let done = client
        .upload_file(&id, path, &small_chunks(), |_| {})
        .await
        .unwrap();
    assert_eq!(done.offset, length);
    id
}

/// A raw tus PATCH.
async fn patch(
    client: &Client,
    id: &str,
    offset: u64,
    data: &[u8],
    checksum: Option<&str>,
) -> reqwest::Response {
    client
        .tus_raw(Method::PATCH, id, |request| {
            let request = request
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", offset.to_string())
                .body(data.to_vec());
            match checksum {
                Some(c) => request.header("Upload-Checksum", c),
                None => request,
            }
        })
        .await
        .unwrap()
}

struct School {
    client: Client,
    manager: Client,
    account_id: i64,
    schedule_id: i64,
    dir: tempfile::TempDir,
}

async fn school(service: &TestService, name: &str) -> School {
    let logins = service.provision(name).await;
    let (manager, _) = service.manager(&logins).await;
    let schedules = manager.schedules().await.unwrap();
    let schedule_id = schedules[0].id;
    let domain = format!("{}-p1", name.to_lowercase().replace(' ', "-"));
    manager
        .update_schedule(
            schedule_id,
            &ScheduleUpdate {
                domain: Some(domain),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .unwrap();
    let username = format!("spr{}", logins.account_id);
    let client = service.superadmin(&manager, &logins, &username).await;
    School {
        client,
        manager,
        account_id: logins.account_id,
        schedule_id,
        dir: tempfile::tempdir().unwrap(),
    }
}

/// The stored bytes of an upload's blob, hashed back from blob storage.
async fn stored_sha256(service: &TestService, base_id: i64, account_id: i64) -> String {
    let store = service.store();
    store.base(account_id, base_id).await.unwrap();
    let files = store.base_files(base_id).await.unwrap();
    let base = files.iter().find(|f| f.kind == "base").unwrap();
    let parts = store.blob_parts(base.blob_id).await.unwrap();
    service.service.state.blobs.sha256(parts).await.unwrap()
}

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
async fn chunks_are_checked_and_offsets_enforced() {
    let service = TestService::start().await;
    let s = school(&service, "College Zola").await;
    let path = write_file(s.dir.path(), "Zola.HNOT", 64 * 1024, 3);
    let data = std::fs::read(&path).unwrap();
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Zola.HNOT".into(),
        kind: FileKind::Base,
        sha256,
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();

    // A wrong checksum: 460, and the offset does not move.
    let first = &data[..16 * 1024];
    let response = patch(
        &s.client,
        &id,
        0,
        first,
        Some(&chunk_checksum(b"other bytes")),
    )
    .await;
    assert_eq!(response.status().as_u16(), 460);
    assert_eq!(s.client.upload_offset(&id).await.unwrap(), (0, length));

    // A PATCH at a wrong offset: 409, with the service's offset.
    let response = patch(&s.client, &id, 100, first, None).await;
    assert_eq!(response.status().as_u16(), 409);
    assert_eq!(response.headers()["Upload-Offset"], "0");

    // A sha256 checksum works as well as sha1.
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, first);
    use base64::Engine as _;
    let header = format!(
        "sha256 {}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    );
    let response = patch(&s.client, &id, 0, first, Some(&header)).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.headers()["Upload-Offset"], "16384");
    assert!(response.headers().contains_key("Upload-Expires"));

    // Bytes beyond the announced length are refused.
    let response = patch(&s.client, &id, 16384, &vec![0u8; 64 * 1024], None).await;
    assert_eq!(response.status().as_u16(), 413);

    // Bad creations say what to fix.
    let bad = s
        .client
        .tus_raw(Method::POST, "", |r| r.header("Upload-Length", "10"))
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_metadata");
    let wrong_kind = UploadMetadata {
        filename: "Zola.HPHOTOS".into(),
        kind: FileKind::Base,
        sha256: "00".repeat(32),
    };
    assert_api_error(
        s.client.create_upload(&wrong_kind, 10).await,
        400,
        "invalid_metadata",
    );
    assert_api_error(
        s.client.create_upload(&metadata, 30_000_000_000).await,
        413,
        "upload_too_large",
    );
    let no_version = s
        .client
        .tus_raw(Method::HEAD, &id, |r| r.header("Tus-Resumable", "0.2.2"))
        .await
        .unwrap();
    assert_eq!(no_version.status().as_u16(), 412);

    // The rest of the file, and the upload is complete.
    let response = patch(&s.client, &id, 16384, &data[16384..], None).await;
    assert_eq!(response.status().as_u16(), 204);
    let info = s.client.uploads().await.unwrap();
    assert!(info[0].complete);
    let response = patch(&s.client, &id, length, b"x", None).await;
    assert_eq!(response.status().as_u16(), 409);
}

#[tokio::test]
async fn the_whole_file_hash_is_checked_when_the_last_byte_lands() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Sand").await;
    let path = write_file(s.dir.path(), "Sand.HNOT", 300_000, 4);
    let metadata = UploadMetadata {
        filename: "Sand.HNOT".into(),
        kind: FileKind::Base,
        sha256: "ab".repeat(32),
    };
    let id = s.client.create_upload(&metadata, 300_000).await.unwrap();
    let result = s
        .client
        .upload_file(&id, &path, &small_chunks(), |_| {})
        .await;
    match result {
        Err(hosting_api::TusError::Client(error)) => {
            assert_eq!(error.status(), Some(460));
            assert_eq!(error.code(), Some("file_checksum_mismatch"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let (offset, length) = s.client.upload_offset(&id).await.unwrap();
    assert!(offset < length, "the last chunk is not kept");
    assert!(!s.client.uploads().await.unwrap()[0].complete);
}

#[tokio::test]
async fn two_patches_at_once_never_both_succeed() {
    let service = TestService::start().await;
    let s = school(&service, "College Hugo").await;
    let path = write_file(s.dir.path(), "Race.HNOT", 8 * 1024 * 1024, 5);
    let data = std::fs::read(&path).unwrap();
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Race.HNOT".into(),
        kind: FileKind::Base,
        sha256,
    };
    for round in 0..3 {
        let id = s.client.create_upload(&metadata, length).await.unwrap();
        let chunk = &data[..4 * 1024 * 1024];
        let checksum = chunk_checksum(chunk);
        let (a, b) = tokio::join!(
            patch(&s.client, &id, 0, chunk, Some(&checksum)),
            patch(&s.client, &id, 0, chunk, Some(&checksum)),
        );
        let statuses = [a.status().as_u16(), b.status().as_u16()];
        let successes = statuses.iter().filter(|s| **s == 204).count();
        assert_eq!(successes, 1, "round {round}: {statuses:?}");
        assert!(statuses.contains(&409), "{statuses:?}");
        assert_eq!(
            s.client.upload_offset(&id).await.unwrap().0,
            4 * 1024 * 1024
        );
        s.client.delete_upload(&id).await.unwrap();
        assert_api_error(s.client.upload_offset(&id).await, 404, "upload_not_found");
    }
}

#[tokio::test]
async fn an_expired_upload_is_gone() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Expire").await;
    let path = write_file(s.dir.path(), "Old.HNOT", 100_000, 6);
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Old.HNOT".into(),
        kind: FileKind::Base,
        sha256,
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();
    let data = std::fs::read(&path).unwrap();
    assert_eq!(
        patch(&s.client, &id, 0, &data[..50_000], None)
            .await
            .status(),
        204
    );
    let parts_dir = service.dir.path().join("blobs/uploads").join(&id);
    assert!(parts_dir.exists());

    service.clock.advance(73 * 3600);
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    let response = s.client.tus_raw(Method::HEAD, &id, |r| r).await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report.expired_uploads, 1);
    assert_api_error(s.client.upload_offset(&id).await, 404, "upload_not_found");
    assert!(!parts_dir.exists(), "its bytes are deleted");
    assert!(s.client.uploads().await.unwrap().is_empty());
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

    // The photos change after the last safeguard: opening it brings back the photos it kept.
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
async fn uploads_need_the_certificate_and_the_session() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Session").await;
    let anonymous = service.anonymous();
    anonymous.set_token(s.client.token());
    let result = anonymous.uploads().await;
    assert!(matches!(
        result,
        Err(ClientError::Api { status: 401, .. }) | Err(ClientError::Transport(_))
    ));
    let options = s.client.tus_raw(Method::OPTIONS, "", |r| r).await.unwrap();
    assert_eq!(options.status().as_u16(), 204);
    assert_eq!(options.headers()["Tus-Version"], "1.0.0");
    assert!(
        options.headers()["Tus-Extension"]
            .to_str()
            .unwrap()
            .contains("checksum")
    );
    let token = s.client.token();
    s.client.logout().await.unwrap();
    s.client.set_token(token);
    let logged_out = s.client.uploads().await;
    assert!(matches!(
        logged_out,
        Err(ClientError::Api { status: 401, .. })
    ));
}

#[tokio::test]
async fn limits_are_reported_and_enforced() {
    let service = TestService::start_with(|config| {
        config.account_quota_bytes = 1_000_000;
        config.max_upload_bytes = 700_000;
        config.upload_expiry_hours = 2;
    })
    .await;
    let s = school(&service, "Lycee Quota").await;
    let storage = s.client.storage().await.unwrap();
    assert_eq!(
        (
            storage.quota_bytes,
            storage.max_upload_bytes,
            storage.upload_expiry_seconds,
            storage.used_bytes
        ),
        (1_000_000, 700_000, 7200, 0)
    );
    let metadata = |name: &str| UploadMetadata {
        filename: name.to_string(),
        kind: FileKind::Base,
        sha256: "00".repeat(32),
    };
    let options = s.client.tus_raw(Method::OPTIONS, "", |r| r).await.unwrap();
    assert_eq!(options.headers()["Tus-Max-Size"], "700000");
    assert_api_error(
        s.client.create_upload(&metadata("Big.HNOT"), 700_001).await,
        413,
        "upload_too_large",
    );
    s.client
        .create_upload(&metadata("A.HNOT"), 600_000)
        .await
        .unwrap();
    assert_eq!(s.client.storage().await.unwrap().used_bytes, 600_000);
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client.create_upload(&metadata("B.HNOT"), 600_000).await,
        413,
        "quota_exceeded",
    );
    assert_eq!(service.audit_count(s.account_id).await, audit);
    assert_eq!(s.client.uploads().await.unwrap().len(), 1);
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

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn objects_left_by_a_crash_are_swept_and_nothing_else() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Sweep").await;
    let done = write_file(s.dir.path(), "Done.HNOT", 600_000, 13);
    let done_upload = upload(&s.client, &done).await;
    let partial = write_file(s.dir.path(), "Partial.HNOT", 100_000, 14);
    let (length, sha256) = hash_file(&partial, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Partial.HNOT".into(),
        kind: FileKind::Base,
        sha256,
    };
    let partial_upload = s.client.create_upload(&metadata, length).await.unwrap();
    let data = std::fs::read(&partial).unwrap();
    assert_eq!(
        patch(&s.client, &partial_upload, 0, &data[..40_000], None)
            .await
            .status(),
        204
    );

    // A part written just before a crash, never recorded.
    let blobs = service.dir.path().join("blobs");
    let orphan = blobs
        .join("uploads")
        .join(&partial_upload)
        .join("00000000000000040000");
    std::fs::write(&orphan, vec![7u8; 1000]).unwrap();
    // Everything is older than the grace period.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7 * 3600);
    for file in files_under(&blobs) {
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let before = files_under(&blobs).len();
    let deleted = hostingd::jobs::sweep_orphans(&service.service.state)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(!orphan.exists());
    assert_eq!(files_under(&blobs).len(), before - 1);

    // What is referenced is intact: the partial upload goes on, the finished one loads.
    assert_eq!(
        patch(&s.client, &partial_upload, 40_000, &data[40_000..], None)
            .await
            .status(),
        204
    );
    let base = s
        .client
        .load_base(
            s.schedule_id,
            &LoadBase {
                upload_id: done_upload,
                companions: vec![],
            },
        )
        .await
        .unwrap();
    let (_, done_sha) = hash_file(&done, |_| {}).unwrap();
    assert_eq!(
        stored_sha256(&service, base.id, s.account_id).await,
        done_sha
    );
}

#[tokio::test]
async fn chunks_follow_the_rate_of_the_link() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Rate").await;
    let path = write_file(s.dir.path(), "Rate.HNOT", 40 * 1024 * 1024, 15);
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Rate.HNOT".into(),
        kind: FileKind::Base,
        sha256,
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();
    let mut reports = Vec::new();
    let done = s
        .client
        .upload_file(&id, &path, &TusOptions::default(), |p| reports.push(p))
        .await
        .unwrap();
    assert_eq!((done.offset, done.resent), (length, 0));
    // Starts at 8 MiB (the second chunk is read while the first travels); on loopback, far above
    // 4 MiB per 2 s, the next ones are larger.
    let parts = service.store().upload_parts(&id).await.unwrap();
    let sizes: Vec<i64> = parts.iter().map(|p| p.size).collect();
    assert_eq!(sizes[..2], [8 << 20, 8 << 20], "{sizes:?}");
    assert!(sizes.len() <= 4, "{sizes:?}");
    assert!(sizes[2] > 8 << 20, "{sizes:?}");
    // Progress never goes back and ends at the length.
    assert!(
        reports
            .windows(2)
            .all(|w| w[0].sent <= w[1].sent && w[0].offset <= w[1].offset)
    );
    assert!(reports.iter().all(|p| p.offset <= p.sent));
    assert_eq!(reports.last().unwrap().sent, length);
}
