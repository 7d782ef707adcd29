//! Benchmark of the console. Prints, in one run:
//! * the release binary under Xvfb (started here): time from start to the first frame and its
//!   peak RSS there, on a first start (local service created, demo account provisioned) and on
//!   later starts (everything already there), next to a minimal eframe window
//!   (`examples/minimal_window.rs`: one label, same eframe features and renderer) started the
//!   same way in the same run, and the console's ratios to it;
//! * peak RSS through the whole onboarding, driven through the UI in this process against an
//!   in-process hostingd, next to the peak before the console opened;
//! * p50/p95 CPU time of a frame of the Controller panel's user list with 100,000 users, next to
//!   the same panel with 100 users (rows are drawn lazily, so the ratio should stay near 1).
//!
//! `cargo bench --bench console` (needs Xvfb and xwininfo, as the tests do); `-- startup`,
//! `-- onboarding` or `-- frames` runs one part.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
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

/// Time to the first frame (ms) and peak RSS then (MiB) of one start.
#[derive(Clone, Copy)]
struct Start {
    millis: f64,
    peak_mib: f64,
}

/// Starts `program` under Xvfb on `display` with `home` as its home, waits for its first frame
/// (which it reports in `HOSTING_CONSOLE_FIRST_FRAME_REPORT`), lets the frame reach the screen,
/// then reads the process's peak RSS.
fn start_window(program: &Path, args: &[&OsStr], display: u32, home: &Path) -> Start {
    let report = home.join("first-frame.txt");
    let _ = std::fs::remove_file(&report);
    let mut child = Command::new(program)
        .args(args)
        .env("DISPLAY", format!(":{display}"))
        .env("HOME", home)
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
    std::thread::sleep(Duration::from_millis(500));
    let peak_mib = status_kib(&child.id().to_string(), "VmHWM:") as f64 / 1024.0;
    child.kill().unwrap();
    child.wait().unwrap();
    Start { millis, peak_mib }
}

fn start_console(display: u32, data: &Path) -> Start {
    let program = Path::new(env!("CARGO_BIN_EXE_hosting-console"));
    start_window(
        program,
        &[OsStr::new("--data-dir"), data.as_os_str()],
        display,
        data,
    )
}

/// Builds `examples/minimal_window.rs` with the profile and features of this benchmark (an
/// example, like a benchmark, gets the dev-dependencies' features too): its path.
fn build_minimal_window() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--profile", "bench", "--example", "minimal_window"])
        .args([
            "--message-format",
            "json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(output.status.success(), "the minimal window did not build");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|message| message["target"]["name"] == "minimal_window")
        .and_then(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("no minimal_window executable")
}

fn median(starts: &[Start]) -> Start {
    let pick = |value: fn(&Start) -> f64| {
        let mut values: Vec<f64> = starts.iter().map(value).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    Start {
        millis: pick(|s| s.millis),
        peak_mib: pick(|s| s.peak_mib),
    }
}

/// Rounds of the minimal window and of a later start of the console, taken in turns so that
/// both see the same load of the machine (`BENCH_STARTS`, default 5).
fn startup() {
    let minimal_window = build_minimal_window();
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
    let rounds: usize = std::env::var("BENCH_STARTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
        .max(1);
    let minimal_home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    // The first start creates the local service and provisions the demo account.
    let first = start_console(display, data.path());
    let (mut minimal, mut later) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        minimal.push(start_window(
            &minimal_window,
            &[],
            display,
            minimal_home.path(),
        ));
        later.push(start_console(display, data.path()));
    }
    let (minimal, later) = (median(&minimal), median(&later));
    println!(
        "minimal eframe window (one label, same features and renderer) under Xvfb, median of {rounds}: first frame {:.0} ms, peak RSS {:.0} MiB",
        minimal.millis, minimal.peak_mib
    );
    for (name, console) in [("first start", first), ("later start", later)] {
        println!(
            "console release binary under Xvfb, {name}: first frame {:.0} ms ({:.2}x the minimal window), peak RSS {:.0} MiB ({:.2}x)",
            console.millis,
            console.millis / minimal.millis,
            console.peak_mib,
            console.peak_mib / minimal.peak_mib
        );
    }
    xvfb.kill().unwrap();
    xvfb.wait().unwrap();
    // Killed, Xvfb leaves its lock and socket behind, and the next run would take the next
    // display.
    let _ = std::fs::remove_file(format!("/tmp/.X{display}-lock"));
    let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{display}"));
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
    // `cargo bench --bench console -- startup` runs only the parts whose name holds "startup".
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let selected =
        |part: &str| filter.is_empty() || filter.iter().any(|f| part.contains(f.as_str()));
    if selected("startup") {
        startup();
    }
    if selected("onboarding") {
        onboarding_memory();
    }
    if selected("frames") {
        let (small_p50, small_p95) = frame_times(100);
        let (large_p50, large_p95) = frame_times(100_000);
        println!(
            "Controller panel frame CPU time: 100,000 users p50 {large_p50:.2} ms p95 {large_p95:.2} ms; 100 users p50 {small_p50:.2} ms p95 {small_p95:.2} ms; ratio p50 {:.2}, p95 {:.2}",
            large_p50 / small_p50,
            large_p95 / small_p95
        );
    }
}
