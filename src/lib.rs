//! The hosting console: an eframe/egui desktop application with which a school's hosting manager
//! and superadministrators set up and run their hosted server.

pub mod app;
pub mod backend;
pub mod diagnostics;
pub mod format;
pub mod guide;
pub mod help;
pub mod i18n;
pub mod local_service;
pub mod mailbox;
pub mod model;
pub mod notifications;
pub mod panels;
pub mod platform;
pub mod provider;
pub mod recent_failures;
pub mod request;
pub mod service_form;
pub mod session;
pub mod settings;
pub mod sheet;
pub mod theme;
pub mod transfers;
pub mod user_form;
pub mod widgets;
pub mod wizard;

pub use app::{ConsoleApp, ConsoleOptions};
pub use platform::{crash, dialogs, keystore, links, logs, shortcut};
