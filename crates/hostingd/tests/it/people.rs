//! Issue 22, the hosting manager manages the people: deactivate and reactivate a user, remove a
//! superadministrator's rights, delete a user. Each ends the person's sessions at once; the
//! only active superadministrator of a schedule's Administration profile is kept, with a
//! sentence that says which schedule and what to do, and nothing changes.
#![allow(clippy::unwrap_used)]

use hosting_api::{Role, UserUpdate};

use crate::common::roles::superadmin;
use crate::common::{SUPERADMIN_PASSWORD, TestService, assert_api_error};

fn deactivate(active: bool) -> UserUpdate {
    UserUpdate {
        active: Some(active),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_administrator_of_a_schedule_is_kept_and_the_others_can_go() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Personnes").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let bob = superadmin(&t, &manager, &logins, "bob").await;
    let schedules = manager.schedules().await.unwrap();
    let (planning01, planning02) = (&schedules[0], &schedules[1]);
    manager
        .set_profile_members(planning01.id, "Administration", &[alice.user_id])
        .await
        .unwrap();

    // The list says who is alone where, before anyone tries.
    let users = manager.users().await.unwrap();
    let alice_row = users.iter().find(|u| u.id == alice.user_id).unwrap();
    assert_eq!(
        alice_row.sole_administrator_of,
        vec![planning01.name.clone()]
    );
    assert!(alice_row.active);
    let bob_row = users.iter().find(|u| u.id == bob.user_id).unwrap();
    assert!(bob_row.sole_administrator_of.is_empty());

    // Alice is alone in planning01's Administration profile: kept, whatever the way.
    let audit = t.audit_count(logins.account_id).await;
    let refusals = [
        manager
            .update_user(alice.user_id, &deactivate(false))
            .await
            .map(|_| ()),
        manager
            .update_user(
                alice.user_id,
                &UserUpdate {
                    superadmin: Some(false),
                    ..Default::default()
                },
            )
            .await
            .map(|_| ()),
        manager.delete_user(alice.user_id).await,
        manager
            .set_profile_members(planning01.id, "Administration", &[])
            .await
            .map(|_| ()),
    ];
    for refused in refusals {
        let message = assert_api_error(refused, 409, "last_administrator");
        assert!(
            message.contains("alice") && message.contains(&planning01.name),
            "{message}"
        );
        assert!(message.contains("Add another superadministrator"));
    }
    assert_eq!(
        t.audit_count(logins.account_id).await,
        audit,
        "nothing changed"
    );
    alice.client.account().await.unwrap();

    // With bob beside her, alice can go; bob is then the one kept.
    manager
        .set_profile_members(
            planning01.id,
            "Administration",
            &[alice.user_id, bob.user_id],
        )
        .await
        .unwrap();
    let alice_row = manager
        .update_user(alice.user_id, &deactivate(false))
        .await
        .unwrap();
    assert!(!alice_row.active);
    let users = manager.users().await.unwrap();
    let bob_row = users.iter().find(|u| u.id == bob.user_id).unwrap();
    assert_eq!(bob_row.sole_administrator_of, vec![planning01.name.clone()]);
    // An Administration profile that never had a superadministrator can stay empty.
    manager
        .set_profile_members(planning02.id, "Administration", &[])
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deactivated_user_is_logged_out_and_cannot_log_in_until_reactivated() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Actif").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    alice.client.account().await.unwrap();

    let row = manager
        .update_user(alice.user_id, &deactivate(false))
        .await
        .unwrap();
    assert!(!row.active);
    assert!(row.console_access, "console access is kept for later");
    // The open session ends at once; a new login says why.
    assert_api_error(alice.client.account().await, 401, "session_required");
    let again = t.with_identity(&alice.identity);
    let message = assert_api_error(
        again.login(SUPERADMIN_PASSWORD).await,
        403,
        "user_deactivated",
    );
    assert!(message.contains("reactivate"), "{message}");
    // No new workstation either, and no password code by e-mail.
    assert_api_error(
        t.enroll(
            Role::Superadmin,
            &logins,
            Some("alice"),
            SUPERADMIN_PASSWORD,
        )
        .await,
        403,
        "user_deactivated",
    );
    let before = t
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap()
        .len();
    t.anonymous()
        .request_password_reset(&logins.hosting_number, Some("alice"))
        .await
        .unwrap();
    let after = t
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "no code for a deactivated user");

    manager
        .update_user(alice.user_id, &deactivate(true))
        .await
        .unwrap();
    again.login(SUPERADMIN_PASSWORD).await.unwrap();
    again.account().await.unwrap();
    let log = t.store().audit_log(logins.account_id).await.unwrap();
    let changes: Vec<_> = log.iter().filter(|e| e.action == "user.updated").collect();
    assert!(
        changes
            .iter()
            .any(|e| e.detail.contains("\"active\":false") && e.detail.contains("sessions_ended")),
        "{changes:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_superadministrators_rights_and_deleting_a_user() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Droits").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let bob = superadmin(&t, &manager, &logins, "bob").await;
    let planning01 = manager.schedules().await.unwrap()[0].id;
    manager
        .set_profile_members(planning01, "Administration", &[alice.user_id, bob.user_id])
        .await
        .unwrap();

    // Bob loses his rights: no longer a superadministrator, no console access, logged out.
    let demoted = manager
        .update_user(
            bob.user_id,
            &UserUpdate {
                superadmin: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!demoted.superadmin && !demoted.console_access);
    assert_api_error(bob.client.account().await, 401, "session_required");
    let again = t.with_identity(&bob.identity);
    assert_api_error(
        again.login(SUPERADMIN_PASSWORD).await,
        403,
        "console_access_not_granted",
    );

    // Bob no longer counts: alice is now alone, so deleting her is refused. Bob is deleted:
    // gone from the list and the profile, his workstation revoked, his username free again.
    assert_api_error(
        manager.delete_user(alice.user_id).await,
        409,
        "last_administrator",
    );
    manager.delete_user(bob.user_id).await.unwrap();
    let users = manager.users().await.unwrap();
    assert!(users.iter().all(|u| u.username != "bob"));
    let profiles = manager.profiles(planning01).await.unwrap();
    let administration = profiles
        .iter()
        .find(|p| p.name == "Administration")
        .unwrap();
    assert_eq!(administration.members, vec![alice.user_id]);
    let stations = t.store().workstations(logins.account_id).await.unwrap();
    assert!(
        stations
            .iter()
            .filter(|w| w.user_id.is_none() && w.role == Role::Superadmin)
            .all(|w| w.revoked_at.is_some())
    );
    assert_api_error(manager.delete_user(bob.user_id).await, 404, "not_found");
    let again = superadmin(&t, &manager, &logins, "bob").await;
    again.client.account().await.unwrap();
    let log = t.store().audit_log(logins.account_id).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "user.deleted" && e.detail.contains("bob"))
    );
}

