//! The Server PRONOTE panel driven through the UI by the superadministrator, against a real
//! in-process hostingd: load a base with its three companions (dropped on the window), open it,
//! activate it, test the connection as a PRONOTE client, restore a safeguard and download it;
//! and a transfer paused, left unfinished at quitting, then resumed at the next start.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Person, Service, drop_files, write_file};
use egui_kittest::kittest::{NodeT, Queryable};

/// Clicks the first of the buttons labelled `label` (rows of a list repeat their buttons; the
/// newest row comes first).
fn click_first(person: &mut Person<'_>, label: &str) {
    person.wait_enabled_first(label);
    person
        .harness
        .get_all_by_label(label)
        .next()
        .unwrap()
        .click();
    person.harness.step();
    person.harness.step();
}

trait FirstEnabled {
    fn wait_enabled_first(&mut self, label: &str);
}

impl FirstEnabled for Person<'_> {
    fn wait_enabled_first(&mut self, label: &str) {
        let label = label.to_string();
        self.wait_until(&format!("first {label:?} enabled"), move |h| {
            h.query_all_by_label(&label)
                .next()
                .is_some_and(|node| !node.accesskit_node().is_disabled())
        });
    }
}

/// The schedule `planning01` as the service has it.
/// Activates the open base of planning01 from the Active base tab; returns the schedule.
fn activate_planning01(
    person: &mut Person<'_>,
    service: &Service,
    account_id: i64,
) -> hostingd::store::ScheduleRow {
    person.click("Active base");
    person.wait_enabled("Activate");
    person.click("Activate");
    person.wait_for("The open base is now in service.");
    person.wait_for("running");
    let schedule = planning01(service, account_id);
    assert_eq!(schedule.server_state, hosting_api::ServerState::Running);
    schedule
}

fn planning01(service: &Service, account_id: i64) -> hostingd::store::ScheduleRow {
    service.runtime.block_on(async {
        service
            .store()
            .schedules(account_id)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.name == "planning01")
            .unwrap()
    })
}

