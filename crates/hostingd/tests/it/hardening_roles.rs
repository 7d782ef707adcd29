//! Issue 8, roles, domains and endpoint certificates: the role matrix route by route, typed
//! roles and kinds read from the database, the manager told of every new workstation,
//! revocations audited with the workstation, domains limited to the public zone and verified
//! domains with uniqueness on the host, and endpoint certificates signed by a name-constrained
//! endpoint CA.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;

use common::roles::{Expect, Fixture, Who, current_workstation, matrix, method, superadmin};
use common::{SUPERADMIN_PASSWORD, TestService, assert_api_error};
use hosting_api::{NewEmptyBase, NewUser, Role, ScheduleUpdate, UserUpdate};

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
    let fixture = Fixture {
        plain_user,
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

const ZONE: &str = "hosting.localhost";

#[tokio::test(flavor = "multi_thread")]
async fn foreign_domains_are_refused() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    manager_b.set_controller_domain("school-b").await.unwrap();
    let schedule = manager_a.schedules().await.unwrap()[0].id;
    let audit = t.audit_count(a.account_id).await;

    for typed in [
        "lycee-hugo.fr",
        "www.example.org",
        "hosting.localhost",
        "evil.school-b.hosting.localhost",
    ] {
        let answer = manager_a.set_controller_domain(typed).await;
        match &answer {
            Err(hosting_api::ClientError::Api {
                status: 422,
                code,
                message,
                ..
            }) => {
                assert_eq!(code, "domain_not_allowed", "{typed}");
                assert!(
                    message.contains(ZONE) && message.contains("single name"),
                    "{typed}: the sentence says what to type: {message}"
                );
            }
            other => panic!("{typed}: expected 422 domain_not_allowed, got {other:?}"),
        }
        let update = ScheduleUpdate {
            domain: Some(typed.to_string()),
            ..Default::default()
        };
        assert_api_error(
            manager_a.update_schedule(schedule, &update).await,
            422,
            "domain_not_allowed",
        );
    }
    assert_eq!(manager_a.controller().await.unwrap().domain, None);
    assert_eq!(manager_a.schedules().await.unwrap()[0].domain, None);
    assert_eq!(t.audit_count(a.account_id).await, audit);
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_verified_domain_is_accepted() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    assert_api_error(
        manager_a.set_controller_domain("lycee-hugo.fr").await,
        422,
        "domain_not_allowed",
    );

    let verified =
        hostingd::operator::verify_domain(t.store(), &a.hosting_number, "Lycee-Hugo.FR", ZONE)
            .await
            .unwrap();
    assert_eq!(verified, "lycee-hugo.fr");
    let controller = manager_a
        .set_controller_domain("lycee-hugo.fr")
        .await
        .unwrap();
    assert_eq!(controller.host.as_deref(), Some("lycee-hugo.fr"));
    let schedule = manager_a.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("edt.lycee-hugo.fr".to_string()),
        ..Default::default()
    };
    let updated = manager_a.update_schedule(schedule, &update).await.unwrap();
    assert_eq!(updated.host.as_deref(), Some("edt.lycee-hugo.fr"));

    // Another school cannot use it, nor have it verified, nor a name under it.
    assert_api_error(
        manager_b.set_controller_domain("www.lycee-hugo.fr").await,
        422,
        "domain_not_allowed",
    );
    for domain in ["lycee-hugo.fr", "b.lycee-hugo.fr"] {
        assert!(
            hostingd::operator::verify_domain(t.store(), &b.hosting_number, domain, ZONE)
                .await
                .is_err(),
            "{domain}"
        );
    }
    // Names in the zone need no verification.
    assert!(
        hostingd::operator::verify_domain(
            t.store(),
            &b.hosting_number,
            "x.hosting.localhost",
            ZONE
        )
        .await
        .is_err()
    );

    // The endpoint CA permits the verified domain from now on.
    let ca = manager_a.endpoint_ca().await.unwrap();
    let permitted = permitted_names(&ca.certificate_pem);
    assert_eq!(
        permitted,
        vec![ZONE.to_string(), "lycee-hugo.fr".to_string()]
    );

    // The command line does the same.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["verify-domain", &b.hosting_number, "lycee-b.fr"])
        .envs(hostingd::testing::data_env(t.dir.path()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    manager_b.set_controller_domain("lycee-b.fr").await.unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["verify-domain", &b.hosting_number, "lycee-hugo.fr"])
        .envs(hostingd::testing::data_env(t.dir.path()))
        .output()
        .unwrap();
    assert!(!output.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn uniqueness_is_checked_on_the_host() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    let controller = manager_a.set_controller_domain("lycee-hugo").await.unwrap();
    assert_eq!(
        controller.host.as_deref(),
        Some("lycee-hugo.hosting.localhost")
    );

    // The same host typed another way is taken, for another school and for the same one.
    for typed in [
        "lycee-hugo.hosting.localhost",
        "LYCEE-HUGO.hosting.localhost.",
    ] {
        assert_api_error(
            manager_b.set_controller_domain(typed).await,
            409,
            "domain_taken",
        );
    }
    let schedule = manager_a.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("lycee-hugo.hosting.localhost".to_string()),
        ..Default::default()
    };
    assert_api_error(
        manager_a.update_schedule(schedule, &update).await,
        409,
        "domain_taken",
    );
    // A full name inside the zone is the single name.
    let controller = manager_b
        .set_controller_domain("lycee-b.hosting.localhost")
        .await
        .unwrap();
    assert_eq!(
        (controller.domain.as_deref(), controller.host.as_deref()),
        (Some("lycee-b"), Some("lycee-b.hosting.localhost"))
    );
    assert_api_error(
        manager_a.set_controller_domain("lycee-b").await,
        409,
        "domain_taken",
    );
    // Setting the same host again is no change.
    assert_eq!(
        manager_a
            .set_controller_domain("lycee-hugo.hosting.localhost")
            .await
            .unwrap(),
        manager_a.controller().await.unwrap()
    );

    // The database itself refuses two endpoints with one host.
    let db = database(&t).await;
    let duplicate = sqlx::query("INSERT INTO endpoints (account_id, owner_kind, owner_id, domain, host, port) VALUES ($1, 'schedule', 424242, 'lycee-hugo.hosting.localhost', 'lycee-hugo.hosting.localhost', 1)")
        .bind(b.account_id)
        .execute(&db)
        .await;
    assert!(duplicate.is_err(), "{duplicate:?}");
}

