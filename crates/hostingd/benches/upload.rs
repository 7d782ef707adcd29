//! Upload benchmark, on loopback with mTLS against a real `hostingd` process. Prints, in one run:
//! * the time from "file chosen" to "upload complete" of the console's tus client (`hosting_api`)
//!   on a file (default 2 GiB): creation, then the chunks, the file's SHA-256 computed while it
//!   is sent; next to `curl` sending the same file to the same service as one tus PATCH with the
//!   same client certificate (and the same `Upload-Checksum` and `Repr-Digest`, computed before
//!   its clock starts, so the service does the same work), and their ratio (goal: at most 1.1);
//! * the same client when it reads the whole file for its hash before the first byte, as it did
//!   before (the baseline of this change);
//! * the client's peak RSS (this process: the service runs in its own process);
//! * the bytes sent again after the service is killed (`kill -9`) mid-upload and restarted.
//!
//! `cargo bench -p hostingd --bench upload` (BENCH_UPLOAD_MIB sets the file size, default 2048;
//! BENCH_ROUNDS the rounds, default 2: the best round of each is kept; BENCH_CHUNK_MIB the
//! largest chunk, default the client's 64).
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use hosting_api::tus::hash_file;
use hosting_api::{Client, FileKind, TusOptions, UploadMetadata};
use hostingd::{Clock, ServeConfig};

mod common;

#[path = "../tests/common/process.rs"]
mod process;
use process::{free_port, peak_rss, serve};

fn write_source(path: &Path, mib: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for word in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        file.write_all(&block).unwrap();
    }
    file.flush().unwrap();
}

fn sha1_base64(path: &Path) -> String {
    use base64::Engine as _;
    use std::io::Read;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY);
    let mut file = std::fs::File::open(path).unwrap();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
        context.update(&buffer[..n]);
    }
    base64::engine::general_purpose::STANDARD.encode(context.finish().as_ref())
}

