//! The workstation's key and certificate in the OS keyring (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows), one entry per service, hosting number and principal.
//! Never in a plain file.
//!
//! A service is known by its CA's fingerprint, which stays when its address changes (the local
//! service's port, a provider's new host name). Older versions keyed entries by the address:
//! those are still read, and moved to the fingerprint's key after the next successful login.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

/// The keyring service name of the console's entries.
pub const SERVICE: &str = "hosting-console";

/// Which identity: one per service (its CA's fingerprint), hosting number and principal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityKey {
    /// SHA-256 fingerprint of the service CA (64 lowercase hex digits).
    pub ca_fingerprint: String,
    /// The service's address now: not part of the key, only used to find an identity kept by an
    /// older version under the address.
    pub address: String,
    /// 12 digits.
    pub hosting_number: String,
    /// `manager` or `superadmin:<username>`.
    pub principal: String,
}

impl IdentityKey {
    fn user(&self) -> String {
        format!(
            "ca:{} {} {}",
            self.ca_fingerprint, self.hosting_number, self.principal
        )
    }

    /// The entry's name in older versions: the address instead of the fingerprint.
    fn legacy_user(&self) -> String {
        format!(
            "{} {} {}",
            self.address, self.hosting_number, self.principal
        )
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
    /// The service's address at the last login: a hint for people reading the keyring, never
    /// used to find the entry. Empty in entries of older versions.
    #[serde(default)]
    pub address: String,
}

/// An identity found in the keyring, and whether it still has an older version's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The identity.
    pub identity: StoredIdentity,
    /// Kept under the address (older version): [`Keystore::keep`] it after a login.
    pub legacy: bool,
}

impl std::fmt::Debug for StoredIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredIdentity")
            .field("workstation_id", &self.workstation_id)
            .field("not_after", &self.not_after)
            .field("address", &self.address)
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

    fn entry(&self, user: &str) -> Result<Entry, KeystoreError> {
        Entry::new_in_store(&self.store, SERVICE, user).map_err(err)
    }

    /// An entry is the identity's JSON as UTF-8 bytes, a "secret" of the keyring: the
    /// Credential Manager of Windows keeps at most 2,560 bytes, which an identity (about 1,800
    /// bytes) fits only as UTF-8, not as the UTF-16 that a "password" becomes there. On Linux
    /// and macOS a password is kept as UTF-8 already, so entries of older versions read the same.
    fn read(&self, user: &str) -> Result<Option<StoredIdentity>, KeystoreError> {
        match self.entry(user)?.get_secret() {
            Ok(bytes) => decode(&bytes).map(Some),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(err(error)),
        }
    }

    fn write(&self, user: &str, identity: &StoredIdentity) -> Result<(), KeystoreError> {
        let text = serde_json::to_string(identity).map_err(err)?;
        self.entry(user)?.set_secret(text.as_bytes()).map_err(err)
    }

    fn remove(&self, user: &str) -> Result<(), KeystoreError> {
        match self.entry(user)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(err(error)),
        }
    }

    /// The identity kept for `key`, if any: under the CA's fingerprint, or else under the
    /// address where an older version kept it.
    pub fn find(&self, key: &IdentityKey) -> Result<Option<Found>, KeystoreError> {
        if let Some(identity) = self.read(&key.user())? {
            return Ok(Some(Found {
                identity,
                legacy: false,
            }));
        }
        if key.address.is_empty() {
            return Ok(None);
        }
        Ok(self.read(&key.legacy_user())?.map(|identity| Found {
            identity,
            legacy: true,
        }))
    }

    /// The identity kept for `key`, wherever it is (see [`Keystore::find`]).
    pub fn load(&self, key: &IdentityKey) -> Result<Option<StoredIdentity>, KeystoreError> {
        Ok(self.find(key)?.map(|found| found.identity))
    }

    /// Keeps `identity` for `key`, replacing what was there.
    pub fn save(&self, key: &IdentityKey, identity: &StoredIdentity) -> Result<(), KeystoreError> {
        self.write(&key.user(), identity)
    }

    /// After a successful login with `found`: keeps it under the fingerprint's key with the
    /// address of now as its hint, and removes an older version's entry (only once the login
    /// proved that the identity belongs to this service). Does nothing when nothing changed.
    pub fn keep(&self, key: &IdentityKey, found: Found) -> Result<(), KeystoreError> {
        if !found.legacy && found.identity.address == key.address {
            return Ok(());
        }
        let identity = StoredIdentity {
            address: key.address.clone(),
            ..found.identity
        };
        self.save(key, &identity)?;
        if found.legacy {
            self.remove(&key.legacy_user())?;
        }
        Ok(())
    }

    /// Forgets the identity of `key` (after a revocation), under both keys.
    pub fn delete(&self, key: &IdentityKey) -> Result<(), KeystoreError> {
        self.remove(&key.user())?;
        if !key.address.is_empty() {
            self.remove(&key.legacy_user())?;
        }
        Ok(())
    }
}

