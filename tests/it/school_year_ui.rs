//! The school year driven through the console, against a real in-process hostingd whose clock
//! the test moves: choosing the day of the yearly upgrade in My account (the pre-release refused
//! before its date, with the date), and replacing then downloading the base of a finished year
//! in Server PRONOTE, Previous years. Workstations enroll before the clock moves (TLS checks
//! certificates against the real time); the session the jump ends is opened again at step 1.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::sync::Arc;

use common::{Person, SUPERADMIN_PASSWORD, Service, options, write_file};
use hosting_api::{FileKind, LoadBase, Role, TusOptions, UploadMetadata};
use hosting_console::dialogs::FolderDialogs;
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;
use hostingd::testing;
use time::{Date, Month};

/// 1 July of the next summer: time only moves forward.
fn next_summer() -> i32 {
    let today = time::OffsetDateTime::now_utc().date();
    if today < Date::from_calendar_date(today.year(), Month::July, 1).unwrap() {
        today.year()
    } else {
        today.year() + 1
    }
}

fn day(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap()
}

/// A service whose jobs the test runs, and whose certificates outlast the walk.
fn service() -> Service {
    Service::start_with(|c| {
        c.job_interval_seconds = 86_400;
        c.cert_lifetime_days = 800;
    })
}

fn publish(service: &Service, y: i32) {
    service
        .runtime
        .block_on(hostingd::operator::publish_release(
            service.store(),
            &y.to_string(),
            &format!("{y}-07-01"),
            &format!("{y}-08-21..{y}-08-24"),
        ))
        .unwrap();
}

/// Moves the service's clock to 09:00 UTC of `date`: the console's session ends (it was idle
/// for weeks), so the person opens a panel, is sent back to step 1, and logs in again with the
/// certificate the workstation already has.
fn jump(person: &mut Person<'_>, service: &Service, logins: &testing::Logins, date: Date) {
    service.store().clock().advance_to_day(date, 9);
    person.notice_session_end("Workstations", "Your session has ended. Log in again.");
    // The hosting number and the username are kept; the password is typed again.
    assert_eq!(
        person.value_of("Hosting number").as_deref(),
        Some(logins.hosting_number.as_str())
    );
    person.replace("Password", SUPERADMIN_PASSWORD);
    person.click("Connect to the hosting console");
    person.wait_for("My account");
}

#[test]
fn choosing_the_day_of_the_upgrade_in_my_account() {
    let service = service();
    let logins = service.provision("Lycee Colette");
    service.onboard_with_client(&logins, "colette");
    let y = next_summer();
    publish(&service, y);
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("My account");

    // 30 June: the pre-release cannot be asked for yet, and the panel says from when.
    jump(&mut person, &service, &logins, day(y, Month::June, 30));
    person.click("My account");
    person.wait_for_text("Your hosted server runs version 2026.");
    person.wait_for_text(&format!(
        "The upgrade to version {y} is planned on 21 August {y}, in 52 days."
    ));
    assert!(person.has_text(&format!(
        "The pre-release of {y} is available from 1 July {y}."
    )));
    let button = format!("Move to the pre-release of {y} now");
    assert!(person.is_disabled(&button));

    // 1 August: the school picks the 23rd in the window's days and saves it.
    jump(&mut person, &service, &logins, day(y, Month::August, 1));
    person.click("My account");
    person.wait_for_text(&format!(
        "The upgrade to version {y} is planned on 21 August {y}, in 20 days."
    ));
    assert!(!person.is_disabled(&button), "the pre-release is open");
    assert!(person.is_disabled("Save the day"), "nothing changed yet");
    person.click("Day of the upgrade");
    person.wait_for(&format!("24 August {y}"));
    assert!(
        !person.has(&format!("20 August {y}")),
        "only the window's days are offered"
    );
    person.click(&format!("23 August {y}"));
    person.wait_enabled("Save the day");
    person.click("Save the day");
    person.wait_for_text("The day of the upgrade is saved.");
    person.wait_for_text(&format!(
        "The upgrade to version {y} is planned on 23 August {y}, in 22 days."
    ));
    let chosen = service
        .runtime
        .block_on(service.store().upgrade(logins.account_id, &y.to_string()))
        .unwrap()
        .unwrap();
    assert_eq!(chosen.chosen_date, Some(format!("{y}-08-23")));
    let audit = service
        .runtime
        .block_on(service.store().audit_log(logins.account_id))
        .unwrap();
    let choice = audit.iter().find(|e| e.action == "upgrade.chosen").unwrap();
    assert_eq!(choice.actor, "superadmin:jdupont");
}