#[test]
fn the_superadministrator_loads_activates_and_restores_a_base() {
    // A safeguard every 10 minutes: the clock moves less than a session's 30 idle minutes.
    let service = Service::start_with(|config| config.safeguard_interval_minutes = 10);
    let logins = service.provision("Lycee Jules Verne");
    service.onboard_with_client(&logins, "server");
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let files = [
        write_file(&export, "Verne2026.HNOT", 5 * 1024 * 1024 + 123, 1),
        write_file(&export, "Verne2026.HCOURRIERS", 200_000, 2),
        write_file(&export, "Verne2026.HDOCJOINTS", 300_000, 3),
        write_file(&export, "Verne2026.HPHOTOS", 1_000_000, 4),
    ];
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Server PRONOTE");
    person.click("Server PRONOTE");
    person.wait_for("planning01");
    person.click("planning01");
    person.wait_for("Load a base");
    assert!(
        person.has("shut down"),
        "a new schedule's server is shut down"
    );
    assert!(person.has("Open a base first: load one, create one, or open one in Other bases."));

    // A file that is not PRONOTE's is refused before anything is sent.
    let notes = write_file(&export, "notes.txt", 10, 5);
    drop_files(&mut person, &[files[0].clone(), notes]);
    person.wait_for(
        "notes.txt is not a PRONOTE file: use .HNOT, .HCOURRIERS, .HDOCJOINTS or .HPHOTOS files.",
    );

    // The base and its three companions, dropped on the window: checked, sent, loaded.
    drop_files(&mut person, &files);
    person.wait_for("Verne2026.HPHOTOS");
    assert!(person.has_text("New base for planning01"));
    // The transfer goes on, and stays in view, while the person works in another panel.
    person.click("Workstations");
    person.wait_for("Done: the base Verne2026 is loaded.");
    assert!(person.has("Verne2026.HPHOTOS"));
    person.click("Server PRONOTE");
    person.wait_for("Load a base");
    let saved = std::fs::read_to_string(dir.path().join("transfers.json")).unwrap();
    assert_eq!(
        saved.trim(),
        "[]",
        "nothing is left to resume once the base is loaded"
    );
    person.click("Clear the finished transfers");
    assert!(!person.has("Done: the base Verne2026 is loaded."));

    // Open it from Other bases, then activate it.
    person.click("Other bases");
    person.wait_for("Bases downloaded from the institution");
    person.wait_for("Verne2026");
    person.click("Verne2026");
    person.wait_for("Base Verne2026");
    for companion in [
        "Verne2026.HCOURRIERS",
        "Verne2026.HDOCJOINTS",
        "Verne2026.HPHOTOS",
    ] {
        assert!(person.has(companion), "{companion} is a file of the base");
    }
    person.wait_enabled("Open this base");
    person.click("Open this base");
    person.wait_for("Open the base Verne2026 on the server?");
    person.click("Open");
    person.wait_for("The base is open. Activate it in the Active base tab.");
    let schedule = activate_planning01(&mut person, &service, logins.account_id);
    let base_id = schedule.active_base_id.unwrap();

    // The schedule's endpoint answers as a PRONOTE client sees it.
    person.wait_enabled("Test the connection");
    person.click("Test the connection");
    person.wait_for_text(
        "The server answers: Lycee Jules Verne, schedule planning01, base Verne2026",
    );

    // Seed 001: the running base is completed (here from Other bases, with a file dropped on
    // the window); its server stays in service.
    person.click("Other bases");
    person.wait_for("Base Verne2026");
    let photos = write_file(&export, "Verne2027.HPHOTOS", 400_000, 6);
    drop_files(&mut person, &[photos]);
    person.wait_for("Done: the base Verne2026 is complete.");
    let bases = service.runtime.block_on(async {
        service
            .store()
            .bases(logins.account_id, schedule.id)
            .await
            .unwrap()
    });
    let (_, active_files) = bases.iter().find(|(b, _)| b.id == base_id).unwrap();
    assert!(
        active_files
            .iter()
            .any(|f| f.filename == "Verne2027.HPHOTOS")
    );
    assert_eq!(
        planning01(&service, logins.account_id).server_state,
        hosting_api::ServerState::Running
    );
    person.click("Active base");

    // Time passes: the service takes a safeguard of the active base.
    service.store().clock().advance(11 * 60);
    let safeguards = service.runtime.block_on(async {
        service.service.run_jobs().await.unwrap();
        service
            .store()
            .safeguards(logins.account_id, schedule.id)
            .await
            .unwrap()
    });
    assert!(
        safeguards
            .first()
            .is_some_and(|s| s.base_id == base_id && s.taken_at >= service.store().now() - 60),
        "a safeguard of the active base was just taken"
    );

    // Shut the server down (after a confirmation), open the safeguard, activate it.
    person.click("Shut down the server");
    person.wait_for("Shut down");
    person.click("Shut down");
    person.wait_for("The server is shut down.");
    assert_eq!(
        planning01(&service, logins.account_id).server_state,
        hosting_api::ServerState::Stopped
    );
    person.click("Safeguards");
    person.wait_for("Open this safeguard");
    click_first(&mut person, "Open this safeguard");
    person.wait_for_text("Open the safeguard of ");
    person.click("Open");
    person.wait_for("The safeguard is open. Activate it in the Active base tab.");

    // Download it: its hash is checked on arrival.
    click_first(&mut person, "Download");
    person.wait_for_text("hash verified");
    // The dialogs of the test save into the workstation's folder, under the offered name.
    let downloaded: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "safeguard"))
        .collect();
    assert_eq!(downloaded.len(), 1);
    assert_eq!(
        std::fs::read(downloaded[0].path()).unwrap(),
        std::fs::read(&files[0]).unwrap(),
        "the safeguard of a base just activated is its .HNOT"
    );

    let schedule = activate_planning01(&mut person, &service, logins.account_id);
    let restored = schedule.active_base_id.unwrap();
    assert_ne!(restored, base_id, "the safeguard became a base of its own");
    let bases = service.runtime.block_on(async {
        service
            .store()
            .bases(logins.account_id, schedule.id)
            .await
            .unwrap()
    });
    let (row, _) = bases.iter().find(|(b, _)| b.id == restored).unwrap();
    assert_eq!(row.origin, hosting_api::BaseOrigin::Safeguard);
    assert!(
        bases
            .iter()
            .any(|(b, _)| b.id == base_id && b.activated_at.is_some())
    );

    // Reserve licences for the administrators: at most the contract's.
    person.click("Monitoring of connections");
    person.wait_for("Administrative-mode licences of the contract: 5");
    assert!(person.has("Members of the Administration profile: 1"));
    person.fill("Licences reserved for the administrators", "7");
    person.wait_for("At most 5: the licences of the contract.");
    assert!(
        person
            .harness
            .get_by_label("Save")
            .accesskit_node()
            .is_disabled()
    );
    person.press(egui::Key::Backspace);
    person.press(egui::Key::Backspace);
    person.fill("Licences reserved for the administrators", "3");
    person.click("Save");
    person.wait_for("The reservation was saved.");
    assert_eq!(
        planning01(&service, logins.account_id).administration_reserved,
        3
    );

    // The reservations of both schedules together stay within the contract: planning02 is
    // told up front how many are left, before anything is sent.
    person.click("planning02");
    person.wait_for("Reserved by your other schedules: 3");
    person.fill("Licences reserved for the administrators", "3");
    person.wait_for(
        "At most 2 here: your other schedules already reserve 3 of the contract's licences.",
    );
    assert!(person.is_disabled("Save"));

    // An empty base for planning02, with the default time grid.
    person.click("planning02");
    person.click("Active base");
    person.wait_enabled("Create a base");
    person.click("Create a base");
    person.wait_for("Create an empty base for planning02");
    let first_hour = person
        .harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "First hour of the day")
        .accesskit_node()
        .value();
    assert_eq!(first_hour.as_deref(), Some("08:00"));
    person.click("Create the base");
    person.wait_for("The base was created and opened. Activate it to put it into service.");
    let planning02 = service.runtime.block_on(async {
        service
            .store()
            .schedules(logins.account_id)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.name == "planning02")
            .unwrap()
    });
    assert!(planning02.open_base_id.is_some());
    assert_eq!(planning02.server_state, hosting_api::ServerState::Stopped);
}

