//! The Audit log panel driven through the console: the manager filters the log by kind and
//! exports it as CSV; a superadministrator sees only their own actions and their schedules'.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service};

#[test]
fn the_audit_log_is_filtered_and_exported_as_csv() {
    let service = Service::start();
    let logins = service.provision("Lycee Journal");
    service.onboard_with_client(&logins, "journal");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    person.wait_for("Audit log");
    person.click("Audit log");
    person.wait_for("When (UTC)");
    // Everything of the account, the provider's provisioning included.
    person.wait_for("Account created by the provider");
    assert!(person.has("Controller's domain set"));
    assert!(person.has("Before") && person.has("After"));

    // Only the logins.
    person.click("Kind");
    person.wait_for("Logins");
    person.click("Logins");
    person.click("Show");
    person.wait_until("only logins", |h| {
        use egui_kittest::kittest::Queryable;
        h.query_by_label("Account created by the provider")
            .is_none()
            && h.query_all_by_label("Logged in").next().is_some()
    });

    // Exported as CSV: the filter holds, a header first.
    person.click("Export as CSV…");
    person.wait_for_text("The audit log was saved as");
    let csv = std::fs::read_to_string(dir.path().join("audit.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap().trim_start_matches('\u{feff}'),
        "at,actor,workstation,action,schedule,source_address,before,after,detail"
    );
    let rest: Vec<&str> = lines.collect();
    assert!(!rest.is_empty());
    assert!(
        rest.iter().all(|l| l.contains(",session.created,")),
        "{csv}"
    );
}

#[test]
fn a_superadministrator_sees_their_own_actions_and_their_schedules() {
    let service = Service::start();
    let logins = service.provision("Lycee Journal Bis");
    service.onboard_with_client(&logins, "journalbis");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Audit log");
    person.click("Audit log");
    person.wait_for("When (UTC)");
    person.wait_for("Logged in");
    // The provider's provisioning and the manager's user changes are not theirs.
    assert!(!person.has("Account created by the provider"));
    assert!(!person.has("Controller's domain set"));
    // The manager's changes to the profiles of their schedules are.
    use egui_kittest::kittest::Queryable;
    assert!(
        person
            .harness
            .query_all_by_label("Profile members changed")
            .next()
            .is_some()
    );
}
