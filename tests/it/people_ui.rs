//! The hosting manager manages the people (issue 22), from a user's editor in Controller:
//! deactivate, reactivate, remove the superadministrator rights, delete; each asks first. The
//! only superadministrator of a schedule's Administration profile is kept, and the screen says
//! so before any click; a superadministrator sees the buttons disabled, with who does it.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use hosting_api::User;
use hostingd::testing::{self, Logins};

/// The account's users as the service has them.
fn users(service: &Service, logins: &Logins) -> Vec<User> {
    service.runtime.block_on(async {
        let (manager, _) = testing::manager(&service.service, logins).await;
        manager.users().await.unwrap()
    })
}

/// Opens the editor of `username` in Controller's list.
fn edit(person: &mut Person<'_>, username: &str) {
    person.wait_for(&format!("Edit {username}"));
    // A modal closing a moment ago may still cover the list: click again, as a person does.
    person.click_until(
        &format!("Edit {username}"),
        &format!("Console access of {username}"),
    );
    // A modal fading in does not take clicks yet.
    person.harness.run_steps(10);
}

/// Answers the question of `action` (the confirmation's button has the action's name).
fn confirm(person: &mut Person<'_>, question: &str, button: &str) {
    person.wait_for_text(question);
    person.click_role(Role::Button, button);
}

#[test]
fn the_manager_deactivates_demotes_and_deletes_but_keeps_the_last_administrator() {
    let service = Service::start();
    let logins = service.provision("Lycee Gens");
    service.onboard_with_client(&logins, "gens");
    service.runtime.block_on(async {
        let (manager, _) = testing::manager(&service.service, &logins).await;
        testing::grant_superadmin(&manager, "mmartin").await;
    });
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    person.wait_for("Controller");
    person.click("Controller");
    person.click("List of users");

    // jdupont is alone in both Administration profiles: kept, and the editor says why.
    edit(&mut person, "jdupont");
    for button in [
        "Deactivate jdupont",
        "Remove the superadministrator rights of jdupont",
        "Delete jdupont",
    ] {
        assert!(person.is_disabled_role(Role::Button, button), "{button}");
    }
    assert!(person.has_text(
        "jdupont is the only superadministrator of the Administration profile of planning01, planning02"
    ));
    person.click("Cancel");

    // mmartin is deactivated, after the question; the list says so.
    edit(&mut person, "mmartin");
    person.click("Deactivate mmartin");
    confirm(
        &mut person,
        "Deactivate mmartin? They are logged out at once",
        "Deactivate",
    );
    person.wait_for_text("mmartin is deactivated and logged out.");
    person.wait_for_text("Jeanne Dupont (deactivated)");
    let mmartin = |service: &Service| {
        users(service, &logins)
            .into_iter()
            .find(|u| u.username == "mmartin")
    };
    assert!(!mmartin(&service).unwrap().active);

    // Reactivated at once (nothing to ask), then demoted after the question.
    edit(&mut person, "mmartin");
    person.click("Reactivate mmartin");
    person.wait_for_text("mmartin can log in again.");
    assert!(mmartin(&service).unwrap().active);
    edit(&mut person, "mmartin");
    person.click("Remove the superadministrator rights of mmartin");
    confirm(
        &mut person,
        "Remove the superadministrator rights of mmartin?",
        "Remove the superadministrator rights",
    );
    person.wait_for_text("mmartin is no longer a superadministrator.");
    let demoted = mmartin(&service).unwrap();
    assert!(!demoted.superadmin && !demoted.console_access);

    // A question dismissed with Escape changes nothing; then deleted.
    edit(&mut person, "mmartin");
    person.click("Delete mmartin");
    person.wait_for_text("Delete mmartin? They leave every profile");
    person.press(egui::Key::Escape);
    person.wait_until("the question gone", |h| {
        h.query_by_label_contains("Delete mmartin? They leave")
            .is_none()
    });
    assert!(mmartin(&service).is_some());
    edit(&mut person, "mmartin");
    person.click("Delete mmartin");
    confirm(&mut person, "Delete mmartin?", "Delete the user");
    person.wait_for_text("mmartin was deleted.");
    person.wait_until("mmartin out of the list", |h| {
        h.query_by_label("Edit mmartin").is_none()
    });
    assert!(mmartin(&service).is_none());

    // In the grid, jdupont's Administration boxes cannot be unticked.
    person.click("Assigning to profiles");
    // (Once the profiles have arrived: until then the box is drawn unticked.)
    person.wait_until("jdupont's box disabled", |h| {
        use egui_kittest::kittest::NodeT;
        h.query_by_role_and_label(Role::CheckBox, "jdupont in Administration of planning01")
            .is_some_and(|node| {
                let node = node.accesskit_node();
                node.is_disabled() && node.toggled() == Some(egui::accesskit::Toggled::True)
            })
    });
}

#[test]
fn a_superadministrator_sees_who_manages_the_people() {
    let service = Service::start();
    let logins = service.provision("Lycee Regard");
    service.onboard_with_client(&logins, "regard");
    service.runtime.block_on(async {
        let (manager, _) = testing::manager(&service.service, &logins).await;
        testing::grant_superadmin(&manager, "mmartin").await;
    });
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Controller");
    person.click("Controller");
    person.click("List of users");
    edit(&mut person, "mmartin");
    for button in [
        "Deactivate mmartin",
        "Remove the superadministrator rights of mmartin",
        "Delete mmartin",
    ] {
        assert!(person.is_disabled_role(Role::Button, button), "{button}");
    }
    assert!(person.has_text(
        "Only the hosting manager deactivates or deletes a user, or removes a superadministrator's rights."
    ));
}
