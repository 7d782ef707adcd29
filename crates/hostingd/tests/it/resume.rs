//! An upload survives `kill -9` of a real `hostingd` process in the middle of a PATCH: the client
//! resumes from the offset the restarted service reports, re-sends only the chunk that was in
//! flight, and the stored file is the source, byte for byte (checked through a safeguard's
//! download).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::process::{free_port, serve};
use hosting_api::tus::hash_file;
use hosting_api::{FileKind, LoadBase, TusOptions, UploadMetadata};

#[test]
fn an_upload_resumes_after_kill_9_and_the_stored_file_is_the_source() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Set up an account in-process, then hand the data directory to a real process.
    let handed = common::HandedOver::new(&runtime, "Lycee Kill", Some("lycee-kill"));
    let (dir, schedule_id) = (&handed.dir, handed.schedule_id);
    let port = free_port();
    let mut child = serve(
        dir.path(),
        port,
        // A stable id: on PostgreSQL the restarted instance takes its own leases back.
        &["--job-interval-seconds", "1", "--instance-id", "resume"],
    );
    let client = handed.client(port);

    let source = common::files::write_file(dir.path(), "Kill.HNOT", 96 * 1024 * 1024, 1);
    let (length, sha256) = hash_file(&source, |_| {}).unwrap();
    let chunk_size = 4 * 1024 * 1024;
    let options = TusOptions {
        chunk_size,
        max_attempts: 40,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(500),
        ..TusOptions::default()
    };

    let (acked_tx, acked_rx) = std::sync::mpsc::channel::<u64>();
    let upload = {
        let client = client.clone();
        let source = source.clone();
        runtime.spawn(async move {
            let metadata = UploadMetadata {
                filename: "Kill.HNOT".into(),
                kind: FileKind::Base,
                sha256: None,
            };
            let id = client.create_upload(&metadata, length).await.unwrap();
            let done = client
                .upload_file(&id, &source, &options, |p| {
                    let _ = acked_tx.send(p.offset);
                })
                .await
                .unwrap();
            (id, done)
        })
    };
    // Kill the service once a quarter of the file is stored: the next PATCH is on its way.
    let mut acked = 0;
    while acked < length / 4 {
        acked = acked_rx.recv_timeout(Duration::from_secs(60)).unwrap();
    }
    std::thread::sleep(Duration::from_millis(15));
    child.kill().unwrap();
    child.wait().unwrap();
    let acked_before_kill = acked_rx.try_iter().fold(acked, u64::max);
    // Restarted at once: `serve` returns when the new process listens.
    let mut child = serve(
        dir.path(),
        port,
        // A stable id: on PostgreSQL the restarted instance takes its own leases back.
        &["--job-interval-seconds", "1", "--instance-id", "resume"],
    );

    let (id, done) = runtime.block_on(upload).unwrap();
    assert_eq!(done.offset, length);
    assert!(
        done.resent <= chunk_size as u64,
        "only the chunk in flight is sent again, got {} bytes",
        done.resent
    );
    assert!(acked_before_kill < length, "the kill happened mid-upload");
    println!(
        "killed after {acked_before_kill} of {length} bytes; {} bytes sent again",
        done.resent
    );

    runtime.block_on(async {
        let (offset, _) = client.upload_offset(&id).await.unwrap();
        assert_eq!(offset, length);
        let base = client
            .load_base(
                schedule_id,
                &LoadBase {
                    upload_id: id,
                    companions: vec![],
                },
            )
            .await
            .unwrap();
        assert_eq!(base.sha256, sha256);
        client.open_base(base.id).await.unwrap();
        client.activate(schedule_id).await.unwrap();
        // The process's job runner takes a safeguard within a second or two.
        let deadline = Instant::now() + Duration::from_secs(30);
        let safeguard = loop {
            let list = client.safeguards(schedule_id).await.unwrap();
            if let Some(first) = list.into_iter().next() {
                break first;
            }
            assert!(Instant::now() < deadline, "no safeguard was taken");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let copy = dir.path().join("copy.HNOT");
        let downloaded = client
            .download_safeguard(safeguard.id, &copy, |_, _| {})
            .await
            .unwrap();
        assert_eq!(downloaded, sha256);
        assert_eq!(hash_file(&copy, |_| {}).unwrap(), (length, sha256.clone()));
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            std::fs::read(&source).unwrap()
        );
    });
    child.kill().unwrap();
    child.wait().unwrap();
}
