//! Preferences kept between starts (through eframe storage). No secret goes here: keys and
//! certificates live in the OS keyring.

use serde::{Deserialize, Serialize};

use crate::i18n::Language;

/// Which hosting service the console talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ServerChoice {
    /// The built-in local hosting service (in this process).
    #[default]
    Local,
    /// A provider's service.
    Remote {
        /// `https://host:port`.
        url: String,
        /// The provider's CA certificate, PEM.
        ca_pem: String,
    },
    /// A provider's service whose CA is trusted by its published SHA-256 fingerprint.
    RemotePinned {
        /// `https://host:port`.
        url: String,
        /// SHA-256 of the provider's CA certificate (64 hex digits).
        fingerprint: String,
    },
}

impl ServerChoice {
    /// The address shown in the top bar, `None` for the local service.
    pub fn address(&self) -> Option<&str> {
        match self {
            ServerChoice::Local => None,
            ServerChoice::Remote { url, .. } | ServerChoice::RemotePinned { url, .. } => Some(url),
        }
    }
}

/// Who logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum LoginRole {
    /// The hosting manager.
    #[default]
    Manager,
    /// A superadministrator.
    Superadmin,
}

/// Everything remembered between starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Chosen language; the system's when never chosen.
    pub language: Option<Language>,
    /// Dark theme.
    pub dark: bool,
    /// The hosting service.
    pub server: ServerChoice,
    /// The last role chosen at login.
    pub role: LoginRole,
    /// The last hosting number typed (not a secret: it is on every invoice).
    pub hosting_number: String,
    /// The last username typed.
    pub username: String,
    /// The shortcut on the desktop was offered and answered: never offered again.
    pub shortcut_offered: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            language: None,
            dark: false,
            server: ServerChoice::Local,
            role: LoginRole::Manager,
            hosting_number: String::new(),
            username: String::new(),
            shortcut_offered: false,
        }
    }
}

/// The key of the preferences in eframe storage.
pub const STORAGE_KEY: &str = "hosting-console-preferences";
