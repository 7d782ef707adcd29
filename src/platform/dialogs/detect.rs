//! Whether the platform's file chooser can open. On Linux, `rfd` asks the XDG desktop portal's
//! FileChooser over the session bus and falls back to `zenity`; with neither it answers `None`,
//! like a cancel, and the person sees nothing happen. Elsewhere the native dialog is always there.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the detection looks at, read from the process's environment or given by a test.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// The session bus's address (`None`: no session bus).
    pub session_bus: Option<String>,
    /// The directories of `PATH`, where `zenity` is looked for.
    pub path: Option<OsString>,
}

impl Environment {
    /// The environment of this process: `DBUS_SESSION_BUS_ADDRESS`, or the bus socket in
    /// `XDG_RUNTIME_DIR` that a session bus listens on when the variable is not set; and `PATH`.
    pub fn current() -> Environment {
        let session_bus = std::env::var("DBUS_SESSION_BUS_ADDRESS")
            .ok()
            .filter(|address| !address.is_empty())
            .or_else(|| {
                let socket = PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?).join("bus");
                socket
                    .exists()
                    .then(|| format!("unix:path={}", socket.display()))
            });
        Environment {
            session_bus,
            path: std::env::var_os("PATH"),
        }
    }
}

/// Whether the native file chooser can open in `environment`. Asks the session bus at most once
/// per call: callers keep the answer.
pub async fn native_chooser(environment: &Environment) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    if zenity_on_path(environment.path.as_ref()) {
        return true;
    }
    match &environment.session_bus {
        Some(address) => portal_file_chooser(address).await,
        None => false,
    }
}

/// Whether an executable `zenity` is in one of the `path` directories.
pub fn zenity_on_path(path: Option<&OsString>) -> bool {
    let Some(path) = path else {
        return false;
    };
    std::env::split_paths(path).any(|dir| is_executable(&dir.join("zenity")))
}

#[cfg(unix)]
fn is_executable(file: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &std::path::Path) -> bool {
    file.is_file()
}

#[cfg(target_os = "linux")]
const PORTAL: &str = "org.freedesktop.portal.Desktop";

/// Whether the portal is running or can be started, and offers a FileChooser: the portal runs
/// without one when no backend (GTK, GNOME, KDE…) provides it, and rfd then fails the same way.
#[cfg(target_os = "linux")]
async fn portal_file_chooser(address: &str) -> bool {
    let probe = async {
        let connection = zbus::connection::Builder::address(address)?.build().await?;
        let bus = zbus::fdo::DBusProxy::new(&connection).await?;
        let name = zbus::names::BusName::try_from(PORTAL)?;
        let present = bus.name_has_owner(name).await?
            || bus
                .list_activatable_names()
                .await?
                .iter()
                .any(|name| name.as_str() == PORTAL);
        if !present {
            return Ok::<bool, zbus::Error>(false);
        }
        // Reading the interface's version starts the portal if it only was activatable.
        let properties = zbus::fdo::PropertiesProxy::builder(&connection)
            .destination(PORTAL)?
            .path("/org/freedesktop/portal/desktop")?
            .build()
            .await?;
        let interface = zbus::names::InterfaceName::try_from("org.freedesktop.portal.FileChooser")?;
        Ok(properties.get(interface, "version").await.is_ok())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(5), probe).await {
        Ok(Ok(found)) => found,
        Ok(Err(error)) => {
            tracing::debug!(%error, "the session bus could not be asked for the file chooser");
            false
        }
        Err(_) => {
            tracing::debug!("the session bus did not answer about the file chooser in 5 s");
            false
        }
    }
}

#[cfg(not(target_os = "linux"))]
async fn portal_file_chooser(_address: &str) -> bool {
    true
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn path_of(dirs: &[&std::path::Path]) -> Option<OsString> {
        std::env::join_paths(dirs).ok()
    }

    #[test]
    fn without_a_session_bus_nor_zenity_the_native_chooser_is_missing() {
        let empty = tempfile::tempdir().unwrap();
        let environment = Environment {
            session_bus: None,
            path: path_of(&[empty.path()]),
        };
        assert!(!run(native_chooser(&environment)));
    }

    #[test]
    fn a_session_bus_that_does_not_answer_counts_as_none() {
        let empty = tempfile::tempdir().unwrap();
        let environment = Environment {
            session_bus: Some(format!(
                "unix:path={}",
                empty.path().join("no-bus-here").display()
            )),
            path: path_of(&[empty.path()]),
        };
        assert!(!run(native_chooser(&environment)));
    }

    #[test]
    fn zenity_on_the_path_is_enough() {
        use std::os::unix::fs::PermissionsExt;
        let bin = tempfile::tempdir().unwrap();
        let zenity = bin.path().join("zenity");
        std::fs::write(&zenity, "#!/bin/sh\n").unwrap();
        let environment = Environment {
            session_bus: None,
            path: path_of(&[std::path::Path::new("/nonexistent"), bin.path()]),
        };
        // A file that cannot be run is not a zenity.
        std::fs::set_permissions(&zenity, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(!run(native_chooser(&environment)));
        std::fs::set_permissions(&zenity, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(run(native_chooser(&environment)));
    }
}
