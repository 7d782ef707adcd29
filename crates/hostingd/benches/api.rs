//! Benchmark of the hosting service over mTLS on loopback. Prints, in one run:
//! * requests/s and p50/p99 latency of `GET /v1/schedules` (certificate + session) at a fixed rate
//!   and at saturation, next to `GET /v1/health` on the same server (the baseline), and their ratio;
//! * full TLS handshakes per second with a client certificate, next to handshakes without one;
//! * the cost of an argon2id hash and of a whole login (`POST /v1/sessions`).
//!
//! The routes are measured on each database backend: SQLite, and PostgreSQL when
//! `HOSTINGD_TEST_DATABASE_URL` names a server where it may create a database (`BENCH_BACKENDS`,
//! e.g. `sqlite` or `sqlite,postgres`, chooses). For each it also measures the p99 of
//! `/v1/schedules` at half its saturation rate.
//!
//! `cargo bench -p hostingd --bench api` (BENCH_SECONDS sets the length of each phase, default 5).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use hosting_api::{Client, ClientIdentity};

mod common;
#[path = "common/latency.rs"]
mod latency;
use hostingd::{Clock, ServeConfig};
use latency::{Figures, gathered, get, paced};
use tokio::io::AsyncWriteExt;

/// As many requests as `concurrency` workers can send for `seconds`.
async fn saturation(
    client: &Client,
    path: &'static str,
    concurrency: usize,
    seconds: u64,
) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                if get(&client, path).await {
                    latencies.push(sent.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    gathered(workers, start).await
}

/// Full handshakes per second (no session resumption), `concurrency` at once, for `seconds`.
async fn handshakes(
    addr: std::net::SocketAddr,
    ca_pem: &str,
    identity: Option<&ClientIdentity>,
    concurrency: usize,
    seconds: u64,
) -> f64 {
    let mut config = hosting_api::tls::client_config(ca_pem, identity).unwrap();
    config.resumption = rustls::client::Resumption::disabled();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let connector = connector.clone();
        workers.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
                let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
                let mut tls = connector.connect(name, tcp).await.unwrap();
                // With TLS 1.3 the server checks the client certificate after the client's
                // Finished; a request and its answer prove the handshake completed.
                tls.write_all(
                    b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                )
                .await
                .unwrap();
                let mut answer = Vec::new();
                tokio::io::AsyncReadExt::read_to_end(&mut tls, &mut answer)
                    .await
                    .ok();
                assert!(
                    answer.starts_with(b"HTTP/1.1 200"),
                    "handshake or request failed"
                );
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

fn print_pair(label: &str, schedules: &Figures, health: &Figures) {
    println!(
        "{label:<28} schedules: {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>7.2} ms  errors {}",
        schedules.requests_per_second, schedules.p50_ms, schedules.p99_ms, schedules.errors
    );
    println!(
        "{:<28} health:    {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>7.2} ms  errors {}",
        "", health.requests_per_second, health.p50_ms, health.p99_ms, health.errors
    );
    println!(
        "{:<28} ratio schedules/health: throughput {:.2}, p50 {:.2}, p99 {:.2}",
        "",
        schedules.requests_per_second / health.requests_per_second,
        schedules.p50_ms / health.p50_ms,
        schedules.p99_ms / health.p99_ms
    );
}

/// The routes of one backend: fixed rate, saturation, p99 at half saturation. Returns the
/// saturation ratio schedules/health and that p99.
async fn routes(client: &Client, backend: &str, seconds: u64) -> (f64, f64) {
    println!("--- {backend} ---");
    let rate = 500;
    let concurrency = 16;
    let schedules = paced(client, "/schedules", rate, concurrency, seconds).await;
    let health = paced(client, "/health", rate, concurrency, seconds).await;
    print_pair(&format!("fixed rate {rate} req/s:"), &schedules, &health);
    let schedules = saturation(client, "/schedules", concurrency, seconds).await;
    let health = saturation(client, "/health", concurrency, seconds).await;
    print_pair(
        &format!("saturation ({concurrency} workers):"),
        &schedules,
        &health,
    );
    let half = ((schedules.requests_per_second / 2.0) as u64).max(1);
    let at_half = paced(client, "/schedules", half, concurrency, seconds).await;
    println!(
        "{:<28} schedules at half saturation ({half} req/s): p50 {:.2} ms  p99 {:.2} ms  errors {}",
        "", at_half.p50_ms, at_half.p99_ms, at_half.errors
    );
    (
        schedules.requests_per_second / health.requests_per_second,
        at_half.p99_ms,
    )
}

/// The backends to measure: `BENCH_BACKENDS`, else SQLite and, when a server is named,
/// PostgreSQL.
fn backends() -> Vec<String> {
    match std::env::var("BENCH_BACKENDS") {
        Ok(list) => list.split(',').map(|b| b.trim().to_string()).collect(),
        Err(_) => {
            let mut list = vec!["sqlite".to_string()];
            if std::env::var_os(hostingd::testing::DATABASE_URL_VARIABLE).is_some() {
                list.push("postgres".to_string());
            }
            list
        }
    }
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        println!("hostingd benchmark: mTLS on loopback, client and server in one process, {} cores, {seconds} s per phase",
            std::thread::available_parallelism().map_or(0, |n| n.get()));
        let mut summary = Vec::new();
        let mut first = None;
        for backend in backends() {
            let dir = tempfile::tempdir().unwrap();
            let mut config = ServeConfig::local(dir.path().to_path_buf());
            match backend.as_str() {
                "sqlite" => {}
                "postgres" => {
                    config.database_url = Some(hostingd::testing::new_postgres_database());
                }
                other => panic!("BENCH_BACKENDS: unknown backend {other} (sqlite, postgres)"),
            }
            let service = hostingd::start(config, Clock::default()).await.unwrap();
            let ca_pem = service.ca_pem();
            let (identity, password) = common::manager_workstation(&service).await;
            let client = Client::new(&service.base_url(), &ca_pem, Some(&identity)).unwrap();
            client.login(&password).await.unwrap();
            assert!(get(&client, "/schedules").await && get(&client, "/health").await);
            summary.push((backend.clone(), routes(&client, &backend, seconds).await));
            if first.is_none() {
                first = Some((service, dir, identity, password, client));
            } else {
                service.shutdown().await.unwrap();
            }
        }
        println!("--- summary ---");
        for (backend, (ratio, p99)) in &summary {
            println!("{backend:<9} /v1/schedules at saturation = {ratio:.2} x /v1/health (goal >= 0.5); p99 at half saturation {p99:.2} ms (goal <= 5)");
        }
        let (service, _dir, identity, password, client) = first.expect("a backend");
        let ca_pem = service.ca_pem();

        let with_cert = handshakes(service.addr, &ca_pem, Some(&identity), 8, seconds).await;
        let without_cert = handshakes(service.addr, &ca_pem, None, 8, seconds).await;
        println!("full TLS handshakes/s        with client certificate: {with_cert:.0}  without: {without_cert:.0}  ratio {:.2}",
            with_cert / without_cert);
        let passwords = &service.state.passwords;
        let rounds = 10;
        let start = Instant::now();
        let mut hash = String::new();
        for _ in 0..rounds {
            hash = passwords.hash(&password).await.unwrap();
        }
        let hash_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
        let start = Instant::now();
        for _ in 0..rounds {
            assert!(passwords.verify(&password, Some(&hash)).await.unwrap());
        }
        let verify_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
        let start = Instant::now();
        for _ in 0..rounds {
            client.login(&password).await.unwrap();
        }
        let login_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
        // At once, fewer than the failures allowed on one account: an attempt counts against the
        // lock-out while its password is checked (so parallel guesses gain nothing), and more
        // logins at once on one account than that are refused by design.
        let at_once = u32::try_from(hostingd::auth::MAX_FAILURES - 1).unwrap_or(1);
        let start = Instant::now();
        let mut logins = Vec::new();
        for _ in 0..at_once {
            let client = client.clone();
            let password = password.clone();
            logins.push(tokio::spawn(async move { client.login(&password).await.unwrap() }));
        }
        for login in logins {
            login.await.unwrap();
        }
        let parallel = f64::from(at_once) / start.elapsed().as_secs_f64();
        println!("argon2id (m=19 MiB, t=2, p=1): hash {hash_ms:.1} ms, verify {verify_ms:.1} ms; POST /v1/sessions {login_ms:.1} ms each, {parallel:.1} logins/s with {at_once} at once (bounded to the core count)");
        service.shutdown().await.unwrap();
    });
}
