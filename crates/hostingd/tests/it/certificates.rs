//! Client certificates, sessions and throttling over real TLS.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{SUPERADMIN_PASSWORD, TestService, assert_api_error, foreign_identity};
use hosting_api::{ClientError, EnrollmentRequest, NewUser, Role, UserUpdate, WorkstationKey};
use reqwest::Method;

/// Every route that needs a certificate, with a body that would be valid.
fn protected_routes() -> Vec<(Method, &'static str, &'static str)> {
    vec![
        (Method::POST, "/sessions", r#"{"password":"x"}"#),
        (Method::DELETE, "/sessions/current", ""),
        (Method::GET, "/account", ""),
        (Method::GET, "/licence", ""),
        (
            Method::POST,
            "/licence/acceptance",
            r#"{"version":"2026.1"}"#,
        ),
        (Method::GET, "/controller", ""),
        (Method::PUT, "/controller", r#"{"domain":"some-school"}"#),
        (Method::GET, "/schedules", ""),
        (Method::PATCH, "/schedules/1", r#"{"name":"x"}"#),
        (Method::GET, "/schedules/1/profiles", ""),
        (
            Method::PUT,
            "/schedules/1/profiles/Administration/members",
            "[1]",
        ),
        (Method::GET, "/users", ""),
        (
            Method::POST,
            "/users",
            r#"{"first_name":"A","surname":"B","username":"abc","password":"Correct1Horse","superadmin":true}"#,
        ),
        (Method::PATCH, "/users/1", r#"{"console_access":true}"#),
        (Method::GET, "/workstations", ""),
        (Method::DELETE, "/workstations/1", ""),
    ]
}

fn error_code(body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    value["error"]["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn public_routes_work_without_a_certificate() {
    let t = TestService::start().await;
    let anonymous = t.anonymous();
    let health = anonymous.health().await.unwrap();
    assert_eq!(health.status, "ok");
    let openapi = anonymous.openapi().await.unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with('3'));
    anonymous.resend_logins("123456789012").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_protected_route_refuses_a_request_without_a_valid_certificate() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, identity) = t.manager(&logins).await;
    let token = manager.token().unwrap();
    let before = t.audit_count(logins.account_id).await;

    // No certificate: 401 certificate_required, even with a valid token.
    let anonymous = t.anonymous();
    anonymous.set_token(Some(token.clone()));
    for (method, path, body) in protected_routes() {
        let (status, bytes) = anonymous
            .raw(
                method.clone(),
                path,
                Some("application/json"),
                body.as_bytes().to_vec(),
            )
            .await
            .unwrap();
        assert_eq!(status.as_u16(), 401, "{method} {path}");
        assert_eq!(
            error_code(&bytes),
            "certificate_required",
            "{method} {path}"
        );
    }

    // A certificate of another CA: the TLS handshake is refused.
    let foreign = t.with_identity(&foreign_identity());
    foreign.set_token(Some(token.clone()));
    for (method, path, body) in protected_routes() {
        let result = foreign
            .raw(
                method.clone(),
                path,
                Some("application/json"),
                body.as_bytes().to_vec(),
            )
            .await;
        assert!(
            matches!(result, Err(ClientError::Transport(_))),
            "{method} {path}: {result:?}"
        );
    }

    // A revoked workstation: refused at once, with a sentence that says so.
    let second = t
        .enroll(Role::Manager, &logins, None, &logins.password)
        .await
        .unwrap();
    let second_client = t.with_identity(&second);
    second_client.login(&logins.password).await.unwrap();
    let second_id = second_client
        .workstations()
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.current)
        .unwrap()
        .id;
    manager.revoke_workstation(second_id).await.unwrap();
    for (method, path, body) in protected_routes() {
        let (status, bytes) = second_client
            .raw(
                method.clone(),
                path,
                Some("application/json"),
                body.as_bytes().to_vec(),
            )
            .await
            .unwrap();
        assert_eq!(status.as_u16(), 401, "{method} {path}");
        assert_eq!(error_code(&bytes), "certificate_revoked", "{method} {path}");
    }
    // Only the revocation itself (and the second workstation's enrollment and login) changed
    // anything: the refused requests wrote nothing.
    let after = t.audit_count(logins.account_id).await;
    assert_eq!(after, before + 3);

    // The first workstation still works.
    let again = t.with_identity(&identity);
    again.set_token(Some(token));
    assert!(again.account().await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_only_works_with_the_certificate_it_was_made_with() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    let other = t
        .enroll(Role::Manager, &logins, None, &logins.password)
        .await
        .unwrap();
    let other_client = t.with_identity(&other);
    other_client.set_token(manager.token());
    assert_api_error(other_client.account().await, 401, "session_required");
    // And after logout the token stops working on its own workstation too.
    assert!(manager.account().await.is_ok());
    let token = manager.token();
    manager.logout().await.unwrap();
    manager.set_token(token);
    assert_api_error(manager.account().await, 401, "session_required");
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_expire_when_idle_and_after_twelve_hours() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    t.clock.advance(29 * 60);
    assert!(
        manager.account().await.is_ok(),
        "29 idle minutes keep the session"
    );
    t.clock.advance(31 * 60);
    assert_api_error(manager.account().await, 401, "session_required");

    manager.login(&logins.password).await.unwrap();
    // Used every 29 minutes, the session never idles out; it still ends 12 hours after login.
    let mut used_for = 0;
    while manager.account().await.is_ok() {
        t.clock.advance(29 * 60);
        used_for += 29 * 60;
        assert!(
            used_for <= 12 * 3600 + 29 * 60,
            "the session outlived 12 hours"
        );
    }
    assert!(
        used_for > 11 * 3600,
        "the session ended after only {used_for} s"
    );
    assert_api_error(manager.account().await, 401, "session_required");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_wrong_credential_gets_the_same_answer() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let key = WorkstationKey::generate("PC").unwrap();
    let request = |hosting_number: &str, password: &str, invoice: &str| EnrollmentRequest {
        role: Role::Manager,
        hosting_number: hosting_number.to_string(),
        password: password.to_string(),
        username: None,
        invoice_number: invoice.to_string(),
        csr_pem: key.csr_pem.clone(),
        workstation_name: "PC".to_string(),
    };
    let anonymous = t.anonymous();
    let cases = [
        request("999999999999", &logins.password, &logins.invoice_number),
        request(
            &logins.hosting_number,
            "WrongPassw0rd!",
            &logins.invoice_number,
        ),
        request(&logins.hosting_number, &logins.password, "0000000000"),
    ];
    let mut answers = Vec::new();
    for case in &cases {
        match anonymous.enroll(case).await {
            Err(ClientError::Api {
                status,
                code,
                message,
                ..
            }) => answers.push((status, code, message)),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(answers[0].1, "invalid_credentials");
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert!(
        t.store()
            .workstations(logins.account_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn five_failures_lock_the_account_out() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    for _ in 0..5 {
        assert_api_error(
            manager.login("WrongPassw0rd!").await,
            401,
            "invalid_credentials",
        );
    }
    // Locked: even the right password is refused, with the time to wait.
    match manager.login(&logins.password).await {
        Err(ClientError::Api {
            status: 429,
            code,
            retry_after_seconds,
            ..
        }) => {
            assert_eq!(code, "locked_out");
            let wait = retry_after_seconds.unwrap();
            assert!(wait > 0 && wait <= 15 * 60, "{wait}");
        }
        other => panic!("expected locked_out, got {other:?}"),
    }
    // Enrollment is locked too.
    assert_api_error(
        t.enroll(Role::Manager, &logins, None, &logins.password)
            .await,
        429,
        "locked_out",
    );
    // An unknown number locks out the same way, so the answer leaks nothing.
    let unknown = common::Logins {
        hosting_number: "999999999999".to_string(),
        ..logins.clone()
    };
    for _ in 0..5 {
        assert_api_error(
            t.enroll(Role::Manager, &unknown, None, &logins.password)
                .await,
            401,
            "invalid_credentials",
        );
    }
    assert_api_error(
        t.enroll(Role::Manager, &unknown, None, &logins.password)
            .await,
        429,
        "locked_out",
    );
    // After 15 minutes the account opens again.
    t.clock.advance(15 * 60 + 1);
    manager.login(&logins.password).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superadmin_needs_console_access_to_enroll_and_to_stay_logged_in() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let (manager, _) = t.manager(&logins).await;
    let user = manager
        .create_user(&NewUser {
            first_name: "Paul".to_string(),
            surname: "Martin".to_string(),
            username: "pmartin".to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap();
    assert_api_error(
        t.enroll(
            Role::Superadmin,
            &logins,
            Some("pmartin"),
            SUPERADMIN_PASSWORD,
        )
        .await,
        403,
        "console_access_not_granted",
    );
    // A wrong password is still the generic answer, not a hint that the user exists.
    assert_api_error(
        t.enroll(Role::Superadmin, &logins, Some("pmartin"), "Wrong1Password")
            .await,
        401,
        "invalid_credentials",
    );
    let grant = UserUpdate {
        email: Some("paul@school.fr".to_string()),
        console_access: Some(true),
        ..Default::default()
    };
    manager.update_user(user.id, &grant).await.unwrap();
    let identity = t
        .enroll(
            Role::Superadmin,
            &logins,
            Some("pmartin"),
            SUPERADMIN_PASSWORD,
        )
        .await
        .unwrap();
    let superadmin = t.with_identity(&identity);
    superadmin.login(SUPERADMIN_PASSWORD).await.unwrap();
    assert!(superadmin.account().await.is_ok());
    // Console access withdrawn: the session stops working at once.
    let revoke = UserUpdate {
        email: None,
        console_access: Some(false),
        ..Default::default()
    };
    manager.update_user(user.id, &revoke).await.unwrap();
    assert_api_error(
        superadmin.account().await,
        403,
        "console_access_not_granted",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_csr_is_refused_and_changes_nothing() {
    let t = TestService::start().await;
    let logins = t.provision("School").await;
    let before = t.audit_count(logins.account_id).await;
    let key = WorkstationKey::generate("PC").unwrap();
    let mut tampered = key.csr_pem.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    for csr_pem in [
        "not a csr".to_string(),
        "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
            .to_string(),
        String::from_utf8(tampered).unwrap(),
    ] {
        let result = t
            .anonymous()
            .enroll(&EnrollmentRequest {
                role: Role::Manager,
                hosting_number: logins.hosting_number.clone(),
                password: logins.password.clone(),
                username: None,
                invoice_number: logins.invoice_number.clone(),
                csr_pem,
                workstation_name: "PC".to_string(),
            })
            .await;
        assert_api_error(result, 400, "invalid_csr");
    }
    assert_eq!(t.audit_count(logins.account_id).await, before);
    assert!(
        t.store()
            .workstations(logins.account_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_ca_fingerprint_trusts_the_service_and_a_wrong_one_is_refused() {
    let t = TestService::start().await;
    let base = t.service.base_url();
    let pin = t.service.state.pki.ca_fingerprint();
    let pinned =
        hosting_api::Client::with_trust(&base, hosting_api::ServerTrust::Pinned(&pin), None)
            .unwrap();
    assert_eq!(pinned.health().await.unwrap().status, "ok");
    let wrong = "00".repeat(32);
    let refused =
        hosting_api::Client::with_trust(&base, hosting_api::ServerTrust::Pinned(&wrong), None)
            .unwrap();
    assert!(matches!(
        refused.health().await,
        Err(ClientError::Transport(_))
    ));
    // Another service's CA is not this one's, even with a valid chain.
    let other = TestService::start().await;
    let other_pin = other.service.state.pki.ca_fingerprint();
    let mismatched =
        hosting_api::Client::with_trust(&base, hosting_api::ServerTrust::Pinned(&other_pin), None)
            .unwrap();
    assert!(matches!(
        mismatched.health().await,
        Err(ClientError::Transport(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workstation_renews_its_certificate_with_the_one_it_has_which_then_ends() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Renouveau").await;
    let (manager, old_identity) = t.manager(&logins).await;
    let old_id = common::roles::current_workstation(&manager).await;

    // A broken CSR changes nothing.
    let audit = t.audit_count(logins.account_id).await;
    assert_api_error(
        manager.renew_certificate("not a CSR").await,
        400,
        "invalid_csr",
    );
    assert_eq!(t.audit_count(logins.account_id).await, audit);
    // The key of the current certificate is refused: a renewal brings a new key.
    let old_key = rcgen::KeyPair::from_pem(&old_identity.key_pem).unwrap();
    let same_key = rcgen::CertificateParams::default()
        .serialize_request(&old_key)
        .unwrap()
        .pem()
        .unwrap();
    assert_api_error(
        manager.renew_certificate(&same_key).await,
        400,
        "invalid_csr",
    );
    assert_eq!(t.audit_count(logins.account_id).await, audit);

    // A new key made here; the old certificate is the proof, no invoice number.
    let key = hosting_api::WorkstationKey::generate("Manager PC").unwrap();
    let renewed = manager.renew_certificate(&key.csr_pem).await.unwrap();
    assert_ne!(renewed.workstation_id, old_id);
    let identity = hosting_api::ClientIdentity {
        certificate_pem: renewed.certificate_pem.clone(),
        key_pem: key.key_pem.clone(),
    };
    let client = t.with_identity(&identity);
    client.set_token(Some(renewed.session.token.clone()));
    assert_eq!(
        client.account().await.unwrap().hosting_number,
        logins.hosting_number
    );
    let listed = client.workstations().await.unwrap();
    let current = listed.iter().find(|w| w.current).unwrap();
    assert_eq!(current.id, renewed.workstation_id);
    assert_eq!(
        current.name,
        listed.iter().find(|w| w.id == old_id).unwrap().name
    );
    assert!(
        listed
            .iter()
            .find(|w| w.id == old_id)
            .unwrap()
            .revoked_at
            .is_some()
    );

    // The old certificate and its session end at once.
    assert!(manager.account().await.is_err());
    let old = t.with_identity(&old_identity);
    assert_api_error(
        old.login(&logins.password).await,
        401,
        "certificate_revoked",
    );
    // The new one logs in like any other.
    let fresh = t.with_identity(&identity);
    fresh.login(&logins.password).await.unwrap();
    let log = t.store().audit_log(logins.account_id).await.unwrap();
    let renewal = log
        .iter()
        .find(|e| e.action == "workstation.renewed")
        .unwrap();
    assert_eq!(renewal.workstation_id, Some(old_id));
}