fn main() {
    let mib: usize = std::env::var("BENCH_UPLOAD_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048);
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An account and a manager's workstation, made in-process; then a real process serves.
    let (identity, token) = runtime.block_on(async {
        let config = ServeConfig::local(dir.path().to_path_buf());
        let service = hostingd::start(config, Clock::default()).await.unwrap();
        let (identity, password) = common::manager_workstation(&service).await;
        let client = Client::new(&service.base_url(), &service.ca_pem(), Some(&identity)).unwrap();
        client.login(&password).await.unwrap();
        let token = client.token().unwrap();
        service.shutdown().await.unwrap();
        (identity, token)
    });
    let port = free_port();
    let mut child = serve(dir.path(), port, &[]);
    let base_url = format!("https://127.0.0.1:{port}");
    let ca_path = dir.path().join("tls/ca.pem");
    let ca_pem = std::fs::read_to_string(&ca_path).unwrap();
    let client = Client::new(&base_url, &ca_pem, Some(&identity)).unwrap();
    client.set_token(Some(token.clone()));

    let files = tempfile::tempdir_in(dir.path()).unwrap();
    let source = files.path().join("Bench.HNOT");
    write_source(&source, mib);
    let (length, sha256) = hash_file(&source, |_| {}).unwrap();
    let sha1 = sha1_base64(&source);
    let megabytes = length as f64 / 1e6;
    // What the console sends: no hash at creation (the last chunk gives it).
    let metadata = UploadMetadata {
        filename: "Bench.HNOT".into(),
        kind: FileKind::Base,
        sha256: None,
    };

    // curl needs the key and certificate as files: a private temporary directory, deleted below.
    let secrets = tempfile::tempdir().unwrap();
    let cert_path = secrets.path().join("cert.pem");
    let key_path = secrets.path().join("key.pem");
    let headers_path = secrets.path().join("headers");
    std::fs::write(&cert_path, &identity.certificate_pem).unwrap();
    std::fs::write(&key_path, &identity.key_pem).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let chunk_mib: usize = std::env::var("BENCH_CHUNK_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(TusOptions::default().chunk_size >> 20);
    let chunked = TusOptions {
        chunk_size: chunk_mib << 20,
        ..TusOptions::default()
    };
    let rss_before = peak_rss();
    let mut client_best = f64::MAX;
    let mut curl_best = f64::MAX;
    let mut before_best = f64::MAX;
    for round in 1..=rounds {
        // From "file chosen" to "upload complete": the console's client creates the upload at
        // once and hashes while it sends; the console before read the whole file for its hash
        // first and announced it.
        let timed = |hash_first: bool| {
            runtime.block_on(async {
                let start = Instant::now();
                let announced = match hash_first {
                    true => {
                        let (_, sha256) = hash_file(&source, |_| {}).unwrap();
                        UploadMetadata {
                            sha256: Some(sha256),
                            ..metadata.clone()
                        }
                    }
                    false => metadata.clone(),
                };
                let length = std::fs::metadata(&source).unwrap().len();
                let id = client.create_upload(&announced, length).await.unwrap();
                let done = client
                    .upload_file(&id, &source, &chunked, |_| {})
                    .await
                    .unwrap();
                let seconds = start.elapsed().as_secs_f64();
                assert_eq!(done.offset, length);
                client.delete_upload(&id).await.unwrap();
                seconds
            })
        };
        client_best = client_best.min(timed(false));
        let seconds = timed(true);
        before_best = before_best.min(seconds);
        // curl: one PATCH of the whole file, streamed from disk (-T), same certificate.
        let seconds = {
            let start = Instant::now();
            let id = runtime
                .block_on(client.create_upload(&metadata, length))
                .unwrap();
            std::fs::write(
                &headers_path,
                format!(
                    "Authorization: Bearer {token}\nTus-Resumable: 1.0.0\nContent-Type: application/offset+octet-stream\nUpload-Offset: 0\nUpload-Checksum: sha1 {sha1}\nRepr-Digest: {}\nExpect:\n",
                    hosting_api::repr_digest(&sha256)
                ),
            )
            .unwrap();
            let output = Command::new("curl")
                .args(["-sS", "--fail-with-body", "-X", "PATCH", "-o", "/dev/null"])
                .args(
                    std::env::var("BENCH_CURL_ARGS")
                        .ok()
                        .iter()
                        .flat_map(|a| a.split_whitespace()),
                )
                .args(["-w", "%{http_code}"])
                .arg("--cacert")
                .arg(&ca_path)
                .arg("--cert")
                .arg(&cert_path)
                .arg("--key")
                .arg(&key_path)
                .arg("-H")
                .arg(format!("@{}", headers_path.display()))
                .arg("-T")
                .arg(&source)
                .arg(format!("{base_url}/v1/uploads/{id}"))
                .output()
                .expect("curl must be installed");
            let seconds = start.elapsed().as_secs_f64();
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "204",
                "curl: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let (offset, _) = runtime.block_on(client.upload_offset(&id)).unwrap();
            assert_eq!(offset, length);
            runtime.block_on(client.delete_upload(&id)).unwrap();
            seconds
        };
        curl_best = curl_best.min(seconds);
        println!(
            "round {round}: client {client_best:.2} s, client hashing first {before_best:.2} s, curl {seconds:.2} s"
        );
    }
    let rss_after = peak_rss();

    // Interruption: kill -9 the service a quarter of the way, restart it, measure what is re-sent.
    let options = TusOptions {
        max_attempts: 60,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(500),
        ..chunked.clone()
    };
    let (tx, rx) = std::sync::mpsc::channel::<u64>();
    let upload = {
        let client = client.clone();
        let source = source.clone();
        let metadata = metadata.clone();
        runtime.spawn(async move {
            let id = client.create_upload(&metadata, length).await.unwrap();
            let done = client
                .upload_file(&id, &source, &options, |p| {
                    let _ = tx.send(p.offset);
                })
                .await
                .unwrap();
            (id, done)
        })
    };
    let mut acked = 0;
    while acked < length / 4 {
        acked = rx.recv_timeout(Duration::from_secs(120)).unwrap();
    }
    std::thread::sleep(Duration::from_millis(20));
    child.kill().unwrap();
    child.wait().unwrap();
    let killed_at = rx.try_iter().fold(acked, u64::max);
    std::thread::sleep(Duration::from_millis(500));
    let mut child = serve(dir.path(), port, &[]);
    let (id, done) = runtime.block_on(upload).unwrap();
    assert_eq!(done.offset, length);
    runtime.block_on(client.delete_upload(&id)).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    let client_rate = megabytes / client_best;
    let curl_rate = megabytes / curl_best;
    println!();
    println!(
        "upload of {mib} MiB over mTLS on loopback, file chosen to upload complete (best of {rounds} rounds)"
    );
    println!(
        "  console tus client, hashing while sending {client_best:>7.2} s  {client_rate:>7.1} MB/s  (chunks up to {chunk_mib} MiB following the rate, sha1 each)"
    );
    println!(
        "  same client, hashing the file first       {before_best:>7.2} s  {:>7.1} MB/s  (the console before)",
        megabytes / before_best
    );
    println!(
        "  curl, one PATCH (hashes made beforehand)  {curl_best:>7.2} s  {curl_rate:>7.1} MB/s"
    );
    println!(
        "  ratio client/curl (time)                  {:>7.2}   goal <= 1.10",
        client_best / curl_best
    );
    println!(
        "  ratio hashing first/curl (time)           {:>7.2}",
        before_best / curl_best
    );
    println!(
        "  client peak RSS     {:>8.1} MiB (before the uploads: {:.1} MiB)",
        rss_after as f64 / (1 << 20) as f64,
        rss_before as f64 / (1 << 20) as f64
    );
    println!(
        "  kill -9 after {:.0} MB stored: {} bytes sent again ({:.1} MiB, one chunk at most)",
        killed_at as f64 / 1e6,
        done.resent,
        done.resent as f64 / (1 << 20) as f64
    );
}
