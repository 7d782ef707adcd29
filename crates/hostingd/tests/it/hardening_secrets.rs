//! Secrets at rest and on the console side (issue 8): delivered messages keep no body, the
//! invoice number is a keyed digest with a sealed copy for the manager, the data directory is
//! owner-only, gateway credentials come from files, a leaked invoice number can be replaced, a
//! console trusts only the CA it chose, and `Debug` never prints a secret. (The operator's
//! password reset is in `lost_password`, with the other ways a password is replaced.)
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::gateways::{sms_gateway, smtp_sink};
use common::{TestService, assert_api_error};
use hosting_api::{
    Client, ClientIdentity, EnrollmentRequest, NewUser, Role, ServerTrust, SessionRequest,
    WorkstationKey,
};
use hostingd::delivery::Delivery;
use hostingd::store::NewAccount;
use hostingd::{AppState, Clock, ServeConfig};

/// A configuration in `dir` that delivers through an SMTP sink and an SMS gateway.
async fn delivering_config(
    dir: &Path,
) -> (
    ServeConfig,
    Arc<Mutex<Vec<String>>>,
    Arc<Mutex<Vec<serde_json::Value>>>,
) {
    let (smtp_port, emails) = smtp_sink().await;
    let (sms_port, sms) = sms_gateway("gateway-token", Arc::default()).await;
    let mut config = ServeConfig::local(dir.to_path_buf());
    config.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}"));
    config.sms_url = Some(format!("http://127.0.0.1:{sms_port}/send"));
    config.sms_token = Some("gateway-token".to_string());
    (config, emails, sms)
}

fn new_account(school: &str) -> NewAccount {
    NewAccount {
        school_name: school.to_string(),
        email: "manager@lycee-secret.fr".to_string(),
        phone: "+33611112222".to_string(),
        contract_ends_on: "2027-08-31".to_string(),
        language: hosting_api::types::Language::Fr,
    }
}

/// Provisions an account in `state`; returns the provisioned numbers and the password of the
/// SMS, read before anything is delivered.
async fn provision(state: &AppState, school: &str) -> (hostingd::operator::Provisioned, String) {
    let provisioned =
        hostingd::operator::provision(&state.store, &state.passwords, &new_account(school))
            .await
            .unwrap();
    let outbox = state
        .store
        .outbox(Some(provisioned.account_id))
        .await
        .unwrap();
    let sms = outbox.iter().find(|m| m.channel == "sms").unwrap();
    (provisioned, common::password_in_sms(&sms.body))
}

