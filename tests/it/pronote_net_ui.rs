//! The PRONOTE.net panel driven through the console: the superadministrator stops the
//! publication (the confirmation says who loses access), delegates the authentication to a CAS
//! server (a small one over TLS), publishes again, opens a webspace, which sends the visitor to
//! the CAS login, and copies an address. A schedule without the Campus.net licence cannot be
//! published.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use hosting_api::ScheduleUpdate;
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;
use hosting_console::links::RecordingLinks;
use hostingd::testing;
use hostingd::testing::cas::{CasPerson, TestCas, fetch_page};

use crate::common::{self, Person, Service};

#[test]
fn stopping_delegating_to_cas_republishing_and_opening_a_webspace() {
    // The ENT's CAS server, on a runtime of its own.
    let cas_runtime = tokio::runtime::Runtime::new().unwrap();
    let cas = cas_runtime.block_on(TestCas::start(CasPerson {
        user: "jdupont".to_string(),
        display_name: "Jeanne Dupont".to_string(),
    }));
    let trust = tempfile::tempdir().unwrap();
    let service = Service::start_with(|config| cas.configure(config, trust.path()));
    let logins = service.provision("Lycee Espaces");
    service.onboard_with_client(&logins, "net");
    // planning01 runs a base (put online from another workstation): it is published.
    let (client, schedules) = service.running_planning01(&logins);
    let planning02 = schedules[1].id;
    let endpoint_ca = service
        .runtime
        .block_on(client.endpoint_ca())
        .unwrap()
        .certificate_pem;
    let published = service.runtime.block_on(async {
        let (manager, _) = testing::manager(&service.service, &logins).await;
        // planning02 loses its Campus.net licence.
        manager
            .update_schedule(
                planning02,
                &ScheduleUpdate {
                    campus_net_licence: Some(false),
                    ..ScheduleUpdate::default()
                },
            )
            .await
            .unwrap();
        let planning01 = manager.schedules().await.unwrap()[0].id;
        manager.publication(planning01).await.unwrap()
    });
    assert!(published.published);
    let addresses = published.addresses.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let links = Arc::new(RecordingLinks::default());
    let mut options = common::options(
        dir.path(),
        service.choice(),
        Keystore::mock().unwrap(),
        Language::En,
    );
    options.links = links.clone();
    let mut person = Person::open(options);
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("PRONOTE.net");
    person.click("PRONOTE.net");
    person.wait_for("Published");
    // Published: how people log in cannot change.
    person.wait_for("Stop the publication to change how people log in.");
    assert!(person.is_disabled("CAS server address"));

    // Stop: the confirmation lists each space that stops, with its address.
    person.click("Stop publication");
    person.wait_for_text("the people who use them lose access");
    assert!(person.has_text(&format!("Teachers: {}", addresses.teachers)));
    assert!(person.has_text(&format!(
        "Student administration: {}",
        addresses.student_administration
    )));
    person.click("Yes, stop the publication");
    person.wait_for("Not published");

    // Delegate to the ENT: the address is checked at its /login.
    person.click("ENT (CAS)");
    person.fill("CAS server address", &cas.url);
    person.click("Save how people log in");
    person.wait_for_text("The CAS server answered on");
    assert_eq!(cas.logins(), 1);

    // Publish again; the delegation is locked again.
    person.click("Publish");
    person.wait_for("Published");
    person.wait_until("the form locked", |h| {
        use egui_kittest::kittest::{NodeT, Queryable};
        h.query_by_label("CAS server address")
            .is_some_and(|n| n.accesskit_node().is_disabled())
    });

    // Open the teachers' space: the browser gets its address, which sends it to the CAS login.
    person.click("Open the Teachers space in the browser");
    assert_eq!(links.opened(), vec![addresses.teachers.clone()]);
    let page = cas_runtime.block_on(fetch_page(&addresses.teachers, &endpoint_ca, None, "en"));
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert!(
        location.starts_with(&format!("{}/login?service=https%3A%2F%2F", cas.url)),
        "{location}"
    );
    assert!(location.ends_with("professeur.html"), "{location}");

    // Copy the parents' address.
    person.click("Copy the address of the Parents space");
    person.wait_for("Copied");
    assert_eq!(links.copied(), vec![addresses.parents.clone()]);

    // planning02 has no Campus.net licence: Publish is disabled, and the panel says why.
    person.click("planning02");
    person.wait_for("Not published");
    assert!(person.is_disabled("Publish"));
    person.wait_for_text("has no Campus.net licence");
}

/// Where families lose access, the console asks first: switching off one space of a published
/// schedule (PRONOTE.net), and unticking its Campus.net licence (Configuration), which stops
/// the publication; each question names the spaces and their addresses.
#[test]
fn switching_off_a_space_or_the_licence_asks_first() {
    use egui::accesskit::Role as A11y;
    let service = Service::start();
    let logins = service.provision("Lycee Familles");
    service.onboard_with_client(&logins, "familles");
    let (client, schedules) = service.running_planning01(&logins);
    let planning01 = schedules[0].id;
    let publication = || {
        service
            .runtime
            .block_on(client.publication(planning01))
            .unwrap()
    };
    let before = publication();
    assert!(before.published && before.webspaces.parents);
    let addresses = before.addresses.clone().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("PRONOTE.net");
    person.click("PRONOTE.net");
    person.wait_for("Published");

    // One space: the question names it and its address; Escape keeps it on.
    person.click_role(A11y::CheckBox, "Parents");
    person.wait_for_text("Switch off the Parents space of planning01?");
    assert!(person.has_text(&format!("Parents: {}", addresses.parents)));
    assert!(!person.has_text(&format!("Teachers: {}", addresses.teachers)));
    person.press(egui::Key::Escape);
    person.wait_until("the question closed", |h| {
        use egui_kittest::kittest::Queryable;
        h.query_by_label("Yes, switch it off").is_none()
    });
    assert!(publication().webspaces.parents, "nothing changed");
    person.click_role(A11y::CheckBox, "Parents");
    person.click("Yes, switch it off");
    service.eventually("the Parents space off", |_| {
        let client = client.clone();
        async move {
            let now = client.publication(planning01).await.unwrap();
            (!now.webspaces.parents).then_some(())
        }
    });

    // The licence, in Configuration: unticking it stops the publication, so it asks first.
    person.click("Configuration");
    let licence = "Activate a PRONOTE Campus.net licence for planning01";
    person.wait_for(licence);
    person.click_role(A11y::CheckBox, licence);
    person.click("Confirm planning01");
    person.wait_for_text("Untick the Campus.net licence of planning01?");
    assert!(person.has_text(&format!("Teachers: {}", addresses.teachers)));
    person.click("Yes, untick it and stop the publication");
    service.eventually("the licence unticked and the publication stopped", |_| {
        let client = client.clone();
        async move {
            let now = client.publication(planning01).await.unwrap();
            (!now.published && !now.campus_net_licence).then_some(())
        }
    });
}
