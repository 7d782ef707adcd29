//! The Assistance panel driven through the console: the guide is searched without accents, a
//! page's button opens the panel (and tab) of its task, the provider's support is shown, and
//! "Copy diagnostics" copies what support needs (the last failures included) and no secret.
//! Snapshots of the panel in both languages.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use hosting_console::i18n::{Language, Texts};
use hosting_console::keystore::Keystore;
use hosting_console::links::RecordingLinks;
use hosting_console::provider::ProviderSetting;

use crate::common::{Person, Service, options};

/// A provider with its support contacts, as `provider.toml` gives them.
fn provider(dir: &Path, service: &Service) -> ProviderSetting {
    let path = dir.join("provider.toml");
    std::fs::write(
        &path,
        format!(
            "[provider]\nname = \"Académie Hébergement\"\n\n\
             [service]\nurl = \"{}\"\nca_fingerprint = \"{}\"\n\n\
             [support]\nphone = \"01 23 45 67 89\"\nemail = \"support@academie.example\"\nhours = \"8 h – 18 h\"\n",
            service.service.base_url(),
            service.service.state.pki.ca_fingerprint()
        ),
    )
    .unwrap();
    ProviderSetting::first_of(&[path])
}

/// Waits for a page in the guide's list (its title is also the heading of the page shown).
fn wait_for_page(person: &mut Person<'_>, title: &str) {
    let title = title.to_string();
    person.wait_until(&format!("the page {title:?}"), move |h| {
        h.query_all_by_label(&title).next().is_some()
    });
}

fn console<'a>(
    dir: &Path,
    service: &Service,
    language: Language,
) -> (Person<'a>, Arc<RecordingLinks>) {
    let links = Arc::new(RecordingLinks::default());
    let mut options = options(dir, service.choice(), Keystore::mock().unwrap(), language);
    options.provider = provider(dir, service);
    options.links = links.clone();
    (Person::open(options), links)
}

#[test]
fn the_guide_opens_the_panel_of_its_task_and_diagnostics_hold_no_secret() {
    let service = Service::start();
    let logins = service.provision("Lycee Aide");
    service.onboard_with_client(&logins, "aide");
    let dir = tempfile::tempdir().unwrap();
    let (mut person, links) = console(dir.path(), &service, Language::En);
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);

    // A failure to find in the diagnostics: a day that is not one.
    person.wait_for("Audit log");
    person.click("Audit log");
    person.wait_for("When (UTC)");
    person.fill("From (day)", "2030-13-45");
    person.click("Show");
    person.wait_for_text("This date is not valid");

    person.click("Assistance");
    person.wait_for("Search the guide");
    // The guide's search ignores accents and case.
    person.fill("Search the guide", "SAFEGUARD");
    wait_for_page(&mut person, "Go back to a safeguard");
    assert!(!person.has("Publish the webspaces"));
    person.click_role(Role::Button, "Go back to a safeguard");
    person.click("Open Server PRONOTE, Safeguards");
    person.wait_for_text("Safeguards of the schedule's bases, newest first.");

    person.click("Assistance");
    person.replace("Search the guide", "ent cas");
    wait_for_page(&mut person, "Log in through the ENT (CAS)");
    person.click_role(Role::Button, "Log in through the ENT (CAS)");
    person.click("Open PRONOTE.net");
    person.wait_for("PRONOTE.net: the webspaces");

    // The provider's support, from provider.toml.
    person.click("Assistance");
    person.wait_for("01 23 45 67 89");
    assert!(person.has("support@academie.example"));

    // The diagnostics: copied as shown, what support needs and no secret.
    person.click("Copy diagnostics");
    person.wait_for_text("Copied. Paste them in your message to support.");
    let copied = links.copied();
    assert_eq!(copied.len(), 1);
    let text = &copied[0];
    for expected in [
        format!("Hosting number: {}", logins.hosting_number),
        "School: Lycee Aide".to_string(),
        "Logged in as: superadministrator jdupont".to_string(),
        "Provider: Académie Hébergement".to_string(),
        format!("Hosting service: {}", service.service.base_url()),
        "planning01 — aide-planning01.".to_string(),
        "[invalid_date]".to_string(),
    ] {
        assert!(text.contains(&expected), "{expected:?} in\n{text}");
    }
    assert!(!text.contains(&logins.invoice_number), "{text}");
    assert!(!text.contains(&logins.password), "{text}");
    assert!(
        !text.contains(hostingd::testing::SUPERADMIN_PASSWORD),
        "{text}"
    );
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    // What is copied is shown, word for word.
    person.click("What is copied");
    person.wait_for_text("Hosting console diagnostics");
    assert!(person.has_text(&format!("Hosting number: {}", logins.hosting_number)));
}

fn assistance_snapshot(language: Language) {
    let t = Texts::new(language);
    let tag = match language {
        Language::En => "en",
        Language::Fr => "fr",
    };
    let service = Service::start();
    let logins = service.provision("Lycée Victor Hugo");
    service.onboard_with_client(&logins, "hugo");
    let dir = tempfile::tempdir().unwrap();
    let (mut person, _) = console(dir.path(), &service, language);
    person.wait_for(&t.get("hosting-number"));
    person.click(&t.get("role-superadmin"));
    person.fill(&t.get("hosting-number"), &logins.hosting_number);
    person.fill(&t.get("username"), "jdupont");
    person.fill(&t.get("password"), hostingd::testing::SUPERADMIN_PASSWORD);
    person.click(&t.get("connect"));
    person.wait_for(&t.get("invoice-number"));
    person.fill(&t.get("invoice-number"), &logins.invoice_number);
    person.press(egui::Key::Enter);
    person.wait_for(&t.get("panel-assistance"));
    person.click(&t.get("panel-assistance"));
    person.wait_for(&t.get("assistance-search"));
    person.fill(&t.get("assistance-search"), "base");
    let guide = Texts::guide(language);
    let title = guide.get("guide-load-base-title");
    wait_for_page(&mut person, &title);
    person.click_role(Role::Button, &title);
    person.wait_until("no request pending", |h| {
        h.query_by_role(egui::accesskit::Role::ProgressIndicator)
            .is_none()
    });
    person.harness.remove_cursor();
    person.harness.run_ok();
    let masks: Vec<egui::Rect> = person
        .harness
        .query_all_by_label_contains("https://127.0.0.1:")
        .map(|node| node.rect())
        .collect();
    for rect in masks {
        person.harness.mask(rect);
    }
    person.harness.snapshot(format!("assistance_{tag}"));
}

#[test]
fn snapshots_assistance_in_english() {
    assistance_snapshot(Language::En);
}

#[test]
fn snapshots_assistance_in_french() {
    assistance_snapshot(Language::Fr);
}
