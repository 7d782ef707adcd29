//! The real `hosting-console` binary under an Xvfb display of the test's own.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A child process killed (and reaped) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next display number this process tries: tests running at once never pick the same one.
static NEXT_DISPLAY: AtomicU32 = AtomicU32::new(90);

fn free_display() -> u32 {
    loop {
        let n = NEXT_DISPLAY.fetch_add(1, Ordering::Relaxed);
        assert!(n < 400, "no free X display number");
        if !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            return n;
        }
    }
}

/// An Xvfb server, stopped when dropped.
pub struct Xvfb {
    /// `:N`.
    pub display: String,
    _server: Killed,
}

impl Xvfb {
    /// Starts Xvfb on a free display and waits for its socket.
    pub fn start() -> Xvfb {
        let number = free_display();
        let server = Command::new("Xvfb")
            .args([
                format!(":{number}"),
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
        let server = Killed(server);
        let socket = format!("/tmp/.X11-unix/X{number}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !Path::new(&socket).exists() {
            assert!(Instant::now() < deadline, "Xvfb did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Xvfb {
            display: format!(":{number}"),
            _server: server,
        }
    }

    /// Starts the real console on this display with its data in `home/data` and its
    /// configuration under `home`.
    pub fn console(&self, home: &Path) -> Killed {
        let console = Command::new(env!("CARGO_BIN_EXE_hosting-console"))
            .arg("--data-dir")
            .arg(home.join("data"))
            .env("DISPLAY", &self.display)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("share"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("RUST_LOG", "hosting_console=info,hostingd=info,warn")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Killed(console)
    }
}

/// Panics with the console's error output if it exited.
pub fn assert_running(console: &mut Killed, what: &str) {
    if let Some(status) = console.0.try_wait().unwrap() {
        let mut stderr = String::new();
        if let Some(pipe) = console.0.stderr.as_mut() {
            let _ = std::io::Read::read_to_string(pipe, &mut stderr);
        }
        panic!("the console exited with {status} before {what}: {stderr}");
    }
}
