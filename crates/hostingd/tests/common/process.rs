//! A real `hostingd` process and this process's memory: shared by the tests and the upload
//! benchmark (which includes this file).

use std::path::Path;
use std::process::Child;

#[allow(unused_imports)] // Not every test binary starts a process on a port of its own.
pub use hostingd::testing::free_port;

/// A `hostingd` process, killed (and reaped) when dropped, so that a test that fails leaves none
/// behind (a process left running also keeps the test harness waiting on its output).
pub struct Running(Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl From<Child> for Running {
    fn from(child: Child) -> Running {
        Running(child)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Nothing happens to a child already reaped.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `hostingd serve` on `dir` and `127.0.0.1:port` with `extra` flags, once it listens.
pub fn serve(dir: &Path, port: u16, extra: &[&str]) -> Running {
    Running(hostingd::testing::serve(
        Path::new(env!("CARGO_BIN_EXE_hostingd")),
        dir,
        port,
        extra,
    ))
}

/// Peak resident memory of this process so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
        * 1024
}
