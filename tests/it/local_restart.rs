//! The built-in local hosting service across restarts of the console: it listens on the same
//! port, and the workstation keeps its certificate, so the second start asks only for the
//! password.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::window::{Xvfb, assert_running};
use crate::common::{Logins, Person, options};
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;

/// The logins of the local service's demo account, read in the Mailbox as a newcomer would.
fn logins_in_mailbox(person: &mut Person<'_>) -> Logins {
    // The demo account is French, as a school's is unless told otherwise.
    person.wait_for_text("Mot de passe de la console d'hébergement : ");
    let lines: Vec<String> = person
        .labels()
        .iter()
        .flat_map(|label| label.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let after = |prefix: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in the Mailbox: {lines:?}"))
            .trim()
            .to_string()
    };
    Logins {
        account_id: 0,
        hosting_number: after("Numéro d'hébergement : "),
        invoice_number: after("Numéro de facture : "),
        password: after("Mot de passe de la console d'hébergement : "),
    }
}

fn remembered_port(data_dir: &Path) -> u16 {
    std::fs::read_to_string(data_dir.join("local-service/port"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Consoles one after the other on the same data directory and keyring, with the local service
/// (no service given): the first installs the certificate with the invoice number, the next ones
/// log in with the password only, also when the service had to change its port.
#[test]
fn the_local_service_keeps_the_workstation_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let keystore = Keystore::mock().unwrap();
    let local = || {
        let mut options = options(
            dir.path(),
            hosting_console::settings::ServerChoice::Local,
            keystore.clone(),
            Language::En,
        );
        options.server = None;
        options
    };

    let logins = {
        let mut person = Person::open(local());
        let logins = logins_in_mailbox(&mut person);
        person.log_in(&logins);
        person.install_certificate(&logins);
        person.wait_for("I accept the License Agreement");
        logins
    };
    let port = remembered_port(dir.path());

    // The next start: same port, the password only.
    log_in_with_the_password_only(Person::open(local()), &logins);
    assert_eq!(remembered_port(dir.path()), port);

    // Another program took the port: the service listens on another one, and the workstation
    // is still known (the keyring knows the service by its CA, not by its address).
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    log_in_with_the_password_only(Person::open(local()), &logins);
    drop(squatter);
    assert_ne!(remembered_port(dir.path()), port);
}

fn log_in_with_the_password_only(mut person: Person<'_>, logins: &Logins) {
    person.log_in(logins);
    person.wait_until("the licence step, or the certificate step", |h| {
        use egui_kittest::kittest::Queryable;
        h.query_by_label("I accept the License Agreement").is_some()
            || h.query_by_label("Invoice number").is_some()
    });
    assert!(
        !person.has("Invoice number"),
        "the console asked for the invoice number again"
    );
    assert!(person.has("I accept the License Agreement"));
}

/// The address the local service logged at each start of the real console, in order.
fn logged_addresses(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("local hosting service listening"))
        .filter_map(|line| line.split("address=").nth(1))
        .map(|address| address.trim().to_string())
        .collect()
}

/// The real binary, started twice on the same data directory (killed in between, as a crash
/// or a power cut would): its local service listens on the same port both times.
#[test]
fn the_real_console_s_local_service_listens_on_the_same_port_after_a_restart() {
    let xvfb = Xvfb::start();
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("data/console.log");
    for start in 1..=2 {
        let mut console = xvfb.console(home.path());
        let deadline = Instant::now() + Duration::from_secs(90);
        while logged_addresses(&log).len() < start {
            assert_running(&mut console, "its local service listened");
            assert!(
                Instant::now() < deadline,
                "start {start}: the local service did not log its address in 90 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let addresses = logged_addresses(&log);
    assert!(
        addresses[0].starts_with("https://127.0.0.1:"),
        "{addresses:?}"
    );
    assert_eq!(
        addresses[0], addresses[1],
        "the port changed at the restart"
    );
    let port = remembered_port(&home.path().join("data"));
    assert_eq!(addresses[0], format!("https://127.0.0.1:{port}"));
}
