//! The console as a provider's package installs it: `provider.toml` opens the provider's
//! service (never the demonstration), a broken one says what to fix, a crash is reported at the
//! next start, and the first start offers the desktop shortcut.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use crate::common::{Person, Service, options};
use hosting_console::i18n::{Language, Texts};
use hosting_console::keystore::Keystore;
use hosting_console::provider::ProviderSetting;
use hosting_console::settings::ServerChoice;
use hosting_console::shortcut::{LAUNCHER, ShortcutOffer};

/// A provider.toml for `service` in `dir`, read as the console reads one.
fn provider_file(dir: &Path, service: &Service, support: &str) -> ProviderSetting {
    let path = dir.join("provider.toml");
    std::fs::write(
        &path,
        format!(
            "[provider]\nname = \"Académie Hébergement\"\ndownload_url = \"https://academie.example/console\"\n\n\
             [service]\nurl = \"{}\"\nca_fingerprint = \"{}\"\n\n[support]\n{support}\n",
            service.service.base_url(),
            service.service.state.pki.ca_fingerprint()
        ),
    )
    .unwrap();
    ProviderSetting::first_of(&[dir.join("absent.toml"), path])
}

/// The options of a console started like the installed binary: no service given.
fn installed(
    dir: &Path,
    provider: ProviderSetting,
    language: Language,
) -> hosting_console::ConsoleOptions {
    let mut options = options(
        dir,
        ServerChoice::Local,
        Keystore::mock().unwrap(),
        language,
    );
    options.server = None;
    options.provider = provider;
    options
}

#[test]
fn a_provider_file_opens_the_provider_s_service_with_its_name_and_support() {
    let service = Service::start();
    let logins = service.provision("Provider School");
    let dir = tempfile::tempdir().unwrap();
    let provider = provider_file(dir.path(), &service, "email = \"aide@academie.example\"");
    assert!(provider.provider().is_some(), "{provider:?}");
    let t = Texts::new(Language::En);
    let mut person = Person::open(installed(dir.path(), provider, Language::En));
    person.wait_for(&t.get("hosting-number"));
    assert!(
        person.has("Académie Hébergement"),
        "the provider's name in the top bar"
    );
    assert!(person.has_text(&service.service.base_url()));
    assert!(
        !person.has(&t.get("mailbox-open")),
        "no Mailbox with a provider"
    );
    assert!(
        !person.has(&t.get("demo-badge")),
        "not labelled as a demonstration"
    );
    assert!(
        !dir.path().join("local-service").exists(),
        "the demonstration never started"
    );
    // Help shows the provider's support.
    person.click(&t.get("help"));
    person.wait_for("aide@academie.example");
    assert!(person.has(&t.with("help-provider", &[("provider", "Académie Hébergement")])));
    // The provider's service works: the manager logs in on it.
    person.log_in(&logins);
    person.wait_for(&t.get("invoice-number"));
}

#[test]
fn a_broken_provider_file_says_what_to_fix_and_starts_no_service() {
    let service = Service::start();
    let dir = tempfile::tempdir().unwrap();
    let provider = provider_file(dir.path(), &service, "telephone = \"01 02 03 04 05\"");
    let ProviderSetting::Broken(error) = &provider else {
        panic!("{provider:?}");
    };
    assert_eq!(error.path, dir.path().join("provider.toml"));
    let t = Texts::new(Language::En);
    let mut person = Person::open(installed(dir.path(), provider, Language::En));
    person.wait_for_text("has a mistake at line 10");
    assert!(person.has_text("telephone"));
    assert!(person.has_text(&dir.path().join("provider.toml").display().to_string()));
    for _ in 0..50 {
        person.harness.step();
    }
    assert!(!person.has(&t.get("mailbox-open")));
    assert!(
        !person.has(&t.get("hosting-number")),
        "no login without a service"
    );
    assert!(
        !dir.path().join("local-service").exists(),
        "never the demonstration instead"
    );
}

/// The real binary panics (`--crash-test`): a short report lands in the data directory; the
/// next start, here on the demonstration service, shows where it is, once.
#[test]
fn a_crash_is_reported_at_the_next_start_and_the_demonstration_says_what_it_is() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_hosting-console"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--crash-test")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let report = hosting_console::crash::take_not_shown(&data).expect("a crash report");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("message: crash test asked for with --crash-test"),
        "{text}"
    );
    assert!(text.contains("location: src/main.rs:"), "{text}");
    assert!(text.contains(&format!("version: {}", env!("CARGO_PKG_VERSION"))));
    let log = std::fs::read_to_string(data.join("console.log")).unwrap();
    assert!(log.contains("crash report written"), "{log}");

    let t = Texts::new(Language::En);
    let mut options = installed(&data, ProviderSetting::Demonstration, Language::En);
    options.crash_report = Some(report.clone());
    let mut person = Person::open(options);
    person.wait_for(&t.get("crash-title"));
    assert!(person.has_text(&report.display().to_string()));
    person.click(&t.get("close"));
    person.wait_until("the notice closed", |h| {
        use egui_kittest::kittest::Queryable;
        h.query_by_label(&t.get("crash-title")).is_none()
    });
    // Without provider.toml: the demonstration, labelled as such, with its Mailbox.
    person.wait_for(&t.get("demo-badge"));
    person.wait_for(&t.get("mailbox-title"));
}

#[test]
fn the_first_start_offers_the_desktop_shortcut_and_makes_it() {
    let service = Service::start();
    let dir = tempfile::tempdir().unwrap();
    let launcher = dir.path().join("applications").join(LAUNCHER);
    std::fs::create_dir_all(launcher.parent().unwrap()).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("installer/linux")
            .join(LAUNCHER),
        &launcher,
    )
    .unwrap();
    let desktop = dir.path().join("Desktop");
    std::fs::create_dir(&desktop).unwrap();
    let t = Texts::new(Language::Fr);
    let mut options = options(
        dir.path(),
        service.choice(),
        Keystore::mock().unwrap(),
        Language::Fr,
    );
    options.shortcut = ShortcutOffer::for_dirs(launcher.clone(), desktop.clone());
    let mut person = Person::open(options);
    person.wait_for(&t.get("shortcut-offer"));
    person.click(&t.get("shortcut-add"));
    person.wait_for(&t.get("shortcut-done"));
    let made = std::fs::read_to_string(desktop.join(LAUNCHER)).unwrap();
    assert!(made.contains("Exec=hosting-console"));
    person.click(&t.get("close"));
    person.wait_until("the offer closed", |h| {
        use egui_kittest::kittest::Queryable;
        h.query_by_label(&t.get("shortcut-done")).is_none()
    });
    assert_eq!(
        ShortcutOffer::for_dirs(launcher, desktop),
        None,
        "offered once"
    );
}
