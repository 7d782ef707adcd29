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
    let mut cases = 0;
    // The superadministrator first: the manager's pass may take their console access away.
    for who in [&superadmin, &manager] {
        for ending in [false, true] {
            let pass = format!("{} ({})", who.name, if ending { "ending" } else { "main" });
            println!("contract_fuzz: schemathesis as {pass}");
            let report = dir.path().join(format!("{}-{ending}.json", who.name));
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
                // One worker: hypothesis on Python 3.11 can fail in its own AST cache when
                // several threads generate at once ("AST constructor recursion depth mismatch").
                .args(["--workers", "1"])
                .args(["--report", "json"])
                .arg("--report-json-path")
                .arg(&report)
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
            command
                .status()
                .with_context(|| format!("starting {schemathesis}"))?;
            let verdict = Verdict::read(&report)?;
            println!("contract_fuzz: {pass}: {verdict}");
            cases += verdict.generated;
            if !verdict.passed() {
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
    println!(
        "contract_fuzz: every operation, as each role: {cases} cases, no server error, every operation generated"
    );
    Ok(())
}

/// What a pass found, from schemathesis's JSON report.
struct Verdict {
    generated: u64,
    /// Failed checks: here, server errors.
    failures: u64,
    /// Errors by title: "Schema Error" (no request could be generated), "Network Error"…
    errors: Vec<(String, u64)>,
}

impl Verdict {
    fn read(report: &Path) -> anyhow::Result<Verdict> {
        let text = std::fs::read_to_string(report)
            .with_context(|| format!("schemathesis wrote no report at {}", report.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)?;
        let count = |value: &serde_json::Value| value.as_u64().unwrap_or(0);
        let errors = json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["title"].as_str().unwrap_or("?").to_string(),
                            count(&e["count"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Verdict {
            generated: count(&json["test_cases"]["generated"]),
            failures: json["failures"].as_array().map_or(0, |f| f.len() as u64),
            errors,
        })
    }

    /// No server error, and every operation generated. A transport error of a request far
    /// beyond what the service reads (a head of megabytes, which hyper refuses by closing the
    /// connection) is reported, not counted against the service.
    fn passed(&self) -> bool {
        self.failures == 0
            && self
                .errors
                .iter()
                .all(|(title, _)| title.contains("Network") || title.contains("Runtime"))
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cases, {} failed checks",
            self.generated, self.failures
        )?;
        for (title, count) in &self.errors {
            write!(f, ", {count} × {title}")?;
        }
        Ok(())
    }
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
