//! Smoke test: the real release-or-debug binary starts under Xvfb and shows its window.
//! The test starts its own Xvfb (from Debian's `xvfb`), so it needs no display.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::window::{Xvfb, assert_running};

#[test]
fn the_console_opens_a_window_under_xvfb() {
    let xvfb = Xvfb::start();
    let home = tempfile::tempdir().unwrap();
    let mut console = xvfb.console(home.path());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let tree = Command::new("xwininfo")
            .args(["-root", "-tree"])
            .env("DISPLAY", &xvfb.display)
            .output()
            .expect("xwininfo must be installed (Debian package x11-utils)");
        let text = String::from_utf8_lossy(&tree.stdout);
        if text.contains("\"Hosting console\"") {
            break;
        }
        assert_running(&mut console, "showing a window");
        assert!(
            Instant::now() < deadline,
            "no window titled \"Hosting console\" after 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The log file is in the data directory, and the local service made its data there.
    assert!(home.path().join("data/console.log").exists());
}
