//! tus uploads over real TLS: checksums per chunk and per file, offsets, one PATCH at a time,
//! expiry, limits, the session, chunk sizes, and the sweep of objects left by a crash.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::files::{
    patch, school, skipped_unless_local, small_chunks, stored_keys, stored_sha256, upload,
    write_file,
};
use common::{TestService, assert_api_error};
use hosting_api::tus::{chunk_checksum, hash_file};
use hosting_api::{ClientError, FileKind, LoadBase, TusOptions, UploadMetadata};
use reqwest::Method;

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
        sha256: Some(sha256),
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
        sha256: Some("00".repeat(32)),
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

/// A raw PATCH with a `Repr-Digest`.
async fn patch_with_digest(
    client: &hosting_api::Client,
    id: &str,
    offset: u64,
    data: &[u8],
    sha256: &str,
) -> reqwest::Response {
    client
        .tus_raw(Method::PATCH, id, |request| {
            request
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", offset.to_string())
                .header("Repr-Digest", hosting_api::repr_digest(sha256))
                .body(data.to_vec())
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn the_hash_comes_with_the_last_chunk_and_the_service_keeps_its_own_running() {
    let service = TestService::start().await;
    let s = school(&service, "College Colette").await;
    let path = write_file(s.dir.path(), "Colette.HNOT", 200_000, 9);
    let data = std::fs::read(&path).unwrap();
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    // Created without the hash: nothing of the file is read before its first byte is sent.
    let metadata = UploadMetadata {
        filename: "Colette.HNOT".into(),
        kind: FileKind::Base,
        sha256: None,
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();
    let response = patch(&s.client, &id, 0, &data[..70_000], None).await;
    assert_eq!(response.status().as_u16(), 204);

    // The running hash is saved with the part: exactly the bytes stored, ready to go on.
    let row = service
        .service
        .state
        .store
        .upload(s.account_id, &id)
        .await
        .unwrap()
        .unwrap();
    let saved = hosting_api::FileHash::from_bytes(row.hash_state.as_deref().unwrap()).unwrap();
    let mut expected = hosting_api::FileHash::new();
    expected.update(&data[..70_000]);
    assert_eq!(saved, expected);
    assert_eq!(row.sha256, None);

    // The last chunk without the file's hash is refused before a byte is kept.
    let refused = patch(&s.client, &id, 70_000, &data[70_000..], None).await;
    assert_eq!(refused.status().as_u16(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "file_hash_required");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Repr-Digest")
    );
    // Another hash than the bytes': refused, and nothing changes.
    let wrong = patch_with_digest(&s.client, &id, 70_000, &data[70_000..], &"ab".repeat(32)).await;
    assert_eq!(wrong.status().as_u16(), 460);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["code"], "file_checksum_mismatch");
    assert_eq!(s.client.upload_offset(&id).await.unwrap(), (70_000, length));
    let malformed = s
        .client
        .tus_raw(Method::PATCH, &id, |request| {
            request
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", "70000")
                .header("Repr-Digest", "md5=:AAAA:")
                .body(data[70_000..].to_vec())
        })
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    assert_eq!(s.client.upload_offset(&id).await.unwrap(), (70_000, length));

    // The right one: complete, and the upload carries the hash the service computed.
    let done = patch_with_digest(&s.client, &id, 70_000, &data[70_000..], &sha256).await;
    assert_eq!(done.status().as_u16(), 204);
    let info = s.client.uploads().await.unwrap();
    assert!(info[0].complete);
    assert_eq!(info[0].sha256.as_deref(), Some(sha256.as_str()));
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
    assert_eq!(base.sha256, sha256);
    assert_eq!(stored_sha256(&service, base.id, s.account_id).await, sha256);
}

#[tokio::test]
async fn the_client_hashes_while_sending_and_resumes_from_a_checkpoint() {
    let service = TestService::start().await;
    let s = school(&service, "College Sagan").await;
    let path = write_file(s.dir.path(), "Sagan.HNOT", 3 * 256 * 1024 + 1234, 11);
    let data = std::fs::read(&path).unwrap();
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Sagan.HNOT".into(),
        kind: FileKind::Base,
        sha256: None,
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();
    // A first session sends one chunk by hand; its checkpoint is the running hash of that chunk.
    let first = 256 * 1024;
    let response = patch(&s.client, &id, 0, &data[..first], None).await;
    assert_eq!(response.status().as_u16(), 204);
    let mut checkpoint = hosting_api::FileHash::new();
    checkpoint.update(&data[..first]);
    // The next session goes on from the checkpoint; every report after a stored chunk carries
    // the running hash of exactly the bytes stored.
    let mut reports = Vec::new();
    let done = s
        .client
        .upload_file_from(&id, &path, &small_chunks(), Some(checkpoint), |p| {
            if let Some(hash) = &p.checkpoint {
                reports.push((p.offset, hash.clone()));
            }
        })
        .await
        .unwrap();
    assert_eq!(done.offset, length);
    assert_eq!(done.checkpoint.as_ref().unwrap().hex(), sha256);
    assert!(reports.len() >= 4, "{} reports", reports.len());
    for (offset, hash) in &reports {
        let mut expected = hosting_api::FileHash::new();
        expected.update(&data[..*offset as usize]);
        assert_eq!(hash, &expected, "at {offset}");
    }
    let info = s.client.uploads().await.unwrap();
    assert_eq!(info[0].sha256.as_deref(), Some(sha256.as_str()));

    // A wrong checkpoint (not this file's bytes) gives a hash the service refuses: nothing of
    // the last chunk is kept.
    let other = UploadMetadata {
        filename: "Sagan2.HNOT".into(),
        kind: FileKind::Base,
        sha256: None,
    };
    let id = s.client.create_upload(&other, length).await.unwrap();
    let response = patch(&s.client, &id, 0, &data[..first], None).await;
    assert_eq!(response.status().as_u16(), 204);
    let mut wrong = hosting_api::FileHash::new();
    wrong.update(&vec![0u8; first]);
    let result = s
        .client
        .upload_file_from(&id, &path, &small_chunks(), Some(wrong), |_| {})
        .await;
    match result {
        Err(hosting_api::TusError::Client(error)) => {
            assert_eq!(
                error.code(),
                Some(&hosting_api::ErrorCode::FileChecksumMismatch)
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let (offset, length) = s.client.upload_offset(&id).await.unwrap();
    assert!(offset < length);
    // Without a checkpoint the client reads the stored bytes once more, and the file completes.
    s.client
        .upload_file(&id, &path, &small_chunks(), |_| {})
        .await
        .unwrap();
    let uploads = s.client.uploads().await.unwrap();
    assert!(uploads.iter().find(|u| u.id == id).unwrap().complete);
}

#[tokio::test]
async fn the_whole_file_hash_is_checked_when_the_last_byte_lands() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Sand").await;
    let path = write_file(s.dir.path(), "Sand.HNOT", 300_000, 4);
    let metadata = UploadMetadata {
        filename: "Sand.HNOT".into(),
        kind: FileKind::Base,
        sha256: Some("ab".repeat(32)),
    };
    let id = s.client.create_upload(&metadata, 300_000).await.unwrap();
    let result = s
        .client
        .upload_file(&id, &path, &small_chunks(), |_| {})
        .await;
    match result {
        Err(hosting_api::TusError::Client(error)) => {
            assert_eq!(error.status(), Some(460));
            assert_eq!(
                error.code(),
                Some(&hosting_api::ErrorCode::FileChecksumMismatch)
            );
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
        sha256: Some(sha256),
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
        sha256: Some(sha256),
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();
    let data = std::fs::read(&path).unwrap();
    assert_eq!(
        patch(&s.client, &id, 0, &data[..50_000], None)
            .await
            .status(),
        204
    );
    // The folder of its parts: `d/<day>/uploads/<id>/`.
    let part = &service.store().upload_parts(&id).await.unwrap()[0];
    let parts_dir = format!("{}/", part.object_key.rsplit_once('/').unwrap().0);
    assert!(
        parts_dir.ends_with(&format!("/uploads/{id}/")),
        "{parts_dir}"
    );
    let blobs = &service.service.state.blobs;
    assert!(!blobs.list_under(Some(&parts_dir)).await.unwrap().is_empty());

    service.clock.advance(73 * 3600);
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    let response = s.client.tus_raw(Method::HEAD, &id, |r| r).await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    let report = service.service.run_jobs().await.unwrap();
    assert_eq!(report.expired_uploads, 1);
    assert_api_error(s.client.upload_offset(&id).await, 404, "upload_not_found");
    assert!(
        blobs.list_under(Some(&parts_dir)).await.unwrap().is_empty(),
        "its bytes are deleted"
    );
    assert!(s.client.uploads().await.unwrap().is_empty());
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
        sha256: Some("00".repeat(32)),
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
        sha256: Some(sha256),
    };
    let partial_upload = s.client.create_upload(&metadata, length).await.unwrap();
    let data = std::fs::read(&partial).unwrap();
    assert_eq!(
        patch(&s.client, &partial_upload, 0, &data[..40_000], None)
            .await
            .status(),
        204
    );

    // A part written just before a crash, never recorded, beside the upload's first part.
    let state = &service.service.state;
    let first = &service.store().upload_parts(&partial_upload).await.unwrap()[0];
    let orphan = format!(
        "{}/00000000000000040000",
        first.object_key.rsplit_once('/').unwrap().0
    );
    state.blobs.put(&orphan, vec![7u8; 1000]).await.unwrap();
    let before = stored_keys(&service).await;
    assert!(before.contains(&orphan));
    // The sweep lists a day once it is over and the grace period has passed.
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        stored_keys(&service).await,
        before,
        "today is not listed yet"
    );
    service.clock.advance(30 * 3600 + 60);
    let deleted = hostingd::jobs::sweep_orphans(&state.job_services())
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let after = stored_keys(&service).await;
    assert!(!after.contains(&orphan));
    assert_eq!(after.len(), before.len() - 1);
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();

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
        sha256: Some(sha256),
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

#[tokio::test]
async fn leases_are_held_in_the_database_and_expire() {
    let service = TestService::start().await;
    let store = &service.service.state.store;
    assert!(store.acquire_lease("upload:x", "east:1", 30).await.unwrap());
    // Another holder (another instance, another PATCH) cannot take it, only its holder renews it.
    assert!(!store.acquire_lease("upload:x", "west:2", 30).await.unwrap());
    assert!(store.acquire_lease("upload:x", "east:1", 30).await.unwrap());
    assert_eq!(
        store.lease_holder("upload:x").await.unwrap().as_deref(),
        Some("east:1")
    );
    // A holder that died loses it when it expires.
    service.clock.advance(31);
    assert_eq!(store.lease_holder("upload:x").await.unwrap(), None);
    assert!(store.acquire_lease("upload:x", "west:2", 30).await.unwrap());
    assert!(!store.acquire_lease("upload:x", "east:1", 30).await.unwrap());
    // Only its holder gives it back.
    store.release_lease("upload:x", "east:1").await.unwrap();
    assert!(store.lease_holder("upload:x").await.unwrap().is_some());
    store.release_lease("upload:x", "west:2").await.unwrap();
    assert_eq!(store.lease_holder("upload:x").await.unwrap(), None);
}

#[tokio::test]
async fn a_patch_waits_for_the_lease_another_instance_holds() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Leases").await;
    let path = write_file(s.dir.path(), "Leases.HNOT", 100_000, 5);
    let data = std::fs::read(&path).unwrap();
    let (length, sha256) = hash_file(&path, |_| {}).unwrap();
    let metadata = UploadMetadata {
        filename: "Leases.HNOT".into(),
        kind: FileKind::Base,
        sha256: Some(sha256),
    };
    let id = s.client.create_upload(&metadata, length).await.unwrap();
    // Another instance over the same database is writing this upload.
    let store = &service.service.state.store;
    let name = format!("upload:{id}");
    assert!(store.acquire_lease(&name, "west:7", 30).await.unwrap());
    let busy = patch(&s.client, &id, 0, &data[..50_000], None).await;
    assert_eq!(busy.status().as_u16(), 409);
    let body: serde_json::Value = busy.json().await.unwrap();
    assert_eq!(body["error"]["code"], "upload_busy");
    assert_eq!(s.client.upload_offset(&id).await.unwrap(), (0, length));
    // Once it is done, this one goes on; its own lease is given back after each PATCH.
    store.release_lease(&name, "west:7").await.unwrap();
    let response = patch(&s.client, &id, 0, &data[..50_000], None).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(store.lease_holder(&name).await.unwrap(), None);
    // A cancellation waits for the other instance's PATCH, then deletes.
    assert!(store.acquire_lease(&name, "west:8", 30).await.unwrap());
    let release = {
        let store = store.clone();
        let name = name.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(600)).await;
            store.release_lease(&name, "west:8").await.unwrap();
        })
    };
    let started = std::time::Instant::now();
    s.client.delete_upload(&id).await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(500));
    release.await.unwrap();
    assert!(s.client.uploads().await.unwrap().is_empty());
}

#[tokio::test]
async fn keys_without_a_day_are_swept_once() {
    let service = TestService::start().await;
    if skipped_unless_local(&service, "keys_without_a_day_are_swept_once") {
        return;
    }
    let state = &service.service.state;
    let blobs = service.dir.path().join("blobs");
    let age = |key: &str, seconds: u64| {
        std::fs::File::options()
            .write(true)
            .open(blobs.join(key))
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(seconds))
            .unwrap();
    };
    // Objects of a version whose keys had no day, left unreferenced by a crash: one old, one
    // written just now (it may be in flight).
    state
        .blobs
        .put("uploads/old/00000000000000000000", vec![1; 10])
        .await
        .unwrap();
    age("uploads/old/00000000000000000000", 7 * 3600);
    state
        .blobs
        .put("safeguards/young/Base/000000", vec![2; 10])
        .await
        .unwrap();
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        1
    );
    assert!(!blobs.join("uploads/old/00000000000000000000").exists());
    assert!(blobs.join("safeguards/young/Base/000000").exists());
    assert_eq!(state.store.sweep_mark("undated").await.unwrap(), None);
    // Once nothing is left undecided, the keys without a day are not listed any more.
    age("safeguards/young/Base/000000", 7 * 3600);
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        1
    );
    assert!(!blobs.join("safeguards/young/Base/000000").exists());
    assert!(state.store.sweep_mark("undated").await.unwrap().is_some());
    state.blobs.put("created/later", vec![3; 10]).await.unwrap();
    age("created/later", 7 * 3600);
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        0
    );
    assert!(blobs.join("created/later").exists());
}