/// The DNS names a CA certificate's name constraints permit.
fn permitted_names(pem: &str) -> Vec<String> {
    let der = hosting_api::tls::certificates_from_pem(pem)
        .unwrap()
        .remove(0);
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let constraints = cert.name_constraints().unwrap().expect("name constraints");
    constraints
        .value
        .permitted_subtrees
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|s| match s.base {
            x509_parser::extensions::GeneralName::DNSName(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Connects to `host` at `port` on loopback trusting only `ca_pem`; the server's chain, or the
/// handshake's error.
async fn endpoint_chain(
    ca_pem: &str,
    host: &str,
    port: u16,
) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, std::io::Error> {
    let config = hosting_api::tls::client_config(ca_pem, None).unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let name = rustls_pki_types::ServerName::try_from(host.to_string()).unwrap();
    let tls = connector.connect(name, tcp).await?;
    Ok(tls.get_ref().1.peer_certificates().unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_certificates_come_from_a_name_constrained_ca() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Endpoint").await;
    let (manager, _) = t.manager(&logins).await;
    let schedule = manager.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("lycee-endpoint".to_string()),
        ..Default::default()
    };
    manager.update_schedule(schedule, &update).await.unwrap();
    manager
        .create_empty_base(schedule, &NewEmptyBase::default())
        .await
        .unwrap();
    let running = manager.activate(schedule).await.unwrap();
    let (host, port) = (running.host.unwrap(), running.port.unwrap());
    assert_eq!(host, "lycee-endpoint.hosting.localhost");

    // The console's "Test the connection" works through the endpoint CA.
    let status = manager.endpoint_status(&host, port).await.unwrap();
    assert_eq!(status.school, "Lycee Endpoint");

    let service_ca = t.service.ca_pem();
    let endpoint_ca = manager.endpoint_ca().await.unwrap();
    assert_ne!(
        endpoint_ca.fingerprint,
        hosting_api::tls::pem_fingerprint(&service_ca).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(t.dir.path().join("tls/endpoint-ca.pem")).unwrap(),
        endpoint_ca.certificate_pem
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = std::fs::metadata(t.dir.path().join("tls/endpoint-ca.key")).unwrap();
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(
        permitted_names(&endpoint_ca.certificate_pem),
        vec![ZONE.to_string()]
    );

    // The leaf names the host alone and is issued by the endpoint CA, not the console's CA.
    let chain = endpoint_chain(&endpoint_ca.certificate_pem, &host, port)
        .await
        .unwrap();
    let (_, leaf) = x509_parser::parse_x509_certificate(&chain[0]).unwrap();
    let service_der = hosting_api::tls::certificates_from_pem(&service_ca)
        .unwrap()
        .remove(0);
    let (_, service) = x509_parser::parse_x509_certificate(&service_der).unwrap();
    let endpoint_der = hosting_api::tls::certificates_from_pem(&endpoint_ca.certificate_pem)
        .unwrap()
        .remove(0);
    let (_, issuer) = x509_parser::parse_x509_certificate(&endpoint_der).unwrap();
    assert_ne!(leaf.issuer(), service.subject());
    assert_eq!(leaf.issuer(), issuer.subject());
    let names: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, vec![format!("DNSName({host})")]);

    // A console trusting only the service CA does not accept the endpoint.
    assert!(endpoint_chain(&service_ca, &host, port).await.is_err());

    // The constraints are enforced: the endpoint CA's key cannot vouch for another name.
    let key_pem = std::fs::read_to_string(t.dir.path().join("tls/endpoint-ca.key")).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(
        &endpoint_ca.certificate_pem,
        rcgen::KeyPair::from_pem(&key_pem).unwrap(),
    )
    .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(endpoint_der.clone()).unwrap();
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        hosting_api::tls::crypto_provider(),
    )
    .build()
    .unwrap();
    let verify = |name: &str| {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        use rustls::client::danger::ServerCertVerifier;
        verifier.verify_server_cert(
            cert.der(),
            &[],
            &rustls_pki_types::ServerName::try_from(name.to_string()).unwrap(),
            &[],
            rustls_pki_types::UnixTime::now(),
        )
    };
    assert!(verify("other.hosting.localhost").is_ok());
    for outside in ["www.bank.example", "localhost", "api.hosting.example.org"] {
        assert!(verify(outside).is_err(), "{outside}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superadministrator_may_send_back_the_domain_a_schedule_has() {
    // A form that sends every field (the Configuration panel's) works for a superadministrator:
    // the domain the schedule has already is not a change. Another domain stays the manager's.
    let t = TestService::start().await;
    let logins = t.provision("Lycee Forms").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let schedule = manager.schedules().await.unwrap()[0].clone();
    let set = ScheduleUpdate {
        domain: Some("forms-planning".to_string()),
        ..Default::default()
    };
    let before = manager.update_schedule(schedule.id, &set).await.unwrap();
    let port = before.port;
    let whole_form = ScheduleUpdate {
        name: Some("edt-college".to_string()),
        // Typed as it is shown, in capitals: the same name.
        domain: Some("FORMS-PLANNING".to_string()),
        campus_net_licence: Some(!schedule.campus_net_licence),
        time_zone: Some("Indian/Reunion".to_string()),
    };
    let saved = alice
        .client
        .update_schedule(schedule.id, &whole_form)
        .await
        .unwrap();
    assert_eq!(saved.name, "edt-college");
    assert_eq!(saved.time_zone, "Indian/Reunion");
    assert_eq!(
        (saved.domain.as_deref(), saved.port),
        (Some("forms-planning"), port)
    );
    let audit = t.audit_count(logins.account_id).await;
    let other = ScheduleUpdate {
        domain: Some("forms-other".to_string()),
        time_zone: Some("Europe/Paris".to_string()),
        ..Default::default()
    };
    assert_api_error(
        alice.client.update_schedule(schedule.id, &other).await,
        403,
        "manager_only",
    );
    let after = manager.schedules().await.unwrap();
    let after = after.iter().find(|s| s.id == schedule.id).unwrap();
    assert_eq!(
        (after.domain.as_deref(), after.time_zone.as_str()),
        (Some("forms-planning"), "Indian/Reunion")
    );
    assert_eq!(t.audit_count(logins.account_id).await, audit);
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
    };
    let saved = manager.update_user(helper.id, &email).await.unwrap();
    assert_eq!(saved.email.as_deref(), Some("lea.moreau@school.fr"));
}
