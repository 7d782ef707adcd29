//! Every screen as each role (issue 22): one school whose planning01 runs and is published, the
//! hosting manager and the superadministrator jdupont each at their own workstation. The table
//! below says, for every action of every panel, what each role finds: a door open (enabled), shut
//! (disabled, with the sentence that says why on screen) or gone (not offered, with the sentence
//! where there is one). Then the actions both roles may do are done by each, through the UI, and
//! succeed: never a refusal after the click. The service's own role matrix
//! (`crates/hostingd/tests/it/hardening_roles.rs`) is the independent oracle of the routes; this
//! one is the screens'. Deeper walks of each action live in the screen's own test file.
#![allow(clippy::unwrap_used)]

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::common::{Person, Service};

/// What a role finds where an action is.
#[derive(Debug, Clone, Copy)]
enum Door {
    /// Offered and enabled.
    Open,
    /// Offered, disabled, and this sentence is on screen.
    Shut(&'static str),
    /// Not offered; this sentence (when not empty) is on screen.
    Gone(&'static str),
}

use Door::{Gone, Open, Shut};

/// One action: where it is (the clicks that lead there), how it is named (`~` first: a part of
/// its name), and what the manager and the superadministrator find.
struct Action {
    place: &'static [&'static str],
    role: Role,
    name: &'static str,
    manager: Door,
    superadmin: Door,
}

const DOMAINS: &str = "Only the hosting manager changes the domain names";
const STOPPED: &str = "Shut down the server before loading, creating or opening a base.";
const PUBLISHED: &str = "Stop the publication to change how people log in.";

/// Every action of every panel, for a school whose planning01 runs and is published.
const ACTIONS: &[Action] = &[
    // Configuration: the domains are the manager's; the rest is both roles'.
    act(
        &["Configuration"],
        Role::TextInput,
        "Controller domain name",
        Open,
        Shut(DOMAINS),
    ),
    act(
        &["Configuration"],
        Role::Button,
        "Confirm the controller's domain",
        Open,
        Gone(DOMAINS),
    ),
    act(
        &["Configuration"],
        Role::TextInput,
        "Domain name of planning01",
        Open,
        Shut(DOMAINS),
    ),
    act(
        &["Configuration"],
        Role::TextInput,
        "Name of planning02",
        Open,
        Open,
    ),
    act(
        &["Configuration"],
        Role::CheckBox,
        "Activate a PRONOTE Campus.net licence for planning02",
        Open,
        Open,
    ),
    act(
        &["Configuration"],
        Role::ComboBox,
        "Time zone of planning02",
        Open,
        Open,
    ),
    // Controller: users; superadministrators, console access and passwords are the manager's.
    act(
        &["Controller", "Add a user"],
        Role::TextInput,
        "Username",
        Open,
        Open,
    ),
    act(
        &["Controller", "Add a user"],
        Role::CheckBox,
        "Superadministrator",
        Open,
        Shut("Only the hosting manager creates superadministrators"),
    ),
    act(
        &["Controller", "List of users", "Edit jdupont"],
        Role::CheckBox,
        "Console access",
        Open,
        Shut("Only the hosting manager gives or takes console access"),
    ),
    act(
        &["Controller", "List of users", "Edit jdupont"],
        Role::Button,
        "Reset the password",
        Open,
        Shut("Only the hosting manager resets a superadministrator's password."),
    ),
    act(
        &["Controller", "List of users", "Edit jdupont"],
        Role::Button,
        "Deactivate jdupont",
        Shut("jdupont is the only superadministrator"),
        Shut("Only the hosting manager deactivates or deletes a user"),
    ),
    act(
        &["Controller", "Assigning to profiles"],
        Role::Button,
        "Administration",
        Open,
        Open,
    ),
    // The Administration profile is the manager's (its members see the audit log and the
    // previous years); the other profiles are both roles'.
    act(
        &["Controller", "Assigning to profiles"],
        Role::CheckBox,
        "mmartin in Administration of planning01",
        Open,
        Shut("Only the hosting manager changes the members of the Administration profile"),
    ),
    act(
        &["Controller", "Assigning to profiles", "Vie scolaire"],
        Role::CheckBox,
        "mmartin in Vie scolaire of planning01",
        Open,
        Open,
    ),
    // Server PRONOTE: both roles run the servers.
    act(
        &["Server PRONOTE", "Active base"],
        Role::Button,
        "Shut down the server",
        Open,
        Open,
    ),
    act(
        &["Server PRONOTE", "Active base"],
        Role::Button,
        "Test the connection",
        Open,
        Open,
    ),
    act(
        &["Server PRONOTE", "Active base"],
        Role::Button,
        "Load a base",
        Shut(STOPPED),
        Shut(STOPPED),
    ),
    act(
        &["Server PRONOTE", "Active base"],
        Role::Button,
        "Create a base",
        Shut(STOPPED),
        Shut(STOPPED),
    ),
    act(
        &["Server PRONOTE", "Other bases"],
        Role::Button,
        "~planning01 ",
        Open,
        Open,
    ),
    act(
        &["Server PRONOTE", "Monitoring of connections"],
        Role::TextInput,
        "Licences reserved for the administrators",
        Open,
        Open,
    ),
    act(
        &["Server PRONOTE", "Previous years"],
        Role::Button,
        "~Load a base for ",
        Shut("Only the members of the Administration profile of planning01"),
        Open,
    ),
    // PRONOTE.net: both roles publish.
    act(
        &["PRONOTE.net"],
        Role::Button,
        "Stop publication",
        Open,
        Open,
    ),
    act(&["PRONOTE.net"], Role::CheckBox, "Teachers", Open, Open),
    act(
        &["PRONOTE.net"],
        Role::TextInput,
        "CAS server address",
        Shut(PUBLISHED),
        Shut(PUBLISHED),
    ),
    act(
        &["PRONOTE.net"],
        Role::Button,
        "Copy the address of the Parents space",
        Open,
        Open,
    ),
    // Workstations: the manager sees the account's; a superadministrator their own.
    act(
        &["Workstations"],
        Role::Button,
        "Revoke Manager PC",
        Open,
        Gone("These are the workstations where you installed the console."),
    ),
    act(
        &["Workstations"],
        Role::Button,
        "Revoke Test workstation",
        Open,
        Open,
    ),
    // My account: the language is the manager's, the renewal the superadministrators'.
    act(
        &["My account"],
        Role::RadioButton,
        "In French",
        Open,
        Shut("The hosting manager chooses the language"),
    ),
    act(
        &["My account"],
        Role::Button,
        "Make the pro-forma invoice",
        Gone("Only a superadministrator can renew the contract"),
        Open,
    ),
    act(
        &["My account"],
        Role::Button,
        "Renew the certificate of this workstation",
        Open,
        Open,
    ),
    // Audit log and Assistance: both.
    act(&["Audit log"], Role::Button, "Export as CSV…", Open, Open),
    act(
        &["Assistance"],
        Role::Button,
        "Copy diagnostics",
        Open,
        Open,
    ),
];

const fn act(
    place: &'static [&'static str],
    role: Role,
    name: &'static str,
    manager: Door,
    superadmin: Door,
) -> Action {
    Action {
        place,
        role,
        name,
        manager,
        superadmin,
    }
}

