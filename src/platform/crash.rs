//! Crash reports of an installed console. A panic writes a short report in
//! `<data dir>/crash-reports/` (version, time, system, thread, message, place in the code and
//! backtrace; no environment, arguments, preferences or field values) and marks it as not yet
//! shown; the next start shows where it is, once. The folder and the reports are owner-only.

use std::fmt::Write as _;
use std::io;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};

use super::owner_only;

/// The folder of the reports in the data directory.
pub const DIR: &str = "crash-reports";

/// The file, in [`DIR`], that names the report the next start shows.
const PENDING: &str = "not-shown-yet";

/// How many reports are kept (the oldest go first).
pub const KEEP: usize = 10;

/// A panic message is cut here: a report stays short, and a value that a panic message might
/// quote does not land whole in a file.
const MESSAGE_CHARS: usize = 300;

/// Frames of the backtrace kept.
const FRAMES: usize = 60;

/// What a crash report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// When, UTC.
    pub time: time::OffsetDateTime,
    /// The thread that panicked.
    pub thread: String,
    /// The panic message, cut to a few hundred characters.
    pub message: String,
    /// `file:line:column` in the console's code.
    pub location: Option<String>,
    /// The backtrace (addresses, with names where the binary kept them).
    pub backtrace: String,
}

impl Report {
    /// The report of the panic being handled.
    pub fn of_panic(info: &PanicHookInfo<'_>) -> Report {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let backtrace = format!("{:#}", std::backtrace::Backtrace::force_capture());
        Report {
            time: time::OffsetDateTime::now_utc(),
            thread: std::thread::current()
                .name()
                .unwrap_or("unnamed")
                .to_string(),
            message,
            location: info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
            backtrace,
        }
    }

    /// The report as the file holds it.
    pub fn text(&self) -> String {
        let mut text = String::new();
        let message: String = self.message.chars().take(MESSAGE_CHARS).collect();
        let cut = if message.len() < self.message.len() {
            " […]"
        } else {
            ""
        };
        let _ = writeln!(text, "Hosting console crash report");
        let _ = writeln!(text, "version: {}", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(text, "time (UTC): {}", stamp(self.time, true));
        let _ = writeln!(
            text,
            "system: {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let _ = writeln!(text, "thread: {}", self.thread);
        let _ = writeln!(text, "message: {message}{cut}");
        let _ = writeln!(
            text,
            "location: {}",
            self.location.as_deref().unwrap_or("unknown")
        );
        if let Some(base) = executable_base() {
            // The packaged binary has no symbols: its debug file, kept by the build, resolves
            // each address minus this base (`addr2line -e hosting-console.debug`).
            let _ = writeln!(text, "executable loaded at: {base}");
        }
        let _ = writeln!(text, "backtrace:");
        for line in self.backtrace.lines().take(FRAMES) {
            let _ = writeln!(text, "{line}");
        }
        text
    }

    /// Writes the report in `data_dir`, marks it for the next start and keeps only the newest
    /// [`KEEP`]: the report's path.
    pub fn write(&self, data_dir: &Path) -> io::Result<PathBuf> {
        let dir = data_dir.join(DIR);
        owner_only::create_dir_all(&dir)?;
        // After the reports of the same second, even when older ones of it were deleted.
        let name = format!("crash-{}", stamp(self.time, false));
        let path = match reports(&dir)
            .iter()
            .map(|path| order(path))
            .filter(|(stamp, _)| *stamp == name)
            .map(|(_, n)| n)
            .max()
        {
            None => dir.join(format!("{name}.txt")),
            Some(n) => dir.join(format!("{name}-{}.txt", n + 1)),
        };
        owner_only::write(&path, self.text().as_bytes())?;
        owner_only::write(&dir.join(PENDING), path.to_string_lossy().as_bytes())?;
        prune(&dir);
        Ok(path)
    }
}

/// `2026-11-03 14:05:09` (`2026-11-03_14-05-09` for a file name).
fn stamp(time: time::OffsetDateTime, readable: bool) -> String {
    let (date, clock) = (time.date(), time.time());
    let (between, colon) = if readable { (' ', ':') } else { ('_', '-') };
    format!(
        "{:04}-{:02}-{:02}{between}{:02}{colon}{:02}{colon}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        clock.hour(),
        clock.minute(),
        clock.second()
    )
}

/// Deletes the oldest reports beyond [`KEEP`].
fn prune(dir: &Path) {
    let mut reports = reports(dir);
    reports.sort_by_key(|path| order(path));
    let excess = reports.len().saturating_sub(KEEP);
    for old in &reports[..excess] {
        let _ = std::fs::remove_file(old);
    }
}

/// The reports in `dir`.
fn reports(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("crash-") && n.ends_with(".txt"))
        })
        .collect()
}