/// The e-mails to the hosting manager about the Administration profile of `schedule`.
async fn administration_emails(t: &TestService, account_id: i64, schedule: &str) -> Vec<String> {
    let manager = t.store().account_by_id(account_id).await.unwrap().email;
    t.store()
        .outbox(Some(account_id))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient == manager)
        .filter(|m| m.subject.contains("Administration") && m.subject.contains(schedule))
        .map(|m| m.body)
        .collect()
}

/// Issue 23: the Administration profile is a boundary (its members see the schedule's audit log
/// and previous years). A superadministrator cannot add themselves to it (`403 manager_only`,
/// nothing changes); the hosting manager changes it and is e-mailed each change. Both roles set
/// the other profiles, and those are not e-mailed.
#[tokio::test(flavor = "multi_thread")]
async fn only_the_manager_changes_the_administration_profile_and_is_told() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Frontiere").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;
    let bob = superadmin(&t, &manager, &logins, "bob").await;
    let planning01 = manager.schedules().await.unwrap()[0].clone();
    let (account_id, name) = (logins.account_id, planning01.name.as_str());
    manager
        .set_profile_members(planning01.id, "Administration", &[alice.user_id])
        .await
        .unwrap();
    let emails = administration_emails(&t, account_id, name).await;
    assert_eq!(emails.len(), 1);
    assert!(emails[0].contains("alice"), "{}", emails[0]);

    // Bob adds himself: refused with a sentence, nothing changes, nobody is told.
    let audit = t.audit_count(logins.account_id).await;
    let refused = bob
        .client
        .set_profile_members(
            planning01.id,
            "Administration",
            &[alice.user_id, bob.user_id],
        )
        .await;
    let message = assert_api_error(refused, 403, "manager_only");
    assert!(message.contains("Administration profile"), "{message}");
    let profiles = manager.profiles(planning01.id).await.unwrap();
    let administration = profiles
        .iter()
        .find(|p| p.name == "Administration")
        .unwrap();
    assert_eq!(administration.members, vec![alice.user_id]);
    assert_eq!(t.audit_count(logins.account_id).await, audit);
    assert_eq!(administration_emails(&t, account_id, name).await.len(), 1);

    // The other profiles are both roles', and not e-mailed.
    bob.client
        .set_profile_members(planning01.id, "Vie scolaire", &[bob.user_id])
        .await
        .unwrap();
    alice
        .client
        .set_profile_members(planning01.id, "Vie scolaire", &[alice.user_id])
        .await
        .unwrap();
    assert_eq!(administration_emails(&t, account_id, name).await.len(), 1);

    // The manager adds bob: the e-mail names him among those added.
    manager
        .set_profile_members(
            planning01.id,
            "Administration",
            &[alice.user_id, bob.user_id],
        )
        .await
        .unwrap();
    let emails = administration_emails(&t, account_id, name).await;
    assert_eq!(emails.len(), 2);
    assert!(emails[1].contains("bob"), "{}", emails[1]);
}
