//! The fault suite's storage outages (issue 23), against a real `hostingd` process on
//! PostgreSQL and the S3-compatible store of the CI (the second pass of the suite, which keeps
//! every test's data there): a TCP relay between the process and the server is cut, dropping
//! every connection and refusing new ones (what the process sees of a server that restarts or
//! stops), then restored on the same port. While it is cut the service answers `503
//! unavailable` with `Retry-After`, never a `500`; once it is back the upload in flight resumes
//! from what was kept, logins work, and no request fails.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use hosting_api::{Client, ClientError, ErrorCode, TusError, TusOptions, UploadMetadata};

use crate::common;
use crate::common::process::{Running, free_port};
use crate::common::relay::Relay;

/// The process serving `handed`'s data with `env` over its environment.
fn serve_through(dir: &Path, port: u16, instance: &str, env: &[(&str, String)]) -> Running {
    common::process::Running::from(hostingd::testing::serve_with_env(
        Path::new(env!("CARGO_BIN_EXE_hostingd")),
        dir,
        port,
        &["--instance-id", instance],
        env,
    ))
}

/// The address of a URL's server (`postgres://…@127.0.0.1:55432/…`, `http://127.0.0.1:59000`)
/// and the URL with a relay's port in its place.
fn through(url: &str, relay_port: u16) -> (SocketAddr, impl Fn() -> String) {
    let parsed = reqwest::Url::parse(url).unwrap();
    let host = parsed.host_str().unwrap().to_string();
    let target = format!("{host}:{}", parsed.port().unwrap())
        .parse()
        .unwrap();
    let mut relayed = parsed.clone();
    relayed.set_port(Some(relay_port)).unwrap();
    let relayed = relayed.to_string();
    (target, move || relayed.trim_end_matches('/').to_string())
}

