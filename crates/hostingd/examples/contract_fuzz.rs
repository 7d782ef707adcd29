//! Fuzzes the wire contract: starts a real `hostingd` (SQLite, a local directory), provisions and
//! onboards a school, enrolls a workstation and logs in, then runs schemathesis over every
//! operation of the OpenAPI document with that certificate and session, once as a
//! superadministrator and once as the hosting manager (who may take the superadministrator's
//! console access away, so comes second); each main pass must leave its session working. The operations that end the caller's session or
//! certificate (logging out, renewing or revoking a workstation) run last, in a pass of their
//! own, so that they do not turn the rest of the run into `401`s.
//!
//! ```sh
//! SCHEMATHESIS=/path/to/venv/bin/schemathesis cargo run -p hostingd --example contract_fuzz
//! ```
//!
//! `FUZZ_MAX_EXAMPLES` sets the cases per operation (default 25). The exit status is
//! schemathesis's: non-zero on a server error, a response outside the document, or an
//! operation for which it could not generate a request.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use hosting_api::{ClientIdentity, Role, paths};
use hostingd::Clock;
use hostingd::testing::{self, Logins, SUPERADMIN_PASSWORD};

/// The operations after which the caller's session or certificate no longer works.
const ENDING: [(&str, &str); 3] = [
    ("DELETE", paths::SESSION_CURRENT),
    ("DELETE", paths::WORKSTATION),
    ("POST", paths::WORKSTATION_RENEWAL),
];

/// What schemathesis needs to call the service as one person.
struct Caller {
    name: &'static str,
    certificate: PathBuf,
    key: PathBuf,
    token: String,
    client: hosting_api::Client,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let schemathesis = std::env::var("SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into());
    let examples = std::env::var("FUZZ_MAX_EXAMPLES").unwrap_or_else(|_| "25".into());
    let dir = tempfile::tempdir()?;
    let config = testing::local_config(dir.path().join("data"));
    let service = hostingd::start(config, Clock::default()).await?;
    let logins = testing::provision(&service, "Lycée Contrat").await;
    testing::onboard(&service, &logins, "fuzz").await;

    let document = dir.path().join("openapi.json");
    std::fs::write(
        &document,
        serde_json::to_vec_pretty(&hostingd::http::openapi_document())?,
    )?;
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, service.ca_pem())?;

    let manager = caller(&service, &logins, dir.path(), Role::Manager).await?;
    let superadmin = caller(&service, &logins, dir.path(), Role::Superadmin).await?;
    let mut failed = Vec::new();
    // The superadministrator first: the manager's pass may take their console access away.
    for who in [&superadmin, &manager] {
        for ending in [false, true] {
            let pass = format!("{} ({})", who.name, if ending { "ending" } else { "main" });
            println!("contract_fuzz: schemathesis as {pass}");
            let mut command = Command::new(&schemathesis);
            // Its cache and reports go to the run's temporary folder, not the checkout.
            command
                .current_dir(dir.path())
                .arg("run")
                .arg(&document)
                .args(["--url", &service.base_url()])
                .args([
                    "--checks",
                    &std::env::var("FUZZ_CHECKS").unwrap_or_else(|_| "not_a_server_error".into()),
                ])
                .args(["--max-examples", &examples])
                .args(["--seed", "1"])
                .args(["--workers", "2"])
                .arg("--tls-verify")
                .arg(&ca)
                .arg("--request-cert")
                .arg(&who.certificate)
                .arg("--request-cert-key")
                .arg(&who.key)
                .args(["--header", &format!("Authorization: Bearer {}", who.token)])
                .arg("--no-color");
            // One regex: schemathesis keeps only the last of several filters of one kind.
            let ending_names: Vec<String> = ENDING
                .iter()
                .map(|(method, path)| format!("{method} {}", path.replace(['{', '}'], ".")))
                .collect();
            let filter = format!("^({})$", ending_names.join("|"));
            command.args([
                if ending {
                    "--include-name-regex"
                } else {
                    "--exclude-name-regex"
                },
                &filter,
            ]);
            let status = command
                .status()
                .with_context(|| format!("starting {schemathesis}"))?;
            if !status.success() {
                failed.push(pass.clone());
            }
            // The main pass must leave the session working, or most of it tested only refusals.
            if !ending && let Err(error) = who.client.account().await {
                println!("contract_fuzz: the session of {pass} ended during the pass: {error}");
                failed.push(format!("{pass}: session ended"));
            }
        }
    }
    service.shutdown().await?;
    if !failed.is_empty() {
        bail!("schemathesis found problems as {}", failed.join(", "));
    }
    println!("contract_fuzz: every operation, as each role: no server error");
    Ok(())
}

/// Enrolls a workstation of `role` (the onboarded superadministrator `jdupont` for a
/// superadministrator), logs it in, and writes its certificate and key in `dir`.
async fn caller(
    service: &hostingd::RunningService,
    logins: &Logins,
    dir: &Path,
    role: Role,
) -> anyhow::Result<Caller> {
    let (name, username, password) = match role {
        Role::Manager => ("manager", None, logins.password.as_str()),
        Role::Superadmin => ("superadmin", Some("jdupont"), SUPERADMIN_PASSWORD),
    };
    let identity: ClientIdentity = testing::enroll_as(
        service,
        &format!("Fuzz {name}"),
        role,
        logins,
        username,
        password,
    )
    .await?;
    let client = testing::with_identity(service, &identity);
    let session = client.login(password).await?;
    let certificate = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&certificate, &identity.certificate_pem)?;
    std::fs::write(&key, &identity.key_pem)?;
    Ok(Caller {
        name,
        certificate,
        key,
        token: session.token,
        client,
    })
}
