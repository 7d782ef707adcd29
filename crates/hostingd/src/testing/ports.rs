//! Loopback ports for the services of the tests: a window of schedule ports per service, from
//! one allocator per process that other test processes respect, and a free port for a
//! service's own address.

use std::ops::RangeInclusive;
use std::sync::{Mutex, PoisonError};

/// Ports per window: one service's controllers and schedules.
const WINDOW: u16 = 100;
/// The first port of the first window.
const FIRST_PORT: u16 = 20000;
/// Windows from 20000 to 32699, below the ports Linux hands out for port 0 (32768 and up), so
/// that [`free_port`] never lands in a window.
const WINDOWS: u16 = 127;
/// The most windows one process owns: test processes run side by side (the PostgreSQL run of
/// the suite is a child of the SQLite one), and each needs windows no other process takes.
const WINDOWS_PER_PROCESS: usize = 30;

/// The windows this process owns (each with the file whose lock keeps it), and the index in
/// that list of the next one to hand out once it owns its share.
struct Owned {
    windows: Vec<(u16, std::fs::File)>,
    next: usize,
}

static OWNED: Mutex<Owned> = Mutex::new(Owned {
    windows: Vec::new(),
    next: 0,
});

fn window(index: u16) -> RangeInclusive<u16> {
    let start = FIRST_PORT + index * WINDOW;
    start..=start + (WINDOW - 1)
}

/// No port of the window is in use right now.
fn window_free(index: u16) -> bool {
    window(index).all(|port| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok())
}

/// Takes window `index` for this process until it ends: an exclusive lock on a file of the
/// system's temporary directory, which another test process cannot take meanwhile (the system
/// drops it when the process ends, however it ends).
fn claim(index: u16) -> Option<std::fs::File> {
    let dir = std::env::temp_dir().join("hostingd-test-port-windows");
    std::fs::create_dir_all(&dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(format!("{index}.lock")))
        .ok()?;
    file.try_lock().ok()?;
    Some(file)
}

/// A window of 100 loopback ports for one service's controllers and schedules (activating a
/// schedule binds its port). A process first takes windows of its own, up to its share, from a
/// random one on: each under a lock that other test processes respect, so that two processes
/// never share a window (a window is free while its schedules are shut down, and another
/// process would take it then). With its share taken, it hands its own windows out again in
/// turn, skipping one with a port in use now.
pub fn port_window() -> RangeInclusive<u16> {
    let mut owned = OWNED.lock().unwrap_or_else(PoisonError::into_inner);
    if owned.windows.len() < WINDOWS_PER_PROCESS {
        let first = rand::random_range(0..WINDOWS);
        for offset in 0..WINDOWS {
            let index = (first + offset) % WINDOWS;
            if owned.windows.iter().any(|(owned, _)| *owned == index) {
                continue;
            }
            if let Some(lock) = claim(index)
                && window_free(index)
            {
                owned.windows.push((index, lock));
                return window(index);
            }
        }
    }
    for _ in 0..owned.windows.len() {
        let at = owned.next % owned.windows.len();
        owned.next = at + 1;
        let index = owned.windows[at].0;
        if window_free(index) {
            return window(index);
        }
    }
    panic!("no window of {WINDOW} free loopback ports from {FIRST_PORT} for this process");
}

/// A loopback port free right now, outside every [`port_window`]: for a service's own address.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_distinct_and_below_the_ephemeral_ports() {
        let first = port_window();
        let second = port_window();
        assert_eq!(first.clone().count(), 100);
        assert!(
            second.start() > first.end() || second.end() < first.start(),
            "{first:?} {second:?}"
        );
        assert!(*first.start() >= FIRST_PORT && *first.end() < 32768);
    }
}
