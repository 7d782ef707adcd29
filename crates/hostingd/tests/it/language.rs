//! Issue 22, day one: every e-mail and SMS of an account in its one language (chosen at
//! provisioning, changed by the hosting manager in My account), and the console's download
//! address in the logins e-mails (the provider's page, or the service's own neutral one).
#![allow(clippy::unwrap_used)]

use std::process::Command;

use hosting_api::types::Language;
use hostingd::store::OutboxMessage;
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{self, TestService, assert_api_error};

async fn provision_in(t: &TestService, school: &str, language: Language) -> i64 {
    let mut account = hostingd::testing::new_account(school);
    account.language = language;
    let state = &t.service.state;
    hostingd::operator::provision(&state.store, &state.passwords, &account)
        .await
        .unwrap()
        .account_id
}

async fn outbox(t: &TestService, account_id: i64) -> Vec<OutboxMessage> {
    t.store().outbox(Some(account_id)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_account_is_written_to_in_its_own_language_with_the_download_address() {
    let t = TestService::start_with(|config| {
        config.console_download_url = Some("https://provider.example/console".to_string());
    })
    .await;
    let french = provision_in(&t, "Lycee Francais", Language::Fr).await;
    let english = provision_in(&t, "Lycee English", Language::En).await;

    let messages = outbox(&t, french).await;
    assert_eq!(messages.len(), 3, "two e-mails and an SMS");
    assert!(messages[0].body.contains("Numéro de facture : "));
    assert!(messages[1].body.contains("Numéro d'hébergement : "));
    assert!(
        messages[2]
            .body
            .starts_with("Mot de passe de la console d'hébergement : ")
    );
    for message in &messages {
        for english_word in ["Hello", "number:", "password:"] {
            assert!(!message.body.contains(english_word), "{}", message.body);
        }
    }
    let messages = outbox(&t, english).await;
    assert!(messages[0].body.contains("Invoice number: "));
    assert!(messages[2].body.starts_with("Hosting console password: "));
    for message in &messages {
        assert!(!message.body.contains("Bonjour"), "{}", message.body);
    }
    // Both logins e-mails give the console's download address, the first line a newcomer needs.
    for account in [french, english] {
        for email in outbox(&t, account)
            .await
            .iter()
            .filter(|m| m.channel == "email")
        {
            assert!(
                email.body.contains("https://provider.example/console"),
                "{}",
                email.body
            );
        }
    }
    // The sheet of step 6 reads it from the account.
    let logins = t.provision("Lycee Sheet").await;
    let (manager, _) = t.manager(&logins).await;
    let account = manager.account().await.unwrap();
    assert_eq!(
        account.console_download_url,
        "https://provider.example/console"
    );
    assert_eq!(account.language, Language::En);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hosting_manager_changes_the_language_and_the_next_messages_follow() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Langue").await;
    let (manager, _) = t.manager(&logins).await;
    let alice = t.superadmin(&manager, &logins, "alice").await;
    let before = t.audit_count(logins.account_id).await;

    // Only the hosting manager chooses; a language the service does not write is refused.
    assert_api_error(alice.set_language(Language::Fr).await, 403, "manager_only");
    let (status, body) = manager
        .raw(
            Method::PUT,
            "/account/language",
            Some("application/json"),
            br#"{"language":"de"}"#.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status.as_u16(), 422, "{}", String::from_utf8_lossy(&body));
    assert_eq!(t.audit_count(logins.account_id).await, before);
    assert_eq!(manager.account().await.unwrap().language, Language::En);

    manager.set_language(Language::Fr).await.unwrap();
    assert_eq!(manager.account().await.unwrap().language, Language::Fr);
    assert_eq!(alice.account().await.unwrap().language, Language::Fr);
    let audit = t.store().audit_log(logins.account_id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|entry| entry.action == "account.language_changed")
    );
    // The same choice again changes nothing.
    manager.set_language(Language::Fr).await.unwrap();
    assert_eq!(t.audit_count(logins.account_id).await, before + 1);

    // The logins sent again, and the e-mail of a rotated invoice number, are French only now.
    let sent = outbox(&t, logins.account_id).await.len();
    t.anonymous()
        .resend_logins(&logins.hosting_number)
        .await
        .unwrap();
    hostingd::operator::rotate_invoice(t.store(), &logins.hosting_number)
        .await
        .unwrap();
    let messages = outbox(&t, logins.account_id).await;
    let new: Vec<_> = messages[sent..].iter().collect();
    assert_eq!(
        new.len(),
        4,
        "two e-mails, the SMS reminder, the new invoice number"
    );
    assert!(new[0].body.starts_with("Bonjour"), "{}", new[0].body);
    assert!(new[2].body.contains("S'il est perdu"), "{}", new[2].body);
    assert!(new[3].subject.contains("nouveau numéro de facture"));
    for message in new {
        assert!(!message.body.contains("Hello"), "{}", message.body);
    }
}

/// The page at `path` in `language`, as a browser asks for it.
async fn page(t: &TestService, path: &str, language: &str) -> String {
    let mut tls = t.tls_connection(b"http/1.1").await;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept-Language: {language}\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await.unwrap();
    String::from_utf8(answer).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_provider_page_the_service_gives_its_own() {
    let t = TestService::start_with(|config| {
        config.provider_name = "Hébergeur Exemple".to_string();
        config.server_names = vec!["hosting.example.org".to_string()];
    })
    .await;
    let logins = t.provision("Lycee Page").await;
    let (manager, _) = t.manager(&logins).await;
    let url = manager.account().await.unwrap().console_download_url;
    assert_eq!(url, "https://hosting.example.org/console");
    let emails = outbox(&t, logins.account_id).await;
    assert!(emails[0].body.contains(&url), "{}", emails[0].body);

    let english = page(&t, "/console", "en-GB,en;q=0.8").await;
    assert!(english.starts_with("HTTP/1.1 200"), "{english}");
    assert!(
        english.contains("Download the hosting console"),
        "{english}"
    );
    assert!(english.contains("Hébergeur Exemple"), "{english}");
    let french = page(&t, "/console", "fr-FR").await;
    assert!(
        french.contains("<h1>Télécharger la console d&#39;hébergement</h1>"),
        "{french}"
    );
    assert!(french.contains("lang=\"fr\""), "{french}");
}

fn hostingd(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(args)
        .envs(hostingd::testing::data_env(data_dir))
        .output()
        .unwrap()
}

/// `provision` writes in the language it is given, and gives the download address the service
/// runs with (which `serve` leaves in the database).
#[tokio::test(flavor = "multi_thread")]
async fn provision_takes_a_language_and_the_service_download_address() {
    let t = TestService::start_with(|config| {
        config.console_download_url = Some("https://provider.example/get-console".to_string());
    })
    .await;
    let dir = t.dir.path().to_path_buf();
    let store = t.store().clone();
    let args = |language: &str| {
        vec![
            "provision".to_string(),
            "--school".to_string(),
            "Lycee Cli".to_string(),
            "--email".to_string(),
            "boss@lycee-cli.fr".to_string(),
            "--phone".to_string(),
            "+33600000001".to_string(),
            format!("--language={language}"),
            "--json".to_string(),
        ]
    };
    let run = |language: &str| {
        let args = args(language);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        hostingd(&dir, &args)
    };
    let refused = run("de");
    assert!(!refused.status.success());
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(error.contains("fr or en"), "{error}");
    assert!(
        store.outbox(None).await.unwrap().is_empty(),
        "nothing was made"
    );

    let made = run("en");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let messages = store.outbox(None).await.unwrap();
    assert_eq!(messages.len(), 3);
    assert!(messages[0].body.contains("Invoice number: "));
    assert!(
        messages[0]
            .body
            .contains("https://provider.example/get-console"),
        "{}",
        messages[0].body
    );
    assert!(common::password_in_sms(&messages[2].body).len() >= 14);
}
