//! A real `hostingd` process and this process's memory: shared by the tests and the upload
//! benchmark (which includes this file).

use std::path::Path;
use std::process::Child;

#[allow(unused_imports)] // Not every test binary starts a process on a port of its own.
pub use hostingd::testing::free_port;

/// Starts `hostingd serve` on `dir` and `127.0.0.1:port` with `extra` flags, once it listens.
pub fn serve(dir: &Path, port: u16, extra: &[&str]) -> Child {
    hostingd::testing::serve(Path::new(env!("CARGO_BIN_EXE_hostingd")), dir, port, extra)
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
