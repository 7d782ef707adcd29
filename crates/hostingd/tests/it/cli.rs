//! The `hostingd` binary: `serve` as a real process, and the operator commands.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use hosting_api::{Client, EnrollmentRequest, Role, WorkstationKey};

fn hostingd(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(args)
        .envs(hostingd::testing::data_env(data_dir))
        .output()
        .unwrap()
}

fn outbox(data_dir: &std::path::Path) -> Vec<serde_json::Value> {
    let output = hostingd(data_dir, &["outbox", "--json"]);
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn operator_commands() {
    let dir = tempfile::tempdir().unwrap();
    let output = hostingd(
        dir.path(),
        &[
            "provision",
            "--school",
            "Lycee Test",
            "--email",
            "boss@lycee-test.fr",
            "--phone",
            "+33612345678",
            "--json",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let provisioned: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let hosting_number = provisioned["hosting_number"].as_str().unwrap().to_string();
    assert_eq!(hosting_number.len(), 12);
    // The password is never printed by provision: it only goes by SMS.
    assert!(!String::from_utf8_lossy(&output.stdout).contains("password"));

    // Two e-mails (the invoice number, then the hosting number) and an SMS.
    let messages = outbox(dir.path());
    assert_eq!(messages.len(), 3);
    for email in &messages[..2] {
        assert_eq!(email["channel"], "email");
        assert_eq!(email["recipient"], "boss@lycee-test.fr");
        assert!(email["subject"].as_str().unwrap().len() > 3);
    }
    assert!(
        messages[0]["body"]
            .as_str()
            .unwrap()
            .contains("Numéro de facture : ")
    );
    assert!(
        messages[1]["body"]
            .as_str()
            .unwrap()
            .contains(&hosting_number)
    );
    let sms = &messages[2];
    assert_eq!(sms["channel"], "sms");
    assert_eq!(sms["recipient"], "+33612345678");
    let first_password = sms["body"].as_str().unwrap().to_string();

    let output = hostingd(dir.path(), &["reset-password", &hosting_number]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let messages = outbox(dir.path());
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[3]["channel"], "sms");
    assert_ne!(messages[3]["body"].as_str().unwrap(), first_password);

    // Bad input: a sentence on stderr and a failure status.
    let output = hostingd(dir.path(), &["reset-password", "12"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("12 digits"));
    let output = hostingd(dir.path(), &["revoke-workstation", "424242"]);
    assert!(!output.status.success());
    let output = hostingd(
        dir.path(),
        &[
            "provision",
            "--school",
            "X",
            "--email",
            "not-an-email",
            "--phone",
            "1",
        ],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("e-mail"));
    assert_eq!(outbox(dir.path()).len(), 4);
}

#[test]
fn release_commands_publish_list_and_refuse_bad_days() {
    let dir = tempfile::tempdir().unwrap();
    let publish = |version: &str, pre: &str, window: &str| {
        hostingd(
            dir.path(),
            &[
                "release",
                "publish",
                "--version",
                version,
                "--prerelease-from",
                pre,
                "--window",
                window,
            ],
        )
    };
    let output = publish("2027", "2027-07-01", "2027-08-21..2027-08-24");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("release 2027 published"));
    for (pre, window, says) in [
        ("2027-07-01", "2027-08-24..2027-08-21", "after its last day"),
        ("2027-08-22", "2027-08-21..2027-08-24", "pre-release"),
        ("2027-07-01", "2027-08-21", "FIRST..LAST"),
        ("01/07/2027", "2027-08-21..2027-08-24", "YYYY-MM-DD"),
    ] {
        let output = publish("2028", pre, window);
        assert!(!output.status.success(), "{window}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    // Publishing again changes the days.
    let output = publish("2027", "2027-06-15", "2027-08-20..2027-08-25");
    assert!(output.status.success());
    let output = hostingd(dir.path(), &["release", "list", "--json"]);
    assert!(output.status.success());
    let listed: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["version"], "2027");
    assert_eq!(listed[0]["prerelease_from"], "2027-06-15");
    assert_eq!(listed[0]["window_end"], "2027-08-25");
}

#[test]
fn prices_and_contract_commands() {
    let dir = tempfile::tempdir().unwrap();
    let set = |args: &[&str]| {
        let mut all = vec!["prices", "set"];
        all.extend_from_slice(args);
        hostingd(dir.path(), &all)
    };
    let output = set(&[
        "--item",
        "hosting",
        "--amount",
        "1450,00",
        "--from",
        "2027-09-01",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1450.00 EUR"));
    for (args, says) in [
        (
            vec!["--item", "coffee", "--amount", "3", "--from", "2027-09-01"],
            "not an item",
        ),
        (
            vec![
                "--item",
                "hosting",
                "--amount",
                "3.456",
                "--from",
                "2027-09-01",
            ],
            "not an amount",
        ),
        (
            vec!["--item", "hosting", "--amount", "3", "--from", "sept"],
            "YYYY-MM-DD",
        ),
        (
            vec![
                "--item",
                "hosting",
                "--amount",
                "3",
                "--vat",
                "x",
                "--from",
                "2027-09-01",
            ],
            "VAT",
        ),
    ] {
        let output = set(&args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    let output = hostingd(dir.path(), &["prices", "list", "--json"]);
    let listed: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["amount_cents"], 145_000);
    assert_eq!(listed[0]["vat_per_mille"], 200);

    let output = hostingd(
        dir.path(),
        &[
            "provision",
            "--school",
            "Lycee Contrat",
            "--email",
            "m@contrat.fr",
            "--phone",
            "+33600000001",
            "--json",
        ],
    );
    let provisioned: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let hosting_number = provisioned["hosting_number"].as_str().unwrap();
    let output = hostingd(
        dir.path(),
        &[
            "contract",
            "set",
            hosting_number,
            "--starts-on",
            "2026-09-01",
            "--ends-on",
            "2028-08-31",
            "--administration-licences",
            "4",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (args, says) in [
        (vec!["--ends-on", "2028-02-30"], "YYYY-MM-DD"),
        (
            vec!["--starts-on", "2029-01-01", "--ends-on", "2028-08-31"],
            "before it starts",
        ),
    ] {
        let mut all = vec!["contract", "set", hosting_number];
        all.extend_from_slice(&args);
        let output = hostingd(dir.path(), &all);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    let output = hostingd(
        dir.path(),
        &["contract", "set", "000000000000", "--ends-on", "2028-08-31"],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no account"));
}

#[test]
fn serve_runs_as_a_process_and_enrolls_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let output = hostingd(
        dir.path(),
        &[
            "provision",
            "--school",
            "Lycee Process",
            "--email",
            "m@process.fr",
            "--phone",
            "+33600000001",
            "--json",
        ],
    );
    let provisioned: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let messages = outbox(dir.path());
    let password = hostingd::testing::password_in_sms(messages[2]["body"].as_str().unwrap());

    let mut child = Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .envs(hostingd::testing::data_env(dir.path()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines.next().unwrap().unwrap();
    let base_url = address
        .strip_prefix("hostingd listening on ")
        .unwrap()
        .to_string();
    let fingerprint_line = lines.next().unwrap().unwrap();
    let ca_pem = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();
    assert!(fingerprint_line.ends_with(&hosting_api::tls::pem_fingerprint(&ca_pem).unwrap()));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let anonymous = Client::new(&base_url, &ca_pem, None).unwrap();
        assert_eq!(anonymous.health().await.unwrap().status, "ok");
        let key = WorkstationKey::generate("PC").unwrap();
        let enrolled = anonymous
            .enroll(&EnrollmentRequest {
                role: Role::Manager,
                hosting_number: provisioned["hosting_number"].as_str().unwrap().to_string(),
                password: password.clone(),
                username: None,
                invoice_number: provisioned["invoice_number"].as_str().unwrap().to_string(),
                csr_pem: key.csr_pem,
                workstation_name: "PC".to_string(),
            })
            .await
            .unwrap();
        let identity = hosting_api::ClientIdentity {
            certificate_pem: enrolled.certificate_pem,
            key_pem: key.key_pem,
        };
        let client = Client::new(&base_url, &ca_pem, Some(&identity)).unwrap();
        client.login(&password).await.unwrap();
        assert_eq!(client.schedules().await.unwrap().len(), 2);
    });
    child.kill().unwrap();
    child.wait().unwrap();

    // The operator revokes the workstation from the command line.
    let output = hostingd(dir.path(), &["revoke-workstation", "1"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The database URL can come from a file (`--database-url-file`, issue 23): it then stays out of
/// `ps` and of the environment; and `--help` never prints the value the environment gives.
#[test]
fn the_database_url_is_read_from_a_file_and_hidden_from_help() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = runtime.block_on(async {
        let t = crate::common::TestService::start().await;
        t.provision("Lycee Fichier").await;
        let crate::common::TestService { service, dir, .. } = t;
        service.shutdown().await.unwrap();
        dir
    });
    let url = hostingd::testing::database_url_for(dir.path())
        .unwrap_or_else(|| hostingd::ServeConfig::local(dir.path().to_path_buf()).database_url());
    let file = dir.path().join("database-url");
    std::fs::write(&file, format!("{url}\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["outbox", "--json", "--data-dir"])
        .arg(dir.path())
        .arg("--database-url-file")
        .arg(&file)
        .envs(
            hostingd::testing::data_env(dir.path())
                .into_iter()
                .filter(|(name, _)| *name != "HOSTINGD_DATABASE_URL"),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines = String::from_utf8(output.stdout).unwrap();
    assert_eq!(lines.lines().count(), 3, "the account's three messages");
    // Both at once is refused, with a sentence.
    let both = Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args([
            "outbox",
            "--database-url",
            "sqlite://x",
            "--database-url-file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!both.status.success());
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
    // The environment's URL (and its password) is not printed by --help.
    let help = Command::new(env!("CARGO_BIN_EXE_hostingd"))
        .args(["serve", "--help"])
        .env(
            "HOSTINGD_DATABASE_URL",
            "postgres://hostingd:s3cret-pass@db/hostingd",
        )
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("--database-url-file"));
    assert!(!help.contains("s3cret-pass"), "{help}");
}
