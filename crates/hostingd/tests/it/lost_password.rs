//! Issue 22, lost logins: a new password on request, through a one-time code e-mailed to its
//! owner (30 minutes, one use, audited, rate-limited). Asking changes nothing; only the code's
//! use does: the hosting manager's new password comes by SMS, a superadministrator chooses
//! theirs, and the old sessions end. A stranger who knows the hosting number changes nothing.
//! The provider's own reset (`hostingd reset-password`) ends the manager's sessions too.
#![allow(clippy::unwrap_used)]

use hosting_api::PasswordResetConfirm;

use crate::common::roles::superadmin;
use crate::common::{SUPERADMIN_PASSWORD, TestService, assert_api_error, password_in_sms};

/// The code of the last e-mail to `recipient`, and how many e-mails it had.
async fn last_code(t: &TestService, account_id: i64, recipient: &str) -> (String, usize) {
    let outbox = t.store().outbox(Some(account_id)).await.unwrap();
    let codes: Vec<String> = outbox
        .iter()
        .filter(|m| m.recipient == recipient && m.subject.contains("one-time code"))
        .map(|m| {
            m.body
                .lines()
                .find_map(|l| l.strip_prefix("One-time code: "))
                .unwrap()
                .trim()
                .to_string()
        })
        .collect();
    (codes.last().cloned().unwrap_or_default(), codes.len())
}

fn confirm(
    hosting: &str,
    username: Option<&str>,
    code: &str,
    password: Option<&str>,
) -> PasswordResetConfirm {
    PasswordResetConfirm {
        hosting_number: hosting.to_string(),
        username: username.map(str::to_string),
        code: code.to_string(),
        password: password.map(str::to_string),
    }
}

