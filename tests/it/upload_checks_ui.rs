//! The console checks before it sends (issue 22): what the service would refuse once every byte
//! arrived is asked before the first one, so that a long transfer never ends in a refusal that
//! was known at its start.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service, drop_files, write_file};

#[test]
fn a_base_that_does_not_fit_is_refused_before_its_first_byte() {
    // Room for the base, not for the base and its photos together.
    let service = Service::start_with(|config| config.account_quota_bytes = 3_000_000);
    let logins = service.provision("Lycee Quota");
    service.onboard_with_client(&logins, "quota");
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let files = [
        write_file(&export, "Quota.HNOT", 2_000_000, 1),
        write_file(&export, "Quota.HPHOTOS", 1_500_000, 2),
    ];
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Server PRONOTE");
    person.click("Server PRONOTE");
    person.wait_for("planning01");
    person.click("planning01");
    person.wait_for("Load a base");

    drop_files(&mut person, &files);
    person.wait_for_text("Your hosting space is full");
    // Not one byte of the base was sent: the space was asked for both files first.
    let uploads = service
        .runtime
        .block_on(service.store().uploads(logins.account_id))
        .unwrap();
    assert!(!uploads.is_empty(), "the base's upload was asked for");
    assert!(
        uploads.iter().all(|u| u.upload_offset == 0),
        "{:?}",
        uploads
            .iter()
            .map(|u| (&u.filename, u.upload_offset))
            .collect::<Vec<_>>()
    );
}
