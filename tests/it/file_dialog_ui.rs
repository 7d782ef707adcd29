//! The console's own file dialog, used when the desktop has no file chooser (no portal, no
//! zenity): the connection sheet is saved through it, and a CA file is chosen in it.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use crate::common;

use common::{Person, Service, options};
use hosting_console::dialogs::detect::Environment;
use hosting_console::dialogs::{Dialogs, InAppDialogs, SystemDialogs};
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;
use hosting_console::settings::ServerChoice;

const NOTICE: &str = "This computer has no system file chooser";

#[cfg(target_os = "linux")]
#[test]
fn without_a_file_chooser_the_sheet_is_saved_through_the_console_s_own_dialog() {
    let service = Service::start();
    let logins = service.provision("Lycee Jules Verne");
    let dir = tempfile::tempdir().unwrap();
    let sheets = dir.path().join("sheets");
    std::fs::create_dir(&sheets).unwrap();
    // A desktop without a session bus and without zenity: the native dialog cannot open.
    let no_bin = tempfile::tempdir().unwrap();
    let dialogs = SystemDialogs::in_environment(Environment {
        session_bus: None,
        path: std::env::join_paths([no_bin.path()]).ok(),
    });
    dialogs
        .in_app()
        .unwrap()
        .remember_folder(dir.path().to_path_buf());
    let mut console = options(
        dir.path(),
        service.choice(),
        Keystore::mock().unwrap(),
        Language::En,
    );
    console.dialogs = Arc::new(dialogs);
    let mut person = Person::open(console);

    person.connect_and_install(&logins);
    person.configure_schedules("verne");
    person.click("Next");
    person.create_superadmin();
    person.wait_for("E-mail address");
    person.fill("E-mail address", "jeanne.dupont@lycee-verne.fr");
    person.click("Validate");
    person.wait_for("Step 6: Transmission");

    // The first dialog says once why it is not the system's.
    person.click("Save as PDF…");
    person.wait_for_text(NOTICE);
    assert!(person.has_text("xdg-desktop-portal-gtk"));
    assert_eq!(
        person.value_of("File name").as_deref(),
        Some("connection-sheet.pdf")
    );
    // The name field has the focus, its name without the extension selected: typing replaces it.
    person.type_here("sheet-for-jeanne");
    assert_eq!(
        person.value_of("File name").as_deref(),
        Some("sheet-for-jeanne.pdf")
    );
    person.click("sheets/");
    person.wait_until("in the sheets folder", |h| {
        use egui_kittest::kittest::{NodeT, Queryable};
        h.query_by_label("Folder")
            .and_then(|n| n.accesskit_node().value().map(|value| value.to_string()))
            .is_some_and(|folder| folder.ends_with("sheets"))
    });
    // Enter saves.
    person.press(egui::Key::Enter);
    person.wait_for_text("The connection sheet was saved");
    assert!(!person.has_text(NOTICE), "the dialog is closed");
    let sheet = common::pdf_text(&sheets.join("sheet-for-jeanne.pdf"));
    for needle in [&logins.hosting_number, "jdupont"] {
        assert!(sheet.contains(needle), "{needle} missing: {sheet:?}");
    }

    // The next dialog opens where the last one saved, without the notice; Escape cancels.
    person.click_until("Save as PDF…", "File name");
    assert!(!person.has_text(NOTICE), "the notice is said once");
    assert!(
        person.has("sheet-for-jeanne.pdf"),
        "the last folder is shown"
    );
    person.press(egui::Key::Escape);
    assert!(!person.has("File name"), "Escape closes the dialog");

    // Saving over an existing file asks first.
    person.click_until("Save as PDF…", "File name");
    person.click("sheet-for-jeanne.pdf");
    person.click("Save");
    person.wait_for_text("sheet-for-jeanne.pdf already exists");
    person.click("Replace");
    person.wait_until("the dialog closed", |h| {
        use egui_kittest::kittest::Queryable;
        h.query_by_label("File name").is_none()
    });
    let entries = std::fs::read_dir(&sheets).unwrap().count();
    assert_eq!(entries, 1, "the file was replaced, no other one written");
}

#[test]
fn a_ca_file_is_chosen_in_the_console_s_own_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("provider-ca.pem");
    std::fs::write(&ca, "not a certificate").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "").unwrap();
    let dialogs = InAppDialogs::new();
    dialogs.remember_folder(dir.path().to_path_buf());
    // A service that cannot be reached: the service window opens by itself.
    let server = ServerChoice::Remote {
        url: "https://127.0.0.1:9".to_string(),
        ca_pem: String::new(),
    };
    let mut console = options(dir.path(), server, Keystore::mock().unwrap(), Language::En);
    console.dialogs = Arc::new(dialogs);
    let mut person = Person::open(console);

    person.wait_for("Browse…");
    person.click("Browse…");
    person.wait_for("provider-ca.pem");
    assert!(
        !person.has_text(NOTICE),
        "chosen dialogs say nothing of the system's"
    );
    assert!(!person.has("notes.txt"), "only PEM files are listed");
    person.click("Show every file, not only PEM");
    assert!(person.has("notes.txt"));
    person.click("provider-ca.pem");
    person.click("Open");
    let path = ca.display().to_string();
    person.wait_until("the CA file in its field", move |h| {
        use egui_kittest::kittest::{NodeT, Queryable};
        h.query_by_label("CA certificate file or fingerprint")
            .and_then(|n| n.accesskit_node().value().map(|value| value.to_string()))
            .is_some_and(|value| value == path)
    });
}

#[test]
fn several_files_are_chosen_with_the_mouse_then_enter() {
    use hosting_console::dialogs::OpenDialog;
    use hosting_console::dialogs::chooser::FileChooser;
    use hosting_console::i18n::Texts;

    let dir = tempfile::tempdir().unwrap();
    for name in ["Verne.hnot", "Verne.lic", "other.txt"] {
        std::fs::write(dir.path().join(name), "").unwrap();
    }
    let dialogs = Arc::new(InAppDialogs::new());
    dialogs.remember_folder(dir.path().to_path_buf());
    let answer = dialogs.open(OpenDialog {
        title: "Load a base".to_string(),
        filter: Some(("PRONOTE".to_string(), vec!["hnot".into(), "lic".into()])),
        many: true,
    });
    let texts = Texts::new(Language::En);
    let mut chooser = FileChooser::default();
    let shown = dialogs.clone();
    let mut harness = egui_kittest::Harness::new_ui(move |ui| {
        chooser.ui(ui.ctx(), &texts, Some(&shown));
    });
    harness.run_steps(2);
    use egui_kittest::kittest::Queryable;
    assert!(harness.query_by_label("other.txt").is_none());
    // A click adds a file, a second click takes it back out.
    for name in ["Verne.hnot", "Verne.lic", "Verne.lic", "Verne.lic"] {
        harness.get_by_label(name).click();
        harness.run_steps(2);
    }
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Verne.hnot").is_none(),
        "the dialog closed"
    );
    let chosen = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(answer);
    assert_eq!(
        chosen,
        Some(vec![
            dir.path().join("Verne.hnot"),
            dir.path().join("Verne.lic")
        ])
    );
}
