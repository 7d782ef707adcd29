//! Flood benchmark, against a real `hostingd` process with its default flags on loopback. Prints,
//! in one run, the hosting manager's login latency (from an enrolled workstation) and the
//! service's peak RSS on the idle service, then during a flood of anonymous enrollments with
//! random hosting numbers from many source addresses, every second one reset mid-request, and
//! their ratios.
//!
//! `cargo bench -p hostingd --bench flood` (BENCH_FLOOD sets the enrollments, default 500;
//! BENCH_SOURCES the source addresses, default 50; BENCH_LOGINS the logins measured each way,
//! default 5).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use hosting_api::{Client, ClientIdentity, WorkstationKey};
use hostingd::{Clock, ServeConfig};

mod common;

#[path = "../tests/common/flood.rs"]
mod flood;
#[allow(dead_code)]
#[path = "../tests/common/process.rs"]
mod process;

use flood::{flood_enrollments, http_client, loopback_sources, peak_rss_of};
use process::{free_port, serve};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// An account and its manager's enrolled workstation, made in-process in `dir`.
async fn account(dir: &std::path::Path) -> (ClientIdentity, String) {
    let config = ServeConfig::local(dir.to_path_buf());
    let service = hostingd::start(config, Clock::default()).await.unwrap();
    let made = common::manager_workstation(&service).await;
    service.shutdown().await.unwrap();
    made
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let enrollments = env_number("BENCH_FLOOD", 500);
    let sources = env_number("BENCH_SOURCES", 50);
    let logins = env_number("BENCH_LOGINS", 5);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (identity, password) = runtime.block_on(account(dir.path()));
    let port = free_port();
    let mut child = serve(dir.path(), port, &[]);
    let base_url = format!("https://127.0.0.1:{port}");
    let ca_pem = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();

    let (idle, idle_rss, flooded, flood_rss, report, flood_time) = runtime.block_on(async {
        let manager = Client::new(&base_url, &ca_pem, Some(&identity)).unwrap();
        manager.health().await.unwrap();
        let mut idle = Vec::new();
        for _ in 0..logins {
            let started = Instant::now();
            manager.login(&password).await.unwrap();
            idle.push(started.elapsed());
        }
        let idle_rss = peak_rss_of(child.id());

        let clients: Vec<_> = loopback_sources(sources)
            .into_iter()
            .map(|source| http_client(&ca_pem, None, Some(source), true))
            .collect();
        let csr = WorkstationKey::generate("Flood").unwrap().csr_pem;
        let flood_started = Instant::now();
        let flood = {
            let base_url = base_url.clone();
            tokio::spawn(
                async move { flood_enrollments(&base_url, &clients, &csr, enrollments).await },
            )
        };
        let mut flooded = Vec::new();
        for _ in 0..logins {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let started = Instant::now();
            manager.login(&password).await.unwrap();
            flooded.push(started.elapsed());
        }
        let report = flood.await.unwrap();
        let flood_time = flood_started.elapsed();
        (
            idle,
            idle_rss,
            flooded,
            peak_rss_of(child.id()),
            report,
            flood_time,
        )
    });
    child.kill().unwrap();
    child.wait().unwrap();

    let idle = median(idle);
    let flooded = median(flooded);
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!(
        "flood: {enrollments} enrollments from {sources} addresses in {:.1} s ({} reset, {} checked and refused, {} busy, {} rate limited, {} locked out, {} other)",
        flood_time.as_secs_f64(),
        report.reset,
        report.refused,
        report.busy,
        report.rate_limited,
        report.locked_out,
        report.other.len()
    );
    println!(
        "manager login (median of {logins}): {:.0} ms idle, {:.0} ms during the flood ({:.1}x)",
        idle.as_secs_f64() * 1e3,
        flooded.as_secs_f64() * 1e3,
        flooded.as_secs_f64() / idle.as_secs_f64()
    );
    println!(
        "service peak RSS: {:.0} MiB idle, {:.0} MiB after the flood ({:.2}x)",
        mib(idle_rss),
        mib(flood_rss),
        flood_rss as f64 / idle_rss as f64
    );
}
