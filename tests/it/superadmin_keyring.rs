//! (b) The superadministrator's first login on a second workstation, whose certificate goes to the
//! real OS keyring (Secret Service on Linux; CI runs gnome-keyring inside dbus-run-session), then
//! a later start that asks only for the password.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service, options};
use hosting_console::i18n::Language;
use hosting_console::keystore::{IdentityKey, Keystore};

#[test]
fn b_superadmin_installs_a_second_workstation_then_logs_in_with_the_password_only() {
    let service = Service::start();
    let logins = service.provision("Lycee Keyring");
    // The hosting manager did the onboarding on their own workstation.
    service.onboard_with_client(&logins, "keyring");

    let keystore = Keystore::platform().expect(
        "the Secret Service must run (see .ci/run: dbus-run-session + gnome-keyring-daemon)",
    );
    let key = IdentityKey {
        ca_fingerprint: service.service.state.pki.ca_fingerprint(),
        address: service.service.base_url(),
        hosting_number: logins.hosting_number.clone(),
        principal: "superadmin:jdupont".to_string(),
    };
    keystore.delete(&key).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // First login on this workstation: the invoice number is asked once.
    {
        let mut person = Person::open(options(
            dir.path(),
            service.choice(),
            keystore.clone(),
            Language::En,
        ));
        person.log_in_as_superadmin(&logins);
        person.install_certificate(&logins);
        person.wait_for("Workstations");
        assert!(
            person.has("Configuration"),
            "onboarding is done: the panels open"
        );
    }
    let stored = keystore
        .load(&key)
        .unwrap()
        .expect("the certificate is in the keyring");
    assert!(stored.certificate_pem.contains("BEGIN CERTIFICATE"));
    assert!(stored.key_pem.contains("PRIVATE KEY"));
    // The private key is nowhere in the console's data directory.
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(11).any(|w| w == b"PRIVATE KEY"),
            "{} holds a private key",
            entry.display()
        );
    }

    // A later start: only the password.
    {
        let mut person = Person::open(options(
            dir.path(),
            service.choice(),
            keystore.clone(),
            Language::En,
        ));
        person.log_in_as_superadmin(&logins);
        person.wait_for("Workstations");
        assert!(!person.has("Invoice number"));
        person.click("Workstations");
        person.wait_for_text("Test workstation (this one)");
    }
    keystore.delete(&key).unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
