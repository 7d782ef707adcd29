//! The crate's integration tests, in one binary: one link instead of one per file.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod account_ui;
mod assistance_ui;
mod audit_ui;
mod configuration_ui;
mod file_dialog_ui;
mod installer_files;
mod local_restart;
mod lost_password_ui;
mod monitoring_ui;
mod notifications_ui;
mod onboarding_ui;
mod panels_ui;
mod people_ui;
mod pronote_net_ui;
mod provider_ui;
mod roles_ui;
mod school_year_ui;
mod seed_000;
mod seed_001;
mod server_ui;
mod smoke_window;
mod snapshots_account;
mod snapshots_wizard;
mod superadmin_keyring;
mod upload_checks_ui;
