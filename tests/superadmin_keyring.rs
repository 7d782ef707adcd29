//! (b) The superadministrator's first login on a second workstation, whose certificate goes to the
//! real OS keyring (Secret Service on Linux; CI runs gnome-keyring inside dbus-run-session), then
//! a later start that asks only for the password.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Person, Service, options};
use hosting_api::{
    Client, ClientIdentity, EnrollmentRequest, NewUser, Role, ScheduleUpdate, UserUpdate,
    WorkstationKey,
};
use hosting_console::i18n::Language;
use hosting_console::keystore::{IdentityKey, Keystore};

const SUPERADMIN_PASSWORD: &str = "Correct1Horse2Battery";

#[test]
fn b_superadmin_installs_a_second_workstation_then_logs_in_with_the_password_only() {
    let service = Service::start();
    let logins = service.provision("Lycee Keyring");
    // The hosting manager did the onboarding on their own workstation.
    service.runtime.block_on(async {
        let base = service.service.base_url();
        let ca = service.service.ca_pem();
        let key = WorkstationKey::generate("Manager PC").unwrap();
        let enrolled = Client::new(&base, &ca, None)
            .unwrap()
            .enroll(&EnrollmentRequest {
                role: Role::Manager,
                hosting_number: logins.hosting_number.clone(),
                password: logins.password.clone(),
                username: None,
                invoice_number: logins.invoice_number.clone(),
                csr_pem: key.csr_pem,
                workstation_name: "Manager PC".to_string(),
            })
            .await
            .unwrap();
        let identity = ClientIdentity {
            certificate_pem: enrolled.certificate_pem,
            key_pem: key.key_pem,
        };
        let manager = Client::new(&base, &ca, Some(&identity)).unwrap();
        manager.login(&logins.password).await.unwrap();
        manager
            .accept_licence(&manager.licence().await.unwrap().version)
            .await
            .unwrap();
        manager
            .set_controller_domain("keyring-lycee")
            .await
            .unwrap();
        let user = manager
            .create_user(&NewUser {
                first_name: "Jeanne".to_string(),
                surname: "Dupont".to_string(),
                username: "jdupont".to_string(),
                password: SUPERADMIN_PASSWORD.to_string(),
                superadmin: true,
            })
            .await
            .unwrap();
        let grant = UserUpdate {
            email: Some("jeanne@school.fr".to_string()),
            console_access: Some(true),
        };
        manager.update_user(user.id, &grant).await.unwrap();
        for schedule in manager.schedules().await.unwrap() {
            let update = ScheduleUpdate {
                domain: Some(format!("keyring-{}", schedule.name)),
                ..Default::default()
            };
            manager.update_schedule(schedule.id, &update).await.unwrap();
            manager
                .set_profile_members(schedule.id, "Administration", &[user.id])
                .await
                .unwrap();
        }
    });

    let keystore = Keystore::platform().expect(
        "the Secret Service must run (see .ci/run: dbus-run-session + gnome-keyring-daemon)",
    );
    let key = IdentityKey {
        server: service.service.base_url(),
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
        person.wait_for("Hosting number");
        person.click("superadministrator");
        person.fill("Hosting number", &logins.hosting_number);
        person.fill("Username", "jdupont");
        person.fill("Password", SUPERADMIN_PASSWORD);
        person.click("Connect to the hosting console");
        person.wait_for("Invoice number");
        person.fill("Invoice number", &logins.invoice_number);
        person.click("Install the certificate");
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
        person.wait_for("Hosting number");
        person.click("superadministrator");
        person.fill("Hosting number", &logins.hosting_number);
        person.fill("Username", "jdupont");
        person.fill("Password", SUPERADMIN_PASSWORD);
        person.click("Connect to the hosting console");
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