async fn actions(t: &TestService, account_id: i64, action: &str) -> usize {
    t.store()
        .audit_log(account_id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hosting_manager_gets_a_new_password_through_a_one_time_code() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Perdu").await;
    let (manager, _) = t.manager(&logins).await;
    let email = "manager@lycee-perdu.fr";
    let stranger = t.anonymous();

    // Asking sends a code and changes nothing: the old password still opens the console.
    stranger
        .request_password_reset(&logins.hosting_number, None)
        .await
        .unwrap();
    let (code, sent) = last_code(&t, logins.account_id, email).await;
    assert_eq!(sent, 1);
    assert_eq!(code.len(), 9, "{code}");
    manager.account().await.unwrap();
    // Asked again at once: no second e-mail.
    stranger
        .request_password_reset(&logins.hosting_number, None)
        .await
        .unwrap();
    assert_eq!(last_code(&t, logins.account_id, email).await.1, 1);
    // An unknown hosting number is answered the same.
    stranger
        .request_password_reset("999999999999", None)
        .await
        .unwrap();

    // A wrong code changes nothing, and is audited.
    assert_api_error(
        stranger
            .confirm_password_reset(&confirm(&logins.hosting_number, None, "ABCD-EFGH", None))
            .await,
        422,
        "invalid_reset_code",
    );
    assert_eq!(
        actions(&t, logins.account_id, "password.reset_refused").await,
        1
    );
    manager.account().await.unwrap();

    // The right code, typed loosely: a new password by SMS, the old sessions end.
    let sms_before = t
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap()
        .iter()
        .filter(|m| m.channel == "sms")
        .count();
    let typed = code.replace('-', " ").to_lowercase();
    stranger
        .confirm_password_reset(&confirm(&logins.hosting_number, None, &typed, None))
        .await
        .unwrap();
    let outbox = t.store().outbox(Some(logins.account_id)).await.unwrap();
    let sms: Vec<_> = outbox.iter().filter(|m| m.channel == "sms").collect();
    assert_eq!(sms.len(), sms_before + 1);
    let new_password = password_in_sms(&sms.last().unwrap().body);
    assert_ne!(new_password, logins.password);
    assert_api_error(manager.account().await, 401, "session_required");
    assert!(manager.login(&logins.password).await.is_err());
    manager.login(&new_password).await.unwrap();
    assert_eq!(actions(&t, logins.account_id, "password.reset").await, 1);

    // Used once.
    assert_api_error(
        stranger
            .confirm_password_reset(&confirm(&logins.hosting_number, None, &code, None))
            .await,
        422,
        "invalid_reset_code",
    );

    // Valid 30 minutes: a code asked 10 minutes later, typed 31 minutes after, is refused.
    t.clock.advance(11 * 60);
    stranger
        .request_password_reset(&logins.hosting_number, None)
        .await
        .unwrap();
    let (late, sent) = last_code(&t, logins.account_id, email).await;
    assert_eq!(sent, 2);
    t.clock.advance(31 * 60);
    assert_api_error(
        stranger
            .confirm_password_reset(&confirm(&logins.hosting_number, None, &late, None))
            .await,
        422,
        "invalid_reset_code",
    );

    // Five wrong codes in 30 minutes lock the confirmation out.
    for _ in 0..4 {
        assert_api_error(
            stranger
                .confirm_password_reset(&confirm(&logins.hosting_number, None, "WXYZ-WXYZ", None))
                .await,
            422,
            "invalid_reset_code",
        );
    }
    assert_api_error(
        stranger
            .confirm_password_reset(&confirm(&logins.hosting_number, None, "WXYZ-WXYZ", None))
            .await,
        429,
        "locked_out",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manager_resets_a_superadministrators_password_and_its_owner_chooses_it() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Oubli").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = superadmin(&t, &manager, &logins, "alice").await;

    manager.reset_user_password(alice.user_id).await.unwrap();
    let (code, sent) = last_code(&t, logins.account_id, "alice@school.fr").await;
    assert_eq!(sent, 1, "the code goes to alice, not to the manager");
    // Her password works until she uses the code.
    alice.client.account().await.unwrap();

    // A new password that breaks the rule is refused first, and the code stays usable.
    assert_api_error(
        t.anonymous()
            .confirm_password_reset(&confirm(
                &logins.hosting_number,
                Some("alice"),
                &code,
                Some("short"),
            ))
            .await,
        422,
        "weak_password",
    );
    let chosen = "Nouveau-Mot2Passe";
    t.anonymous()
        .confirm_password_reset(&confirm(
            &logins.hosting_number,
            Some("alice"),
            &code,
            Some(chosen),
        ))
        .await
        .unwrap();
    assert_api_error(alice.client.account().await, 401, "session_required");
    assert!(alice.client.login(SUPERADMIN_PASSWORD).await.is_err());
    alice.client.login(chosen).await.unwrap();
    // The manager's own password and sessions are untouched.
    manager.account().await.unwrap();

    // Alice may ask herself, from the login screen, with her username.
    t.clock.advance(11 * 60);
    t.anonymous()
        .request_password_reset(&logins.hosting_number, Some("alice"))
        .await
        .unwrap();
    assert_eq!(
        last_code(&t, logins.account_id, "alice@school.fr").await.1,
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_password_ends_the_sessions() {
    let service = TestService::start().await;
    let logins = service.provision("Lycee Reset").await;
    let (manager, _) = service.manager(&logins).await;
    let superadmin = service.superadmin(&manager, &logins, "jreset").await;
    hostingd::operator::reset_password(
        service.store(),
        &service.service.state.passwords,
        &logins.hosting_number,
    )
    .await
    .unwrap();
    // The manager's session, opened with the old password, has ended.
    assert_api_error(manager.account().await, 401, "session_required");
    // The superadministrator logged in with their own password: unaffected.
    assert!(superadmin.account().await.is_ok());
    // The old password no longer opens a session; the new one does.
    assert!(manager.login(&logins.password).await.is_err());
    let outbox = service
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap();
    let new_password = password_in_sms(&outbox.last().unwrap().body);
    manager.login(&new_password).await.unwrap();
    assert!(manager.account().await.is_ok());
    let audit = service.store().audit_log(logins.account_id).await.unwrap();
    assert!(format!("{audit:?}").contains("account.password_reset"));
}
