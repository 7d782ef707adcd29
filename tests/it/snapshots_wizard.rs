//! Image snapshots of every wizard step, in French and in English (kittest with wgpu; on Linux
//! Mesa's lavapipe renders them without a GPU). `UPDATE_SNAPSHOTS=1 cargo test --test
//! snapshots_wizard` writes new baselines to `tests/snapshots/`.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service, options};
use egui_kittest::kittest::Queryable;
use hosting_console::i18n::{Language, Texts};
use hosting_console::keystore::Keystore;
use hostingd::store::NewAccount;

const HOSTING_NUMBER: &str = "123456789012";
const INVOICE_NUMBER: &str = "0123456789";
const CONSOLE_PASSWORD: &str = "Ab3dEf6hJk9mNp";
const SUPERADMIN_PASSWORD: &str = "Correct1Horse2Battery";

/// An account with fixed numbers, so that the pictures do not change from run to run.
fn fixed_account(service: &Service) -> i64 {
    service.runtime.block_on(async {
        let state = &service.service.state;
        let hash = state.passwords.hash(CONSOLE_PASSWORD).await.unwrap();
        let account = NewAccount {
            school_name: "Lycée Victor Hugo".to_string(),
            email: "manager@lycee-hugo.fr".to_string(),
            phone: "+33611223344".to_string(),
            contract_ends_on: "2027-08-31".to_string(),
            language: hosting_api::types::Language::Fr,
        };
        state
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
            .id
    })
}

fn snapshot(person: &mut Person<'_>, name: &str) {
    person.harness.remove_cursor();
    person.harness.run_ok();
    // The service's address has a random port: hide it.
    let masks: Vec<egui::Rect> = person
        .harness
        .query_all_by_label_contains("https://127.0.0.1:")
        .map(|node| node.rect())
        .collect();
    for rect in masks {
        person.harness.mask(rect);
    }
    person.harness.snapshot(name);
}

fn walk_the_wizard(language: Language) {
    let t = Texts::new(language);
    let tag = match language {
        Language::En => "en",
        Language::Fr => "fr",
    };
    // Fixed ports: the connection details are in the pictures (nothing is activated here).
    let service = Service::start_with(|config| config.port_range = 20000..=20099);
    fixed_account(&service);
    let dir = tempfile::tempdir().unwrap();
    let keystore = Keystore::mock().unwrap();
    let mut person = Person::open(options(dir.path(), service.choice(), keystore, language));

    person.wait_for(&t.get("hosting-number"));
    person.fill(&t.get("hosting-number"), HOSTING_NUMBER);
    person.fill(&t.get("password"), CONSOLE_PASSWORD);
    snapshot(&mut person, &format!("wizard_{tag}_1_connection"));
    person.click(&t.get("connect"));

    person.wait_for(&t.get("invoice-number"));
    person.fill(&t.get("invoice-number"), INVOICE_NUMBER);
    snapshot(&mut person, &format!("wizard_{tag}_2_certificate"));
    person.click(&t.get("install-certificate"));

    person.wait_for(&t.get("licence-accept-tick"));
    person.wait_for_text("LICENCE AGREEMENT");
    person.click(&t.get("licence-accept-tick"));
    snapshot(&mut person, &format!("wizard_{tag}_2_licence"));
    person.click(&t.get("licence-accept"));

    person.wait_for(&t.get("controller-domain"));
    person.fill(&t.get("controller-domain"), &format!("lycee-hugo-{tag}"));
    person.click(&t.get("confirm-controller"));
    person.wait_for(&t.get("yes"));
    person.click(&t.get("yes"));
    person.wait_for_text(&format!("lycee-hugo-{tag}.hosting.localhost"));
    for schedule in ["planning01", "planning02"] {
        person.fill(
            &t.with("schedule-domain", &[("name", schedule)]),
            &format!("hugo-{tag}-{schedule}"),
        );
        person.click(&t.with("confirm-schedule", &[("name", schedule)]));
        person.wait_for(&t.get("yes"));
        person.click(&t.get("yes"));
        person.wait_for_text(&format!("hugo-{tag}-{schedule}.hosting.localhost"));
    }
    let todo = t.get("step3-todo");
    person.wait_until("every domain confirmed", move |h| {
        h.query_by_label(&todo).is_none()
    });
    snapshot(&mut person, &format!("wizard_{tag}_3_schedules"));
    person.click(&t.get("next"));

    person.wait_for(&t.get("first-name"));
    person.fill(&t.get("first-name"), "Jeanne");
    person.fill(&t.get("surname"), "Dupont");
    person.fill(&t.get("username"), "jdupont");
    person.fill(&t.get("password"), SUPERADMIN_PASSWORD);
    person.fill(&t.get("password-confirmation"), SUPERADMIN_PASSWORD);
    snapshot(&mut person, &format!("wizard_{tag}_4_superadmin"));
    person.click(&t.get("create-superadmin"));

    person.wait_for(&t.get("email"));
    person.fill(&t.get("email"), "jeanne.dupont@lycee-hugo.fr");
    // The account's new onboarding state has arrived: step 4 shows as done in the list.
    let step4 = format!("4. {}", t.get("step4-title"));
    person.wait_for(&t.with("step-state-done", &[("step", &step4)]));
    snapshot(&mut person, &format!("wizard_{tag}_5_profiles"));
    person.click(&t.get("validate"));

    person.wait_for(&t.get("include-password"));
    person.wait_for_text(INVOICE_NUMBER);
    snapshot(&mut person, &format!("wizard_{tag}_6_transmission"));
}

#[test]
fn wizard_steps_in_english() {
    walk_the_wizard(Language::En);
}

#[test]
fn wizard_steps_in_french() {
    walk_the_wizard(Language::Fr);
}
