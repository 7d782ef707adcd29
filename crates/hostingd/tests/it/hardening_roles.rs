//! Issue 8, roles: the role matrix route by route, typed roles and kinds read from the
//! database, the manager told of every new workstation, revocations audited with the
//! workstation, console access for superadministrators only (domains and endpoint certificates
//! are in `hardening_domains`).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::roles::{Expect, Fixture, Who, current_workstation, matrix, method, superadmin};
use common::{SUPERADMIN_PASSWORD, TestService, assert_api_error};
use hosting_api::{NewUser, Role, UserUpdate};

#[tokio::test(flavor = "multi_thread")]
async fn role_matrix_route_by_route() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Matrix").await;
    let (manager, manager_identity) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let bob = superadmin(&t, &manager, &logins, "bob").await;
    // Spare workstations to revoke, so that the principals keep theirs.
    t.enroll(Role::Manager, &logins, None, &logins.password)
        .await
        .unwrap();
    t.enroll(
        Role::Superadmin,
        &logins,
        Some("alice"),
        SUPERADMIN_PASSWORD,
    )
    .await
    .unwrap();
    let stations = t.store().workstations(logins.account_id).await.unwrap();
    let manager_station = current_workstation(&manager).await;
    let spare_manager_station = stations.iter().rfind(|w| w.user_id.is_none()).unwrap().id;
    let spare_alice_station = stations
        .iter()
        .rfind(|w| w.user_id == Some(alice.user_id))
        .unwrap()
        .id;
    // Bob loses console access: his certificate and session stay, his access goes.
    manager
        .update_user(
            bob.user_id,
            &UserUpdate {
                email: None,
                console_access: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let plain_user = manager
        .create_user(&NewUser {
            first_name: "Gina".to_string(),
            surname: "Plain".to_string(),
            username: "gina".to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: false,
        })
        .await
        .unwrap()
        .id;
    let doomed_user = manager
        .create_user(&NewUser {
            first_name: "Hank".to_string(),
            surname: "Gone".to_string(),
            username: "hank".to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: false,
        })
        .await
        .unwrap()
        .id;
    let fixture = Fixture {
        plain_user,
        doomed_user,
        schedule: manager.schedules().await.unwrap()[0].id,
        licence_version: manager.licence().await.unwrap().version,
        logins: logins.clone(),
        manager_station,
        spare_manager_station,
        spare_alice_station,
        alice_user: alice.user_id,
        bob_user: bob.user_id,
    };
    let rows = matrix(&fixture);
    let routes = hostingd::http::openapi::operations(&hostingd::http::openapi_document());
    let is_route = |method: &str, template: &str| {
        routes
            .iter()
            .any(|(m, t)| (m.as_str(), t.as_str()) == (method, template))
    };
    for row in &rows {
        assert!(
            is_route(row.method, row.template),
            "the matrix has a row for {} {}, which is not a route",
            row.method,
            row.template
        );
    }

    for (route_method, template) in &routes {
        let (route_method, template) = (route_method.as_str(), template.as_str());
        let row = rows
            .iter()
            .find(|r| (r.method, r.template) == (route_method, template))
            .unwrap_or_else(|| {
                panic!("{route_method} {template} has no row in the role matrix: decide who may call it")
            });
        for who in [Who::Manager, Who::Superadmin, Who::WithoutAccess] {
            assert!(
                row.probes.iter().any(|p| p.who == who),
                "{route_method} {template}: no request for {who:?}"
            );
        }
        for probe in &row.probes {
            let client = match (probe.who, template) {
                // Logging out ends the session: a fresh one of the same workstation.
                (Who::Manager, "/v1/sessions/current") => {
                    let client = t.with_identity(&manager_identity);
                    client.login(&logins.password).await.unwrap();
                    client
                }
                (Who::Superadmin, "/v1/sessions/current") => {
                    let client = t.with_identity(&alice.identity);
                    client.login(SUPERADMIN_PASSWORD).await.unwrap();
                    client
                }
                (Who::Manager, _) => manager.clone(),
                (Who::Superadmin, _) => alice.client.clone(),
                (Who::WithoutAccess, _) => bob.client.clone(),
            };
            let content_type = (!probe.body.is_empty()).then_some("application/json");
            let (status, body) = client
                .raw(
                    method(route_method),
                    &probe.path,
                    content_type,
                    probe.body.clone().into_bytes(),
                )
                .await
                .unwrap();
            let text = String::from_utf8_lossy(&body);
            let what = format!(
                "{:?} {route_method} {} ({template}): {status} {text}",
                probe.who, probe.path
            );
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            match probe.expect {
                Expect::Allowed => {
                    let status = status.as_u16();
                    assert!(
                        status != 401 && status != 403 && status < 500,
                        "expected the request to be allowed: {what}"
                    );
                    assert!(
                        !matches!(
                            value["error"]["code"].as_str(),
                            Some("route_not_found" | "method_not_allowed")
                        ),
                        "{what}"
                    );
                }
                Expect::Refused(expected, code) => {
                    assert_eq!(status.as_u16(), expected, "{what}");
                    // HEAD answers carry no body.
                    if route_method != "head" {
                        assert_eq!(value["error"]["code"], code, "{what}");
                        let message = value["error"]["message"].as_str().unwrap_or_default();
                        assert!(message.ends_with('.') && message.len() > 20, "{what}");
                    }
                }
            }
        }
    }

    // What the matrix changed is what the manager was allowed to change, nothing else.
    let users = manager.users().await.unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert!(
        names.contains(&"carol") && names.contains(&"erin"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"dave") && !names.contains(&"fred"),
        "{names:?}"
    );
    let bob_user = users.iter().find(|u| u.username == "bob").unwrap();
    assert!(!bob_user.console_access, "bob did not get his access back");
    let alice_user = users.iter().find(|u| u.username == "alice").unwrap();
    assert_eq!(alice_user.email.as_deref(), Some("alice.dupont@school.fr"));
    let gina = users.iter().find(|u| u.username == "gina").unwrap();
    assert_eq!(gina.email.as_deref(), Some("gina@school.fr"));
    let schedule = manager.schedules().await.unwrap()[0].clone();
    assert_eq!(
        (schedule.domain.as_deref(), schedule.time_zone.as_str()),
        (Some("matrix-edt"), "Europe/Paris")
    );
    assert_eq!(alice.client.account().await.unwrap().role, Role::Superadmin);
    assert_api_error(
        bob.client.account().await,
        403,
        "console_access_not_granted",
    );
    // A superadministrator sees only their own workstations; the manager sees all.
    let seen_by_alice = alice.client.workstations().await.unwrap();
    assert!(!seen_by_alice.is_empty());
    assert!(
        seen_by_alice
            .iter()
            .all(|w| w.username.as_deref() == Some("alice")),
        "{seen_by_alice:?}"
    );
    let seen_by_manager = manager.workstations().await.unwrap();
    assert!(seen_by_manager.len() > seen_by_alice.len());
    assert!(
        seen_by_manager
            .iter()
            .any(|w| w.id == manager_station && w.revoked_at.is_none())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_manager_creates_superadministrators_and_grants_console_access() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Roles").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let bob = superadmin(&t, &manager, &logins, "bob").await;
    let users_before = manager.users().await.unwrap();
    let audit_before = t.audit_count(logins.account_id).await;

    let new_superadmin = NewUser {
        first_name: "Mallory".to_string(),
        surname: "Evil".to_string(),
        username: "mallory".to_string(),
        password: SUPERADMIN_PASSWORD.to_string(),
        superadmin: true,
    };
    assert_api_error(
        alice.client.create_user(&new_superadmin).await,
        403,
        "manager_only",
    );
    let take_away = UserUpdate {
        email: None,
        console_access: Some(false),
        ..Default::default()
    };
    assert_api_error(
        alice.client.update_user(bob.user_id, &take_away).await,
        403,
        "manager_only",
    );
    let helper = manager
        .create_user(&NewUser {
            superadmin: false,
            username: "helper".to_string(),
            ..new_superadmin.clone()
        })
        .await
        .unwrap();
    let grant = UserUpdate {
        email: Some("helper@school.fr".to_string()),
        console_access: Some(true),
        ..Default::default()
    };
    assert_api_error(
        alice.client.update_user(helper.id, &grant).await,
        403,
        "manager_only",
    );
    // Nothing changed: bob still works, no superadministrator was added, nothing audited.
    assert_eq!(bob.client.account().await.unwrap().role, Role::Superadmin);
    let users_after = manager.users().await.unwrap();
    assert_eq!(users_after.len(), users_before.len() + 1);
    assert!(users_after.iter().all(|u| u.username != "mallory"));
    assert!(
        !users_after
            .iter()
            .any(|u| u.id == helper.id && u.console_access)
    );
    assert_eq!(t.audit_count(logins.account_id).await, audit_before + 1);

    // The manager does all of it.
    manager.update_user(bob.user_id, &take_away).await.unwrap();
    assert_api_error(
        bob.client.account().await,
        403,
        "console_access_not_granted",
    );
    let mallory = manager.create_user(&new_superadmin).await.unwrap();
    assert!(mallory.superadmin);
}

/// Opens the service's database beside it, for writing what the service never would.
async fn database(t: &TestService) -> sqlx::AnyPool {
    hostingd::testing::raw_database(t.dir.path()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_role_in_the_database_is_an_error() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Corrupt").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let station = current_workstation(&alice.client).await;
    let db = database(&t).await;
    sqlx::query("UPDATE workstations SET role = 'root' WHERE id = $1")
        .bind(station)
        .execute(&db)
        .await
        .unwrap();
    // Written outside the service: it counts once the session checked last is read again.
    tokio::time::sleep(hostingd::store::CACHE_TTL).await;

    // Not the manager's powers (before: an unknown role was the manager's), an error.
    let account = alice.client.account().await;
    assert!(
        matches!(
            &account,
            Err(hosting_api::ClientError::Api { status: 500, .. })
        ),
        "{account:?}"
    );
    assert!(
        alice
            .client
            .set_controller_domain("taken-over")
            .await
            .is_err()
    );
    assert_eq!(manager.controller().await.unwrap().domain, None);
    assert_eq!(manager.account().await.unwrap().role, Role::Manager);

    // File kinds and base origins are read the same way.
    let schedule = manager.schedules().await.unwrap()[0].id;
    sqlx::query("INSERT INTO uploads (id, account_id, filename, kind, sha256, length, upload_offset, created_at, expires_at) VALUES ('00000000000000000000000000000001', $1, 'X.HNOT', 'spreadsheet', '00', 1, 0, 0, 9999999999)")
        .bind(logins.account_id)
        .execute(&db)
        .await
        .unwrap();
    assert!(matches!(
        manager.uploads().await,
        Err(hosting_api::ClientError::Api { status: 500, .. })
    ));
    sqlx::query("INSERT INTO bases (account_id, schedule_id, name, origin, created_at) VALUES ($1, $2, 'Odd', 'imported', 0)")
        .bind(logins.account_id)
        .bind(schedule)
        .execute(&db)
        .await
        .unwrap();
    assert!(matches!(
        manager.bases(schedule).await,
        Err(hosting_api::ClientError::Api { status: 500, .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn manager_is_told_of_a_new_workstation() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Told").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let stations = manager.workstations().await.unwrap();
    let alice_station = stations
        .iter()
        .find(|w| w.username.as_deref() == Some("alice"))
        .unwrap();

    let account = t.store().account_by_id(logins.account_id).await.unwrap();
    let told: Vec<_> = t
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == "email" && m.subject.contains("new workstation"))
        .collect();
    assert_eq!(told.len(), 2, "one e-mail per enrollment: {told:?}");
    assert!(told.iter().all(|m| m.recipient == account.email));
    assert!(told[0].body.contains("hosting manager"), "{}", told[0].body);
    let about_alice = &told[1];
    for expected in [
        "superadministrator alice",
        "Test workstation",
        &alice_station.fingerprint,
        &alice_station.enrolled_at,
    ] {
        assert!(
            about_alice.body.contains(expected),
            "{expected}: {}",
            about_alice.body
        );
    }
    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    let enrolled = audit
        .iter()
        .find(|e| e.action == "workstation.enrolled" && e.workstation_id == Some(alice_station.id))
        .unwrap();
    assert_eq!(enrolled.actor, "superadmin:alice");
    drop(alice);
}

#[tokio::test(flavor = "multi_thread")]
async fn revocations_are_audited_with_the_workstation_and_source_address() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Revoked").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let manager_station = current_workstation(&manager).await;
    let stations = manager.workstations().await.unwrap();
    let alice_station = stations
        .iter()
        .find(|w| w.username.as_deref() == Some("alice"))
        .unwrap()
        .clone();
    manager.revoke_workstation(alice_station.id).await.unwrap();
    assert_api_error(alice.client.account().await, 401, "certificate_revoked");

    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    let revoked = audit
        .iter()
        .find(|e| e.action == "workstation.revoked")
        .unwrap();
    assert_eq!(revoked.actor, "manager");
    assert_eq!(
        revoked.workstation_id,
        Some(manager_station),
        "from which workstation"
    );
    assert_eq!(
        revoked.source_addr.as_deref(),
        Some("127.0.0.1"),
        "from which address"
    );
    let detail: serde_json::Value = serde_json::from_str(&revoked.detail).unwrap();
    assert_eq!(detail["workstation_id"], alice_station.id);
    assert_eq!(detail["fingerprint"], alice_station.fingerprint.as_str());
    assert_eq!(detail["name"], alice_station.name.as_str());
    assert_eq!(detail["username"], "alice");
    assert_eq!(detail["role"], "superadmin");

    // The operator's revocation names the workstation too.
    hostingd::operator::revoke_workstation(t.store(), manager_station)
        .await
        .unwrap();
    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    let by_operator = audit
        .iter()
        .rfind(|e| e.action == "workstation.revoked")
        .unwrap();
    assert_eq!(by_operator.actor, "operator");
    let detail: serde_json::Value = serde_json::from_str(&by_operator.detail).unwrap();
    assert_eq!(detail["workstation_id"], manager_station);
    assert_eq!(detail["role"], "manager");
    assert!(detail["fingerprint"].as_str().unwrap().len() == 64);
}

#[tokio::test(flavor = "multi_thread")]
async fn console_access_is_refused_for_a_user_who_is_not_a_superadministrator() {
    // Such a user could never log in with it: the service says so with a code of its own and
    // changes nothing.
    let t = TestService::start().await;
    let logins = t.provision("Lycee Acces").await;
    let (manager, _) = t.manager(&logins).await;
    let helper = manager
        .create_user(&NewUser {
            first_name: "Lea".to_string(),
            surname: "Moreau".to_string(),
            username: "lmoreau".to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: false,
        })
        .await
        .unwrap();
    let audit = t.audit_count(logins.account_id).await;
    let grant = UserUpdate {
        email: Some("lea.moreau@school.fr".to_string()),
        console_access: Some(true),
        ..Default::default()
    };
    let refused = manager.update_user(helper.id, &grant).await;
    assert_api_error(refused, 422, "console_access_superadmin_only");
    let users = manager.users().await.unwrap();
    let after = users.iter().find(|u| u.id == helper.id).unwrap();
    assert!(!after.console_access);
    assert_eq!(after.email, None);
    assert_eq!(t.audit_count(logins.account_id).await, audit);
    // Their e-mail alone may be set; taking access away (which they do not have) is no change.
    let email = UserUpdate {
        email: Some("lea.moreau@school.fr".to_string()),
        console_access: Some(false),
        ..Default::default()
    };
    let saved = manager.update_user(helper.id, &email).await.unwrap();
    assert_eq!(saved.email.as_deref(), Some("lea.moreau@school.fr"));
}