/// An entry's identity: UTF-8 JSON, or UTF-16 (little-endian) JSON as a password kept on
/// Windows would be.
fn decode(bytes: &[u8]) -> Result<StoredIdentity, KeystoreError> {
    if let Ok(identity) = serde_json::from_slice(bytes) {
        return Ok(identity);
    }
    let wide: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    let text =
        String::from_utf16(&wide).map_err(|_| err("the keyring entry is not an identity"))?;
    serde_json::from_str(&text).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &str = "ab";

    fn key_at(address: &str, principal: &str) -> IdentityKey {
        IdentityKey {
            ca_fingerprint: CA.repeat(32),
            address: address.to_string(),
            hosting_number: "123456789012".to_string(),
            principal: principal.to_string(),
        }
    }

    fn key(principal: &str) -> IdentityKey {
        key_at("https://127.0.0.1:8443", principal)
    }

    fn identity(workstation_id: i64) -> StoredIdentity {
        StoredIdentity {
            certificate_pem: "CERT".to_string(),
            key_pem: "SECRET KEY".to_string(),
            ca_pem: "CA".to_string(),
            workstation_id,
            not_after: "2027-01-01T00:00:00Z".to_string(),
            address: "https://127.0.0.1:8443".to_string(),
        }
    }

    #[test]
    fn save_load_delete_per_principal() {
        let keystore = Keystore::mock().unwrap();
        assert!(keystore.load(&key("manager")).unwrap().is_none());
        let identity = identity(3);
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

    /// The local service's port changes: the identity is the same, the hint follows the address.
    #[test]
    fn the_key_is_the_ca_not_the_address() {
        let keystore = Keystore::mock().unwrap();
        keystore
            .save(&key_at("https://127.0.0.1:40001", "manager"), &identity(3))
            .unwrap();
        let moved = key_at("https://127.0.0.1:40002", "manager");
        let found = keystore.find(&moved).unwrap().unwrap();
        assert!(!found.legacy);
        assert_eq!(found.identity.workstation_id, 3);
        keystore.keep(&moved, found).unwrap();
        let kept = keystore.load(&moved).unwrap().unwrap();
        assert_eq!(kept.address, "https://127.0.0.1:40002");
        // Another CA at the same address is another service: nothing is kept for it.
        let other = IdentityKey {
            ca_fingerprint: "cd".repeat(32),
            ..moved
        };
        assert!(keystore.load(&other).unwrap().is_none());
    }

    /// An identity kept by an older version under the address is found, and moved to the CA's
    /// key once a login proved it.
    #[test]
    fn an_older_entry_under_the_address_is_read_then_moved() {
        let keystore = Keystore::mock().unwrap();
        let key = key("manager");
        let legacy_text = serde_json::json!({
            "certificate_pem": "CERT",
            "key_pem": "SECRET KEY",
            "ca_pem": "CA",
            "workstation_id": 7,
            "not_after": "2027-01-01T00:00:00Z",
        })
        .to_string();
        keystore
            .entry(&key.legacy_user())
            .unwrap()
            .set_password(&legacy_text)
            .unwrap();

        let found = keystore.find(&key).unwrap().unwrap();
        assert!(found.legacy);
        assert_eq!(found.identity.workstation_id, 7);
        assert_eq!(found.identity.address, "");
        // Without the address, the older entry cannot be found.
        let no_address = IdentityKey {
            address: String::new(),
            ..key.clone()
        };
        assert!(keystore.find(&no_address).unwrap().is_none());

        keystore.keep(&key, found).unwrap();
        assert!(keystore.read(&key.legacy_user()).unwrap().is_none());
        let moved = keystore.find(&key).unwrap().unwrap();
        assert!(!moved.legacy);
        assert_eq!(moved.identity.workstation_id, 7);
        assert_eq!(moved.identity.address, key.address);
        // Under the fingerprint, it is found whatever the address.
        let elsewhere = key_at("https://hosting.example.org:8443", "manager");
        assert_eq!(
            keystore.load(&elsewhere).unwrap().unwrap().workstation_id,
            7
        );
    }

    /// An entry that a Windows version kept as a password (UTF-16) still reads.
    #[test]
    fn an_entry_kept_as_utf16_reads_too() {
        let identity = identity(5);
        let text = serde_json::to_string(&identity).unwrap();
        let wide: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&wide).unwrap(), identity);
        assert_eq!(decode(text.as_bytes()).unwrap(), identity);
        assert!(decode(b"not json").is_err());
    }

    /// The Windows Credential Manager (Wine's on the CI machine) keeps an identity of the
    /// largest size the service issues: a certificate for a 64-character workstation name and
    /// a long username, signed by a service CA, its key and the CA.
    #[cfg(windows)]
    #[test]
    fn the_credential_manager_keeps_a_full_size_identity() {
        let data = tempfile::tempdir().unwrap();
        let pki =
            hostingd::pki::Pki::load_or_create(&hostingd::ServeConfig::local(data.path().into()))
                .unwrap();
        let key = hosting_api::tls::WorkstationKey::generate("w").unwrap();
        let csr = hostingd::pki::Csr::parse(&key.csr_pem).unwrap();
        let subject = hostingd::pki::WorkstationSubject {
            hosting_number: "123456789012".to_string(),
            role: "superadmin",
            username: Some("j".repeat(64)),
            workstation_name: "W".repeat(64),
        };
        let now = 1_800_000_000;
        let certificate = pki
            .sign_workstation(&csr, &subject, now, now + 365 * 86_400)
            .unwrap();
        let identity = StoredIdentity {
            certificate_pem: certificate.pem,
            key_pem: key.key_pem,
            ca_pem: pki.ca_pem().to_string(),
            workstation_id: 123_456,
            not_after: "2027-01-15T00:00:00Z".to_string(),
            address: format!("https://{}.example.org:8443", "h".repeat(60)),
        };
        let size = serde_json::to_string(&identity).unwrap().len();
        assert!(
            size > 1_280,
            "{size} bytes: more than a UTF-16 password could hold"
        );

        let keystore = Keystore::platform().unwrap();
        let key = key_at("https://127.0.0.1:1", "superadmin:wine-round-trip");
        keystore.delete(&key).unwrap();
        keystore.save(&key, &identity).unwrap();
        assert_eq!(keystore.load(&key).unwrap(), Some(identity));
        // A keystore opened anew, as at the next start, reads the same entry.
        assert!(Keystore::platform().unwrap().load(&key).unwrap().is_some());
        keystore.delete(&key).unwrap();
        assert_eq!(keystore.load(&key).unwrap(), None);
    }
}