#[test]
fn a_paused_transfer_is_offered_again_at_the_next_start() {
    let service = Service::start();
    let logins = service.provision("Lycee Colette");
    service.onboard_with_client(&logins, "resume");
    let dir = tempfile::tempdir().unwrap();
    let size = 96 * 1024 * 1024;
    let big = write_file(&dir.path().join("export"), "Colette.HNOT", size, 7);
    let uploads = || {
        service
            .runtime
            .block_on(service.store().uploads(logins.account_id))
            .unwrap()
    };
    {
        let mut person = Person::on(dir.path(), service.choice());
        person.log_in_as_superadmin(&logins);
        person.install_certificate(&logins);
        person.wait_for("Server PRONOTE");
        person.click("Server PRONOTE");
        person.wait_for("Load a base");
        drop_files(&mut person, std::slice::from_ref(&big));
        // Some bytes are kept by the service (a whole chunk, checked and written): pause. The
        // bytes in flight shown by the progress bar are not enough: a chunk cut short by the
        // pause is not kept.
        person.wait_until("the first chunk kept by the service", |_| {
            uploads().first().is_some_and(|u| u.upload_offset > 0)
        });
        // The console saves the running hash of the stored bytes once the service's answer
        // reaches it.
        let saved_checkpoint = || {
            let saved = std::fs::read_to_string(dir.path().join("transfers.json")).ok()?;
            let groups: serde_json::Value = serde_json::from_str(&saved).ok()?;
            let checkpoint = groups[0]["files"][0]["checkpoint"].as_str()?;
            hosting_api::FileHash::from_base64(checkpoint).filter(|h| !h.is_empty())
        };
        person.wait_until("a checkpoint saved", |_| saved_checkpoint().is_some());
        person.click("Pause Colette.HNOT");
        person.wait_for("paused");
        person.wait_for("Resume Colette.HNOT");
        assert!(person.has_text("Transfers (1 in progress)"));
        let stored = uploads();
        assert_eq!(stored.len(), 1);
        assert!(
            stored[0].upload_offset > 0 && stored[0].upload_offset < size as i64,
            "the service keeps the bytes of a paused transfer: {} of {size}",
            stored[0].upload_offset
        );
        let saved = std::fs::read_to_string(dir.path().join("transfers.json")).unwrap();
        assert!(saved.contains(&stored[0].id), "{saved}");
        // With it, the running hash of the bytes stored (the file was hashed as it was sent,
        // never before): resuming reads none of them again.
        let checkpoint = saved_checkpoint().unwrap();
        let covered = usize::try_from(checkpoint.len()).unwrap();
        assert!(covered > 0 && covered as i64 <= stored[0].upload_offset);
        let mut expected = hosting_api::FileHash::new();
        expected.update(&std::fs::read(&big).unwrap()[..covered]);
        assert_eq!(checkpoint, expected);
        assert_eq!(
            stored[0].sha256, None,
            "created without reading the file first"
        );
        // The console is closed with the transfer unfinished.
    }

    // The next start, after the login: the transfer is offered again, and resumed.
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Transfer left unfinished last time: Colette.HNOT.");
    person.click("Resume it");
    person.wait_for("Done: the base Colette is loaded.");
    assert!(
        uploads().is_empty(),
        "the upload begun before was completed and used, not sent again as a new one"
    );
    let schedule = planning01(&service, logins.account_id);
    let bases = service.runtime.block_on(async {
        service
            .store()
            .bases(logins.account_id, schedule.id)
            .await
            .unwrap()
    });
    let (_, files) = bases.iter().find(|(b, _)| b.name == "Colette").unwrap();
    let (_, sha256) = hosting_api::tus::hash_file(&big, |_| {}).unwrap();
    assert_eq!(files[0].sha256, sha256);
    let saved = std::fs::read_to_string(dir.path().join("transfers.json")).unwrap();
    assert_eq!(saved.trim(), "[]");

    // Complete the base: select it in Other bases and drop a companion on the window.
    person.click("Server PRONOTE");
    person.wait_for("Other bases");
    person.click("Other bases");
    person.wait_for("Colette");
    person.click("Colette");
    person.wait_for("Base Colette");
    let photos = write_file(&dir.path().join("export"), "Colette.HPHOTOS", 250_000, 8);
    drop_files(&mut person, &[photos]);
    person.wait_for("Done: the base Colette is complete.");
    let bases = service.runtime.block_on(async {
        service
            .store()
            .bases(logins.account_id, schedule.id)
            .await
            .unwrap()
    });
    let (_, files) = bases.iter().find(|(b, _)| b.name == "Colette").unwrap();
    let mut kinds: Vec<&str> = files.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["base", "photos"]);

    // Another base, paused then cancelled: its bytes are deleted from the service.
    let again = dir.path().join("export").join("Colette2.HNOT");
    std::fs::copy(&big, &again).unwrap();
    person.click("Active base");
    person.wait_for("Load a base");
    drop_files(&mut person, &[again]);
    person.wait_until("the first bytes sent", |h| {
        h.query_by_label_contains("% of ")
            .and_then(|node| node.accesskit_node().label())
            .is_some_and(|label| !label.starts_with("0 %"))
    });
    person.click("Pause Colette2.HNOT");
    person.wait_for("Cancel Colette2.HNOT");
    assert_eq!(uploads().len(), 1);
    person.click("Cancel Colette2.HNOT");
    person.wait_for(
        "Cancel loading the base Colette2.HNOT? Every file of it is deleted from the service.",
    );
    person.click("Cancel the transfer");
    person.wait_for("cancelled");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !uploads().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the cancelled upload stays on the service"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let saved = std::fs::read_to_string(dir.path().join("transfers.json")).unwrap();
    assert_eq!(saved.trim(), "[]");
}

