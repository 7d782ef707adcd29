//! The complete onboarding (seed steps 1–6) through the typed client over real TLS, then the
//! superadministrator's own enrollment and login.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{SUPERADMIN_PASSWORD, TestService, assert_api_error};
use hosting_api::{NewUser, Role, ScheduleUpdate, ServerState, UserUpdate};

#[tokio::test(flavor = "multi_thread")]
async fn complete_onboarding_then_superadmin_enrolls() {
    let t = TestService::start().await;
    // Step 1: the logins arrive by e-mail and SMS.
    let logins = t.provision("Lycee Victor Hugo").await;
    assert_eq!(logins.hosting_number.len(), 12);
    assert_eq!(logins.invoice_number.len(), 10);
    assert_eq!(logins.password.chars().count(), 14);

    // Step 2: certificate, login, licence.
    let (manager, _) = t.manager(&logins).await;
    let account = manager.account().await.unwrap();
    assert_eq!(account.hosting_number, logins.hosting_number);
    assert_eq!(account.role, Role::Manager);
    assert_eq!(
        account.invoice_number.as_deref(),
        Some(logins.invoice_number.as_str())
    );
    assert!(!account.onboarding.licence);
    let licence = manager.licence().await.unwrap();
    assert!(licence.text.contains("LICENCE"));
    manager.accept_licence(&licence.version).await.unwrap();
    let account = manager.account().await.unwrap();
    assert!(account.onboarding.licence);
    assert_eq!(
        account.licence.accepted_version.as_deref(),
        Some(licence.version.as_str())
    );

    // Step 3: controller and schedules get domains and ports.
    let controller = manager.set_controller_domain("Lycee-Hugo").await.unwrap();
    assert_eq!(controller.domain.as_deref(), Some("lycee-hugo"));
    let controller_port = controller.port.unwrap();
    let ports = t.service.state.settings.port_range.clone();
    assert!(
        ports.contains(&controller_port),
        "{controller_port} in {ports:?}"
    );
    assert_eq!(manager.controller().await.unwrap(), controller);
    let schedules = manager.schedules().await.unwrap();
    assert_eq!(
        schedules
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["planning01", "planning02"]
    );
    assert!(
        schedules
            .iter()
            .all(|s| s.campus_net_licence && s.server.state == ServerState::Stopped)
    );
    let mut ports = vec![controller_port];
    for (schedule, domain) in schedules.iter().zip(["hugo-edt", "hugo-edt-2"]) {
        let updated = manager
            .update_schedule(
                schedule.id,
                &ScheduleUpdate {
                    name: (schedule.name == "planning01").then(|| "edt-lycee".to_string()),
                    domain: Some(domain.to_string()),
                    campus_net_licence: Some(true),
                    time_zone: Some("Europe/Paris".to_string()),
                },
            )
            .await
            .unwrap();
        assert_eq!(updated.domain.as_deref(), Some(domain));
        assert_eq!(
            updated.host.as_deref(),
            Some(format!("{domain}.hosting.localhost").as_str())
        );
        ports.push(updated.port.unwrap());
    }
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 3, "every endpoint has its own port");
    let account = manager.account().await.unwrap();
    assert!(account.onboarding.controller && account.onboarding.schedules);
    assert!(!account.onboarding.superadmin);

    // Step 4: the first superadministrator.
    let user = manager
        .create_user(&NewUser {
            first_name: "Jeanne".to_string(),
            surname: "Dupont".to_string(),
            username: "jdupont".to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap();
    assert!(user.superadmin && !user.console_access);
    // Console access needs an e-mail first.
    assert_api_error(
        manager
            .update_user(
                user.id,
                &UserUpdate {
                    email: None,
                    console_access: Some(true),
                    ..Default::default()
                },
            )
            .await,
        422,
        "email_required",
    );
    let user = manager
        .update_user(
            user.id,
            &UserUpdate {
                email: Some("jeanne.dupont@lycee-hugo.fr".to_string()),
                console_access: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(user.console_access);
    assert_eq!(manager.users().await.unwrap(), vec![user.clone()]);
    assert!(manager.account().await.unwrap().onboarding.superadmin);

    // Step 5: the Administration profile of each schedule.
    for schedule in manager.schedules().await.unwrap() {
        let profiles = manager.profiles(schedule.id).await.unwrap();
        assert!(
            profiles
                .iter()
                .any(|p| p.name == "Administration" && p.members.is_empty())
        );
        let profile = manager
            .set_profile_members(schedule.id, "Administration", &[user.id])
            .await
            .unwrap();
        assert_eq!(profile.members, vec![user.id]);
    }
    let account = manager.account().await.unwrap();
    assert!(account.onboarding.profiles, "{:?}", account.onboarding);

    // Step 6 and after: the superadministrator installs their own workstation.
    let identity = t
        .enroll(
            Role::Superadmin,
            &logins,
            Some("JDupont"),
            SUPERADMIN_PASSWORD,
        )
        .await
        .unwrap();
    let superadmin = t.with_identity(&identity);
    let session = superadmin.login(SUPERADMIN_PASSWORD).await.unwrap();
    assert_eq!(session.principal.role, Role::Superadmin);
    assert_eq!(session.principal.username.as_deref(), Some("jdupont"));
    assert_eq!(session.principal.display_name, "Jeanne Dupont");
    let account = superadmin.account().await.unwrap();
    assert_eq!(account.role, Role::Superadmin);
    assert_eq!(
        account.invoice_number, None,
        "only the manager sees the invoice number"
    );
    // "continue deploying the hosted solution": the superadministrator may change the setup.
    let renamed = superadmin
        .update_schedule(
            schedules[1].id,
            &ScheduleUpdate {
                name: Some("edt-college".to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "edt-college");
    // A superadministrator sees their own workstations; the manager sees every one.
    let workstations = superadmin.workstations().await.unwrap();
    assert_eq!(workstations.len(), 1);
    assert_eq!(workstations.iter().filter(|w| w.current).count(), 1);
    assert_eq!(manager.workstations().await.unwrap().len(), 2);

    // Everything that changed is in the audit log, with who and from which workstation.
    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for expected in [
        "account.provisioned",
        "workstation.enrolled",
        "session.created",
        "licence.accepted",
        "controller.domain_set",
        "schedule.domain_set",
        "schedule.updated",
        "user.created",
        "user.updated",
        "profile.members_set",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let rename = audit
        .iter()
        .rev()
        .find(|e| e.action == "schedule.updated")
        .unwrap();
    assert_eq!(rename.actor, "superadmin:jdupont");
    assert!(rename.workstation_id.is_some());
    assert!(audit.iter().all(|e| !e.detail.contains(&logins.password)));
    assert!(
        audit
            .iter()
            .all(|e| !e.detail.contains(SUPERADMIN_PASSWORD))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn domains_and_ports_are_unique_across_the_service() {
    let t = TestService::start().await;
    let a = t.provision("School A").await;
    let b = t.provision("School B").await;
    let (manager_a, _) = t.manager(&a).await;
    let (manager_b, _) = t.manager(&b).await;
    let port_a = manager_a
        .set_controller_domain("shared-name")
        .await
        .unwrap()
        .port;
    assert_api_error(
        manager_b.set_controller_domain("shared-name").await,
        409,
        "domain_taken",
    );
    let port_b = manager_b
        .set_controller_domain("other-name")
        .await
        .unwrap()
        .port;
    assert_ne!(port_a, port_b);
    // Changing the domain keeps the port; setting the same domain again changes nothing.
    let renamed = manager_a.set_controller_domain("new-name").await.unwrap();
    assert_eq!(renamed.port, port_a);
    let before = t.audit_count(a.account_id).await;
    manager_a.set_controller_domain("new-name").await.unwrap();
    assert_eq!(t.audit_count(a.account_id).await, before);
    // The freed name can be taken by another account.
    let schedule_b = manager_b.schedules().await.unwrap()[0].id;
    let update = ScheduleUpdate {
        domain: Some("shared-name".to_string()),
        ..Default::default()
    };
    let taken = manager_b
        .update_schedule(schedule_b, &update)
        .await
        .unwrap();
    assert_eq!(taken.domain.as_deref(), Some("shared-name"));
}

#[tokio::test(flavor = "multi_thread")]
async fn receive_my_hosting_logins_sends_the_two_emails_again_and_never_the_password() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Resend").await;
    let before = t
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap()
        .len();
    t.anonymous()
        .resend_logins(&logins.hosting_number)
        .await
        .unwrap();
    let outbox = t.store().outbox(Some(logins.account_id)).await.unwrap();
    let sent = &outbox[before..];
    let channels: Vec<&str> = sent.iter().map(|m| m.channel.as_str()).collect();
    assert_eq!(channels, ["email", "email", "sms"]);
    // The invoice number first, then the hosting number, each in its own e-mail.
    assert!(
        sent[0]
            .body
            .contains(&format!("Invoice number: {}", logins.invoice_number))
    );
    assert!(!sent[0].body.contains(&logins.hosting_number));
    assert!(
        sent[1]
            .body
            .contains(&format!("Hosting number: {}", logins.hosting_number))
    );
    assert!(!sent[1].body.contains(&logins.invoice_number));
    // The SMS reminds of the password without it (only support resets it).
    assert!(sent.iter().all(|m| !m.body.contains(&logins.password)));
    // Asked again at once: nothing more is sent (a school cannot be flooded).
    t.anonymous()
        .resend_logins(&logins.hosting_number)
        .await
        .unwrap();
    assert_eq!(
        t.store()
            .outbox(Some(logins.account_id))
            .await
            .unwrap()
            .len(),
        outbox.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn step_five_is_done_once_a_schedule_has_its_superadministrator() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Concerne").await;
    let (manager, _) = t.manager(&logins).await;
    let user = manager
        .create_user(&hosting_api::NewUser {
            first_name: "Jeanne".to_string(),
            surname: "Dupont".to_string(),
            username: "jdupont".to_string(),
            password: common::SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap();
    let before = manager.account().await.unwrap().onboarding;
    assert!(!before.profiles);
    assert_eq!(
        before.schedules_without_superadmin,
        vec!["planning01".to_string(), "planning02".to_string()]
    );
    let schedules = manager.schedules().await.unwrap();
    let planning01 = schedules.iter().find(|s| s.name == "planning01").unwrap();
    manager
        .set_profile_members(planning01.id, "Administration", &[user.id])
        .await
        .unwrap();
    let after = manager.account().await.unwrap().onboarding;
    assert!(after.profiles, "seed 000: for the concerned schedule");
    assert_eq!(
        after.schedules_without_superadmin,
        vec!["planning02".to_string()]
    );
}
