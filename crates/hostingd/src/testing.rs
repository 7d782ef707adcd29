//! Test support, behind the `testing` feature: what hostingd's integration tests and benchmarks
//! and the console's end-to-end tests share. A service's window of schedule ports from one
//! per-process allocator, accounts provisioned like the provider's staff do with their logins
//! read out of the outbox, workstations enrolled with CSRs made here, the hosting manager's
//! onboarding done through the typed client, and a real `hostingd` process started once it
//! listens.
//!
//! This is test code: a helper that cannot do its job panics with what went wrong.

use std::io::{BufRead, BufReader};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use hosting_api::{
    Client, ClientError, ClientIdentity, EnrollmentRequest, NewUser, Role, ScheduleUpdate, User,
    UserUpdate, WorkstationKey,
};

use crate::store::NewAccount;
use crate::{RunningService, ServeConfig};

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

/// Ports per window: one service's controllers and schedules.
const WINDOW: u16 = 100;
/// The first port of the first window.
const FIRST_PORT: u16 = 20000;
/// Windows from 20000 to 32699, below the ports Linux hands out for port 0 (32768 and up), so
/// that [`free_port`] never lands in a window.
const WINDOWS: u16 = 127;

/// The index of the next window this process hands out (none before the first).
static NEXT_WINDOW: Mutex<Option<u16>> = Mutex::new(None);

/// A window of 100 loopback ports for one service's controllers and schedules (activating a
/// schedule binds its port). This process hands windows out in turn, from a random first one so
/// that two test processes seldom start on the same, and skips a window with a port in use now.
pub fn port_window() -> RangeInclusive<u16> {
    let mut next = NEXT_WINDOW.lock().unwrap_or_else(PoisonError::into_inner);
    let mut index = next.unwrap_or_else(|| rand::random_range(0..WINDOWS));
    for _ in 0..WINDOWS {
        let start = FIRST_PORT + index * WINDOW;
        let window = start..=start + (WINDOW - 1);
        index = (index + 1) % WINDOWS;
        if window
            .clone()
            .all(|port| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok())
        {
            *next = Some(index);
            return window;
        }
    }
    panic!("no window of {WINDOW} free loopback ports from {FIRST_PORT}");
}

/// A loopback port free right now, outside every [`port_window`]: for a service's own address.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
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

/// A local configuration in `data_dir` with a window of ports from [`port_window`]; its blobs are
/// in `<data_dir>/blobs`, or in [`test_blob_store`] when [`all_blobs_on_s3`].
pub fn local_config(data_dir: PathBuf) -> ServeConfig {
    let mut config = ServeConfig::local(data_dir);
    config.port_range = port_window();
    if all_blobs_on_s3() {
        let location = test_blob_store().expect(
            "HOSTINGD_TEST_BACKEND_BLOBS=s3 needs HOSTINGD_TEST_BLOB_STORE (s3://bucket) and the AWS_* variables",
        );
        config.blob_store = Some(location.to_string());
    }
    config
}

/// What the provider's staff give for a school: its manager's e-mail is made from its name.
pub fn new_account(school: &str) -> NewAccount {
    NewAccount {
        school_name: school.to_string(),
        email: format!("manager@{}.fr", school.to_lowercase().replace(' ', "-")),
        phone: "+33611223344".to_string(),
        contract_ends_on: "2027-08-31".to_string(),
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
    let email = outbox
        .iter()
        .find(|m| m.channel == "email")
        .expect("an e-mail with the logins");
    assert!(email.body.contains(&provisioned.hosting_number));
    assert!(email.body.contains(&provisioned.invoice_number));
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

/// The password in an SMS of the outbox (`…password: <password>`).
pub fn password_in_sms(body: &str) -> String {
    body.lines()
        .find_map(|line| {
            line.split_once("password: ")
                .map(|(_, password)| password.trim().to_string())
        })
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
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut child = Command::new(binary)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("HOSTINGD_DATA_DIR", dir)
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
mod tests {
    use super::*;

    #[test]
    fn windows_are_distinct_and_below_the_ephemeral_ports() {
        let first = port_window();
        let second = port_window();
        assert_eq!(first.clone().count(), 100);
        assert!(
            second.start() > first.end() || second.end() < first.start(),
            "{first:?} {second:?}"
        );
        assert!(*first.start() >= FIRST_PORT && *first.end() < 32768);
    }

    #[test]
    fn the_password_is_read_from_the_sms() {
        assert_eq!(
            password_in_sms(
                "Hosting console password: AbCd-1234-EfGh\nIt cannot be changed: keep it safe."
            ),
            "AbCd-1234-EfGh"
        );
    }
}
