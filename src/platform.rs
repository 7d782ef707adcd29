//! What the console asks of the workstation's system: the keyring (key and certificate), the
//! file dialogs, the browser and the clipboard, the log, the crash reports and the desktop
//! shortcut. The crate's root re-exports each module under its old path, so that the tests and
//! the benchmarks name them as before.

pub mod crash;
pub mod dialogs;
pub mod keystore;
pub mod links;
pub mod logs;
pub mod shortcut;
