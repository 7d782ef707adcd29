//! Lost passwords as people meet them (issue 22): the hosting manager asks a one-time code on the
//! login screen and gets a new password by SMS; the hosting manager resets a
//! superadministrator's password from the Controller panel, and the superadministrator chooses
//! the new one on their login screen with the code of their e-mail.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service};
use egui::accesskit::Role;
use hostingd::testing::{self, Logins, SUPERADMIN_PASSWORD};

/// The code of the last e-mail to `recipient`.
fn code_for(service: &Service, logins: &Logins, recipient: &str) -> String {
    service.eventually("the e-mail with the code", |store| {
        let recipient = recipient.to_string();
        async move {
            store
                .outbox(Some(logins.account_id))
                .await
                .unwrap()
                .iter()
                .rev()
                .filter(|m| m.recipient == recipient)
                .find_map(|m| {
                    m.body
                        .lines()
                        .find_map(|l| l.strip_prefix("One-time code: "))
                        .map(|code| code.trim().to_string())
                })
        }
    })
}

#[test]
fn the_hosting_manager_receives_a_new_password_by_sms() {
    let service = Service::start();
    let logins = service.provision("Lycee Code");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.wait_for("Hosting number");
    // The screen says what goes where before anything is asked.
    assert!(person.has_text("a new password by SMS to the account's phone"));
    assert!(person.is_disabled("I lost my password"));
    person.fill("Hosting number", &logins.hosting_number);
    person.click("I lost my password");
    person.wait_for_text("a one-time code was sent by e-mail");
    let code = code_for(&service, &logins, "manager@lycee-code.fr");
    person.fill("One-time code", &code);
    person.click("Receive my new password by SMS");
    person.wait_for_text("Your new password was sent by SMS.");
    let sms = service
        .runtime
        .block_on(service.store().outbox(Some(logins.account_id)))
        .unwrap()
        .into_iter()
        .rfind(|m| m.channel == "sms")
        .unwrap();
    let password = testing::password_in_sms(&sms.body);
    assert_ne!(password, logins.password);
    // The new password opens the console.
    person.fill("Password", &password);
    person.press(egui::Key::Enter);
    person.wait_for("Invoice number");
}

#[test]
fn the_manager_resets_a_superadministrators_password_and_they_choose_it() {
    let service = Service::start();
    let logins = service.provision("Lycee Remise");
    service.onboard_with_client(&logins, "remise");
    let dir = tempfile::tempdir().unwrap();
    let mut manager = Person::on(dir.path(), service.choice());
    manager.log_in(&logins);
    manager.install_certificate(&logins);
    manager.wait_for("Controller");
    manager.click("Controller");
    manager.click("List of users");
    manager.wait_for("Edit jdupont");
    manager.click("Edit jdupont");
    manager.wait_for_text("A one-time code goes to jdupont@school.fr");
    manager.click("Reset the password");
    manager.wait_for_text("A one-time code was e-mailed to jdupont@school.fr");
    let code = code_for(&service, &logins, "jdupont@school.fr");

    // On their own workstation, the superadministrator chooses the new password.
    let other = tempfile::tempdir().unwrap();
    let mut jdupont = Person::on(other.path(), service.choice());
    jdupont.wait_for("Hosting number");
    jdupont.click("superadministrator");
    jdupont.fill("Hosting number", &logins.hosting_number);
    jdupont.fill("Username", "jdupont");
    jdupont.click("I lost my password");
    jdupont.wait_for("One-time code");
    jdupont.fill("One-time code", &code);
    jdupont.fill("New password", "Tout-Nouveau3Passe");
    jdupont.click("Set my new password");
    jdupont.wait_for_text("Your password was changed.");
    jdupont.fill("Password", "Tout-Nouveau3Passe");
    jdupont.click("Connect to the hosting console");
    jdupont.wait_for("Invoice number");
    assert_ne!("Tout-Nouveau3Passe", SUPERADMIN_PASSWORD);
}

#[test]
fn a_superadministrator_sees_who_resets_passwords() {
    let service = Service::start();
    let logins = service.provision("Lycee Vue");
    service.onboard_with_client(&logins, "vue");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Controller");
    person.click("Controller");
    person.click("List of users");
    person.wait_for("Edit jdupont");
    person.click("Edit jdupont");
    person.wait_for("Reset the password");
    assert!(person.is_disabled_role(Role::Button, "Reset the password"));
    assert!(person.has_text("Only the hosting manager resets a superadministrator's password."));
}
