//! Image snapshots of My account, the tabs of Server PRONOTE (Previous years, Active base, Other
//! bases, Safeguards, Monitoring of connections), the PRONOTE.net panel and the audit log, in
//! French and in English,
//! with fixed numbers and the service's clock on fixed days (the workstation enrolls at the real
//! time first, then the clock moves; the certificate's expiry, a real day, is masked with one
//! width whatever the day). `UPDATE_SNAPSHOTS=1 cargo test --test it snapshots_account`
//! writes new baselines to `tests/snapshots/`.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service, options};
use egui_kittest::kittest::Queryable;
use hosting_api::{FileKind, LoadBase, Role, TusOptions, UploadMetadata};
use hosting_console::i18n::{Language, Texts};
use hosting_console::keystore::Keystore;
use hostingd::store::NewAccount;
use hostingd::testing::{self, Logins, SUPERADMIN_PASSWORD};
use time::macros::date;

const HOSTING_NUMBER: &str = "123456789012";
const INVOICE_NUMBER: &str = "0123456789";
const CONSOLE_PASSWORD: &str = "Ab3dEf6hJk9mNp";

/// An account with fixed numbers, onboarded (jdupont in every Administration profile), a fixed
/// base active on planning01, the release 2030 published and the contract ending on a fixed day.
fn fixed_school(service: &Service) -> Logins {
    service.runtime.block_on(async {
        let state = &service.service.state;
        let hash = state.passwords.hash(CONSOLE_PASSWORD).await.unwrap();
        let account = NewAccount {
            school_name: "Lycée Victor Hugo".to_string(),
            email: "manager@lycee-hugo.fr".to_string(),
            phone: "+33611223344".to_string(),
            contract_ends_on: "2030-10-31".to_string(),
            language: hosting_api::types::Language::Fr,
        };
        let id = state
            .store
            .create_account(
                &account,
                HOSTING_NUMBER,
                INVOICE_NUMBER,
                CONSOLE_PASSWORD,
                &hash,
            )
            .await
            .unwrap()
            .unwrap()
            .id;
        let logins = Logins {
            account_id: id,
            hosting_number: HOSTING_NUMBER.to_string(),
            invoice_number: INVOICE_NUMBER.to_string(),
            password: CONSOLE_PASSWORD.to_string(),
        };
        testing::onboard(&service.service, &logins, "hugo").await;
        hostingd::operator::set_contract(
            &state.store,
            HOSTING_NUMBER,
            &hostingd::store::ContractChange {
                administration_licences: Some(3),
                starts_on: Some("2027-11-01".to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        hostingd::operator::publish_release(
            &state.store,
            "2030",
            "2030-07-01",
            "2030-08-21..2030-08-24",
        )
        .await
        .unwrap();
        // A base of 1.2 MB active on planning01, archived at the end of July.
        let identity = testing::enroll(
            &service.service,
            Role::Superadmin,
            &logins,
            Some("jdupont"),
            SUPERADMIN_PASSWORD,
        )
        .await
        .unwrap();
        let client = testing::with_identity(&service.service, &identity);
        client.login(SUPERADMIN_PASSWORD).await.unwrap();
        let path = service.dir.path().join("Hugo 2029-2030.HNOT");
        std::fs::write(&path, vec![7u8; 1_200_000]).unwrap();
        let metadata = UploadMetadata {
            kind: FileKind::Base,
            filename: "Hugo 2029-2030.HNOT".to_string(),
            sha256: None,
        };
        let upload = client.create_upload(&metadata, 1_200_000).await.unwrap();
        client
            .upload_file(&upload, &path, &TusOptions::default(), |_| {})
            .await
            .unwrap();
        let schedule = client.schedules().await.unwrap()[0].id;
        let base = client
            .load_base(
                schedule,
                &LoadBase {
                    upload_id: upload,
                    companions: vec![],
                },
            )
            .await
            .unwrap();
        client.open_base(base.id).await.unwrap();
        client.activate(schedule).await.unwrap();
        logins
    })
}

/// Width of the mask over the certificate's expiry: "Valid until 30 September 2036" and
/// "Valide jusqu'au 30 septembre 2036" take about 230 points.
const EXPIRY_MASK_WIDTH: f32 = 360.0;

/// Hides what changes from run to run: the service's address (a random port) and this
/// workstation's certificate's expiry (a year after the real day it was installed).
fn snapshot(person: &mut Person<'_>, t: &Texts, name: &str) {
    // Every answer arrived: no spinner turns in the picture.
    person.wait_until("no request pending", |h| {
        h.query_by_role(egui::accesskit::Role::ProgressIndicator)
            .is_none()
    });
    person.harness.remove_cursor();
    person.harness.run_ok();
    let valid_until = t.with("account-certificate-until", &[("date", "")]);
    let valid_until = valid_until.trim_end_matches('.').trim();
    // The expiry's day changes with the real day of the enrollment, and with it the width of its
    // label: its mask has one width whatever the date (wider than the longest date's label).
    let expiry = person
        .harness
        .query_all_by_label_contains(valid_until)
        .map(|node| {
            let rect = node.rect();
            egui::Rect::from_min_size(
                rect.min,
                egui::vec2(rect.width().max(EXPIRY_MASK_WIDTH), rect.height()),
            )
        })
        .collect::<Vec<_>>();
    // A schedule's port is drawn by the service at random; a base loaded before the clock
    // moved carries the real day (yesterday's too, for a run across midnight).
    let endpoint = t.with("endpoint", &[("host", ""), ("port", "")]);
    let endpoint = endpoint
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let real_days: Vec<String> = [today, today.previous_day().unwrap()]
        .iter()
        .map(|day| format!("{day}"))
        .collect();
    let masks: Vec<egui::Rect> = person
        .harness
        .query_all_by_label_contains(&endpoint)
        .chain(
            real_days
                .iter()
                .flat_map(|day| person.harness.query_all_by_label_contains(day)),
        )
        .map(|node| node.rect())
        .collect::<Vec<_>>()
        .into_iter()
        .chain(
            person
                .harness
                .query_all_by_label_contains("https://127.0.0.1:")
                .map(|node| node.rect()),
        )
        .chain(
            person
                .harness
                .query_all_by_label_contains(".hosting.localhost:")
                .map(|node| node.rect()),
        )
        .chain(
            person
                .harness
                .query_all_by_label_contains("2030-08-01 09:")
                .map(|node| node.rect()),
        )
        .chain(expiry)
        .collect();
    for rect in masks {
        person.harness.mask(rect);
    }
    person.harness.snapshot(name);
}

fn account_and_years(language: Language) {
    let t = Texts::new(language);
    let tag = match language {
        Language::En => "en",
        Language::Fr => "fr",
    };
    let service = Service::start_with(|c| {
        c.job_interval_seconds = 86_400;
        c.cert_lifetime_days = 3650;
    });
    let logins = fixed_school(&service);
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::open(options(
        dir.path(),
        service.choice(),
        Keystore::mock().unwrap(),
        language,
    ));
    person.wait_for(&t.get("hosting-number"));
    person.click(&t.get("role-superadmin"));
    person.fill(&t.get("hosting-number"), HOSTING_NUMBER);
    person.fill(&t.get("username"), "jdupont");
    person.fill(&t.get("password"), SUPERADMIN_PASSWORD);
    person.click(&t.get("connect"));
    person.wait_for(&t.get("invoice-number"));
    person.fill(&t.get("invoice-number"), INVOICE_NUMBER);
    person.press(egui::Key::Enter);
    person.wait_for(&t.get("panel-account"));

    // 31 July 2030: the year 2029-2030 is archived; 1 August: the person comes back.
    service
        .store()
        .clock()
        .advance_to_day(date!(2030 - 07 - 31), 9);
    service
        .runtime
        .block_on(service.service.run_jobs())
        .unwrap();
    service
        .store()
        .clock()
        .advance_to_day(date!(2030 - 08 - 01), 9);
    person.notice_session_end(
        &t.get("panel-workstations"),
        &t.get("error-session_required"),
    );
    person.replace(&t.get("password"), SUPERADMIN_PASSWORD);
    person.click(&t.get("connect"));
    person.wait_for(&t.get("panel-account"));

    person.click(&t.get("panel-account"));
    person.wait_for_text(&t.get("renewal"));
    person.wait_for_text(HOSTING_NUMBER);
    person.wait_for_text(&t.with("account-certificate-of", &[("name", "Test workstation")]));
    snapshot(&mut person, &t, &format!("account_{tag}"));

    person.click(&t.get("panel-server"));
    person.wait_for(&t.get("tab-years"));
    person.click(&t.get("tab-years"));
    person.wait_for_text("Hugo 2029-2030 ·");
    person.wait_for_text(&t.with("year-replace", &[("year", "2029-2030")]));
    snapshot(&mut person, &t, &format!("years_{tag}"));

    // The other tabs of Server PRONOTE, as the seed walks them.
    let licences = t.with("contract-licences", &[("count", "3")]);
    for (tab, shows, name) in [
        (
            "tab-active-base",
            "Hugo 2029-2030".to_string(),
            "server_active",
        ),
        (
            "tab-other-bases",
            "Hugo 2029-2030".to_string(),
            "server_bases",
        ),
        (
            "tab-safeguards",
            "Hugo 2029-2030".to_string(),
            "server_safeguards",
        ),
        ("tab-monitoring", licences, "server_monitoring"),
    ] {
        person.click(&t.get(tab));
        person.harness.run_steps(4);
        person.wait_until(&format!("{shows:?} in {tab}"), |h| {
            h.query_all_by_label_contains(&shows).next().is_some()
        });
        snapshot(&mut person, &t, &format!("{name}_{tag}"));
    }

    // PRONOTE.net: planning01 published at its activation; each address with its port hidden.
    person.click(&t.get("panel-pronote-net"));
    person.wait_for(&t.get("pronote-published"));
    person.wait_for(&t.with(
        "pronote-open-named",
        &[("space", &t.get("webspace-teachers"))],
    ));
    // The delegation has arrived too: its section is drawn.
    person.wait_for(&t.get("pronote-delegation-save"));
    snapshot(&mut person, &t, &format!("pronote_net_{tag}"));
    // The publication stopped: the audit log shows it, before and after.
    person.click(&t.get("pronote-stop"));
    person.click(&t.get("pronote-stop-yes"));
    person.wait_for(&t.get("pronote-not-published"));

    // The audit log from 1 August 2030: the login and the stop of the day, their minute hidden.
    person.click(&t.get("panel-audit"));
    person.wait_for(&t.get("audit-col-at"));
    person.fill(&t.get("audit-since"), "2030-08-01");
    person.click(&t.get("audit-apply"));
    let provisioned = t.get("audit-action-account-provisioned");
    let logged_in = t.get("audit-action-session-created");
    let stopped = t.get("audit-action-pronote-net-stopped");
    person.wait_until("only the day's actions", |h| {
        h.query_by_label(&provisioned).is_none()
            && h.query_all_by_label(&logged_in).next().is_some()
            && h.query_all_by_label(&stopped).next().is_some()
    });
    snapshot(&mut person, &t, &format!("audit_{tag}"));
    let _ = logins;
}

#[test]
fn my_account_and_previous_years_in_english() {
    account_and_years(Language::En);
}

#[test]
fn my_account_and_previous_years_in_french() {
    account_and_years(Language::Fr);
}
