//! The tus client (and the service) keep memory bounded whatever the file size: a 2 GiB upload
//! adds about as much to the peak RSS as a 64 MiB one. Alone in its test binary, so that no other
//! test moves the process's peak.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::TestService;
use common::process::peak_rss;
use hosting_api::{Client, FileKind, TusOptions, UploadMetadata};

async fn send(client: &Client, path: &Path, name: &str) {
    let length = std::fs::metadata(path).unwrap().len();
    let metadata = UploadMetadata {
        filename: name.to_string(),
        kind: FileKind::Base,
        sha256: None,
    };
    let id = client.create_upload(&metadata, length).await.unwrap();
    let done = client
        .upload_file(&id, path, &TusOptions::default(), |_| {})
        .await
        .unwrap();
    assert_eq!(done.offset, length);
    // Free the space at once.
    client.delete_upload(&id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_gib_upload_keeps_memory_bounded() {
    let service = TestService::start().await;
    let logins = service.provision("Lycee Memoire").await;
    let (client, _) = service.manager(&logins).await;
    let files = tempfile::tempdir().unwrap();
    // Sparse files: the bytes are zeros, read without touching the disk.
    let small = files.path().join("Small.HNOT");
    std::fs::File::create(&small)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let big = files.path().join("Big.HNOT");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();

    let start = peak_rss();
    send(&client, &small, "Small.HNOT").await;
    let after_small = peak_rss();
    send(&client, &big, "Big.HNOT").await;
    let after_big = peak_rss();
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!(
        "peak RSS: {:.0} MiB at start, {:.0} MiB after 64 MiB, {:.0} MiB after 2 GiB",
        mib(start),
        mib(after_small),
        mib(after_big)
    );
    // Chunks streamed from disk in the client, the service's 8 MiB write buffers, TLS: well under the
    // file size, and the 2 GiB file costs at most a little more than the 64 MiB one.
    assert!(
        after_big - start < 200 << 20,
        "grew by {:.0} MiB",
        mib(after_big - start)
    );
    assert!(
        after_big - after_small < 64 << 20,
        "2 GiB added {:.0} MiB more than 64 MiB",
        mib(after_big - after_small)
    );
}
