//! The provider's page on hosting (`../shared/seeds/001_*.txt`), procedure by procedure, each
//! followed through the console in the order of its steps, with the page's own words in the
//! comments, as the role the page names: the superadministrator (the page's "SPR", a member of
//! the Administration group) on their own workstation, for a school its hosting manager
//! onboarded (seed 000, `onboarding_ui`). What the page does "from a Client" (complete the hosted
//! base, the bases of previous years, renew the contract) is done here in the console, where the
//! hosted solution puts it. The deeper checks of each screen live in its own test file.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use hosting_api::{ScheduleYears, ServerState};
use hosting_console::dialogs::FolderDialogs;
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;
use hostingd::testing::Logins;

use crate::common::{self, Person, Service, write_file};

/// A school onboarded by its hosting manager, and the folder of its superadministrator's
/// workstation, whose open dialogs answer with the files the test designates.
struct School {
    service: Service,
    logins: Logins,
    dir: tempfile::TempDir,
    dialogs: Arc<FolderDialogs>,
}

impl School {
    fn new(name: &str, prefix: &str) -> School {
        School::on(Service::start(), name, prefix)
    }

    fn on(service: Service, name: &str, prefix: &str) -> School {
        let logins = service.provision(name);
        service.onboard_with_client(&logins, prefix);
        let dir = tempfile::tempdir().unwrap();
        let dialogs = Arc::new(FolderDialogs::new(dir.path()));
        School {
            service,
            logins,
            dir,
            dialogs,
        }
    }

    /// "Connect to the hosting console": the superadministrator jdupont logs in on their own
    /// workstation (its certificate installed with the invoice number, the first time).
    fn superadmin<'a>(&self) -> Person<'a> {
        let mut options = common::options(
            self.dir.path(),
            self.service.choice(),
            Keystore::mock().unwrap(),
            Language::En,
        );
        options.dialogs = self.dialogs.clone();
        let mut person = Person::open(options);
        person.log_in_as_superadmin(&self.logins);
        person.install_certificate(&self.logins);
        person.wait_for("Server PRONOTE");
        person
    }

    /// The files of the base `stem` as "File > HOSTING OF PRONOTE > Generate the files for
    /// hosting" writes them in `folder`: the base and the given companions.
    fn generate(&self, folder: &str, stem: &str, kinds: &[&str]) -> Vec<PathBuf> {
        let folder = self.dir.path().join(folder);
        std::iter::once("HNOT")
            .chain(kinds.iter().copied())
            .enumerate()
            .map(|(i, kind)| {
                let size = if kind == "HNOT" { 400_000 } else { 30_000 };
                write_file(&folder, &format!("{stem}.{kind}"), size, i as u8 + 1)
            })
            .collect()
    }

    fn planning01(&self) -> hostingd::store::ScheduleRow {
        self.service.runtime.block_on(async {
            let schedules = self.service.store().schedules(self.logins.account_id).await;
            schedules.unwrap().into_iter().next().unwrap()
        })
    }

    /// The names of the files of planning01's base `name`, as the service has them.
    fn files_of(&self, name: &str) -> Vec<String> {
        let schedule = self.planning01().id;
        let bases = self.service.runtime.block_on(async {
            let store = self.service.store();
            store.bases(self.logins.account_id, schedule).await.unwrap()
        });
        let (_, files) = bases.into_iter().find(|(b, _)| b.name == name).unwrap();
        let mut names: Vec<String> = files.into_iter().map(|f| f.filename).collect();
        names.sort();
        names
    }
}