#[test]
fn a_file_changed_while_paused_is_sent_again_from_the_start() {
    let service = Service::start();
    let logins = service.provision("Lycee Sagan");
    service.onboard_with_client(&logins, "changed");
    let dir = tempfile::tempdir().unwrap();
    let size = 48 * 1024 * 1024;
    let file = write_file(&dir.path().join("export"), "Sagan.HNOT", size, 3);
    let uploads = || {
        service
            .runtime
            .block_on(service.store().uploads(logins.account_id))
            .unwrap()
    };
    let mut person = Person::on(dir.path(), service.choice());
    person.log_in_as_superadmin(&logins);
    person.install_certificate(&logins);
    person.wait_for("Server PRONOTE");
    person.click("Server PRONOTE");
    person.wait_for("Load a base");
    drop_files(&mut person, std::slice::from_ref(&file));
    person.wait_until("the first chunk kept by the service", |_| {
        uploads().first().is_some_and(|u| u.upload_offset > 0)
    });
    person.click("Pause Sagan.HNOT");
    person.wait_for("Resume Sagan.HNOT");
    let first_upload = uploads()[0].id.clone();

    // PRONOTE saves the base again, same size, other bytes: the bytes already sent are not the
    // file's any more.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let file = write_file(&dir.path().join("export"), "Sagan.HNOT", size, 4);
    person.click("Resume Sagan.HNOT");
    person.wait_for(
        "Stopped: The file changed since its transfer started, so what was sent of it was deleted. Once the file is saved, resume the transfer: it is sent again from the start.",
    );
    assert!(
        uploads().iter().all(|u| u.id != first_upload),
        "the bytes of the old file are deleted from the service"
    );

    // Resumed: sent again from the start, and the base is the new file.
    person.click("Resume Sagan.HNOT");
    person.wait_for("Done: the base Sagan is loaded.");
    let schedule = planning01(&service, logins.account_id);
    let bases = service.runtime.block_on(async {
        service
            .store()
            .bases(logins.account_id, schedule.id)
            .await
            .unwrap()
    });
    let (_, files) = bases.iter().find(|(b, _)| b.name == "Sagan").unwrap();
    let (_, sha256) = hosting_api::tus::hash_file(&file, |_| {}).unwrap();
    assert_eq!(files[0].sha256, sha256);
    assert!(uploads().is_empty());
}
