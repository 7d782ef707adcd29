//! The workstation's key and certificate in the OS keyring (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows), one entry per service address, hosting number and
//! principal. Never in a plain file.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

/// The keyring service name of the console's entries.
pub const SERVICE: &str = "hosting-console";

/// Which identity: one per service address, hosting number and principal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityKey {
    /// The hosting service's address.
    pub server: String,
    /// 12 digits.
    pub hosting_number: String,
    /// `manager` or `superadmin:<username>`.
    pub principal: String,
}

impl IdentityKey {
    fn user(&self) -> String {
        format!("{} {} {}", self.server, self.hosting_number, self.principal)
    }
}

/// What is kept for a workstation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredIdentity {
    /// Client certificate, PEM.
    pub certificate_pem: String,
    /// Private key, PEM (secret).
    pub key_pem: String,
    /// The CA the enrollment answer carried, PEM: kept for information only. Signing in trusts
    /// the CA or fingerprint the person chose, never this copy.
    pub ca_pem: String,
    /// The workstation id given at enrollment.
    pub workstation_id: i64,
    /// End of validity (RFC 3339).
    pub not_after: String,
}

impl std::fmt::Debug for StoredIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredIdentity")
            .field("workstation_id", &self.workstation_id)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// A keyring problem, in words.
#[derive(Debug, thiserror::Error)]
#[error("the system keyring could not be used: {0}")]
pub struct KeystoreError(String);

fn err(error: impl std::fmt::Display) -> KeystoreError {
    KeystoreError(error.to_string())
}

/// The keyring the console keeps identities in.
#[derive(Clone)]
pub struct Keystore {
    store: Arc<CredentialStore>,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keystore")
    }
}

impl Keystore {
    /// The platform's keyring.
    pub fn platform() -> Result<Keystore, KeystoreError> {
        #[cfg(target_os = "linux")]
        let store: Arc<CredentialStore> =
            zbus_secret_service_keyring_store::Store::new().map_err(err)?;
        #[cfg(target_os = "macos")]
        let store: Arc<CredentialStore> =
            apple_native_keyring_store::keychain::Store::new().map_err(err)?;
        #[cfg(target_os = "windows")]
        let store: Arc<CredentialStore> =
            windows_native_keyring_store::store::Store::new().map_err(err)?;
        #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
        let store: Arc<CredentialStore> = return Err(err("no keyring on this system"));
        Ok(Keystore { store })
    }

    /// An in-memory keyring (unit tests of the code around it).
    pub fn mock() -> Result<Keystore, KeystoreError> {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().map_err(err)?;
        Ok(Keystore { store })
    }

    fn entry(&self, key: &IdentityKey) -> Result<Entry, KeystoreError> {
        Entry::new_in_store(&self.store, SERVICE, &key.user()).map_err(err)
    }

    /// The identity kept for `key`, if any.
    pub fn load(&self, key: &IdentityKey) -> Result<Option<StoredIdentity>, KeystoreError> {
        match self.entry(key)?.get_password() {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(err),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(err(error)),
        }
    }

    /// Keeps `identity` for `key`, replacing what was there.
    pub fn save(&self, key: &IdentityKey, identity: &StoredIdentity) -> Result<(), KeystoreError> {
        let text = serde_json::to_string(identity).map_err(err)?;
        self.entry(key)?.set_password(&text).map_err(err)
    }

    /// Forgets the identity of `key` (after a revocation).
    pub fn delete(&self, key: &IdentityKey) -> Result<(), KeystoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(principal: &str) -> IdentityKey {
        IdentityKey {
            server: "https://127.0.0.1:8443".to_string(),
            hosting_number: "123456789012".to_string(),
            principal: principal.to_string(),
        }
    }

    #[test]
    fn save_load_delete_per_principal() {
        let keystore = Keystore::mock().unwrap();
        assert!(keystore.load(&key("manager")).unwrap().is_none());
        let identity = StoredIdentity {
            certificate_pem: "CERT".to_string(),
            key_pem: "SECRET KEY".to_string(),
            ca_pem: "CA".to_string(),
            workstation_id: 3,
            not_after: "2027-01-01T00:00:00Z".to_string(),
        };
        keystore.save(&key("manager"), &identity).unwrap();
        assert_eq!(
            keystore.load(&key("manager")).unwrap(),
            Some(identity.clone())
        );
        assert!(keystore.load(&key("superadmin:jdupont")).unwrap().is_none());
        assert!(!format!("{identity:?}").contains("SECRET"));
        keystore.delete(&key("manager")).unwrap();
        assert!(keystore.load(&key("manager")).unwrap().is_none());
    }
}
