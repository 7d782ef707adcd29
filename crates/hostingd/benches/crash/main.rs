//! Crash-consistency benchmark, against a real `hostingd` process on loopback. A client uploads
//! bases (tus, resuming after every restart), loads, opens and puts them into service while the
//! job runner takes safeguards every second; the service is killed (`kill -9`) at random moments,
//! N times, and restarted on the same data directory. After every kill, with the service down,
//! it checks (see `checks.rs`) `PRAGMA integrity_check`, every upload's offset against the bytes
//! in the blob store, every base's and safeguard's objects and hash, and that the orphan sweep
//! leaves no object that nothing references; every round of the client checks that its upload
//! finished and became a base with the file's SHA-256. Prints N, the failures and the bytes the
//! tus client sent again per kill.
//!
//! `cargo bench -p hostingd --bench crash` (BENCH_KILLS sets the kills, default 200;
//! BENCH_FILE_MIB the size of each base, default 4; BENCH_MAX_DELAY_MS the longest wait before a
//! kill, default 3000: each kill comes a uniformly random time after the service is up).
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hosting_api::{Client, ScheduleUpdate};
use hostingd::testing;
use hostingd::{Clock, ServeConfig};

mod checks;
mod client;
#[path = "../common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "../../tests/common/process.rs"]
mod process;

use checks::Checker;
use client::{ClientReport, Console, PHASES, UPLOADING};
use process::{free_port, serve};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Failures printed in full; the rest are counted.
const PRINTED: usize = 40;

fn main() {
    let kills = env_number("BENCH_KILLS", 200);
    let file_mib = env_number("BENCH_FILE_MIB", 4);
    let max_delay_ms = env_number("BENCH_MAX_DELAY_MS", 3000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let window = testing::port_window();

    // An account, its manager's workstation and a schedule with a domain, made in-process.
    let (identity, password, schedule_id) = runtime.block_on(async {
        let mut config = ServeConfig::local(dir.path().to_path_buf());
        config.port_range = window.clone();
        let service = hostingd::start(config, Clock::default()).await.unwrap();
        let (identity, password) = common::manager_workstation(&service).await;
        let manager = testing::with_identity(&service, &identity);
        manager.login(&password).await.unwrap();
        let schedule_id = manager.schedules().await.unwrap()[0].id;
        let update = ScheduleUpdate {
            domain: Some("crash-p1".to_string()),
            ..ScheduleUpdate::default()
        };
        manager.update_schedule(schedule_id, &update).await.unwrap();
        service.shutdown().await.unwrap();
        (identity, password, schedule_id)
    });

    let port = free_port();
    let port_range = format!("{}-{}", window.start(), window.end());
    // Jobs every second; a safeguard at every new active base and every minute; the last 3 kept.
    let flags = [
        "--port-range",
        &port_range,
        "--job-interval-seconds",
        "1",
        "--safeguard-interval-minutes",
        "1",
        "--safeguard-keep-last",
        "3",
        "--safeguard-keep-daily",
        "0",
        "--safeguard-keep-weekly",
        "0",
    ];
    let started = Instant::now();
    let mut child = serve(dir.path(), port, &flags);
    let base_url = format!("https://127.0.0.1:{port}");
    let ca_pem = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();
    let client = Client::new(&base_url, &ca_pem, Some(&identity)).unwrap();
    runtime.block_on(client.login(&password)).unwrap();
    let files = tempfile::tempdir_in(dir.path()).unwrap();
    let phase = Arc::new(AtomicUsize::new(0));
    let console = Console {
        client,
        password,
        schedule_id,
        files: files.path().to_path_buf(),
        file_bytes: usize::try_from(file_mib << 20).unwrap(),
        phase: phase.clone(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let report = Arc::new(Mutex::new(ClientReport::default()));
    let rounds = runtime.spawn(console.run(stop.clone(), report.clone()));

    let mut checker = Checker::new(dir.path());
    let mut failures = Vec::new();
    let (mut orphans_recorded, mut orphans_unrecorded, mut swept) = (0, 0, 0);
    let mut down = Duration::ZERO;
    let mut kills_in = [0u64; PHASES.len()];
    for kill in 1..=kills {
        std::thread::sleep(Duration::from_millis(rand::random_range(0..=max_delay_ms)));
        let landed = phase.load(Ordering::Relaxed);
        child.kill().unwrap();
        child.wait().unwrap();
        let killed = Instant::now();
        kills_in[landed] += 1;
        let found = runtime.block_on(checker.inspect(&format!("kill {kill}")));
        failures.extend(found.failures);
        orphans_recorded += found.orphans_recorded;
        orphans_unrecorded += found.orphans_unrecorded;
        swept += found.swept;
        child = serve(dir.path(), port, &flags);
        down += killed.elapsed();
        if kill % 20 == 0 {
            let report = report.lock().unwrap();
            eprintln!(
                "{kill} kills, {} rounds, {} failures",
                report.rounds,
                failures.len() + report.failures.len()
            );
        }
    }
    // The round under way finishes on the running service: its upload and its base too.
    stop.store(true, Ordering::Relaxed);
    runtime.block_on(rounds).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let found = runtime.block_on(checker.inspect("after the last round"));
    failures.extend(found.failures.iter().cloned());
    swept += found.swept;
    let staging = (found.staging_files, found.staging_bytes);
    let wall = started.elapsed();

    let report = report.lock().unwrap();
    failures.extend(report.failures.iter().cloned());
    if staging.0 > 0 {
        failures.push(format!(
            "{} staging files of the object store ({} bytes) are left in the blob directory after the sweep: kills cut their writes before the rename, and the sweep's listing does not show them",
            staging.0, staging.1
        ));
    }
    println!();
    println!(
        "crash consistency: {kills} kills -9 of hostingd in {:.0} s ({:.1} s down for the checks and restarts)",
        wall.as_secs_f64(),
        down.as_secs_f64()
    );
    println!(
        "  client: {} bases of {file_mib} MiB uploaded (tus), loaded, opened and put into service; the safeguard of {} seen, with the base's SHA-256",
        report.rounds, report.safeguarded
    );
    println!(
        "  service: {} bases, {} safeguards taken by the job runner ({} kept)",
        found.bases, found.safeguards_taken, found.safeguards_kept
    );
    let landed: Vec<String> = PHASES
        .iter()
        .zip(kills_in)
        .map(|(phase, count)| format!("{count} {phase}"))
        .collect();
    println!("  kills landed while the client was: {}", landed.join(", "));
    let uploading = kills_in[UPLOADING].max(1) as f64;
    println!(
        "  bytes sent again: {} in all, {:.1} KiB per kill, {:.1} KiB per kill during an upload, at most {} for one upload",
        report.resent,
        report.resent as f64 / kills as f64 / 1024.0,
        report.resent as f64 / uploading / 1024.0,
        report.max_resent
    );
    println!(
        "  unreferenced objects after a kill: {orphans_recorded} recorded, {orphans_unrecorded} unrecorded; deleted by the sweeps: {swept}"
    );
    println!("  failures: {}", failures.len());
    for failure in failures.iter().take(PRINTED) {
        println!("    {failure}");
    }
    if failures.len() > PRINTED {
        println!("    … and {} more", failures.len() - PRINTED);
    }
    drop(files);
    drop(dir);
}
