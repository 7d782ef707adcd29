//! Test support, behind the `testing` feature: what hostingd's integration tests and benchmarks
//! and the console's end-to-end tests share. A service's window of schedule ports from one
//! per-process allocator, accounts provisioned like the provider's staff do with their logins
//! read out of the outbox, workstations enrolled with CSRs made here, the hosting manager's
//! onboarding done through the typed client, and a real `hostingd` process started once it
//! listens.
//!
//! This is test code: a helper that cannot do its job panics with what went wrong.

pub mod cas;
mod ports;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hosting_api::{
    Client, ClientError, ClientIdentity, EnrollmentRequest, NewUser, Role, ScheduleUpdate, User,
    UserUpdate, WorkstationKey,
};

use crate::store::NewAccount;
use crate::{RunningService, ServeConfig};

pub use ports::{free_port, port_window};

/// A password that follows the user password rules: the superadministrators' in the tests.
pub const SUPERADMIN_PASSWORD: &str = "Correct1Horse2Battery";

/// The name of a workstation enrolled by [`enroll`].
pub const WORKSTATION_NAME: &str = "Test workstation";

/// The logins an account received by e-mail (numbers) and SMS (password).
#[derive(Debug, Clone)]
pub struct Logins {
    /// Account id.
    pub account_id: i64,
    /// The 12-digit hosting number.
    pub hosting_number: String,
    /// The 10-digit invoice number.
    pub invoice_number: String,
    /// The console password.
    pub password: String,
}

/// The S3 bucket the blob tests run against: `HOSTINGD_TEST_BLOB_STORE` (e.g. `s3://hostingd`,
/// which `.ci/run` sets with the `AWS_*` variables of its S3-compatible server), plus a random
/// prefix of its own for each call, so that tests never see each other's objects. `None` when
/// the variable is unset.
pub fn test_blob_store() -> Option<crate::blobs::BlobLocation> {
    let base = std::env::var("HOSTINGD_TEST_BLOB_STORE").ok()?;
    let base = base.trim_end_matches('/');
    let url = format!(
        "{base}/t-{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 8]>())
    );
    Some(
        url.parse()
            .unwrap_or_else(|error| panic!("HOSTINGD_TEST_BLOB_STORE: {error}")),
    )
}

/// True when every test service keeps its blobs in [`test_blob_store`] rather than in its data
/// directory: `HOSTINGD_TEST_BACKEND_BLOBS=s3` (the whole suite against S3).
pub fn all_blobs_on_s3() -> bool {
    std::env::var("HOSTINGD_TEST_BACKEND_BLOBS").is_ok_and(|v| v == "s3")
}

/// A local configuration in `data_dir` with a window of ports from [`port_window`], on the
/// database of [`database_url_for`]; its blobs are in `<data_dir>/blobs`, or in the bucket of
/// [`blob_store_for`] when [`all_blobs_on_s3`].
pub fn local_config(data_dir: PathBuf) -> ServeConfig {
    let database_url = database_url_for(&data_dir);
    let mut config = ServeConfig::local(data_dir);
    config.port_range = port_window();
    config.database_url = database_url;
    config.blob_store = blob_store_for(&config.data_dir);
    config
}

/// Chooses the database of the tests: `postgres` runs them on PostgreSQL.
pub const BACKEND_VARIABLE: &str = "HOSTINGD_TEST_BACKEND";
/// A PostgreSQL URL through which the tests create their databases (one per data directory).
pub const DATABASE_URL_VARIABLE: &str = "HOSTINGD_TEST_DATABASE_URL";
/// Where a data directory remembers its test database, so that a restarted service or an
/// operator command on it finds the same one.
const DATABASE_URL_FILE: &str = "test-database-url";

/// True when the tests run on PostgreSQL ([`BACKEND_VARIABLE`] is `postgres`).
pub fn on_postgres() -> bool {
    std::env::var(BACKEND_VARIABLE).is_ok_and(|backend| backend == "postgres")
}

/// The database URL of a test service in `data_dir`: none (SQLite in the directory, the
/// default) unless [`on_postgres`], then a new PostgreSQL database made through
/// [`DATABASE_URL_VARIABLE`] the first time, the same one afterwards.
pub fn database_url_for(data_dir: &Path) -> Option<String> {
    if !on_postgres() {
        return None;
    }
    let remembered = data_dir.join(DATABASE_URL_FILE);
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return Some(url);
    }
    let url = new_postgres_database();
    std::fs::create_dir_all(data_dir).expect("the data directory");
    // Owner-only, as everything in a data directory: a URL may hold a password.
    crate::private_files::write_private_atomic(&remembered, url.as_bytes())
        .expect("the test database's URL beside the data");
    Some(url)
}

