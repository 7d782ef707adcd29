//! Issue 11: blob storage in an S3-compatible bucket (`--blob-store s3://bucket/prefix`), against
//! the real server that `.ci/run` starts (moto) when `HOSTINGD_TEST_BLOB_STORE` names a bucket;
//! each test works under a random prefix of its own. Without the variable, each test says it was
//! skipped and returns.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestService;
use common::files::{patch, school, stored_sha256, upload, write_file};
use hosting_api::tus::hash_file;
use hosting_api::{LoadBase, UploadMetadata};
use hostingd::blobs::{BlobLocation, Blobs, day_key, day_of};
use hostingd::store::Part;

/// The test's own prefix in the bucket, or `None` (and a line saying the test was skipped).
fn bucket_or_skip(test: &str) -> Option<BlobLocation> {
    let location = hostingd::testing::test_blob_store();
    if location.is_none() {
        eprintln!(
            "skipped {test}: HOSTINGD_TEST_BLOB_STORE is not set (s3://bucket, with the AWS_* variables of an S3-compatible server)"
        );
    }
    location
}

/// A service whose blobs are in `location`.
async fn service_on(location: &BlobLocation) -> TestService {
    let location = location.clone();
    TestService::start_with(move |config| config.blob_store = Some(location.to_string())).await
}

/// Pseudo-random bytes.
fn bytes(size: usize, seed: u8) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::read(write_file(dir.path(), "data", size, seed)).unwrap()
}

/// Every byte of a file made of `parts`, read back from the store.
async fn read_all(blobs: &Blobs, parts: Vec<Part>) -> Vec<u8> {
    use futures::TryStreamExt;
    let chunks: Vec<bytes::Bytes> = blobs.read(parts).try_collect().await.unwrap();
    chunks.concat()
}