/// "Load an existing database during the year", then "load the attached documents".
#[test]
fn load_an_existing_database_during_the_year() {
    let school = School::new("Lycee Victor Hugo", "hugo");
    // "In the locally installed application Server: Launch the command File > HOSTING OF
    // PRONOTE > Generate the files for hosting ... PRONOTE generates at least four files
    // (*.HNOT for the base, *.HCOURRIERS for mail, *.HDOCJOINTS for annex documents, *.HPHOTOS
    // for photos)." The annex documents are written later, to a folder of their own.
    let files = school.generate("export", "Hugo2026", &["HCOURRIERS", "HPHOTOS"]);
    let documents = write_file(
        &school.dir.path().join("documents"),
        "Hugo2026.HDOCJOINTS",
        50_000,
        9,
    );
    let mut person = school.superadmin();

    // "From the hosting console, panel Server PRONOTE:"
    person.click("Server PRONOTE");
    person.wait_for("Load a base");
    // "1. If necessary, shut down the Server and click on the button Load a base and designate
    // the *.HNOT file." A new schedule's server is shut down already.
    assert!(person.has("shut down"));
    school.dialogs.queue_open(vec![files[0].clone()]);
    person.click("Load a base");
    person.wait_for("Done: the base Hugo2026 is loaded.");
    assert_eq!(
        school.files_of("Hugo2026"),
        ["Hugo2026.HCOURRIERS", "Hugo2026.HNOT", "Hugo2026.HPHOTOS"],
        "the files generated beside the .HNOT came with it"
    );
    // "2. Go to the tab Other bases."
    person.click("Other bases");
    // "3. Select the base in the list Previously activated bases or the list Bases downloaded
    // from the institution."
    person.wait_for("Bases downloaded from the institution");
    assert!(person.has("Previously activated bases"));
    person.wait_for("Hugo2026");
    person.click("Hugo2026");
    // "4. On the right, click on the button Open this base."
    person.wait_enabled("Open this base");
    person.click("Open this base");
    person.wait_for("Open the base Hugo2026 on the server?");
    person.click("Open");
    person.wait_for("The base is open. Activate it in the Active base tab.");
    // "To open and put into service a database": Activate.
    person.click("Active base");
    person.wait_enabled("Activate");
    person.click("Activate");
    person.wait_for("The open base is now in service.");
    assert_eq!(school.planning01().server_state, ServerState::Running);

    // "From a Client connected to the hosted Server, to load the attached documents, launch
    // the command Hosting > Complete the hosted base and designate the file *.HDOCJOINTS."
    person.click("Other bases");
    person.wait_for("Hugo2026");
    person.click("Hugo2026");
    school.dialogs.queue_open(vec![documents]);
    person.wait_enabled("Complete the hosted base");
    person.click("Complete the hosted base");
    person.wait_for("Done: the base Hugo2026 is complete.");
    assert!(
        school
            .files_of("Hugo2026")
            .contains(&"Hugo2026.HDOCJOINTS".to_string())
    );
    assert_eq!(
        school.planning01().server_state,
        ServerState::Running,
        "the Clients keep working while the base is completed"
    );
}

/// "Create a new empty base", on a schedule whose server runs.
#[test]
fn create_a_new_empty_base() {
    let school = School::new("Lycee George Sand", "sand");
    school.service.running_planning01(&school.logins);
    // "1. Connect to the hosting console."
    let mut person = school.superadmin();
    // "2. In the panel Server PRONOTE."
    person.click("Server PRONOTE");
    // "3. If necessary, shut down the Server and click on the button Create a base."
    person.wait_for("running");
    assert!(person.is_disabled("Create a base"), "the server runs");
    person.wait_for("Shut down the server before loading, creating or opening a base.");
    person.click("Shut down the server");
    person.wait_for("Shut down");
    person.click("Shut down");
    person.wait_for("The server is shut down.");
    person.wait_enabled("Create a base");
    person.click("Create a base");
    // "4. In the popup window, leave the default time grid (it will be reset with the data
    // from EDT) and validate."
    person.wait_for("Create an empty base for planning01");
    person.click("Create the base");
    person.wait_for("The base was created and opened. Activate it to put it into service.");
    // "5. Click on the button Activate to render the base accessible from a Client."
    person.wait_enabled("Activate");
    person.click("Activate");
    person.wait_for("The open base is now in service.");
    person.wait_enabled("Test the connection");
    person.click("Test the connection");
    person.wait_for_text("The server answers: Lycee George Sand, schedule planning01");
    let schedule = school.planning01();
    assert_eq!(schedule.server_state, ServerState::Running);
    assert_eq!(schedule.active_base_id, schedule.open_base_id);
}

