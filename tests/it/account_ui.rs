//! My account as each role uses it (issue 22): the hosting manager chooses the language of the
//! account's e-mails and SMS; a superadministrator sees it, disabled, with who chooses it; both
//! find where the console is downloaded.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service};
use egui::accesskit::Role;
use hosting_api::types::Language;

/// The account's language as the service has it, once it is `wanted`.
fn language_becomes(service: &Service, account_id: i64, wanted: Language) {
    service.eventually("the account's language", |store| async move {
        let account = store.account_by_id(account_id).await.unwrap();
        (account.language == wanted).then_some(())
    });
}

#[test]
fn the_hosting_manager_chooses_the_language_of_the_emails() {
    let service = Service::start_with(|config| {
        config.console_download_url = Some("https://provider.example/console".to_string());
    });
    let logins = service.provision("Lycee Langue");
    service.onboard_with_client(&logins, "langue");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    person.wait_for("My account");
    person.click("My account");
    person.wait_for("In French");
    assert!(person.has_text("https://provider.example/console"));
    assert!(person.has_text("Every e-mail and SMS the service sends"));
    assert!(!person.is_disabled_role(Role::RadioButton, "In French"));

    person.click_role(Role::RadioButton, "In French");
    language_becomes(&service, logins.account_id, Language::Fr);
    // The next e-mail is French only.
    service.runtime.block_on(async {
        hostingd::operator::rotate_invoice(service.store(), &logins.hosting_number)
            .await
            .unwrap();
    });
    let outbox = service
        .runtime
        .block_on(service.store().outbox(Some(logins.account_id)))
        .unwrap();
    let last = outbox.last().unwrap();
    assert!(last.body.starts_with("Bonjour"), "{}", last.body);

    // And back, with the keyboard-reachable radio of English.
    person.click_role(Role::RadioButton, "In English");
    language_becomes(&service, logins.account_id, Language::En);
}

#[test]
fn a_superadministrator_sees_the_language_and_who_chooses_it() {
    let service = Service::start();
    let logins = service.provision("Lycee Lecture");
    service.onboard_with_client(&logins, "lecture");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("My account");
    person.click("My account");
    person.wait_for("In English");
    assert!(person.is_disabled_role(Role::RadioButton, "In French"));
    assert!(person.is_disabled_role(Role::RadioButton, "In English"));
    assert!(
        person
            .has_text("The hosting manager chooses the language of the account's e-mails and SMS.")
    );
    // The service's own page, since this provider gave none.
    assert!(person.has_text("/console"));
}
