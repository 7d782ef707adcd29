//! The setup panels after onboarding, driven through the UI: add a user, give console access,
//! assign a profile in the users × schedules grid, revoke a workstation, then this one.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service};
use egui_kittest::kittest::Queryable;

#[test]
fn the_manager_runs_the_setup_panels() {
    let service = Service::start();
    let logins = service.provision("Lycee Panels");
    service.onboard_with_client(&logins, "panels");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    // Onboarding is done: the panels open, the Configuration panel first.
    person.wait_for("Workstations");
    person.wait_for_text("panels-lycee.hosting.localhost, port");

    // Add a user.
    person.click("Controller");
    person.click("Add a user");
    person.fill("First name", "Paul");
    person.fill("Surname", "Martin");
    person.fill("Username", "pmartin");
    person.fill("Password", "Another1Password");
    person.fill("Password confirmation", "Another1Password");
    // Console access is for superadministrators: Paul will be one.
    person.click_role(egui::accesskit::Role::CheckBox, "Superadministrator");
    person.click("Add the user");
    person.wait_for("The user was added.");

    // A user who is not a superadministrator cannot be given console access, and the editor
    // says why before anything is sent.
    person.click("Add a user");
    person.fill("First name", "Lea");
    person.fill("Surname", "Moreau");
    person.fill("Username", "lmoreau");
    person.fill("Password", "Another1Password");
    person.fill("Password confirmation", "Another1Password");
    person.click("Add the user");
    person.wait_for("The user was added.");
    person.click("List of users");
    person.wait_for("3 users");
    person.click("Edit lmoreau");
    person.wait_for("Console access of lmoreau");
    assert!(person.is_disabled_role(egui::accesskit::Role::CheckBox, "Console access"));
    assert!(person.has_text("Only a superadministrator can have console access"));
    person.click("Cancel");

    // Give Paul an e-mail and console access.
    person.wait_until("the editor closed", |h| {
        h.query_by_label("Console access of lmoreau").is_none()
    });
    person.click("Edit pmartin");
    person.wait_for("Console access of pmartin");
    person.fill("E-mail address", "paul.martin@school.fr");
    person.click_role(egui::accesskit::Role::CheckBox, "Console access");
    person.click("Save");

    // Assign them to Administration of planning01 in the grid.
    person.click("Assigning to profiles");
    // The grid's boxes are disabled while the access change is being saved; a person waits.
    person.wait_enabled("pmartin in Administration of planning01");
    person.click("pmartin in Administration of planning01");

    let store = service.store();
    let account_id = logins.account_id;
    let user = service.eventually("the panel's changes", |store| async move {
        let users = store.users(account_id).await.unwrap();
        let user = users.into_iter().find(|u| u.username == "pmartin").unwrap();
        let schedules = store.schedules(account_id).await.unwrap();
        let planning01 = schedules.iter().find(|s| s.name == "planning01").unwrap();
        let profiles = store.profiles(planning01.id).await.unwrap();
        let assigned = profiles
            .iter()
            .any(|(name, members)| name == "Administration" && members.contains(&user.id));
        (user.console_access && assigned).then_some(user)
    });
    assert_eq!(user.email.as_deref(), Some("paul.martin@school.fr"));
    assert!(user.superadmin);

    // Revoke the manager's other workstation, after a confirmation.
    person.click("Workstations");
    person.wait_for("Revoke Manager PC");
    person.click("Revoke Manager PC");
    person.wait_for("Revoke");
    person.click("Revoke");
    person.wait_for("revoked");
    let revoked = service.runtime.block_on(async {
        store
            .workstations(logins.account_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|w| w.revoked_at.is_some())
            .count()
    });
    assert_eq!(revoked, 1);
    assert!(person.has_text("Test workstation (this one)"));

    // Revoke this very workstation: the confirmation says so, then the console ends the session
    // and says why at step 1, instead of failing on the next request.
    person.click("Revoke Test workstation");
    person.wait_for_text("the workstation you are using");
    person.click("Revoke");
    person.wait_for_text("You revoked the certificate of this workstation");
    assert!(
        person.has_text("Choose who you are and enter the logins you received."),
        "step 1 is open"
    );
    assert!(!person.has("Workstations"), "the panels are closed");
    let revoked = service.runtime.block_on(async {
        store
            .workstations(logins.account_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|w| w.revoked_at.is_some())
            .count()
    });
    assert_eq!(revoked, 2);
}