/// A file of `length` bytes for an upload, and the upload made for it.
fn new_upload(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    dir: &Path,
    length: usize,
) -> (std::path::PathBuf, String) {
    let file = dir.join("Panne.HNOT");
    std::fs::write(
        &file,
        (0..length).map(|i| (i % 251) as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    let metadata = UploadMetadata {
        kind: hosting_api::FileKind::Base,
        filename: "Panne.HNOT".to_string(),
        sha256: None,
    };
    let id = runtime
        .block_on(client.create_upload(&metadata, length as u64))
        .unwrap();
    (file, id)
}

/// Waits until the service keeps some bytes of upload `id`.
async fn some_kept(client: &Client, id: &str) -> u64 {
    loop {
        let (offset, _) = client.upload_offset(id).await.unwrap();
        if offset > 0 {
            return offset;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The answer while a server is away: `503 unavailable` with its Retry-After.
fn assert_unavailable(error: &ClientError, what: &str) {
    match error {
        ClientError::Api {
            status: 503,
            code: ErrorCode::Unavailable,
            retry_after_seconds: Some(5),
            ..
        } => {}
        other => panic!("{what}: expected 503 unavailable with Retry-After, got {other:?}"),
    }
}

/// `n` calls after the outage: every one answered.
async fn all_answered(client: &Client, n: usize) {
    for _ in 0..n {
        client.schedules().await.unwrap();
    }
}

#[test]
fn postgresql_restarted_during_an_upload_and_logins() {
    if !hostingd::testing::on_postgres() {
        println!("skipped: this test runs in the PostgreSQL pass");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _inside = runtime.enter();
    let handed = common::HandedOver::new(&runtime, "Lycee Coupure", None);
    let url = hostingd::testing::database_url_for(handed.dir.path()).unwrap();
    let relay = Relay::start(through(&url, 0).0);
    let relayed = through(&url, relay.port).1();
    let port = free_port();
    let _service = serve_through(
        handed.dir.path(),
        port,
        "it-pg-out",
        &[("HOSTINGD_DATABASE_URL", relayed)],
    );
    let client = handed.client(port);
    let length = 32 << 20;
    let (file, id) = new_upload(&runtime, &client, handed.dir.path(), length);
    let options = TusOptions {
        chunk_size: 1 << 20,
        min_chunk_size: 1 << 20,
        ..TusOptions::default()
    };
    let sending = {
        let (client, id, file, options) = (client.clone(), id.clone(), file.clone(), options);
        runtime.spawn(async move { client.upload_file(&id, &file, &options, |_| {}).await })
    };
    runtime.block_on(some_kept(&client, &id));

    // PostgreSQL goes away during the upload. A login meanwhile is answered 503, not 500.
    let cut = Instant::now();
    relay.cut();
    let ca_pem = std::fs::read_to_string(handed.dir.path().join("tls/ca.pem")).unwrap();
    let base_url = format!("https://127.0.0.1:{port}");
    let login = Client::new(&base_url, &ca_pem, Some(&handed.identity)).unwrap();
    let during = runtime.block_on(login.login(&handed.password));
    assert_unavailable(&during.unwrap_err(), "a login while PostgreSQL is away");
    std::thread::sleep(Duration::from_secs(3));
    runtime.block_on(relay.restore());
    let outage = cut.elapsed();

    // Back: the upload resumed and ended whole, logins and calls work again.
    let done = runtime.block_on(sending).unwrap().unwrap();
    assert_eq!(done.offset, length as u64);
    assert_eq!(
        runtime.block_on(client.upload_offset(&id)).unwrap(),
        (length as u64, length as u64)
    );
    runtime.block_on(login.login(&handed.password)).unwrap();
    runtime.block_on(all_answered(&login, 20));
    println!(
        "PostgreSQL away for {:.1} s during a 32 MiB upload: a login meanwhile answered 503 unavailable, the upload resumed and ended whole, 20 calls after it answered",
        outage.as_secs_f64()
    );
}

#[test]
fn the_s3_store_stopped_and_started_during_an_upload() {
    if !hostingd::testing::all_blobs_on_s3() {
        println!("skipped: this test runs in the pass that keeps the blobs on S3");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _inside = runtime.enter();
    let handed = common::HandedOver::new(&runtime, "Lycee Stockage", None);
    let endpoint = std::env::var("AWS_ENDPOINT").unwrap();
    let relay = Relay::start(through(&endpoint, 0).0);
    let relayed = through(&endpoint, relay.port).1();
    let port = free_port();
    let _service = serve_through(
        handed.dir.path(),
        port,
        "it-s3-out",
        &[("AWS_ENDPOINT", relayed)],
    );
    let client = handed.client(port);
    let length = 32 << 20;
    let (file, id) = new_upload(&runtime, &client, handed.dir.path(), length);
    // One attempt only, to see the answer the console's retries see.
    let once = TusOptions {
        chunk_size: 1 << 20,
        min_chunk_size: 1 << 20,
        max_attempts: 1,
        ..TusOptions::default()
    };
    let sending = {
        let (client, id, file) = (client.clone(), id.clone(), file.clone());
        runtime.spawn(async move { client.upload_file(&id, &file, &once, |_| {}).await })
    };
    let kept_before = runtime.block_on(some_kept(&client, &id));

    let cut = Instant::now();
    relay.cut();
    match runtime.block_on(sending).unwrap() {
        Err(TusError::Client(error)) => assert_unavailable(&error, "a chunk while S3 is away"),
        other => panic!("expected the upload to stop with 503 unavailable, got {other:?}"),
    }
    let answered_in = cut.elapsed();
    // The service still answers what does not need the store.
    let (kept, total) = runtime.block_on(client.upload_offset(&id)).unwrap();
    assert!(kept >= kept_before && kept < total, "{kept} of {total}");
    runtime.block_on(relay.restore());

    // Back: the upload resumes from what was kept and ends whole.
    let done = runtime
        .block_on(client.upload_file(&id, &file, &TusOptions::default(), |_| {}))
        .unwrap();
    assert_eq!(done.offset, length as u64);
    runtime.block_on(all_answered(&client, 20));
    println!(
        "S3 away during a 32 MiB upload: the chunk in flight answered 503 unavailable (Retry-After 5) in {:.1} s, {kept} bytes kept, the upload resumed from them and ended whole",
        answered_in.as_secs_f64()
    );
}