async fn keys_under(blobs: &Blobs, prefix: &str) -> Vec<String> {
    let mut keys: Vec<String> = blobs
        .list_under(Some(prefix))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.0)
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn parts_are_written_read_copied_listed_and_deleted_in_the_bucket() {
    let Some(location) = bucket_or_skip("parts_are_written_read_copied_listed_and_deleted") else {
        return;
    };
    let service = service_on(&location).await;
    assert_eq!(service.service.state.blobs.location(), &location);
    let logins = service.provision("Lycee Bucket").await;
    let state = &service.service.state;
    let blobs = &state.blobs;
    let now = state.store.now();
    let today = day_of(now);

    // One PATCH's object, 9 MiB + 1 KiB: a multipart upload of an 8 MiB part and a smaller last.
    let big = bytes(9 * 1024 * 1024 + 1024, 1);
    let big_key = day_key(now, "uploads/u1/00000000000000000000-aa");
    assert!(big_key.starts_with(&format!("d/{today}/uploads/u1/")));
    state
        .store
        .record_object(logins.account_id, &big_key)
        .await
        .unwrap();
    let mut writer = blobs.writer(&big_key).await.unwrap();
    for piece in big.chunks(1024 * 1024) {
        writer.write(piece).await.unwrap();
    }
    assert_eq!(writer.written(), big.len() as u64);
    let first = writer.finish().await.unwrap();
    assert_eq!(first.size, big.len() as i64);
    // A small PATCH: one part only, below S3's 5 MiB minimum for a non-last part.
    let small = bytes(4, 2);
    let small_key = day_key(now, "uploads/u1/00000000009438235648-bb");
    let mut writer = blobs.writer(&small_key).await.unwrap();
    writer.write(&small).await.unwrap();
    let second = writer.finish().await.unwrap();
    let put_key = day_key(now, "created/c1");
    let third = blobs
        .put(&put_key, b"{\"empty\":true}".to_vec())
        .await
        .unwrap();

    // Read back across the parts, whole and hashed.
    let file = vec![first.clone(), second.clone(), third.clone()];
    let mut expected = big.clone();
    expected.extend_from_slice(&small);
    expected.extend_from_slice(b"{\"empty\":true}");
    assert_eq!(read_all(blobs, file.clone()).await, expected);
    let sha = hex::encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &expected,
    ));
    assert_eq!(blobs.sha256(file.clone()).await.unwrap(), sha);
    assert_eq!(read_all(blobs, vec![second.clone()]).await, small);

    // A copy is a server-side copy, recorded as sharing its original's content.
    let copy_prefix = day_key(now, "safeguards/s1/Base");
    let copies = blobs
        .copy_parts(&state.store, logins.account_id, &file, &copy_prefix)
        .await
        .unwrap();
    assert_eq!(copies.len(), 3);
    assert_eq!(
        copies.iter().map(|p| p.size).collect::<Vec<_>>(),
        file.iter().map(|p| p.size).collect::<Vec<_>>()
    );
    assert_eq!(blobs.sha256(copies.clone()).await.unwrap(), sha);

    // Listed by day: the day folder holds the six objects; nothing is without a day.
    assert_eq!(blobs.days().await.unwrap(), vec![today.clone()]);
    let mut all: Vec<String> = file
        .iter()
        .chain(&copies)
        .map(|p| p.object_key.clone())
        .collect();
    all.sort();
    assert_eq!(keys_under(blobs, &format!("d/{today}/")).await, all);
    assert!(blobs.undated().await.unwrap().is_empty());

    // Deleting: the original goes, the copy stays; deleting a missing key is fine.
    blobs.delete(std::slice::from_ref(&first.object_key)).await;
    blobs
        .delete(&["d/2000-01-01/uploads/missing".to_string()])
        .await;
    assert!(
        !keys_under(blobs, &format!("d/{today}/"))
            .await
            .contains(&first.object_key)
    );
    assert!(
        blobs.sha256(vec![first]).await.is_err(),
        "its bytes are gone"
    );
    assert_eq!(read_all(blobs, vec![copies[0].clone()]).await, big);

    // Another prefix of the same bucket sees none of it.
    let other = Blobs::open(&hostingd::testing::test_blob_store().unwrap())
        .await
        .unwrap();
    assert!(other.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_sweep_lists_each_day_once_past_the_grace_period_and_empties_the_queue() {
    let Some(location) = bucket_or_skip("the_sweep_lists_each_day_once") else {
        return;
    };
    let service = service_on(&location).await;
    let s = school(&service, "Lycee Sweep S3").await;
    let state = &service.service.state;
    let blobs = &state.blobs;
    let now = state.store.now();
    let today = day_of(now);
    let folder = format!("d/{today}/");

    // A finished upload (referenced), and a partial one whose two parts are referenced too.
    let done = write_file(s.dir.path(), "Done.HNOT", 300_000, 3);
    let done_id = upload(&s.client, &done).await;
    let partial = std::fs::read(write_file(s.dir.path(), "Part.HNOT", 200_000, 4)).unwrap();
    let metadata = UploadMetadata {
        filename: "Part.HNOT".into(),
        kind: hosting_api::FileKind::Base,
        sha256: None,
    };
    let partial_id = s
        .client
        .create_upload(&metadata, partial.len() as u64)
        .await
        .unwrap();
    for (start, end) in [(0, 50_000), (50_000, 120_000)] {
        let response = patch(
            &s.client,
            &partial_id,
            start,
            &partial[start as usize..end],
            None,
        )
        .await;
        assert_eq!(response.status(), 204);
    }
    // What a crash leaves: an object written but never recorded, and one recorded by a writer
    // that never committed.
    let unrecorded = day_key(now, "uploads/crashed/00000000000000000000-00");
    blobs.put(&unrecorded, vec![1; 10]).await.unwrap();
    let uncommitted = day_key(now, "created/uncommitted");
    state
        .store
        .record_object(s.account_id, &uncommitted)
        .await
        .unwrap();
    blobs.put(&uncommitted, vec![2; 10]).await.unwrap();
    let before = keys_under(blobs, &folder).await;
    assert!(before.contains(&unrecorded) && before.contains(&uncommitted));

    // Today is not listed: its objects may still be in flight.
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        0
    );
    assert_eq!(keys_under(blobs, &folder).await, before);
    assert_eq!(state.store.sweep_mark("days").await.unwrap(), None);

    // Once today ended and the grace period passed, its folder is listed and the two go.
    service.clock.advance(30 * 3600 + 60);
    assert!(hostingd::jobs::day_is_sweepable(&today, state.store.now()));
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        2
    );
    let after = keys_under(blobs, &folder).await;
    assert_eq!(after.len(), before.len() - 2);
    assert!(!after.contains(&unrecorded) && !after.contains(&uncommitted));
    assert_eq!(
        state.store.sweep_mark("days").await.unwrap(),
        Some(today.clone())
    );
    // What is referenced is intact.
    let (_, done_sha) = hash_file(&done, |_| {}).unwrap();
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    let base = s
        .client
        .load_base(
            s.schedule_id,
            &LoadBase {
                upload_id: done_id,
                companions: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stored_sha256(&service, base.id, s.account_id).await,
        done_sha
    );

    // A swept day is not listed again: an object put there now is not seen.
    let late = day_key(now, "uploads/late/00000000000000000000-00");
    blobs.put(&late, vec![3; 10]).await.unwrap();
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        0
    );
    assert!(keys_under(blobs, &folder).await.contains(&late));

    // A commit that stops referencing objects queues them in its transaction: a crash before
    // their delete leaves them to the next sweep, which needs no listing of their day.
    let parts = state.store.upload_parts(&partial_id).await.unwrap();
    assert_eq!(parts.len(), 2);
    let actor = hostingd::store::Actor::operator(s.account_id);
    let mut released = state
        .store
        .delete_upload(&actor, &partial_id)
        .await
        .unwrap();
    released.sort();
    let mut queued = state.store.queued_deletions().await.unwrap();
    queued.sort();
    assert_eq!(queued, released);
    assert_eq!(released.len(), 2);
    for part in &parts {
        assert!(keys_under(blobs, &folder).await.contains(&part.object_key));
    }
    assert_eq!(
        hostingd::jobs::sweep_orphans(&state.job_services())
            .await
            .unwrap(),
        2
    );
    assert!(state.store.queued_deletions().await.unwrap().is_empty());
    let left = keys_under(blobs, &folder).await;
    for part in &parts {
        assert!(
            !left.contains(&part.object_key),
            "{} is deleted",
            part.object_key
        );
    }
}