/// Runs the calling test binary again with every test on PostgreSQL, when
/// [`DATABASE_URL_VARIABLE`] names a server and this run is the SQLite one: so that one
/// `cargo test` runs every integration test on both databases. `name` is the calling test,
/// which the second run skips. Panics with the second run's failures.
pub fn run_again_on_postgres(name: &str) {
    if on_postgres() {
        return;
    }
    if std::env::var_os(DATABASE_URL_VARIABLE).is_none() {
        println!("skipped: {DATABASE_URL_VARIABLE} is not set, so the tests ran on SQLite only");
        return;
    }
    let binary = std::env::current_exe().expect("the test binary");
    let mut again = Command::new(&binary);
    again
        .args(["--skip", name])
        .env(BACKEND_VARIABLE, "postgres");
    if std::env::var_os("HOSTINGD_TEST_BLOB_STORE").is_some() {
        // With a bucket at hand, the second pass keeps every blob in it too: the deployment of
        // several instances (PostgreSQL and an S3-compatible store) as a whole.
        again.env("HOSTINGD_TEST_BACKEND_BLOBS", "s3");
    }
    let output = again
        .output()
        .unwrap_or_else(|error| panic!("running {} again: {error}", binary.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout
        .lines()
        .filter(|line| line.starts_with("test result:"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        output.status.success(),
        "the tests on PostgreSQL failed ({summary}):\n{}\n{}",
        stdout
            .split_once("\nfailures:\n")
            .map_or(stdout.as_ref(), |(_, failures)| failures),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("on PostgreSQL: {summary}");
}

/// The environment that points an operator command or a `serve` process at the data of a test
/// service in `data_dir`: the directory, its database and its blob store.
pub fn data_env(data_dir: &Path) -> Vec<(&'static str, String)> {
    let mut env = vec![("HOSTINGD_DATA_DIR", data_dir.display().to_string())];
    if let Some(url) = database_url_for(data_dir) {
        env.push(("HOSTINGD_DATABASE_URL", url));
    }
    if let Some(store) = blob_store_for(data_dir) {
        env.push(("HOSTINGD_BLOB_STORE", store));
    }
    env
}

/// Where a data directory remembers its test bucket and prefix.
const BLOB_STORE_FILE: &str = "test-blob-store";

/// The blob store of a test service in `data_dir`: none (`<data_dir>/blobs`) unless
/// [`all_blobs_on_s3`], then a prefix of its own in [`test_blob_store`], chosen the first time
/// and the same afterwards (a restarted process, a second instance, an operator command).
pub fn blob_store_for(data_dir: &Path) -> Option<String> {
    if !all_blobs_on_s3() {
        return None;
    }
    let remembered = data_dir.join(BLOB_STORE_FILE);
    if let Ok(store) = std::fs::read_to_string(&remembered) {
        return Some(store);
    }
    let store = test_blob_store()
        .expect(
            "HOSTINGD_TEST_BACKEND_BLOBS=s3 needs HOSTINGD_TEST_BLOB_STORE (s3://bucket) and the AWS_* variables",
        )
        .to_string();
    std::fs::create_dir_all(data_dir).expect("the data directory");
    crate::private_files::write_private_atomic(&remembered, store.as_bytes())
        .expect("the test blob store beside the data");
    Some(store)
}

/// The database of the test service in `data_dir`, opened beside it (on either backend) for
/// reading or writing what the service never would.
pub async fn raw_database(data_dir: &Path) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = database_url_for(data_dir)
        .unwrap_or_else(|| ServeConfig::local(data_dir.to_path_buf()).database_url());
    sqlx::AnyPool::connect(&url)
        .await
        .unwrap_or_else(|error| panic!("the test database {url}: {error}"))
}

/// Creates an empty PostgreSQL database through [`DATABASE_URL_VARIABLE`] (the service
/// migrates it at start) and returns its URL.
pub fn new_postgres_database() -> String {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let admin = std::env::var(DATABASE_URL_VARIABLE).unwrap_or_else(|_| {
        panic!("{BACKEND_VARIABLE}=postgres needs {DATABASE_URL_VARIABLE}=postgres://…")
    });
    let name = format!(
        "hd_{}_{}_{:08x}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        rand::random::<u32>()
    );
    // Its own runtime on its own thread: callers may be inside a runtime or not.
    let statement = format!("CREATE DATABASE {name}");
    let admin_url = admin.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(async move {
                let mut connection = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|error| panic!("{DATABASE_URL_VARIABLE}: {error}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&mut connection)
                    .await
                    .expect("a test database");
                let _ = connection.close().await;
            });
    })
    .join()
    .expect("the test database made");
    let (base, _) = admin.rsplit_once('/').expect("a database URL with a path");
    format!("{base}/{name}")
}

/// What the provider's staff give for a school: its manager's e-mail is made from its name.
pub fn new_account(school: &str) -> NewAccount {
    NewAccount {
        school_name: school.to_string(),
        email: format!(
            "manager@{}.fr",
            school
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        ),
        phone: "+33611223344".to_string(),
        contract_ends_on: "2027-08-31".to_string(),
        // The tests read the e-mails in English.
        language: hosting_api::types::Language::En,
    }
}

/// Provisions an account and reads its logins from the outbox, as the manager would: the
/// numbers in the e-mail, the password in the SMS.
pub async fn provision(service: &RunningService, school: &str) -> Logins {
    let state = &service.state;
    let provisioned =
        crate::operator::provision(&state.store, &state.passwords, &new_account(school))
            .await
            .unwrap_or_else(|error| panic!("provisioning {school}: {error}"));
    let outbox = state
        .store
        .outbox(Some(provisioned.account_id))
        .await
        .unwrap_or_else(|error| panic!("the outbox: {error}"));
    // Two e-mails: the invoice number first, then the hosting number.
    let emails: Vec<_> = outbox.iter().filter(|m| m.channel == "email").collect();
    assert_eq!(emails.len(), 2, "two e-mails of logins");
    assert!(
        emails[0]
            .body
            .contains(&format!("Invoice number: {}", provisioned.invoice_number))
    );
    assert!(
        emails[1]
            .body
            .contains(&format!("Hosting number: {}", provisioned.hosting_number))
    );
    assert!(!emails[0].body.contains(&provisioned.hosting_number));
    assert!(!emails[1].body.contains(&provisioned.invoice_number));
    let sms = outbox
        .iter()
        .rev()
        .find(|m| m.channel == "sms")
        .expect("an SMS with the password");
    Logins {
        account_id: provisioned.account_id,
        hosting_number: provisioned.hosting_number,
        invoice_number: provisioned.invoice_number,
        password: password_in_sms(&sms.body),
    }
}

/// The password in an SMS of the outbox, in either language: the end of its first line
/// (`…password: <password>`, `…d'hébergement : <password>`).
pub fn password_in_sms(body: &str) -> String {
    body.lines()
        .next()
        .and_then(|line| line.rsplit_once(": "))
        .map(|(_, password)| password.trim().to_string())
        .filter(|password| !password.is_empty())
        .unwrap_or_else(|| panic!("no password in the SMS {body:?}"))
}

/// A client of `service` without a certificate.
pub fn anonymous(service: &RunningService) -> Client {
    Client::new(&service.base_url(), &service.ca_pem(), None).expect("a client")
}

/// A client of `service` presenting `identity`.
pub fn with_identity(service: &RunningService, identity: &ClientIdentity) -> Client {
    Client::new(&service.base_url(), &service.ca_pem(), Some(identity)).expect("a client")
}

/// Enrolls a workstation named [`WORKSTATION_NAME`] with a CSR made here.
pub async fn enroll(
    service: &RunningService,
    role: Role,
    logins: &Logins,
    username: Option<&str>,
    password: &str,
) -> Result<ClientIdentity, ClientError> {
    enroll_as(service, WORKSTATION_NAME, role, logins, username, password).await
}

/// Enrolls a workstation named `workstation_name` with a CSR made here.
pub async fn enroll_as(
    service: &RunningService,
    workstation_name: &str,
    role: Role,
    logins: &Logins,
    username: Option<&str>,
    password: &str,
) -> Result<ClientIdentity, ClientError> {
    let key = WorkstationKey::generate(workstation_name).expect("a workstation key");
    let response = anonymous(service)
        .enroll(&EnrollmentRequest {
            role,
            hosting_number: logins.hosting_number.clone(),
            password: password.to_string(),
            username: username.map(str::to_string),
            invoice_number: logins.invoice_number.clone(),
            csr_pem: key.csr_pem,
            workstation_name: workstation_name.to_string(),
        })
        .await?;
    assert_eq!(response.ca_pem, service.ca_pem());
    Ok(ClientIdentity {
        certificate_pem: response.certificate_pem,
        key_pem: key.key_pem,
    })
}

/// The hosting manager's workstation named `workstation_name`, enrolled and logged in.
pub async fn manager_as(
    service: &RunningService,
    workstation_name: &str,
    logins: &Logins,
) -> (Client, ClientIdentity) {
    let identity = enroll_as(
        service,
        workstation_name,
        Role::Manager,
        logins,
        None,
        &logins.password,
    )
    .await
    .unwrap_or_else(|error| panic!("enrolling the hosting manager: {error}"));
    let client = with_identity(service, &identity);
    client
        .login(&logins.password)
        .await
        .unwrap_or_else(|error| panic!("the hosting manager's login: {error}"));
    (client, identity)
}

/// The hosting manager's workstation ([`WORKSTATION_NAME`]), enrolled and logged in.
pub async fn manager(service: &RunningService, logins: &Logins) -> (Client, ClientIdentity) {
    manager_as(service, WORKSTATION_NAME, logins).await
}

/// Creates the superadministrator Jeanne Dupont `username` ([`SUPERADMIN_PASSWORD`]) through
/// `manager`, with an e-mail address and console access.
pub async fn grant_superadmin(manager: &Client, username: &str) -> User {
    let user = manager
        .create_user(&NewUser {
            first_name: "Jeanne".to_string(),
            surname: "Dupont".to_string(),
            username: username.to_string(),
            password: SUPERADMIN_PASSWORD.to_string(),
            superadmin: true,
        })
        .await
        .unwrap_or_else(|error| panic!("creating {username}: {error}"));
    let grant = UserUpdate {
        email: Some(format!("{username}@school.fr")),
        console_access: Some(true),
        ..Default::default()
    };
    manager
        .update_user(user.id, &grant)
        .await
        .unwrap_or_else(|error| panic!("granting {username} console access: {error}"))
}

/// Creates a superadministrator with console access through `manager`, then enrolls and logs in
/// their own workstation.
pub async fn superadmin(
    service: &RunningService,
    manager: &Client,
    logins: &Logins,
    username: &str,
) -> Client {
    grant_superadmin(manager, username).await;
    let identity = enroll(
        service,
        Role::Superadmin,
        logins,
        Some(username),
        SUPERADMIN_PASSWORD,
    )
    .await
    .unwrap_or_else(|error| panic!("enrolling {username}: {error}"));
    let client = with_identity(service, &identity);
    client
        .login(SUPERADMIN_PASSWORD)
        .await
        .unwrap_or_else(|error| panic!("{username}'s login: {error}"));
    client
}

/// The hosting manager's onboarding through the typed client, on a workstation named
/// `Manager PC`: the licence accepted, the domains `<prefix>-lycee`, `<prefix>-planning01`…,
/// and a superadministrator `jdupont` with console access in the Administration profile of
/// every schedule.
pub async fn onboard(service: &RunningService, logins: &Logins, prefix: &str) {
    let (manager, _) = manager_as(service, "Manager PC", logins).await;
    let licence = manager.licence().await.expect("the licence");
    manager
        .accept_licence(&licence.version)
        .await
        .expect("accepting the licence");
    manager
        .set_controller_domain(&format!("{prefix}-lycee"))
        .await
        .expect("the controller's domain");
    let user = grant_superadmin(&manager, "jdupont").await;
    for schedule in manager.schedules().await.expect("the schedules") {
        let update = ScheduleUpdate {
            domain: Some(format!("{prefix}-{}", schedule.name)),
            ..Default::default()
        };
        manager
            .update_schedule(schedule.id, &update)
            .await
            .expect("a schedule's domain");
        manager
            .set_profile_members(schedule.id, "Administration", &[user.id])
            .await
            .expect("the Administration profile");
    }
}

/// Starts the `hostingd` binary at `binary` (`env!("CARGO_BIN_EXE_hostingd")`) serving `dir`
/// on `127.0.0.1:port` with `extra` flags, and returns once it says it listens. A start that
/// fails (the port of a process just killed not free yet) is tried again for 30 s.
pub fn serve(binary: &Path, dir: &Path, port: u16, extra: &[&str]) -> Child {
    serve_with_env(binary, dir, port, extra, &[])
}

/// [`serve`] with `env` over the data's environment (a fault test's relays).
pub fn serve_with_env(
    binary: &Path,
    dir: &Path,
    port: u16,
    extra: &[&str],
    env: &[(&str, String)],
) -> Child {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut child = Command::new(binary)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .envs(data_env(dir))
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("starting {}: {error}", binary.display()));
        let stdout = child.stdout.take().expect("the child's stdout");
        let mut lines = BufReader::new(stdout).lines();
        // The first line says it listens; none means it stopped.
        match lines.next() {
            Some(Ok(first)) if first.starts_with("hostingd listening on") => {
                std::thread::spawn(move || lines.for_each(drop));
                return child;
            }
            first => {
                let status = child.wait();
                assert!(
                    Instant::now() < deadline,
                    "hostingd did not start: {first:?}, {status:?}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[cfg(test)]
mod tests;
