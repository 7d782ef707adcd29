//! The hosting manager's onboarding through the console's UI, over real TLS against an
//! in-process hostingd: (a) the whole onboarding to the saved connection sheet, (c) quitting after
//! step 3 and coming back at step 4, (d) the sentences for a wrong password, a lock-out and a
//! revoked workstation.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, SUPERADMIN_PASSWORD, Service, options};
use egui_kittest::kittest::{NodeT, Queryable};
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;

#[test]
fn a_manager_onboarding_from_provisioning_to_the_connection_sheet() {
    let service = Service::start();
    let logins = service.provision("Lycee Victor Hugo");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());

    person.connect_and_install(&logins);
    person.configure_schedules("hugo");
    person.click("Next");
    person.create_superadmin();

    person.wait_for("Step 5: Administration profile");
    person.wait_for("E-mail address");
    // The example follows the language of the console.
    let example = person
        .harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "E-mail address")
        .accesskit_node()
        .placeholder()
        .map(str::to_string);
    assert_eq!(
        example.as_deref(),
        Some("e.g. firstname.lastname@school.org"),
        "the English console shows an English example"
    );
    person.fill("E-mail address", "jeanne.dupont@lycee-hugo.fr");
    // Seed 000, step 5: console access is optional and unticked; "first enter a valid e-mail
    // address, then tick".
    let access = person
        .harness
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, "Console access")
        .accesskit_node()
        .toggled();
    assert_eq!(access, Some(egui::accesskit::Toggled::False));
    person.click_role(egui::accesskit::Role::CheckBox, "Console access");
    person.click("Validate");

    person.wait_for("Step 6: Transmission");
    person.click("Include the password in the sheet");
    person.click("Save as PDF…");
    person.wait_for_text("The connection sheet was saved");
    person.click("Copy as text");
    person.wait_for("The connection sheet was copied.");
    person.click("Finish");
    person.wait_for("Configuration");
    println!(
        "hosting manager onboarding: {} clicks and {} fields typed ({} interactions)",
        person.clicks,
        person.fields,
        person.clicks + person.fields
    );

    // The sheet holds what the superadministrator needs.
    let sheet = common::pdf_text(&dir.path().join("connection-sheet.pdf"));
    for needle in [
        "Connection to the hosting console",
        &logins.hosting_number,
        &logins.invoice_number,
        "jdupont",
        SUPERADMIN_PASSWORD,
        // Where the Clients connect.
        "hugo-lycee.hosting.localhost, port",
        "planning01 \nhugo-planning01.hosting.localhost, port",
        "planning02 \nhugo-planning02.hosting.localhost, port",
    ] {
        assert!(
            sheet.contains(needle),
            "{needle} missing from the sheet: {sheet:?}"
        );
    }

    // The service's state is what the person did.
    let store = service.store();
    service.runtime.block_on(async {
        let account = store.account_by_id(logins.account_id).await.unwrap();
        let onboarding = store
            .onboarding(&account, hostingd::licence::current().0)
            .await
            .unwrap();
        assert!(onboarding.licence && onboarding.controller && onboarding.schedules);
        assert!(
            onboarding.superadmin && onboarding.profiles,
            "{onboarding:?}"
        );
        let users = store.users(logins.account_id).await.unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].username, "jdupont");
        assert!(users[0].superadmin && users[0].console_access);
        assert_eq!(
            users[0].email.as_deref(),
            Some("jeanne.dupont@lycee-hugo.fr")
        );
        let schedules = store.schedules(logins.account_id).await.unwrap();
        for schedule in &schedules {
            assert!(
                schedule
                    .domain
                    .as_deref()
                    .unwrap()
                    .starts_with("hugo-planning")
            );
            let profiles = store.profiles(schedule.id).await.unwrap();
            assert!(
                profiles.iter().any(
                    |(name, members)| name == "Administration" && members == &vec![users[0].id]
                )
            );
        }
        assert_eq!(
            store
                .controller_endpoint(logins.account_id)
                .await
                .unwrap()
                .unwrap()
                .0,
            "hugo-lycee"
        );
        assert_eq!(
            store.workstations(logins.account_id).await.unwrap().len(),
            1
        );
    });
}

#[test]
fn c_quitting_after_step_three_reopens_at_step_four() {
    let service = Service::start();
    let logins = service.provision("Lycee Quit");
    let dir = tempfile::tempdir().unwrap();
    let keystore = Keystore::mock().unwrap();
    {
        let mut person = Person::open(options(
            dir.path(),
            service.choice(),
            keystore.clone(),
            Language::En,
        ));
        person.connect_and_install(&logins);
        person.configure_schedules("quit");
        // The person closes the console here.
    }
    let mut person = Person::open(options(
        dir.path(),
        service.choice(),
        keystore,
        Language::En,
    ));
    person.wait_for("Hosting number");
    // The hosting number is remembered only through eframe storage, which tests do not have;
    // the certificate is in the keyring, so only the password is asked after the number.
    person.fill("Hosting number", &logins.hosting_number);
    person.fill("Password", &logins.password);
    person.click("Connect to the hosting console");
    person.wait_for("Step 4: First superadministrator");
    assert!(
        !person.has("Invoice number"),
        "the certificate was kept: no invoice number is asked"
    );
}

