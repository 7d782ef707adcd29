//! Seed 001, Monitoring of connections, live (issue 22): real Clients connect to planning01's
//! server through its endpoint's session protocol; the superadministrator's tab shows them
//! within a few seconds (in use, of the contract, reserved), the 24-hour chart and who is
//! connected, and disconnects one after the question: its Client learns it at its next
//! keep-alive.
#![allow(clippy::unwrap_used)]

use crate::common::{Person, Service};
use egui::accesskit::Role;
use hosting_api::endpoint::ClientLogin;
use hostingd::testing::SUPERADMIN_PASSWORD;

#[test]
fn the_superadministrator_sees_the_clients_live_and_disconnects_one() {
    let service = Service::start();
    let logins = service.provision("Lycee Suivi");
    service.onboard_with_client(&logins, "suivi");
    let (client, schedules) = service.running_planning01(&logins);
    let (host, port) = (
        schedules[0].host.clone().unwrap(),
        schedules[0].port.unwrap(),
    );
    let connect = |workstation: &str| {
        service
            .runtime
            .block_on(client.connect_client(
                &host,
                port,
                &ClientLogin {
                    username: "jdupont".to_string(),
                    password: SUPERADMIN_PASSWORD.to_string(),
                    workstation: workstation.to_string(),
                },
            ))
            .unwrap()
    };
    let office = connect("SECRETARIAT-PC");

    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Server PRONOTE");
    person.click("Server PRONOTE");
    // The tabs come with the schedules, which may take a moment on a busy machine.
    person.wait_for("Monitoring of connections");
    person.click("Monitoring of connections");
    person.wait_for_text("Connected now: 1 (1 of the Administration group)");
    assert!(person.has_text("jdupont on SECRETARIAT-PC"));
    assert!(person.has_text("Connections over the last 24 hours (peak: 1)"));
    // A second Client appears without any click: the tab reads the connections again.
    let laptop = connect("LAPTOP-CPE");
    person.wait_for_text("Connected now: 2 (2 of the Administration group)");
    assert!(
        person.has_text("On all your schedules: 2 of the contract's 5 Administrative licences")
    );

    // Disconnect the laptop, after the question.
    person.click("Disconnect jdupont (LAPTOP-CPE)");
    person.wait_for_text("Disconnect jdupont (LAPTOP-CPE)? Their Client loses the connection");
    person.click_role(Role::Button, "Disconnect");
    person.wait_for_text("jdupont was disconnected.");
    person.wait_for_text("Connected now: 1 (1 of the Administration group)");
    assert!(!person.has("Disconnect jdupont (LAPTOP-CPE)"));
    match service.runtime.block_on(laptop.keep_alive()) {
        Err(hosting_api::ClientError::Api { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (404, "connection_closed"));
        }
        other => panic!("the disconnected Client was kept: {other:?}"),
    }
    service.runtime.block_on(office.keep_alive()).unwrap();
}
