//! The shortcut on the desktop, as the provider's pages expect ("double-click the shortcut on
//! your desktop"). On Linux a package installs the launcher for every user in
//! `/usr/share/applications`, but must not write in the users' homes; so the console, at its
//! first start from an installed package, offers to copy the launcher to the person's desktop.
//! (The Windows installer makes the desktop shortcut itself; on macOS the app goes to the
//! Applications folder and the Dock.)

use std::path::{Path, PathBuf};

/// The launcher's file name: the window's app id, so that desktops match windows to it.
pub const LAUNCHER: &str = "fr.hosting.console.desktop";

/// The launcher's name before the app id was the same on every system: a shortcut that an
/// older version copied under it still starts the console, so none is offered beside it.
pub const OLDER_LAUNCHER: &str = "hosting-console.desktop";

/// A shortcut the console can offer: the installed launcher and the person's desktop folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcutOffer {
    /// The launcher installed by the package.
    pub launcher: PathBuf,
    /// The person's desktop folder.
    pub desktop: PathBuf,
}

impl ShortcutOffer {
    /// The offer when the console runs from an installed package, the desktop folder exists
    /// and holds no shortcut yet (Linux only).
    pub fn find() -> Option<ShortcutOffer> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        let desktop = directories::UserDirs::new()?.desktop_dir()?.to_path_buf();
        let data_dirs = std::env::var("XDG_DATA_DIRS")
            .ok()
            .filter(|dirs| !dirs.is_empty())
            .unwrap_or_else(|| "/usr/local/share:/usr/share".to_string());
        let launcher = data_dirs
            .split(':')
            .map(|dir| Path::new(dir).join("applications").join(LAUNCHER))
            .find(|path| path.is_file())?;
        ShortcutOffer::for_dirs(launcher, desktop)
    }

    /// The offer for this launcher and desktop, unless the desktop is missing or already has
    /// the shortcut (under its name, or the one older versions gave it).
    pub fn for_dirs(launcher: PathBuf, desktop: PathBuf) -> Option<ShortcutOffer> {
        (desktop.is_dir()
            && !desktop.join(LAUNCHER).exists()
            && !desktop.join(OLDER_LAUNCHER).exists())
        .then_some(ShortcutOffer { launcher, desktop })
    }

    /// Puts the shortcut on the desktop: a copy of the launcher, executable, marked trusted
    /// where the desktop asks for it (GNOME). Its path.
    pub fn create(&self) -> std::io::Result<PathBuf> {
        let target = self.desktop.join(LAUNCHER);
        std::fs::copy(&self.launcher, &target)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))?;
        }
        // GNOME shows a copied launcher as an untrusted file until this is set; elsewhere
        // `gio` is absent or the attribute unused, which is fine.
        let trusted = std::process::Command::new("gio")
            .args(["set", "-t", "string"])
            .arg(&target)
            .args(["metadata::trusted", "true"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        if let Err(error) = trusted {
            tracing::debug!(%error, "gio not available to mark the shortcut trusted");
        }
        Ok(target)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_shortcut_is_an_executable_copy_of_the_launcher_and_is_offered_once() {
        let dir = tempfile::tempdir().unwrap();
        let launcher = dir.path().join(LAUNCHER);
        std::fs::write(&launcher, "[Desktop Entry]\nType=Application\n").unwrap();
        let desktop = dir.path().join("Desktop");
        assert_eq!(
            ShortcutOffer::for_dirs(launcher.clone(), desktop.clone()),
            None,
            "no desktop folder, no offer"
        );
        std::fs::create_dir(&desktop).unwrap();
        let offer = ShortcutOffer::for_dirs(launcher.clone(), desktop.clone()).unwrap();
        let made = offer.create().unwrap();
        assert_eq!(made, desktop.join(LAUNCHER));
        assert_eq!(
            std::fs::read_to_string(&made).unwrap(),
            "[Desktop Entry]\nType=Application\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&made).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
        }
        assert_eq!(
            ShortcutOffer::for_dirs(launcher.clone(), desktop.clone()),
            None
        );
        // A shortcut an older version copied under the launcher's former name is enough too.
        std::fs::remove_file(&made).unwrap();
        assert!(ShortcutOffer::for_dirs(launcher.clone(), desktop.clone()).is_some());
        std::fs::write(desktop.join(OLDER_LAUNCHER), "[Desktop Entry]\n").unwrap();
        assert_eq!(ShortcutOffer::for_dirs(launcher, desktop), None);
    }
}
