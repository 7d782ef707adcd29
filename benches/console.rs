//! Benchmark of the console. Prints, in one run:
//! * the release binary under Xvfb (started here): time from start to the first frame and its
//!   peak RSS there, on a first start (local service created, demo account provisioned) and on a
//!   second start (everything already there), and their ratio;
//! * peak RSS through the whole onboarding, driven through the UI in this process against an
//!   in-process hostingd, next to the peak before the console opened;
//! * p50/p95 CPU time of a frame of the Controller panel's user list with 100,000 users, next to
//!   the same panel with 100 users (rows are drawn lazily, so the ratio should stay near 1).
//!
//! `cargo bench --bench console` (needs Xvfb and xwininfo, as the tests do).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Person, Service};
use hostingd::store::{Actor, NewUserRow};

fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Starts the release binary under Xvfb on `display`, waits for its first frame; returns the
/// time to the first frame (ms) and the process's peak RSS then (MiB).
fn start_binary(display: u32, data: &std::path::Path) -> (f64, f64) {
    let report = data.join("first-frame.txt");
    let _ = std::fs::remove_file(&report);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hosting-console"))
        .arg("--data-dir")
        .arg(data)
        .env("DISPLAY", format!(":{display}"))
        .env("HOME", data)
        .env_remove("WAYLAND_DISPLAY")
        .env("HOSTING_CONSOLE_FIRST_FRAME_REPORT", &report)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let millis: f64 = loop {
        if let Some(value) = std::fs::read_to_string(&report)
            .ok()
            .and_then(|t| t.parse().ok())
        {
            break value;
        }
        assert!(Instant::now() < deadline, "no first frame");
        std::thread::sleep(Duration::from_millis(5));
    };
    // Let the frame reach the screen, then read the peak.
    std::thread::sleep(Duration::from_millis(500));
    let peak = status_kib(&child.id().to_string(), "VmHWM:") as f64 / 1024.0;
    child.kill().unwrap();
    child.wait().unwrap();
    (millis, peak)
}

fn startup() {
    let display = (150..250)
        .find(|n| !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
        .unwrap();
    let mut xvfb = Command::new("Xvfb")
        .args([
            format!(":{display}"),
            "-screen".into(),
            "0".into(),
            "1280x800x24".into(),
        ])
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb");
    while !std::path::Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let dir = tempfile::tempdir().unwrap();
    let (first_ms, first_mib) = start_binary(display, dir.path());
    let (second_ms, second_mib) = start_binary(display, dir.path());
    println!(
        "release binary under Xvfb, start to first frame: first start {first_ms:.0} ms (peak RSS {first_mib:.0} MiB), later start {second_ms:.0} ms (peak RSS {second_mib:.0} MiB), ratio first/later {:.2}",
        first_ms / second_ms
    );
    xvfb.kill().unwrap();
    xvfb.wait().unwrap();
}

fn onboarding_memory() {
    let before = status_kib("self", "VmHWM:") as f64 / 1024.0;
    let service = Service::start();
    let logins = service.provision("Bench school");
    let with_service = status_kib("self", "VmHWM:") as f64 / 1024.0;
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.connect_and_install(&logins);
    person.configure_schedules("bench");
    person.click("Next");
    person.create_superadmin();
    person.wait_for("E-mail address");
    person.fill("E-mail address", "jeanne@school.fr");
    person.click("Validate");
    person.wait_for("Finish");
    person.click("Finish");
    person.wait_for("Configuration");
    let after = status_kib("self", "VmHWM:") as f64 / 1024.0;
    println!(
        "peak RSS through the onboarding (console in this process, UI driven by kittest): {after:.0} MiB; before the console opened {with_service:.0} MiB (hostingd and the runtime), at start {before:.0} MiB; the console added {:.0} MiB",
        after - with_service
    );
}

/// An account whose onboarding is done, with `users` users in all.
fn account_with_users(service: &Service, users: usize) -> common::Logins {
    let logins = service.provision(&format!("School with {users} users"));
    service.onboard_with_client(&logins, &format!("u{users}"));
    service.runtime.block_on(async {
        let hash = service
            .service
            .state
            .passwords
            .hash(common::SUPERADMIN_PASSWORD)
            .await
            .unwrap();
        let actor = Actor::operator(logins.account_id);
        for i in 1..users {
            let user = NewUserRow {
                first_name: format!("First{i}"),
                surname: format!("Surname{i}"),
                username: format!("user{i:06}"),
                password_hash: hash.clone(),
                superadmin: false,
            };
            service.store().create_user(&actor, &user).await.unwrap();
        }
    });
    logins
}

fn frame_times(users: usize) -> (f64, f64) {
    let service = Service::start();
    let logins = account_with_users(&service, users);
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    person.wait_for("Workstations");
    person.click("Controller");
    person.wait_for(&format!("{users} users"));
    let mut samples = Vec::new();
    for _ in 0..200 {
        let start = cpu_time::ThreadTime::now();
        person.harness.step();
        samples.push(start.elapsed());
    }
    samples.sort_unstable();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    (pick(0.5), pick(0.95))
}

fn main() {
    startup();
    onboarding_memory();
    let (small_p50, small_p95) = frame_times(100);
    let (large_p50, large_p95) = frame_times(100_000);
    println!(
        "Controller panel frame CPU time: 100,000 users p50 {large_p50:.2} ms p95 {large_p95:.2} ms; 100 users p50 {small_p50:.2} ms p95 {small_p95:.2} ms; ratio p50 {:.2}, p95 {:.2}",
        large_p50 / small_p50,
        large_p95 / small_p95
    );
}
