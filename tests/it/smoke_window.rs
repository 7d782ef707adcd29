//! Smoke test: the real release-or-debug binary starts under Xvfb and shows its window.
//! The test starts its own Xvfb (from Debian's `xvfb`), so it needs no display.
#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_display() -> u32 {
    (90..200)
        .find(|n| {
            !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("no free X display number")
}

#[test]
fn the_console_opens_a_window_under_xvfb() {
    let display = free_display();
    let xvfb = Command::new("Xvfb")
        .args([
            format!(":{display}"),
            "-screen".into(),
            "0".into(),
            "1280x800x24".into(),
            "-nolisten".into(),
            "tcp".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb must be installed (Debian package xvfb; .ci/run installs it)");
    let _xvfb = Killed(xvfb);
    let socket = format!("/tmp/.X11-unix/X{display}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::path::Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let home = tempfile::tempdir().unwrap();
    let console = Command::new(env!("CARGO_BIN_EXE_hosting-console"))
        .arg("--data-dir")
        .arg(home.path().join("data"))
        .env("DISPLAY", format!(":{display}"))
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("share"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut console = Killed(console);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let tree = Command::new("xwininfo")
            .args(["-root", "-tree"])
            .env("DISPLAY", format!(":{display}"))
            .output()
            .expect("xwininfo must be installed (Debian package x11-utils)");
        let text = String::from_utf8_lossy(&tree.stdout);
        if text.contains("\"Hosting console\"") {
            break;
        }
        if let Some(status) = console.0.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(console.0.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            panic!("the console exited with {status} before showing a window: {stderr}");
        }
        assert!(
            Instant::now() < deadline,
            "no window titled \"Hosting console\" after 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The log file is in the data directory, and the local service made its data there.
    assert!(home.path().join("data/console.log").exists());
}