/// Loads `path` as a base of `planning01` through the typed client of another workstation of
/// jdupont, opens it and activates it.
fn base_online(service: &Service, logins: &testing::Logins, path: &Path) {
    service.runtime.block_on(async {
        let identity = testing::enroll(
            &service.service,
            Role::Superadmin,
            logins,
            Some("jdupont"),
            SUPERADMIN_PASSWORD,
        )
        .await
        .unwrap();
        let client = testing::with_identity(&service.service, &identity);
        client.login(SUPERADMIN_PASSWORD).await.unwrap();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let length = std::fs::metadata(path).unwrap().len();
        let metadata = UploadMetadata {
            kind: FileKind::Base,
            filename: name,
            sha256: None,
        };
        let id = client.create_upload(&metadata, length).await.unwrap();
        client
            .upload_file(&id, path, &TusOptions::default(), |_| {})
            .await
            .unwrap();
        let schedule = client.schedules().await.unwrap()[0].id;
        let base = client
            .load_base(
                schedule,
                &LoadBase {
                    upload_id: id,
                    companions: vec![],
                },
            )
            .await
            .unwrap();
        client.open_base(base.id).await.unwrap();
        client.activate(schedule).await.unwrap();
    });
}

#[test]
fn replacing_and_downloading_the_base_of_a_previous_year() {
    let service = service();
    let logins = service.provision("Lycee Camus");
    service.onboard_with_client(&logins, "camus");
    let y = next_summer();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let dialogs = Arc::new(FolderDialogs::new(dir.path()));
    let mut console = options(
        dir.path(),
        service.choice(),
        Keystore::mock().unwrap(),
        Language::En,
    );
    console.dialogs = dialogs.clone();
    let mut person = Person::open(console);
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("My account");
    base_online(
        &service,
        &logins,
        &write_file(&export, "Camus 2026.HNOT", 150_000, 1),
    );

    // 31 July: the service archives the active base as the year that ends.
    jump(&mut person, &service, &logins, day(y, Month::July, 31));
    let report = service
        .runtime
        .block_on(service.service.run_jobs())
        .unwrap();
    assert_eq!(report.years_archived, 1);
    let finished = format!("{}-{y}", y - 1);
    person.click("Server PRONOTE");
    person.wait_for("Previous years");
    person.click("Previous years");
    person.wait_for_text("Previous years of planning01");
    person.wait_for_text("Camus 2026 · 150.0 kB");
    assert!(person.has_text("(archived)"));

    // Replace it with another export: sent over the resumable transfers, then recorded.
    let replacement = write_file(&export, "Camus final.HNOT", 210_000, 2);
    let companion = write_file(&export, "Camus final.HPHOTOS", 20_000, 3);
    dialogs.queue_open(vec![replacement.clone(), companion]);
    person.click(&format!("Replace the base of {finished}…"));
    person.wait_for_text("Done: Camus final is the base of that year.");
    person.wait_for_text("Camus final · 230.0 kB");
    assert!(person.has_text("(loaded)"));
    let rows = service.runtime.block_on(async {
        let schedule = service.store().schedules(logins.account_id).await.unwrap()[0].id;
        service
            .store()
            .year_bases(logins.account_id, schedule)
            .await
            .unwrap()
    });
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.base_name, "Camus final");
    assert_eq!(rows[0].1.len(), 2, "the base and its companion");

    // Download it: saved where the dialog says, its hash checked on arrival.
    person.click(&format!("Download the base of {finished}"));
    person.wait_for_text("hash verified");
    let saved = std::fs::read(dir.path().join("Camus final.HNOT")).unwrap();
    assert_eq!(saved, std::fs::read(&replacement).unwrap());
}