/// The order of a report by its name: `crash-<time>.txt`, then `crash-<time>-2.txt`… for the
/// reports of the same second.
fn order(path: &Path) -> (String, u32) {
    let name = path
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stamp: String = name
        .chars()
        .take("crash-2026-11-03_14-05-09".len())
        .collect();
    let n = name
        .get(stamp.len()..)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    (stamp, n)
}

/// Where the program's code is mapped (Linux), to turn the backtrace's addresses into
/// addresses in the binary.
fn executable_base() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .find(|line| line.ends_with(exe.to_string_lossy().as_ref()))
        .and_then(|line| line.split('-').next())
        .map(|start| format!("0x{start}"))
}

/// Installs the panic hook that writes a report in `data_dir` (then runs the previous hook,
/// which prints the panic on the standard error).
pub fn install(data_dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let report = Report::of_panic(info);
        match report.write(&data_dir) {
            Ok(path) => tracing::error!(
                report = %path.display(),
                location = report.location.as_deref().unwrap_or("unknown"),
                "the console panicked; crash report written"
            ),
            Err(error) => tracing::error!(%error, "the console panicked; no crash report"),
        }
        previous(info);
    }));
}

/// The report written since the last start, if any: returned once, then no longer.
pub fn take_not_shown(data_dir: &Path) -> Option<PathBuf> {
    let marker = data_dir.join(DIR).join(PENDING);
    let named = std::fs::read_to_string(&marker).ok()?;
    let _ = std::fs::remove_file(&marker);
    let path = PathBuf::from(named.trim());
    path.exists().then_some(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn report(message: &str) -> Report {
        Report {
            time: time::macros::datetime!(2026-11-03 14:05:09 UTC),
            thread: "main".to_string(),
            message: message.to_string(),
            location: Some("src/app.rs:10:5".to_string()),
            backtrace: (0..100).map(|n| format!("{n:4}: frame\n")).collect(),
        }
    }

    #[test]
    fn a_report_is_short_and_says_what_and_where() {
        let text = report(&"x".repeat(5000)).text();
        assert!(text.contains(&format!("version: {}", env!("CARGO_PKG_VERSION"))));
        assert!(text.contains("time (UTC): 2026-11-03 14:05:09"));
        assert!(text.contains("location: src/app.rs:10:5"));
        assert!(text.contains(&format!("message: {} […]", "x".repeat(300))));
        assert!(!text.contains(&"x".repeat(301)));
        assert!(text.contains("  59: frame") && !text.contains("  60: frame"));
        assert!(text.len() < 6000, "{} bytes", text.len());
    }

    #[test]
    fn the_next_start_gets_the_report_once_and_old_reports_go() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(take_not_shown(dir.path()), None);
        let path = report("boom").write(dir.path()).unwrap();
        assert!(path.starts_with(dir.path().join(DIR)));
        assert!(path.ends_with("crash-2026-11-03_14-05-09.txt"));
        assert_eq!(take_not_shown(dir.path()), Some(path.clone()));
        assert_eq!(take_not_shown(dir.path()), None, "shown once");
        let second = report("boom again").write(dir.path()).unwrap();
        assert_ne!(second, path, "a report never overwrites another");
        for _ in 0..KEEP + 5 {
            report("many").write(dir.path()).unwrap();
        }
        let kept = std::fs::read_dir(dir.path().join(DIR))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".txt")
            })
            .count();
        assert_eq!(kept, KEEP);
        assert!(!path.exists(), "the oldest report was deleted");
        assert!(take_not_shown(dir.path()).is_some_and(|p| p.exists()));
    }

    #[cfg(unix)]
    #[test]
    fn reports_and_their_folder_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = report("boom").write(dir.path()).unwrap();
        assert_eq!(owner_only::mode(&dir.path().join(DIR)), 0o700);
        assert_eq!(owner_only::mode(&path), 0o600);
        assert_eq!(owner_only::mode(&dir.path().join(DIR).join(PENDING)), 0o600);
    }
}