/// "Replace an active base by an archive" (a safeguard), while the server runs.
#[test]
fn replace_an_active_base_by_an_archive() {
    let service = Service::start_with(|config| config.safeguard_interval_minutes = 10);
    let school = School::on(service, "Lycee Rabelais", "rabelais");
    // jdupont's client on another workstation, enrolled before the clock moves.
    let (client, schedules) = school.service.running_planning01(&school.logins);
    let active = school.planning01().active_base_id.unwrap();
    let mut person = school.superadmin();
    // Time passes: the service takes a safeguard of the active base.
    school.service.store().clock().advance(11 * 60);
    school
        .service
        .runtime
        .block_on(school.service.service.run_jobs())
        .unwrap();

    // "1. In the hosting console, click on the panel Server PRONOTE and then in the tab
    // Safeguards."
    person.click("Server PRONOTE");
    person.wait_for("Safeguards");
    person.click("Safeguards");
    person.wait_for_text("opening a safeguard shuts it down first");
    // "2. Select the safeguard, right-click and choose Open this safeguard."
    let safeguards = school
        .service
        .runtime
        .block_on(client.safeguards(schedules[0].id))
        .unwrap();
    let taken = hosting_console::format::date_time(&safeguards[0].taken_at);
    person.wait_for(&taken);
    person.click(&taken);
    let buttons = person
        .harness
        .get_all_by_label("Open this safeguard")
        .count();
    person.harness.get_by_label(&taken).click_secondary();
    person.wait_until("the safeguard's menu", |h| {
        h.query_all_by_label("Open this safeguard").count() > buttons
    });
    // The menu's item is the last one drawn.
    person
        .harness
        .get_all_by_label("Open this safeguard")
        .last()
        .unwrap()
        .click();
    person.wait_for_text("The server of planning01 is shut down first");
    person.click("Open");
    person.wait_for("The safeguard is open. Activate it in the Active base tab.");
    assert_eq!(school.planning01().server_state, ServerState::Stopped);
    // "3. Activate the base."
    person.click("Active base");
    person.wait_enabled("Activate");
    person.click("Activate");
    person.wait_for("The open base is now in service.");
    let schedule = school.planning01();
    assert_eq!(schedule.server_state, ServerState::Running);
    assert_ne!(
        schedule.active_base_id,
        Some(active),
        "the archive replaced it"
    );
}

/// "Reserve a license for the users from the Administration group".
#[test]
fn reserve_a_license_for_the_administration_group() {
    let school = School::new("Lycee Montaigne", "montaigne");
    let mut person = school.superadmin();
    // "From the hosting console, click on the panel Server PRONOTE and go to the tab
    // Monitoring of connections. Enter the number of Licenses reserved for the
    // administrators."
    person.click("Server PRONOTE");
    person.wait_for("Monitoring of connections");
    person.click("Monitoring of connections");
    person.wait_for("Administrative-mode licences of the contract: 5");
    person.fill("Licences reserved for the administrators", "2");
    person.click("Save");
    person.wait_for("The reservation was saved.");
    assert_eq!(school.planning01().administration_reserved, 2);
}

/// "Load the bases from previous years on the server", as a user of the Administration group.
#[test]
fn load_the_bases_from_previous_years() {
    let school = School::new("Lycee Pascal", "pascal");
    let previous = school.generate("archives", "Pascal 2024", &["HPHOTOS"]);
    let mut person = school.superadmin();
    // "Prerequisite: You must be a user from the group Administration." jdupont is.
    // "1. From a Client, go to the menu Hosting > Manage the bases from previous years."
    person.click("Server PRONOTE");
    person.wait_for("Previous years");
    person.click("Previous years");
    person.wait_for_text("Previous years of planning01");
    let schedule = school.planning01().id;
    let years: ScheduleYears = school.service.runtime.block_on(async {
        let (manager, _) =
            hostingd::testing::manager(&school.service.service, &school.logins).await;
        manager.schedule_years(schedule).await.unwrap()
    });
    let empty = years.years.iter().find(|y| y.base.is_none()).unwrap();
    let year = empty.school_year.clone();
    // "2. In the popup window, double-click on a base to replace it or on an empty cell to
    // complete a year." The empty cell of that year, in planning01's column.
    let cell = empty_cell(&person, &year);
    // "3. In the popup window, double-click on the base to be loaded." The workstation's
    // dialog answers with the base (its companion beside it comes with it).
    school.dialogs.queue_open(vec![previous[0].clone()]);
    person.double_click_at(cell);
    person.wait_for_text("Done: Pascal 2024 is the base of that year.");
    let rows = school.service.runtime.block_on(async {
        let store = school.service.store();
        store
            .year_bases(school.logins.account_id, schedule)
            .await
            .unwrap()
    });
    let (row, files) = rows
        .iter()
        .find(|(r, _)| r.base_name == "Pascal 2024")
        .unwrap();
    assert_eq!(row.school_year, year);
    assert_eq!(files.len(), 2, "the base and its photos");

    // The hosting manager is not of the Administration group: the cell says so, and a
    // double-click on it asks for no file.
    let dir = tempfile::tempdir().unwrap();
    let dialogs = Arc::new(FolderDialogs::new(dir.path()));
    let mut options = common::options(
        dir.path(),
        school.service.choice(),
        Keystore::mock().unwrap(),
        Language::En,
    );
    options.dialogs = dialogs.clone();
    let mut manager = Person::open(options);
    manager.log_in(&school.logins);
    manager.install_certificate(&school.logins);
    manager.wait_for("Server PRONOTE");
    manager.click("Server PRONOTE");
    manager.wait_for("Previous years");
    manager.click("Previous years");
    manager.wait_for_text("Only the members of the Administration profile of planning01");
    let other = years
        .years
        .iter()
        .find(|y| y.base.is_none() && y.school_year != year)
        .unwrap();
    dialogs.queue_open(vec![previous[0].clone()]);
    let cell = empty_cell(&manager, &other.school_year);
    manager.double_click_at(cell);
    manager.harness.run_steps(10);
    assert_eq!(dialogs.queued(), 1, "no file was asked for");
}

