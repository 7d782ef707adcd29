//! What the console asks of the workstation's system: the keyring (key and certificate), the
//! file dialogs, the browser and the clipboard, the log, the crash reports, the desktop
//! shortcut, the workstation's name, and owner-only files in the data directory. The crate's
//! root re-exports the modules that were there before under their old paths, so that the tests
//! and the benchmarks name them as before.

pub mod crash;
pub mod dialogs;
pub mod keystore;
pub mod links;
pub mod logs;
pub mod owner_only;
pub mod shortcut;
pub mod workstation;