/// The text of every page of a PDF.
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).unwrap()
}

#[test]
fn renewing_the_contract_and_opening_the_pro_forma_invoice() {
    let service = Service::start();
    let logins = service.provision("Lycée Émile Zola");
    service.onboard_with_client(&logins, "zola");
    let today = time::OffsetDateTime::now_utc().date();
    let end = today + time::Duration::days(60);
    service.set_prices("1450", "120.50", "300");
    service.runtime.block_on(async {
        let change = hostingd::store::ContractChange {
            ends_on: Some(hostingd::rules::school_year::iso(end)),
            administration_licences: Some(2),
            ..Default::default()
        };
        hostingd::operator::set_contract(service.store(), &logins.hosting_number, &change)
            .await
            .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("My account");
    person.click("My account");
    person.wait_for_text("Renew the contract");
    person.wait_for_text("(in 60 days)");
    // The new period starts the day after the contract's end, by default.
    let start = end.next_day().unwrap();
    assert_eq!(
        person.value_of("First day of the new period").as_deref(),
        Some(hostingd::rules::school_year::iso(start).as_str())
    );
    person.click("Length");
    person.wait_for("2 years");
    person.click("2 years");
    person.click("Make the pro-forma invoice");
    person.wait_for_text("The pro-forma invoice was saved as");
    let number = format!("PF-{}-000001", today.year());
    let pdf = std::fs::read(dir.path().join(format!("{number}.pdf"))).unwrap();
    let text = pdf_text(&pdf);
    let day = |d: Date| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year());
    let last = start.replace_year(start.year() + 2).unwrap() - time::Duration::days(1);
    for expected in [
        logins.hosting_number.as_str(),
        "Lycée Émile Zola",
        &number,
        &format!("from {} to {}", day(start), day(last)),
        "Licences in Administrative mode (2 × 2",
        "€5,498.40",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in:\n{text}");
    }
    // It is listed, and saved again from the list.
    person.wait_for(&format!("Save {number}"));
    std::fs::remove_file(dir.path().join(format!("{number}.pdf"))).unwrap();
    person.click(&format!("Save {number}"));
    person.wait_until("the pro-forma saved again", |_| {
        dir.path().join(format!("{number}.pdf")).exists()
    });

    // The hosting manager sees why they cannot.
    let manager_dir = tempfile::tempdir().unwrap();
    let mut manager = Person::on(manager_dir.path(), service.choice());
    manager.log_in(&logins);
    manager.install_certificate(&logins);
    manager.wait_for("My account");
    manager.click("My account");
    manager.wait_for_text("Only a superadministrator can renew the contract");
    assert!(!manager.has("Make the pro-forma invoice"));
}

#[test]
fn renewing_this_workstations_certificate_without_the_invoice_number() {
    let service = Service::start();
    let logins = service.provision("Lycee Renouveau");
    service.onboard_with_client(&logins, "renouveau");
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("My account");
    person.click("My account");
    person.wait_for_text("Workstation: Test workstation");
    person.wait_enabled("Renew the certificate of this workstation");
    person.click("Renew the certificate of this workstation");
    person.wait_for_text("The certificate was renewed: valid until");
    // The session goes on with the new certificate; the old one is revoked.
    person.click("Workstations");
    person.wait_for_text("revoked");
    let workstations = service.runtime.block_on(async {
        service
            .store()
            .workstations(logins.account_id)
            .await
            .unwrap()
    });
    let mine: Vec<_> = workstations
        .iter()
        .filter(|w| w.name == "Test workstation")
        .collect();
    assert_eq!(mine.len(), 2);
    assert!(mine[0].revoked_at.is_some() && mine[1].revoked_at.is_none());
    // The keyring holds the new one: logging in again asks only for the password.
    person.click("Log out");
    person.wait_for("Connect to the hosting console");
    person.replace("Password", SUPERADMIN_PASSWORD);
    person.click("Connect to the hosting console");
    person.wait_for("My account");
    assert!(!person.has("Invoice number"));
}
