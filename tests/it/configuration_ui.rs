//! The Configuration panel as each role uses it: a superadministrator changes what is theirs (the
//! domain fields are shown but disabled, with the reason), the hosting manager's domain question
//! answers to the keyboard (Enter confirms, Escape cancels).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service};
use egui_kittest::kittest::{NodeT, Queryable};
use hostingd::store::ScheduleRow;

/// planning01 as the service has it, once `done` holds.
fn planning01_when(
    service: &Service,
    account_id: i64,
    what: &str,
    done: impl Fn(&ScheduleRow) -> bool,
) -> ScheduleRow {
    service.eventually(what, |store| {
        let done = &done;
        async move {
            let schedules = store.schedules(account_id).await.unwrap();
            let planning01 = schedules
                .into_iter()
                .find(|s| s.name == "planning01")
                .unwrap();
            done(&planning01).then_some(planning01)
        }
    })
}

#[test]
fn a_superadministrator_saves_the_configuration_form() {
    let service = Service::start();
    let logins = service.provision("Lycee Formes");
    service.onboard_with_client(&logins, "formes");
    let before = planning01_when(&service, logins.account_id, "onboarding", |_| true);
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Configuration");
    person.click("Configuration");
    person.wait_for("Domain name of planning01");

    // The domains are the manager's: shown, disabled, with why; no button to confirm them.
    assert!(person.is_disabled("Domain name of planning01"));
    assert!(person.is_disabled("Controller domain name"));
    assert!(person.has_text("Only the hosting manager changes the domain names"));
    assert!(!person.has("Confirm the controller's domain"));
    // Nothing changed yet: nothing to send.
    assert!(person.is_disabled("Confirm planning01"));

    // What is theirs: the Campus.net licence, sent without the domain, and saved.
    person.click_role(
        egui::accesskit::Role::CheckBox,
        "Activate a PRONOTE Campus.net licence for planning01",
    );
    person.wait_enabled("Confirm planning01");
    person.click("Confirm planning01");
    // No domain question: the domain did not change; and no question about the publication:
    // planning01's server does not run, so nobody loses access.
    assert!(!person.has("Yes"));
    person.wait_until("the form sent", |h| {
        h.query_by_label("Confirm planning01")
            .is_some_and(|node| node.accesskit_node().is_disabled())
    });
    assert!(!person.has_text("Untick the Campus.net licence"));
    let after = planning01_when(&service, logins.account_id, "the licence", |s| {
        s.campus_net_licence != before.campus_net_licence
    });
    assert_eq!((after.domain, after.port), (before.domain, before.port));
    // Saved: the form matches the service again, so there is nothing left to send, and no
    // refusal was shown.
    person.wait_until("the form matches the service", |h| {
        h.query_by_label("Confirm planning01")
            .is_some_and(|node| node.accesskit_node().is_disabled())
    });
    assert!(!person.has_text("Only the hosting manager can"));
}

#[test]
fn enter_confirms_a_domain_and_escape_cancels_it() {
    let service = Service::start();
    let logins = service.provision("Lycee Clavier");
    service.onboard_with_client(&logins, "clavier");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    person.wait_for("Configuration");
    person.click("Configuration");
    person.wait_for("Domain name of planning01");
    assert!(!person.is_disabled("Domain name of planning01"));

    // Enter in the field asks the question; Escape cancels it and nothing changes.
    person.replace("Domain name of planning01", "clavier-edt");
    person.press(egui::Key::Enter);
    person.wait_for("Yes");
    person.press(egui::Key::Escape);
    person.wait_until("the question closed", |h| h.query_by_label("Yes").is_none());
    let unchanged = planning01_when(&service, logins.account_id, "still there", |_| true);
    assert_eq!(unchanged.domain.as_deref(), Some("clavier-planning01"));

    // Asked again, Enter answers Yes: the confirm button has the keyboard focus.
    person.click("Confirm planning01");
    person.wait_for("Yes");
    person.press(egui::Key::Enter);
    planning01_when(&service, logins.account_id, "the new domain", |s| {
        s.domain.as_deref() == Some("clavier-edt")
    });
    person.wait_for_text("clavier-edt.hosting.localhost, port");
}
