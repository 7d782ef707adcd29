//! What the console keeps in its data directory (the log, the crash reports, the local service's
//! data) is for the person who runs it alone: on Unix the directories it makes are 0700 and its
//! files 0600 from their creation, whatever the umask (as the XDG base directory specification
//! asks of a data directory). Elsewhere the user's profile already keeps them private.

use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Mode of the directories the console makes.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Mode of the files the console makes.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents owner-only, and makes `dir` owner-only when it exists
/// already (made by an older version with the default umask).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)?;
    hostingd::private_files::restrict_dir(dir).map_err(io::Error::other)
}

/// Options that create a file owner-only; the caller says how it is opened.
pub fn file_options() -> OpenOptions {
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

/// Writes `contents` to `path` in place of what it held, creating it owner-only.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    file_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?
        .write_all(contents)
}

/// The permission bits of `path` (for the tests of what the console writes).
#[cfg(all(test, unix))]
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|metadata| metadata.permissions().mode() & 0o777)
        .unwrap_or(0)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn directories_and_files_are_made_owner_only_whatever_the_umask() {
        let temporary = tempfile::tempdir().unwrap();
        let data_dir = temporary.path().join("share/hosting-console");
        create_dir_all(&data_dir).unwrap();
        assert_eq!(mode(&data_dir), 0o700);
        assert_eq!(mode(&temporary.path().join("share")), 0o700);

        let file = data_dir.join("state");
        write(&file, b"first").unwrap();
        assert_eq!(mode(&file), 0o600);
        write(&file, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "second");

        let appended = data_dir.join("appended");
        file_options()
            .create(true)
            .append(true)
            .open(&appended)
            .unwrap();
        assert_eq!(mode(&appended), 0o600);
    }

    #[test]
    fn a_data_directory_made_by_an_older_version_is_tightened() {
        let temporary = tempfile::tempdir().unwrap();
        let data_dir = temporary.path().join("hosting-console");
        std::fs::create_dir(&data_dir).unwrap();
        std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_dir_all(&data_dir).unwrap();
        assert_eq!(mode(&data_dir), 0o700);
    }
}