#[test]
fn d_wrong_password_lock_out_and_revoked_workstation_say_so() {
    let service = Service::start();
    let logins = service.provision("Lycee Errors");
    let dir = tempfile::tempdir().unwrap();
    let keystore = Keystore::mock().unwrap();
    let mut person = Person::open(options(
        dir.path(),
        service.choice(),
        keystore.clone(),
        Language::En,
    ));
    person.connect_and_install(&logins);
    // Logging out moves nothing under the pointer: the buttons that stay keep their places, and
    // no other button comes where Log out was.
    let stays = ["Help", "Dark theme"];
    let before: Vec<_> = stays.iter().map(|l| person.rect_of(l).unwrap()).collect();
    let log_out = person.rect_of("Log out").unwrap();
    person.click("Log out");
    person.wait_for("Hosting number");
    let after: Vec<_> = stays.iter().map(|l| person.rect_of(l).unwrap()).collect();
    assert_eq!(before, after);
    assert_eq!(person.buttons_at(log_out.center()), Vec::<String>::new());

    // Wrong password: the generic sentence. (The hosting number is still in its field.)
    person.fill("Password", "WrongPassw0rd!");
    person.click("Connect to the hosting console");
    person.wait_for_text("These logins are not right.");

    // Four more failures lock the account out; the sentence says how long to wait.
    for _ in 0..4 {
        person.wait_enabled("Connect to the hosting console");
        person.click("Connect to the hosting console");
    }
    person.wait_enabled("Connect to the hosting console");
    person.click("Connect to the hosting console");
    person.wait_for_text(
        "Too many failed attempts on this account. Wait 15 minutes, then try again.",
    );

    // Revoked workstation: the sentence, and the offer to install a new certificate.
    service.runtime.block_on(async {
        let store = service.store();
        store
            .clear_login_failures(&logins.hosting_number)
            .await
            .unwrap();
        let workstation = store.workstations(logins.account_id).await.unwrap()[0].id;
        hostingd::operator::revoke_workstation(store, workstation)
            .await
            .unwrap();
    });
    let mut person = Person::open(options(
        dir.path(),
        service.choice(),
        keystore,
        Language::En,
    ));
    person.log_in(&logins);
    person.wait_for_text("The certificate of this workstation was revoked.");
    assert!(person.has("Invoice number"));
    person.fill("Invoice number", &logins.invoice_number);
    person.click("Install the certificate");
    person.wait_for("Step 3: Configuration of schedules");
}

#[test]
fn e_a_pinned_ca_fingerprint_is_enough_to_install_and_connect() {
    let service = Service::start();
    let logins = service.provision("Lycee Pinned");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.pinned_choice());
    person.connect_and_install(&logins);
}

/// Steps 1 and 2 with the keyboard only: the first empty field of each step has the focus, Tab
/// goes to the next field, Enter submits from the last one, Space ticks the licence box.
#[test]
fn f_steps_one_and_two_with_the_keyboard_only() {
    use egui::Key;
    let service = Service::start();
    let logins = service.provision("Lycee Clavier");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.wait_for("Hosting number");
    person.type_here(&logins.hosting_number);
    assert_eq!(
        person.value_of("Hosting number").as_deref(),
        Some(logins.hosting_number.as_str()),
        "the hosting number has the focus when step 1 opens"
    );
    person.press(Key::Tab);
    person.type_here(&logins.password);
    person.press(Key::Enter);

    person.wait_for("Invoice number");
    person.type_here(&logins.invoice_number);
    assert_eq!(
        person.value_of("Invoice number").as_deref(),
        Some(logins.invoice_number.as_str()),
        "the invoice number has the focus when step 2 opens"
    );
    person.press(Key::Enter);

    person.wait_for("I accept the License Agreement");
    person.wait_for_text("LICENCE AGREEMENT");
    person.press(Key::Space);
    person.press(Key::Tab);
    person.press(Key::Enter);
    person.wait_for("Step 3: Configuration of schedules");
    assert_eq!(person.clicks, 0, "no click was needed");
    assert_eq!(person.fields, 0, "no field was clicked to type in it");
}

#[test]
fn step_five_is_done_for_the_concerned_schedule() {
    // Seed 000, step 5: the superadministrator is assigned "for the concerned schedule". A school
    // that assigns only planning01 goes on, is told that planning02 has nobody, and does not
    // come back to step 5 at its next login.
    let service = Service::start();
    let logins = service.provision("Lycee Concerne");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.connect_and_install(&logins);
    person.configure_schedules("concerne");
    person.click("Next");
    person.create_superadmin();
    person.wait_for("Step 5: Administration profile");
    person.fill("E-mail address", "jeanne.dupont@lycee-concerne.fr");
    person.click_role(
        egui::accesskit::Role::CheckBox,
        "Administration of planning02",
    );
    person.click("Validate");
    person.wait_for("Step 6: Transmission");
    person.wait_for_text("Nobody is in the Administration profile of planning02 yet.");
    assert!(!person.has_text("planning01 yet"));

    person.click("Log out");
    person.wait_for("Hosting number");
    // The hosting number is still in its field.
    person.fill("Password", &logins.password);
    person.press(egui::Key::Enter);
    person.wait_for("Configuration");
    assert!(!person.has("Step 5: Administration profile"));
}