/// The nodes of this role named `name` (`~` first: whose name contains the rest).
fn found(person: &Person<'_>, role: Role, name: &str) -> Vec<bool> {
    let nodes: Vec<_> = match name.strip_prefix('~') {
        Some(part) => person
            .harness
            .query_all_by_label_contains(part)
            .filter(|n| n.accesskit_node().role() == role)
            .collect(),
        None => person
            .harness
            .query_all_by_role_and_label(role, name)
            .collect(),
    };
    nodes
        .iter()
        .map(|n| n.accesskit_node().is_disabled())
        .collect()
}

/// Goes to `place` from wherever the person is: the first click opens the panel.
fn go(person: &mut Person<'_>, place: &[&str]) {
    for step in place {
        person.wait_until(&format!("the button {step:?}"), |h| {
            h.query_by_role_and_label(Role::Button, step).is_some()
        });
        person.click_role(Role::Button, step);
    }
}

/// Closes what an action's place opened (the user's editor).
fn leave(person: &mut Person<'_>, place: &[&str]) {
    if place.last().is_some_and(|p| p.starts_with("Edit ")) {
        person.click("Cancel");
        person.wait_until("the editor closed", |h| {
            h.query_by_label_contains("Console access of").is_none()
        });
    }
}

/// Checks every row of the table for one role; returns what differs from it.
fn walk(person: &mut Person<'_>, who: &str, door: fn(&Action) -> Door) -> Vec<String> {
    let mut wrong = Vec::new();
    for action in ACTIONS {
        go(person, action.place);
        let expected = door(action);
        let what = format!("{who}, {} › {}", action.place.join(" › "), action.name);
        // Wait until the screen shows what it is expected to (lists arrive from the service).
        let shown = |person: &Person<'_>| {
            let nodes = found(person, action.role, action.name);
            match expected {
                Open => !nodes.is_empty() && nodes.iter().all(|off| !off),
                Shut(why) => {
                    !nodes.is_empty() && nodes.iter().all(|off| *off) && person.has_text(why)
                }
                Gone(why) => nodes.is_empty() && (why.is_empty() || person.has_text(why)),
            }
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !shown(person) && std::time::Instant::now() < deadline {
            person.harness.step();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if !shown(person) {
            let nodes = found(person, action.role, action.name);
            wrong.push(format!(
                "{what}: expected {expected:?}, found {} (disabled: {nodes:?})",
                nodes.len()
            ));
        }
        leave(person, action.place);
    }
    wrong
}

/// A school whose planning01 runs (published), with prices for its renewal, and a user
/// mmartin (not a superadministrator) in no profile.
fn school() -> (Service, hostingd::testing::Logins) {
    let service = Service::start();
    let logins = service.provision("Lycee Matrice");
    service.onboard_with_client(&logins, "matrice");
    let (jdupont, _) = service.running_planning01(&logins);
    let mmartin = hosting_api::NewUser {
        first_name: "Marie".to_string(),
        surname: "Martin".to_string(),
        username: "mmartin".to_string(),
        password: "Another1Password".to_string(),
        superadmin: false,
    };
    service
        .runtime
        .block_on(jdupont.create_user(&mmartin))
        .unwrap();
    service.set_prices("1000", "100", "200");
    (service, logins)
}

#[test]
fn every_action_of_every_panel_as_each_role() {
    let (service, logins) = school();
    let manager_dir = tempfile::tempdir().unwrap();
    let mut manager = Person::on(manager_dir.path(), service.choice());
    manager.log_in(&logins);
    manager.install_certificate(&logins);
    manager.wait_for("Server PRONOTE");
    let superadmin_dir = tempfile::tempdir().unwrap();
    let mut superadmin = Person::on(superadmin_dir.path(), service.choice());
    superadmin.log_in_as_superadmin(&logins);
    superadmin.install_certificate(&logins);
    superadmin.wait_for("Server PRONOTE");

    let mut wrong = walk(&mut manager, "manager", |a| a.manager);
    wrong.extend(walk(&mut superadmin, "superadministrator", |a| {
        a.superadmin
    }));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // What both may do, each does, and it succeeds.
    for (who, person) in [("manager", &mut manager), ("superadmin", &mut superadmin)] {
        both_do(person, who);
    }
    // And what only one may do, that one does.
    go(&mut superadmin, &["My account"]);
    superadmin.wait_enabled("Make the pro-forma invoice");
    superadmin.click("Make the pro-forma invoice");
    superadmin.wait_for_text("The pro-forma invoice was saved as");
    go(&mut manager, &["Configuration"]);
    manager.replace("Controller domain name", "matrice-cite");
    manager.click("Confirm the controller's domain");
    manager.wait_for("Yes");
    manager.click("Yes");
    manager.wait_for_text("matrice-cite.hosting.localhost, port");
    for person in [&manager, &superadmin] {
        assert!(
            !person.has_text("Only the hosting manager can do this"),
            "no refusal after a click"
        );
    }
}

/// The actions both roles may do, done by `person` through the UI, each answered with success.
fn both_do(person: &mut Person<'_>, who: &str) {
    // Configuration: a schedule's name.
    go(person, &["Configuration"]);
    let name = format!("edt-{who}");
    // The third schedule is planning02, or what the hosting manager named it, as this person's
    // screen shows it (its labels follow its name).
    let names = ["planning02".to_string(), "edt-manager".to_string()];
    person.wait_until("the third schedule", |h| {
        names
            .iter()
            .any(|n| h.query_by_label(&format!("Name of {n}")).is_some())
    });
    let current = names
        .iter()
        .find(|n| person.has(&format!("Name of {n}")))
        .unwrap()
        .clone();
    person.replace(&format!("Name of {current}"), &name);
    person.wait_enabled(&format!("Confirm {current}"));
    person.click(&format!("Confirm {current}"));
    // Saved: nothing left to confirm, under the old name or (once the list is read again) the
    // new one.
    person.wait_until("the name saved", |h| {
        [&current, &name].iter().any(|n| {
            h.query_by_label(&format!("Confirm {n}"))
                .is_some_and(|node| node.accesskit_node().is_disabled())
        })
    });
    // Controller: a user who is not a superadministrator.
    go(person, &["Controller", "Add a user"]);
    person.fill("First name", "Paul");
    person.fill("Surname", "Martin");
    person.fill("Username", &format!("pm{who}"));
    person.fill("Password", "Another1Password");
    person.fill("Password confirmation", "Another1Password");
    person.click("Add the user");
    person.wait_for("The user was added.");
    // Server PRONOTE: the connection, the reservation.
    go(person, &["Server PRONOTE", "Active base"]);
    person.wait_enabled("Test the connection");
    person.click("Test the connection");
    person.wait_for_text("The server answers:");
    go(person, &["Server PRONOTE", "Monitoring of connections"]);
    let reserved = if who == "manager" { "1" } else { "2" };
    person.replace("Licences reserved for the administrators", reserved);
    person.wait_enabled("Save");
    person.click("Save");
    person.wait_for("The reservation was saved.");
    // PRONOTE.net: an address copied.
    go(person, &["PRONOTE.net"]);
    person.wait_enabled("Copy the address of the Parents space");
    person.click("Copy the address of the Parents space");
    person.wait_for("Copied");
}
