//! Account A's certificate and token can read or change nothing of account B, on any route; and
//! the role matrix (who may revoke which workstation).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{TestService, assert_api_error};
use hosting_api::{Client, NewUser, Role, ScheduleUpdate, UserUpdate};

async fn snapshot(client: &Client) -> String {
    let mut profiles = Vec::new();
    for schedule in client.schedules().await.unwrap() {
        profiles.push(client.profiles(schedule.id).await.unwrap());
    }
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        client.account().await.unwrap(),
        client.controller().await.unwrap(),
        client.schedules().await.unwrap(),
        client.users().await.unwrap(),
        profiles,
        client
            .workstations()
            .await
            .unwrap()
            .into_iter()
            .map(|mut w| {
                w.current = false;
                w
            })
            .collect::<Vec<_>>(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn one_account_cannot_touch_another() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, identity_b) = t.manager(&b).await;
    manager_b.set_controller_domain("school-b").await.unwrap();
    let superadmin_a = t.superadmin(&manager_a, &a, "alice").await;
    let superadmin_b_user = manager_b
        .create_user(&NewUser {
            first_name: "Bob".to_string(),
            surname: "B".to_string(),
            username: "bob".to_string(),
            password: common::SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap();
    let b_schedule = manager_b.schedules().await.unwrap()[0].id;
    let b_workstation = manager_b.workstations().await.unwrap()[0].id;
    let a_schedule = manager_a.schedules().await.unwrap()[0].id;

    let b_before = snapshot(&manager_b).await;
    let b_audit = t.audit_count(b.account_id).await;

    for caller in [&manager_a, &superadmin_a] {
        // What only the manager may do answers manager_only to a superadministrator first.
        let is_manager = caller.account().await.unwrap().role == Role::Manager;
        let or_manager_only = |status: u16, code: &'static str| {
            if is_manager {
                (status, code)
            } else {
                (403, "manager_only")
            }
        };
        // Lists show only the caller's account.
        assert!(
            caller
                .schedules()
                .await
                .unwrap()
                .iter()
                .all(|s| s.id != b_schedule)
        );
        assert!(
            caller
                .users()
                .await
                .unwrap()
                .iter()
                .all(|u| u.id != superadmin_b_user.id)
        );
        assert!(
            caller
                .workstations()
                .await
                .unwrap()
                .iter()
                .all(|w| w.id != b_workstation)
        );
        assert_eq!(
            caller.account().await.unwrap().hosting_number,
            a.hosting_number
        );
        assert_eq!(caller.controller().await.unwrap().domain, None);
        // B's ids answer 404, as unknown ids do.
        let rename = ScheduleUpdate {
            name: Some("stolen".to_string()),
            ..Default::default()
        };
        assert_api_error(
            caller.update_schedule(b_schedule, &rename).await,
            404,
            "not_found",
        );
        assert_api_error(caller.profiles(b_schedule).await, 404, "not_found");
        assert_api_error(
            caller
                .set_profile_members(b_schedule, "Vie scolaire", &[])
                .await,
            404,
            "not_found",
        );
        let grant = UserUpdate {
            email: Some("x@y.fr".to_string()),
            console_access: Some(true),
            ..Default::default()
        };
        let (status, code) = or_manager_only(404, "not_found");
        assert_api_error(
            caller.update_user(superadmin_b_user.id, &grant).await,
            status,
            code,
        );
        assert_api_error(
            caller.revoke_workstation(b_workstation).await,
            404,
            "not_found",
        );
        // B's user cannot be put in A's profile (Vie scolaire: both roles set it).
        assert_api_error(
            caller
                .set_profile_members(a_schedule, "Vie scolaire", &[superadmin_b_user.id])
                .await,
            422,
            "unknown_user",
        );
        // B's domain is taken, not readable.
        let (status, code) = or_manager_only(409, "domain_taken");
        assert_api_error(caller.set_controller_domain("school-b").await, status, code);
    }
    // A's token with B's certificate is not a session.
    let b_with_a_token = t.with_identity(&identity_b);
    b_with_a_token.set_token(manager_a.token());
    assert_api_error(b_with_a_token.account().await, 401, "session_required");

    assert_eq!(snapshot(&manager_b).await, b_before);
    assert_eq!(t.audit_count(b.account_id).await, b_audit);
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_revoke_which_workstation() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = t.superadmin(&manager, &logins, "alice").await;
    let bob = t.superadmin(&manager, &logins, "bob").await;
    let stations = manager.workstations().await.unwrap();
    let manager_station = stations.iter().find(|w| w.current).unwrap().id;
    let alice_station = alice
        .workstations()
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.current)
        .unwrap()
        .id;
    let bob_station = bob
        .workstations()
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.current)
        .unwrap()
        .id;

    // A superadministrator may not revoke the manager's workstation, nor another superadmin's.
    assert_api_error(
        alice.revoke_workstation(manager_station).await,
        403,
        "manager_only",
    );
    assert_api_error(
        alice.revoke_workstation(bob_station).await,
        403,
        "manager_only",
    );
    // The manager may revoke any workstation of the account.
    manager.revoke_workstation(bob_station).await.unwrap();
    assert_api_error(bob.account().await, 401, "certificate_revoked");
    // A superadministrator may revoke their own.
    alice.revoke_workstation(alice_station).await.unwrap();
    assert_api_error(alice.account().await, 401, "certificate_revoked");
    let listed = manager.workstations().await.unwrap();
    assert_eq!(listed.iter().filter(|w| w.revoked_at.is_some()).count(), 2);
    assert!(manager.account().await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_resources_follow_the_role_matrix() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    let superadmin = t.superadmin(&manager, &logins, "alice").await;
    for (index, client) in [&manager, &superadmin].into_iter().enumerate() {
        let role = client.account().await.unwrap().role;
        let is_manager = role == Role::Manager;
        let licence = client.licence().await.unwrap();
        client.accept_licence(&licence.version).await.unwrap();
        let domain = format!("school-{index}");
        let controller = client.set_controller_domain(&domain).await;
        let schedule = client.schedules().await.unwrap()[index].id;
        let update = ScheduleUpdate {
            name: Some(format!("edt-{index}")),
            domain: None,
            campus_net_licence: Some(false),
            time_zone: Some("Indian/Reunion".to_string()),
        };
        let updated = client.update_schedule(schedule, &update).await.unwrap();
        assert_eq!(
            (updated.campus_net_licence, updated.time_zone.as_str()),
            (false, "Indian/Reunion")
        );
        let domain_update = ScheduleUpdate {
            domain: Some(format!("edt-{index}")),
            ..Default::default()
        };
        let with_domain = client.update_schedule(schedule, &domain_update).await;
        if is_manager {
            assert_eq!(controller.unwrap().domain, Some(domain.clone()));
            assert!(with_domain.unwrap().domain.is_some());
        } else {
            // The connection details are the manager's.
            assert_api_error(controller, 403, "manager_only");
            assert_api_error(with_domain, 403, "manager_only");
        }
        // Both roles add users without console access and fill the profiles; the manager's is a
        // superadministrator (only the manager creates those), who may then get console access.
        let user = client
            .create_user(&NewUser {
                first_name: "Second".to_string(),
                surname: "User".to_string(),
                username: format!("user{index}"),
                password: common::SUPERADMIN_PASSWORD.to_string(),
                superadmin: is_manager,
            })
            .await
            .unwrap();
        let grant = UserUpdate {
            email: Some(format!("user{index}@school.fr")),
            console_access: None,
            ..Default::default()
        };
        // The e-mail of a user without console access: both roles; console access: the manager.
        assert!(
            client
                .update_user(user.id, &grant)
                .await
                .unwrap()
                .email
                .is_some()
        );
        let access = UserUpdate {
            email: None,
            console_access: Some(true),
            ..Default::default()
        };
        let granted = client.update_user(user.id, &access).await;
        if is_manager {
            assert!(granted.unwrap().console_access);
        } else {
            assert_api_error(granted, 403, "manager_only");
        }
        let profile = client
            .set_profile_members(schedule, "Vie scolaire", &[user.id])
            .await
            .unwrap();
        assert_eq!(profile.members, vec![user.id], "{role:?}");
        assert!(
            client
                .profiles(schedule)
                .await
                .unwrap()
                .iter()
                .any(|p| p.members == vec![user.id])
        );
        assert!(!client.workstations().await.unwrap().is_empty());
    }
    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    let actors: Vec<&str> = audit
        .iter()
        .filter(|e| e.action == "user.created")
        .map(|e| e.actor.as_str())
        .collect();
    assert!(
        actors.contains(&"manager") && actors.contains(&"superadmin:alice"),
        "{actors:?}"
    );
}
