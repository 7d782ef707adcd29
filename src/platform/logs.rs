//! The console's log in its data directory, capped in size: `console.log` is renamed
//! `console.log.1` (and so on, up to [`KEEP`] old files) when it would pass [`MAX_BYTES`], so an
//! installed console that runs for years never fills the disk. Its files are owner-only.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::owner_only;

/// The name of the log in the data directory.
pub const FILE_NAME: &str = "console.log";

/// Size at which the log is rotated.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// How many rotated files are kept (`console.log.1` … `console.log.3`).
pub const KEEP: usize = 3;

/// A log file that rotates itself before it passes its cap.
#[derive(Debug)]
pub struct RotatingLog {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    written: u64,
}

impl RotatingLog {
    /// `console.log` in `data_dir`, with the console's cap.
    pub fn open_in(data_dir: &Path) -> io::Result<RotatingLog> {
        RotatingLog::open(&data_dir.join(FILE_NAME), MAX_BYTES, KEEP)
    }

    /// The log at `path`, rotated when it would pass `max_bytes`, keeping `keep` old files.
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingLog> {
        let file = owner_only::file_options()
            .create(true)
            .append(true)
            .open(path)?;
        let written = file.metadata()?.len();
        let mut log = RotatingLog {
            path: path.to_path_buf(),
            max_bytes,
            keep,
            file,
            written,
        };
        if log.written >= max_bytes {
            log.rotate()?;
        }
        Ok(log)
    }

    /// The rotated file number `n` (1 is the newest).
    pub fn rotated(path: &Path, n: usize) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        if self.keep == 0 {
            self.file = owner_only::file_options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&self.path)?;
        } else {
            // Renames over the oldest: nothing is ever deleted first.
            for n in (1..self.keep).rev() {
                let from = RotatingLog::rotated(&self.path, n);
                if from.exists() {
                    std::fs::rename(&from, RotatingLog::rotated(&self.path, n + 1))?;
                }
            }
            std::fs::rename(&self.path, RotatingLog::rotated(&self.path, 1))?;
            self.file = owner_only::file_options()
                .create(true)
                .append(true)
                .open(&self.path)?;
        }
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // One tracing event is one write: a line never straddles two files.
        if self.written > 0 && self.written + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn size(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    #[test]
    fn the_log_rotates_and_keeps_a_fixed_number_of_old_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("console.log");
        let mut log = RotatingLog::open(&path, 100, 2).unwrap();
        for n in 0..50 {
            writeln!(log, "line {n:03} of the log").unwrap();
        }
        log.flush().unwrap();
        assert!(size(&path) <= 100);
        assert!(size(&RotatingLog::rotated(&path, 1)) <= 100);
        assert!(RotatingLog::rotated(&path, 2).exists());
        assert!(!RotatingLog::rotated(&path, 3).exists());
        let newest = std::fs::read_to_string(&path).unwrap();
        assert!(newest.ends_with("line 049 of the log\n"), "{newest}");
        let older = std::fs::read_to_string(RotatingLog::rotated(&path, 1)).unwrap();
        assert!(older.lines().all(|l| l.starts_with("line ")), "whole lines");
        let total: u64 = [
            path.clone(),
            RotatingLog::rotated(&path, 1),
            RotatingLog::rotated(&path, 2),
        ]
        .iter()
        .map(|p| size(p))
        .sum();
        assert!(total <= 300);
    }

    #[test]
    fn a_log_already_full_rotates_at_start_and_a_small_one_is_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("console.log");
        std::fs::write(&path, "x".repeat(150)).unwrap();
        let mut log = RotatingLog::open(&path, 100, 1).unwrap();
        writeln!(log, "new start").unwrap();
        drop(log);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new start\n");
        assert_eq!(size(&RotatingLog::rotated(&path, 1)), 150);
        let mut log = RotatingLog::open(&path, 100, 1).unwrap();
        writeln!(log, "again").unwrap();
        drop(log);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "new start\nagain\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_log_and_its_rotated_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingLog::open_in(dir.path()).unwrap();
        let path = dir.path().join(FILE_NAME);
        assert_eq!(owner_only::mode(&path), 0o600);
        log.max_bytes = 10;
        writeln!(log, "first line").unwrap();
        writeln!(log, "second line").unwrap();
        assert_eq!(owner_only::mode(&RotatingLog::rotated(&path, 1)), 0o600);
        assert_eq!(owner_only::mode(&path), 0o600);
    }
}
