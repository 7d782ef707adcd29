//! Files of the data directory that only the service's account may read: directories 0700,
//! files 0600 on Unix, and secret files written atomically (temporary file in the same directory,
//! fsync, rename, fsync of the directory), so that a crash never leaves half a key behind.
//!
//! The `hostingd` binary also sets its umask to 077 at start, so that whatever a library makes
//! (SQLite's `-wal`/`-shm`, `object_store`'s staged files) is owner-only from its first byte.
//! In-process users of [`crate::start`] (the console, the tests) keep their umask: for them the
//! data and blob directories are 0700, which already closes every path below them, and the
//! service tightens what it makes (see [`restrict_file`]).

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Mode of the service's directories.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Mode of the service's files.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Sets the process umask to 077 (Unix): every file the process creates afterwards is
/// owner-only. For the `hostingd` binary only: a library must not change its host's umask.
pub fn owner_only_umask() {
    #[cfg(unix)]
    {
        let _previous = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Creates `dir` (and its parents) and makes it owner-only.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    restrict_dir(dir)
}

/// Makes an existing directory owner-only (0700).
pub fn restrict_dir(dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    set_mode(dir, DIR_MODE)?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Makes an existing file owner-only (0600).
pub fn restrict_file(file: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    set_mode(file, FILE_MODE)?;
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::symlink_metadata(path)
        .with_context(|| format!("cannot read the permissions of {}", path.display()))?;
    // A symbolic link is left alone: its target is not ours to change.
    if metadata.file_type().is_symlink() || metadata.permissions().mode() & 0o7777 == mode {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot make {} private", path.display()))
}

/// Makes `dir` and everything below it owner-only: directories 0700, files 0600. Run at start,
/// so that a data directory made by an older version is tightened too.
pub fn restrict_tree(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    restrict_dir(dir)?;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("cannot list {}", current.display()))?;
        for entry in entries {
            let entry = entry?;
            let file_type = entry.file_type()?;
            let path = entry.path();
            if file_type.is_dir() {
                restrict_dir(&path)?;
                pending.push(path);
            } else if file_type.is_file() {
                restrict_file(&path)?;
            }
        }
    }
    Ok(())
}

/// Creates `file` empty and owner-only when it does not exist (so that SQLite, which gives its
/// `-wal` and `-shm` files the mode of the database, makes them owner-only too), and makes it
/// and its companions owner-only when they exist.
pub fn prepare_sqlite_file(file: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
        .open(file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    restrict_file(file)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut companion = file.as_os_str().to_owned();
        companion.push(suffix);
        let companion = std::path::PathBuf::from(companion);
        if companion.exists() {
            restrict_file(&companion)?;
        }
    }
    Ok(())
}

/// Writes a secret file atomically and owner-only: a temporary file in the same directory
/// (0600 from its creation), fsync, rename over `path`, fsync of the directory.
pub fn write_private_atomic(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("secret");
    let temporary = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    let written = write_then_rename(&options, &temporary, path, contents);
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
        return written;
    }
    // The rename is durable once the directory is.
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))?;
    Ok(())
}

/// Writes `contents` to a new `temporary` file, syncs it, and renames it to `path`.
fn write_then_rename(
    options: &std::fs::OpenOptions,
    temporary: &Path,
    path: &Path,
    contents: &[u8],
) -> anyhow::Result<()> {
    let mut file = options
        .open(temporary)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(temporary, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("the file exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn secret_files_are_owner_only_and_replace_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "old").unwrap();
        write_private_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode(&path), 0o600);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn trees_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("f"), "x").unwrap();
        std::fs::set_permissions(sub.join("f"), std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_tree(dir.path()).unwrap();
        assert_eq!(mode(&sub.join("f")), 0o600);
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(dir.path()), 0o700);
    }
}
