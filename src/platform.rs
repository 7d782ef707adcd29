//! What the console asks of the workstation's system: the keyring (key and certificate), the
//! file dialogs, the browser and the clipboard, the log, the crash reports, the desktop
//! shortcut, the graphics adapter, the workstation's name, and owner-only files in the data directory. The crate's
//! root re-exports the modules that were there before under their old paths, so that the tests
//! and the benchmarks name them as before.

pub mod crash;
pub mod dialogs;
pub mod keystore;
pub mod links;
pub mod logs;
pub mod owner_only;
pub mod renderer;
pub mod shortcut;
pub mod workstation;

/// The console's data folder when none is given (`--data-dir`): its log, crash reports and the
/// built-in service's data. `~/.local/share/hosting-console` on Linux,
/// `~/Library/Application Support/fr.hosting.hosting-console` on macOS, and on Windows
/// `%LOCALAPPDATA%\hosting\hosting-console\data`: the local profile, since a roaming profile
/// would copy the demonstration's database and the log from machine to machine.
pub fn default_data_dir() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("fr", "hosting", "hosting-console")
        .map(|dirs| dirs.data_local_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_data_folder_is_the_users_local_one() {
        let dir = super::default_data_dir().expect("a home directory");
        if cfg!(windows) {
            let local = std::env::var_os("LOCALAPPDATA").expect("LOCALAPPDATA");
            assert!(
                dir.starts_with(&local),
                "{} not in {local:?}",
                dir.display()
            );
            assert!(
                dir.ends_with(r"hosting\hosting-console\data"),
                "{}",
                dir.display()
            );
            // The folder can be made there, owner-only where the system has modes.
            std::fs::create_dir_all(&dir).unwrap();
            assert!(dir.is_dir());
        } else if cfg!(target_os = "linux") {
            assert!(dir.ends_with("hosting-console"), "{}", dir.display());
        }
    }
}
