//! Issue 22, live monitoring (seed 001, Monitoring of connections): real Clients connect to a
//! running schedule's endpoint through its session protocol (open, keep alive, close), within
//! the contract's Administrative licences; the seats reserved for the Administration group are
//! kept for it; the Monitoring tab's answer counts them live, lists who is connected and charts
//! the last 24 hours; Disconnect frees the seat and the Client learns it at its next keep-alive;
//! a silent Client's seat frees itself.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::files::school;
use common::{SUPERADMIN_PASSWORD, TestService, assert_api_error};
use hosting_api::endpoint::ClientLogin;
use hosting_api::{MonitoringUpdate, NewEmptyBase, NewUser};
use hostingd::store::ContractChange;
use hostingd::store::connections::SILENCE_SECONDS;

fn login(username: &str, password: &str) -> ClientLogin {
    ClientLogin {
        username: username.to_string(),
        password: password.to_string(),
        workstation: format!("PC of {username}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_connect_within_the_licences_and_the_reserved_seats() {
    let service = TestService::start().await;
    let s = school(&service, "Lycee Moniteur").await;
    let account = service.store().account_by_id(s.account_id).await.unwrap();
    hostingd::operator::set_contract(
        service.store(),
        &account.hosting_number,
        &ContractChange {
            administration_licences: Some(3),
            ..ContractChange::default()
        },
    )
    .await
    .unwrap();
    // The superadministrator runs planning01; three other users have Clients.
    let users = s.manager.users().await.unwrap();
    let admin = users.iter().find(|u| u.superadmin).unwrap().clone();
    for name in ["eve", "fay", "gus"] {
        s.manager
            .create_user(&NewUser {
                first_name: "Prof".to_string(),
                surname: name.to_string(),
                username: name.to_string(),
                password: SUPERADMIN_PASSWORD.to_string(),
                superadmin: false,
            })
            .await
            .unwrap();
    }
    s.manager
        .set_profile_members(s.schedule_id, "Administration", &[admin.id])
        .await
        .unwrap();
    s.client
        .set_monitoring(
            s.schedule_id,
            &MonitoringUpdate {
                administration_reserved: 1,
            },
        )
        .await
        .unwrap();
    s.client
        .create_empty_base(s.schedule_id, &NewEmptyBase::default())
        .await
        .unwrap();
    let schedule = s.client.activate(s.schedule_id).await.unwrap();
    let (host, port) = (schedule.host.clone().unwrap(), schedule.port.unwrap());

    // A wrong password is refused and counted; nothing is open.
    assert_api_error(
        s.client
            .connect_client(&host, port, &login("eve", "Wrong-Password-9"))
            .await,
        401,
        "invalid_credentials",
    );
    // 3 licences, 1 reserved: two Clients of other users, then only the Administration group.
    let eve = s
        .client
        .connect_client(&host, port, &login("eve", SUPERADMIN_PASSWORD))
        .await
        .unwrap();
    assert!(!eve.session.administration);
    assert_eq!(eve.session.keep_alive_seconds, 30);
    let fay = s
        .client
        .connect_client(&host, port, &login("fay", SUPERADMIN_PASSWORD))
        .await
        .unwrap();
    let refused = s
        .client
        .connect_client(&host, port, &login("gus", SUPERADMIN_PASSWORD))
        .await;
    let message = assert_api_error(refused, 409, "seats_reserved");
    assert!(
        message.contains("reserved for the Administration group"),
        "{message}"
    );
    let admin_client = s
        .client
        .connect_client(&host, port, &login(&admin.username, SUPERADMIN_PASSWORD))
        .await
        .unwrap();
    assert!(admin_client.session.administration);
    assert_api_error(
        s.client
            .connect_client(&host, port, &login("gus", SUPERADMIN_PASSWORD))
            .await,
        409,
        "licences_in_use",
    );

    // The tab, live: 3 in use of 3, 1 of them the Administration group, who and from where.
    let seen = s.manager.monitoring(s.schedule_id).await.unwrap();
    assert_eq!((seen.in_use, seen.administration_in_use), (3, 1));
    assert_eq!(seen.account_in_use, 3);
    let names: Vec<&str> = seen
        .connections
        .iter()
        .map(|c| c.username.as_str())
        .collect();
    assert_eq!(names, vec!["eve", "fay", admin.username.as_str()]);
    assert_eq!(seen.connections[0].workstation, "PC of eve");
    assert_eq!(seen.history.last().unwrap().in_use, 3);
    assert_eq!(seen.history.first().unwrap().at, seen.at - 24 * 3600);

    // Disconnect fay: her seat is free at once; her Client learns it.
    let fay_id = seen.connections[1].id;
    s.client.disconnect(s.schedule_id, fay_id).await.unwrap();
    assert_api_error(fay.keep_alive().await, 404, "connection_closed");
    assert_api_error(
        s.client.disconnect(s.schedule_id, fay_id).await,
        404,
        "not_found",
    );
    let gus = s
        .client
        .connect_client(&host, port, &login("gus", SUPERADMIN_PASSWORD))
        .await
        .unwrap();

    let gus_opened = s
        .manager
        .monitoring(s.schedule_id)
        .await
        .unwrap()
        .connections
        .iter()
        .find(|c| c.username == "gus")
        .unwrap()
        .opened_at;

    // eve keeps alive; gus goes silent and his seat frees itself after 90 s.
    service.clock.advance(SILENCE_SECONDS - 10);
    eve.keep_alive().await.unwrap();
    admin_client.keep_alive().await.unwrap();
    service.clock.advance(20);
    assert_api_error(gus.keep_alive().await, 404, "connection_closed");
    let later = s.manager.monitoring(s.schedule_id).await.unwrap();
    assert_eq!(later.in_use, 2);
    // The chart (the connections came within a second or two of the test's clock): nobody
    // the day before, up to 3, down to 2 at the end of gus's silence, 2 now.
    let history = &later.history;
    assert_eq!(
        (history[0].at, history[0].in_use),
        (later.at - 24 * 3600, 0)
    );
    assert_eq!(
        history.iter().map(|p| p.in_use).max(),
        Some(3),
        "{history:?}"
    );
    let last_change = &history[history.len() - 2];
    assert_eq!(
        (last_change.at, last_change.in_use),
        (gus_opened + SILENCE_SECONDS, 2),
        "{history:?}"
    );
    assert_eq!(history.last().unwrap().in_use, 2);

    // eve closes hers; the audit keeps the openings and the disconnection.
    eve.close().await.unwrap();
    assert_eq!(s.manager.monitoring(s.schedule_id).await.unwrap().in_use, 1);
    let log = service.store().audit_log(s.account_id).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "connection.opened")
            .count(),
        4
    );
    assert!(
        log.iter()
            .any(|e| e.action == "connection.disconnected" && e.detail.contains("fay"))
    );
    assert!(log.iter().any(|e| e.action == "client.login_failed"));

    // A deactivated user's Client is refused; a stopped server answers no one.
    let users = s.manager.users().await.unwrap();
    let gus_id = users.iter().find(|u| u.username == "gus").unwrap().id;
    s.manager
        .update_user(
            gus_id,
            &hosting_api::UserUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_api_error(
        s.client
            .connect_client(&host, port, &login("gus", SUPERADMIN_PASSWORD))
            .await,
        403,
        "user_deactivated",
    );
}