#[tokio::test]
async fn an_upload_through_the_api_runs_takes_safeguards_and_restores_on_s3() {
    let Some(location) = bucket_or_skip("an_upload_through_the_api_runs") else {
        return;
    };
    let service = service_on(&location).await;
    let s = school(&service, "Lycee Restore").await;
    let state = &service.service.state;
    // Sent through the tus API in 256 KiB chunks: one object per PATCH.
    let hnot = write_file(s.dir.path(), "Restore.HNOT", 1_100_000, 5);
    let (length, sha256) = hash_file(&hnot, |_| {}).unwrap();
    let id = upload(&s.client, &hnot).await;
    let parts = state.store.upload_parts(&id).await.unwrap();
    assert!(parts.len() >= 4, "{} parts", parts.len());
    let today = day_of(state.store.now());
    assert!(parts.iter().all(|p| {
        p.object_key
            .starts_with(&format!("d/{today}/uploads/{id}/"))
    }));
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
    assert_eq!(stored_sha256(&service, base.id, s.account_id).await, sha256);
    s.client.open_base(base.id).await.unwrap();
    s.client.activate(s.schedule_id).await.unwrap();

    // A safeguard is a server-side copy; the account uses the bytes once.
    assert_eq!(
        service.service.run_jobs().await.unwrap().safeguards_taken,
        1
    );
    let safeguards = s.client.safeguards(s.schedule_id).await.unwrap();
    assert_eq!(safeguards.len(), 1);
    assert_eq!(s.client.storage().await.unwrap().used_bytes, length);
    let downloaded = s.dir.path().join("download.HNOT");
    let got = s
        .client
        .download_safeguard(safeguards[0].id, &downloaded, |_, _| {})
        .await
        .unwrap();
    assert_eq!(got, sha256);
    assert_eq!(
        std::fs::read(&downloaded).unwrap(),
        std::fs::read(&hnot).unwrap()
    );

    // Restored: the safeguard becomes a new base with the same bytes, copied again.
    s.client.shutdown(s.schedule_id).await.unwrap();
    let schedule = s.client.open_safeguard(safeguards[0].id).await.unwrap();
    let restored = schedule.server.open_base_id.unwrap();
    assert_ne!(restored, base.id);
    assert_eq!(
        stored_sha256(&service, restored, s.account_id).await,
        sha256
    );
    assert_eq!(s.client.storage().await.unwrap().used_bytes, length);
    let restored_parts = {
        let files = state.store.base_files(restored).await.unwrap();
        state.store.blob_parts(files[0].blob_id).await.unwrap()
    };
    assert!(
        restored_parts
            .iter()
            .all(|p| p.object_key.starts_with(&format!("d/{today}/bases/")))
    );
    s.client.activate(s.schedule_id).await.unwrap();
}

#[test]
fn a_bad_blob_store_url_stops_the_binary_with_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["s3://AKIAEXAMPLE:SeCrEtKeY@bucket/p", "blobs", "s3://B"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hostingd"))
            .args(["serve", "--listen", "127.0.0.1:0", "--blob-store", bad])
            .env("HOSTINGD_DATA_DIR", dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{bad}");
        assert!(
            stderr.contains("file:///absolute/path or s3://bucket/optional/prefix"),
            "{bad}: {stderr}"
        );
        assert!(!stderr.contains("SeCrEt"), "{stderr}");
    }
}

#[tokio::test]
async fn an_unreachable_bucket_stops_the_start_with_a_clear_error_and_no_secret() {
    let Some(_) = bucket_or_skip("an_unreachable_bucket_stops_the_start") else {
        return;
    };
    let missing: BlobLocation = format!(
        "s3://no-such-bucket-{}",
        hex::encode(rand::random::<[u8; 6]>())
    )
    .parse()
    .unwrap();
    let error = format!("{:#}", Blobs::open(&missing).await.unwrap_err());
    assert!(error.contains(&missing.to_string()), "{error}");
    assert!(error.contains("AWS_ENDPOINT"), "{error}");
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap();
    assert!(!error.contains(&secret), "{error}");
    let dir = tempfile::tempdir().unwrap();
    let mut config = hostingd::testing::local_config(dir.path().to_path_buf());
    config.blob_store = Some(missing.to_string());
    assert!(
        hostingd::start(config, hostingd::Clock::default())
            .await
            .is_err()
    );
}
