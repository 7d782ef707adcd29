//! The notifications' bell driven through the console: a workstation enrolled while the hosting
//! manager works shows in the bell; the manager reads it (the count goes down, and the service
//! keeps it read for them) and opens the panel where to act on another.
#![allow(clippy::unwrap_used)]

use egui_kittest::kittest::{NodeT, Queryable};
use hosting_api::{NotificationKind, Role};
use hostingd::testing::{self, SUPERADMIN_PASSWORD};

use crate::common::{Person, Service};

/// The bell's label, e.g. "Notifications (2)".
fn bell(person: &Person<'_>) -> Option<String> {
    person
        .harness
        .query_by_label_contains("Notifications (")
        .and_then(|node| node.accesskit_node().label())
}

fn count(label: &str) -> u32 {
    label
        .trim_start_matches("Notifications (")
        .trim_end_matches(')')
        .parse()
        .unwrap()
}

#[test]
fn a_notification_is_read_and_opens_where_to_act() {
    let service = Service::start();
    let logins = service.provision("Lycee Cloche");
    service.onboard_with_client(&logins, "cloche");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in(&logins);
    person.install_certificate(&logins);
    person.wait_for("Configuration");
    person.wait_until("the bell", |h| {
        h.query_by_label_contains("Notifications (").is_some()
    });

    // Meanwhile, jdupont installs the console on a laptop.
    service.runtime.block_on(async {
        testing::enroll_as(
            &service.service,
            "Laptop of Jeanne",
            Role::Superadmin,
            &logins,
            Some("jdupont"),
            SUPERADMIN_PASSWORD,
        )
        .await
        .unwrap();
    });
    let sentence = "A new workstation was installed: Laptop of Jeanne (jdupont). If you do not know it, revoke it in Workstations.";
    // Opening the bell asks the service again.
    person
        .harness
        .get_by_label_contains("Notifications (")
        .click();
    person.harness.run_steps(2);
    person.wait_for(sentence);
    person.wait_until("the new count", |h| {
        h.query_by_label_contains("Notifications (")
            .and_then(|n| n.accesskit_node().label())
            .is_some_and(|l| count(&l) >= 1)
    });
    let before = count(&bell(&person).unwrap());

    person.click(&format!("Mark as read: {sentence}"));
    person.wait_until("one fewer unread", |h| {
        h.query_by_label_contains("Notifications (")
            .and_then(|n| n.accesskit_node().label())
            .is_some_and(|l| count(&l) == before - 1)
    });
    assert!(!person.has(&format!("Mark as read: {sentence}")));
    // The service keeps it read for the manager.
    let read = service.runtime.block_on(async {
        let (manager, _) = testing::manager(&service.service, &logins).await;
        manager.notifications().await.unwrap()
    });
    let item = read
        .items
        .iter()
        .find(|n| {
            n.kind == NotificationKind::WorkstationEnrolled
                && n.detail["name"] == "Laptop of Jeanne"
        })
        .unwrap();
    assert!(item.read);

    // Open: the Workstations panel, where to revoke it.
    person.click(&format!("Open: {sentence}"));
    person.wait_until("the Workstations panel", |h| {
        h.query_all_by_label("Laptop of Jeanne").next().is_some()
            && h.query_by_label(sentence).is_none()
    });
}