/// The centre of the empty cell of `year` in the first schedule's column of the grid.
fn empty_cell(person: &Person<'_>, year: &str) -> egui::Pos2 {
    person
        .harness
        .get_all_by_label("—")
        .find(|n| {
            person.harness.get_all_by_label(year).any(|row| {
                (row.rect().center().y - n.rect().center().y).abs() < 2.0
                    && row.rect().left() < n.rect().left()
            })
        })
        .map(|n| n.rect().center())
        .unwrap()
}

/// "Renew the hosting contract", as the SPR.
#[test]
fn renew_the_hosting_contract() {
    let school = School::new("Lycee Diderot", "diderot");
    school.service.set_prices("1450", "120", "300");
    // "Prerequisite: You must login as the SPR."
    let mut person = school.superadmin();
    // "1. From a Client, go to the menu Hosting > Renew my hosting contract."
    person.click("My account");
    person.wait_for_text("Renew the contract");
    // "2. Follow the instructions to edit a pro-forma invoice."
    person.wait_enabled("Make the pro-forma invoice");
    person.click("Make the pro-forma invoice");
    person.wait_for_text("The pro-forma invoice was saved as");
    let saved: Vec<_> = std::fs::read_dir(school.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(saved.len(), 1);
    let text = common::pdf_text(&saved[0].path());
    assert!(text.contains("Lycee Diderot"), "{text}");
    assert!(text.contains(&school.logins.hosting_number), "{text}");
}

/// "Publish the Webspaces on the Internet": "The base is published by default. To end or
/// republish, go to the hosting console, in the panel PRONOTE.net."
#[test]
fn publish_the_webspaces() {
    let school = School::new("Lycee Voltaire", "voltaire");
    school.service.running_planning01(&school.logins);
    let mut person = school.superadmin();
    person.click("PRONOTE.net");
    // Published by default, once its base runs.
    person.wait_for("Published");
    // To end…
    person.click("Stop publication");
    person.wait_for_text("the people who use them lose access");
    person.click("Yes, stop the publication");
    person.wait_for("Not published");
    let publication = |school: &School| {
        let schedule = school.planning01().id;
        school.service.runtime.block_on(async {
            let (manager, _) =
                hostingd::testing::manager(&school.service.service, &school.logins).await;
            manager.publication(schedule).await.unwrap().published
        })
    };
    assert!(!publication(&school));
    // …or republish.
    person.click("Publish");
    person.wait_for("Published");
    assert!(publication(&school));
}

/// "Delegate the authentication" (PRONOTE.net): the spaces' logins go to the ENT's CAS server.
#[test]
fn delegate_the_authentication() {
    let cas_runtime = tokio::runtime::Runtime::new().unwrap();
    let cas = cas_runtime.block_on(hostingd::testing::cas::TestCas::start(
        hostingd::testing::cas::CasPerson {
            user: "jdupont".to_string(),
            display_name: "Jeanne Dupont".to_string(),
        },
    ));
    let trust = tempfile::tempdir().unwrap();
    let service = Service::start_with(|config| cas.configure(config, trust.path()));
    let school = School::on(service, "Lycee Moliere", "moliere");
    let mut person = school.superadmin();
    person.click("PRONOTE.net");
    person.wait_for("Not published");
    // The delegation is read by a request of its own, which may come after the publication's.
    person.wait_for("ENT (CAS)");
    person.click("ENT (CAS)");
    person.fill("CAS server address", &cas.url);
    person.click("Save how people log in");
    person.wait_for_text("The CAS server answered on");
    let schedule = school.planning01().id;
    let delegation = school.service.runtime.block_on(async {
        let (manager, _) =
            hostingd::testing::manager(&school.service.service, &school.logins).await;
        manager.delegation(schedule).await.unwrap()
    });
    assert_eq!(delegation.cas_url.as_deref(), Some(cas.url.as_str()));
}