fn hostingd(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(args)
        .env("HOSTINGD_DATA_DIR", data_dir)
        .output()
        .unwrap()
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    common::files::files_under(dir)
        .into_iter()
        .filter(|path| {
            let bytes = std::fs::read(path).unwrap();
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .collect()
}

async fn enroll(
    client: &Client,
    hosting_number: &str,
    invoice_number: &str,
    password: &str,
) -> Result<ClientIdentity, hosting_api::ClientError> {
    let key = WorkstationKey::generate("PC").unwrap();
    let response = client
        .enroll(&EnrollmentRequest {
            role: Role::Manager,
            hosting_number: hosting_number.to_string(),
            password: password.to_string(),
            username: None,
            invoice_number: invoice_number.to_string(),
            csr_pem: key.csr_pem,
            workstation_name: "PC".to_string(),
        })
        .await?;
    Ok(ClientIdentity {
        certificate_pem: response.certificate_pem,
        key_pem: key.key_pem,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn delivered_messages_keep_no_body() {
    let dir = tempfile::tempdir().unwrap();
    let (config, emails, sms) = delivering_config(dir.path()).await;
    let state = hostingd::build_state(&config, Clock::default())
        .await
        .unwrap();
    let (provisioned, password) = provision(&state, "Lycee Delivered").await;
    let delivery = Delivery::from_config(&config).unwrap().unwrap();
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 3);
    // Delivered with their text...
    assert!(emails.lock().unwrap()[0].contains(&provisioned.invoice_number));
    assert!(
        sms.lock().unwrap()[0]["text"]
            .as_str()
            .unwrap()
            .contains(&password)
    );
    // ...and only the metadata stays.
    let outbox = state.store.outbox(None).await.unwrap();
    assert_eq!(outbox.len(), 3);
    for message in &outbox {
        assert!(message.delivered_at.is_some());
        assert_eq!(message.body, "", "{} kept its body", message.channel);
        assert!(!message.recipient.is_empty() && !message.subject.is_empty());
    }
    for email in &outbox[..2] {
        assert_eq!(email.channel, "email");
        assert_eq!(email.recipient, "manager@lycee-secret.fr");
    }
    assert_eq!(outbox[2].channel, "sms");
    assert_eq!(outbox[2].recipient, "+33611112222");
    // Not on disk either, once the database is closed.
    state.store.close().await;
    assert_eq!(
        files_containing(dir.path(), &password),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn local_service_keeps_its_mailbox() {
    // No gateway (the console's built-in service): the Mailbox shows the bodies.
    let service = TestService::start().await;
    let logins = service.provision("Lycee Mailbox").await;
    let outbox = service.store().outbox(None).await.unwrap();
    assert!(outbox.iter().all(|m| m.delivered_at.is_none()));
    assert!(outbox[0].body.contains(&logins.invoice_number));
    assert!(outbox[1].body.contains(&logins.hosting_number));
    assert!(outbox[2].body.contains(&logins.password));
}

#[tokio::test(flavor = "multi_thread")]
async fn outbox_command_prints_no_delivered_body() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _emails, _sms) = delivering_config(dir.path()).await;
    let state = hostingd::build_state(&config, Clock::default())
        .await
        .unwrap();
    let (provisioned, password) = provision(&state, "Lycee Outbox").await;
    let delivery = Delivery::from_config(&config).unwrap().unwrap();
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 3);
    // A message queued afterwards is not delivered yet: its body is still shown.
    hostingd::operator::rotate_invoice(&state.store, &provisioned.hosting_number)
        .await
        .unwrap();
    state.store.close().await;

    let text = hostingd(dir.path(), &["outbox"]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let json = hostingd(dir.path(), &["outbox", "--json"]);
    assert!(json.status.success());
    for output in [&text.stdout, &json.stdout] {
        let output = String::from_utf8_lossy(output);
        assert!(!output.contains(&password), "{output}");
        assert!(!output.contains(&provisioned.invoice_number), "{output}");
        assert!(output.contains("manager@lycee-secret.fr"));
        assert!(output.contains("+33611112222"));
        // `provision` makes a French account unless told.
        assert!(output.contains("nouveau numéro de facture"), "{output}");
    }
    let messages: Vec<serde_json::Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[0]["body"], "");
    assert_eq!(messages[1]["body"], "");
    assert_eq!(messages[2]["body"], "");
    assert!(
        messages[3]["body"]
            .as_str()
            .unwrap()
            .contains("numéro de facture")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invoice_number_is_not_stored_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _emails, _sms) = delivering_config(dir.path()).await;
    let state = hostingd::build_state(&config, Clock::default())
        .await
        .unwrap();
    let (provisioned, password) = provision(&state, "Lycee Digest").await;
    // The logins e-mail is the only other place the number was written; it is delivered.
    let delivery = Delivery::from_config(&config).unwrap().unwrap();
    delivery.deliver_pending(&state.store).await.unwrap();
    state.store.close().await;
    assert_eq!(
        files_containing(dir.path(), &provisioned.invoice_number),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(dir.path().join("invoice.key").exists());

    // The number still enrolls a workstation.
    let service = hostingd::start(
        ServeConfig::local(dir.path().to_path_buf()),
        Clock::default(),
    )
    .await
    .unwrap();
    let anonymous = Client::new(&service.base_url(), &service.ca_pem(), None).unwrap();
    let account = service
        .state
        .store
        .account_by_hosting_number(&provisioned.hosting_number)
        .await
        .unwrap()
        .unwrap();
    assert!(
        service
            .state
            .store
            .invoice_matches(&account, &provisioned.invoice_number)
    );
    assert!(!service.state.store.invoice_matches(&account, "0000000000"));
    enroll(
        &anonymous,
        &provisioned.hosting_number,
        &provisioned.invoice_number,
        &password,
    )
    .await
    .unwrap();
    assert_api_error(
        enroll(
            &anonymous,
            &provisioned.hosting_number,
            "0000000000",
            &password,
        )
        .await,
        401,
        "invalid_credentials",
    );
    service.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_text_invoice_numbers_are_converted_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServeConfig::local(dir.path().to_path_buf());
    let state = hostingd::build_state(&config, Clock::default())
        .await
        .unwrap();
    let (provisioned, password) = provision(&state, "Lycee Legacy").await;
    state.store.close().await;
    // A row as an older version left it: the number in clear, no digest, no sealed copy.
    {
        use sqlx::{ConnectOptions, Connection};
        let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("hostingd.db"))
            .connect()
            .await
            .unwrap();
        sqlx::query("PRAGMA secure_delete = ON")
            .execute(&mut connection)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE accounts SET invoice_number = $1, invoice_digest = '', invoice_sealed = ''",
        )
        .bind(&provisioned.invoice_number)
        .execute(&mut connection)
        .await
        .unwrap();
        sqlx::query("DELETE FROM outbox")
            .execute(&mut connection)
            .await
            .unwrap();
        connection.close().await.unwrap();
    }
    assert!(!files_containing(dir.path(), &provisioned.invoice_number).is_empty());

    let service = hostingd::start(config, Clock::default()).await.unwrap();
    let store = service.state.store.clone();
    let anonymous = Client::new(&service.base_url(), &service.ca_pem(), None).unwrap();
    let identity = enroll(
        &anonymous,
        &provisioned.hosting_number,
        &provisioned.invoice_number,
        &password,
    )
    .await
    .unwrap();
    let manager = Client::new(&service.base_url(), &service.ca_pem(), Some(&identity)).unwrap();
    manager.login(&password).await.unwrap();
    assert_eq!(
        manager.account().await.unwrap().invoice_number.as_deref(),
        Some(provisioned.invoice_number.as_str())
    );
    service.shutdown().await.unwrap();
    store.close().await;
    assert_eq!(
        files_containing(dir.path(), &provisioned.invoice_number),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn manager_still_reads_the_invoice_number() {
    let service = TestService::start().await;
    let logins = service.provision("Lycee Sheet").await;
    let (manager, _) = service.manager(&logins).await;
    assert_eq!(
        manager.account().await.unwrap().invoice_number.as_deref(),
        Some(logins.invoice_number.as_str())
    );
    let superadmin = service.superadmin(&manager, &logins, "jsheet").await;
    assert_eq!(superadmin.account().await.unwrap().invoice_number, None);
}

#[cfg(unix)]
fn loose_entries(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut loose = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let mode = std::fs::metadata(&current).unwrap().permissions().mode();
        if mode & 0o077 != 0 {
            loose.push(format!("{} {:o}", current.display(), mode & 0o777));
        }
        if current.is_dir() {
            for entry in std::fs::read_dir(&current).unwrap() {
                pending.push(entry.unwrap().path());
            }
        }
    }
    loose
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn data_directory_files_are_owner_only() {
    // In this process (the console's built-in service runs the same way) the umask is left
    // alone: the service tightens what it makes.
    let service = TestService::start().await;
    let school = common::files::school(&service, "Lycee Private").await;
    let photos = common::files::write_file(school.dir.path(), "t.HPHOTOS", 300_000, 7);
    common::files::upload(&school.client, &photos).await;
    let data_dir = service.dir.path().to_path_buf();
    if !hostingd::testing::on_postgres() {
        assert!(data_dir.join("hostingd.db-wal").exists());
    }
    assert!(data_dir.join("tls/ca.key").exists());
    assert!(data_dir.join("invoice.key").exists());
    // (With HOSTINGD_TEST_BACKEND_BLOBS=s3 the blobs are in the bucket, not in the directory.)
    if matches!(
        service.service.state.blobs.location(),
        hostingd::blobs::BlobLocation::Local(_)
    ) {
        assert!(
            !common::files::files_under(&data_dir.join("blobs")).is_empty(),
            "the upload wrote a blob"
        );
    }
    assert_eq!(loose_entries(&data_dir), Vec::<String>::new());

    // A data directory made by an older version is tightened at start.
    let old = tempfile::tempdir().unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(old.path().join("blobs/uploads")).unwrap();
        std::fs::write(old.path().join("blobs/uploads/part"), "x").unwrap();
        for path in ["", "blobs", "blobs/uploads"] {
            std::fs::set_permissions(
                old.path().join(path),
                std::fs::Permissions::from_mode(0o755),
            )
            .unwrap();
        }
        std::fs::set_permissions(
            old.path().join("blobs/uploads/part"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let state = hostingd::build_state(
        &ServeConfig::local(old.path().to_path_buf()),
        Clock::default(),
    )
    .await
    .unwrap();
    assert_eq!(loose_entries(old.path()), Vec::<String>::new());
    state.store.close().await;

    // The binary sets its umask: a fresh data directory is owner-only from the first byte.
    let fresh = tempfile::tempdir().unwrap();
    let data_dir = fresh.path().join("data");
    let output = hostingd(
        &data_dir,
        &[
            "provision",
            "--school",
            "X",
            "--email",
            "m@x.fr",
            "--phone",
            "+33600000009",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(data_dir.join("hostingd.db").exists());
    assert_eq!(loose_entries(&data_dir), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn refuses_to_start_with_only_one_of_ca_pem_and_ca_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServeConfig::local(dir.path().to_path_buf());
    let service = hostingd::start(config.clone(), Clock::default())
        .await
        .unwrap();
    let store = service.state.store.clone();
    service.shutdown().await.unwrap();
    store.close().await;
    let ca_pem = dir.path().join("tls/ca.pem");
    let ca_key = dir.path().join("tls/ca.key");
    let original = std::fs::read_to_string(&ca_pem).unwrap();

    // The key is lost: no new CA is made over the certificate.
    let key = std::fs::read(&ca_key).unwrap();
    std::fs::remove_file(&ca_key).unwrap();
    let error = match hostingd::start(config.clone(), Clock::default()).await {
        Ok(_) => panic!("the service started with ca.pem alone"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("ca.pem") && error.contains("ca.key"),
        "{error}"
    );
    assert!(error.contains("restore"), "{error}");
    assert_eq!(std::fs::read_to_string(&ca_pem).unwrap(), original);
    assert!(!ca_key.exists());

    // The certificate is lost.
    std::fs::write(&ca_key, &key).unwrap();
    std::fs::remove_file(&ca_pem).unwrap();
    assert!(
        hostingd::start(config.clone(), Clock::default())
            .await
            .is_err()
    );
    assert!(!ca_pem.exists());

    // Both back: the same CA.
    std::fs::write(&ca_pem, &original).unwrap();
    let service = hostingd::start(config, Clock::default()).await.unwrap();
    assert_eq!(service.ca_pem(), original);
    assert!(!service.state.pki.created_ca);
    service.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_files_are_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("invoice.key");
    hostingd::private_files::write_private_atomic(&key, b"first").unwrap();
    hostingd::private_files::write_private_atomic(&key, b"second").unwrap();
    assert_eq!(std::fs::read_to_string(&key).unwrap(), "second");
    // A service's secret files are whole, and no temporary file is left behind.
    let service = TestService::start().await;
    let tls = service.dir.path().join("tls");
    for entry in std::fs::read_dir(&tls)
        .unwrap()
        .chain(std::fs::read_dir(service.dir.path()).unwrap())
    {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".tmp"), "{name} was left behind");
    }
    for file in ["ca.key", "server.key"] {
        assert!(
            hosting_api::tls::private_key_from_pem(
                &std::fs::read_to_string(tls.join(file)).unwrap()
            )
            .is_ok()
        );
    }
    let invoice_key = std::fs::read_to_string(service.dir.path().join("invoice.key")).unwrap();
    assert_eq!(invoice_key.trim().len(), 64);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_url_and_sms_token_from_files() {
    let (smtp_port, emails) = smtp_sink().await;
    let (sms_port, sms) = sms_gateway("token-from-a-file", Arc::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let write = |name: &str, value: String| {
        let path = secrets.path().join(name);
        std::fs::write(&path, format!("{value}\n")).unwrap();
        path
    };
    let mut config = ServeConfig::local(dir.path().to_path_buf());
    config.smtp_url_file = Some(write("smtp", format!("smtp://127.0.0.1:{smtp_port}")));
    config.sms_url_file = Some(write(
        "sms-url",
        format!("http://127.0.0.1:{sms_port}/send"),
    ));
    config.sms_token_file = Some(write("sms-token", "token-from-a-file".to_string()));
    let state = hostingd::build_state(&config, Clock::default())
        .await
        .unwrap();
    let (provisioned, _) = provision(&state, "Lycee Files").await;
    let delivery = Delivery::from_config(&config).unwrap().unwrap();
    assert_eq!(delivery.deliver_pending(&state.store).await.unwrap(), 3);
    assert!(emails.lock().unwrap()[1].contains(&provisioned.hosting_number));
    assert_eq!(sms.lock().unwrap()[0]["to"], "+33611112222");

    // A flag and its file together are refused, before anything starts.
    let output = hostingd(
        dir.path(),
        &[
            "serve",
            "--sms-token",
            "x",
            "--sms-token-file",
            "/nonexistent",
        ],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot be used with"));
    config.sms_token = Some("x".to_string());
    assert!(Delivery::from_config(&config).is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_invoice_refuses_the_old_number() {
    let service = TestService::start().await;
    let logins = service.provision("Lycee Rotate").await;
    let (manager, _) = service.manager(&logins).await;
    hostingd::operator::rotate_invoice(service.store(), &logins.hosting_number)
        .await
        .unwrap();
    let anonymous = service.anonymous();
    assert_api_error(
        enroll(
            &anonymous,
            &logins.hosting_number,
            &logins.invoice_number,
            &logins.password,
        )
        .await,
        401,
        "invalid_credentials",
    );
    // The new number went by e-mail to the manager.
    let outbox = service
        .store()
        .outbox(Some(logins.account_id))
        .await
        .unwrap();
    let email = outbox.last().unwrap();
    assert_eq!(email.channel, "email");
    assert_eq!(email.recipient, "manager@lycee-rotate.fr");
    let new_number = email
        .body
        .lines()
        .find_map(|l| l.strip_prefix("New invoice number: "))
        .unwrap()
        .to_string();
    assert_ne!(new_number, logins.invoice_number);
    enroll(
        &anonymous,
        &logins.hosting_number,
        &new_number,
        &logins.password,
    )
    .await
    .unwrap();
    // The installed workstation keeps working and shows the new number.
    assert_eq!(
        manager.account().await.unwrap().invoice_number.as_deref(),
        Some(new_number.as_str())
    );
    let audit = service.store().audit_log(logins.account_id).await.unwrap();
    assert!(format!("{audit:?}").contains("account.invoice_rotated"));

    // The operator command.
    let dir = tempfile::tempdir().unwrap();
    let output = hostingd(
        dir.path(),
        &[
            "provision",
            "--school",
            "X",
            "--email",
            "m@x.fr",
            "--phone",
            "+33600000009",
            "--json",
        ],
    );
    let provisioned: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let output = hostingd(
        dir.path(),
        &[
            "rotate-invoice",
            provisioned["hosting_number"].as_str().unwrap(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = hostingd(dir.path(), &["outbox"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Nouveau numéro de facture : "));
    let output = hostingd(dir.path(), &["rotate-invoice", "123"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("12 digits"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_trusts_only_the_chosen_ca() {
    let service = TestService::start().await;
    let other = TestService::start().await;
    let logins = service.provision("Lycee Trust").await;
    let key = WorkstationKey::generate("PC").unwrap();
    let enrolled = service
        .anonymous()
        .enroll(&EnrollmentRequest {
            role: Role::Manager,
            hosting_number: logins.hosting_number.clone(),
            password: logins.password.clone(),
            username: None,
            invoice_number: logins.invoice_number.clone(),
            csr_pem: key.csr_pem,
            workstation_name: "PC".to_string(),
        })
        .await
        .unwrap();
    let identity = ClientIdentity {
        certificate_pem: enrolled.certificate_pem,
        key_pem: key.key_pem,
    };
    // The enrollment answer carries the service's CA, but the person chose another one: the
    // sign-in must not fall back on the CA of the answer.
    assert_eq!(enrolled.ca_pem, service.service.ca_pem());
    let chosen = other.service.ca_pem();
    let refused = Client::sign_in(
        &service.service.base_url(),
        ServerTrust::Ca(&chosen),
        &identity,
        &logins.password,
    )
    .await;
    assert!(
        matches!(refused, Err(hosting_api::ClientError::Transport(_))),
        "{refused:?}"
    );
    // The same with a pin of another CA.
    let pin = hosting_api::tls::pem_fingerprint(&chosen).unwrap();
    assert!(
        Client::sign_in(
            &service.service.base_url(),
            ServerTrust::Pinned(&pin),
            &identity,
            &logins.password
        )
        .await
        .is_err()
    );
    // With the chosen pin of the right CA it works.
    let pin = hosting_api::tls::pem_fingerprint(&service.service.ca_pem()).unwrap();
    let (client, session) = Client::sign_in(
        &service.service.base_url(),
        ServerTrust::Pinned(&pin),
        &identity,
        &logins.password,
    )
    .await
    .unwrap();
    assert_eq!(session.principal.role, Role::Manager);
    assert!(client.account().await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_of_requests_redacts_secrets() {
    let service = TestService::start().await;
    let logins = service.provision("Lycee Debug").await;
    let (manager, identity) = service.manager(&logins).await;
    let session = manager.login(&logins.password).await.unwrap();
    let account = manager.account().await.unwrap();
    let key = WorkstationKey::generate("PC").unwrap();
    let request = EnrollmentRequest {
        role: Role::Manager,
        hosting_number: logins.hosting_number.clone(),
        password: logins.password.clone(),
        username: None,
        invoice_number: logins.invoice_number.clone(),
        csr_pem: key.csr_pem.clone(),
        workstation_name: "PC".to_string(),
    };
    let new_user = NewUser {
        first_name: "Jeanne".to_string(),
        surname: "Dupont".to_string(),
        username: "jdebug".to_string(),
        password: common::SUPERADMIN_PASSWORD.to_string(),
        superadmin: true,
    };
    let printed = [
        format!("{request:?}"),
        format!(
            "{:?}",
            SessionRequest {
                password: logins.password.clone()
            }
        ),
        format!("{session:?}"),
        format!("{account:?}"),
        format!("{new_user:?}"),
        format!("{identity:?}"),
        format!("{key:?}"),
        format!("{:?}", hosting_api::Secret::new(logins.password.clone())),
        format!("{manager:?}"),
    ]
    .join("\n");
    for secret in [
        logins.password.as_str(),
        logins.invoice_number.as_str(),
        session.token.as_str(),
        common::SUPERADMIN_PASSWORD,
        "PRIVATE KEY",
    ] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains(&logins.hosting_number));
}
