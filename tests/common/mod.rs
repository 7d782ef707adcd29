//! Helpers of the console's end-to-end tests: a real hostingd over TLS in a temporary directory,
//! and a console driven through its UI by labels and roles, counting what a person does.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use egui_kittest::kittest::Queryable;
use hosting_console::backend::KeystoreChoice;
use hosting_console::dialogs::FolderDialogs;
use hosting_console::i18n::Language;
use hosting_console::keystore::Keystore;
use hosting_console::settings::ServerChoice;
use hosting_console::{ConsoleApp, ConsoleOptions};
use hostingd::testing;
use hostingd::{Clock, RunningService, ServeConfig};

pub use hostingd::testing::{Logins, SUPERADMIN_PASSWORD};

pub mod window;

/// A hosting service for the test, on its own runtime.
pub struct Service {
    pub runtime: tokio::runtime::Runtime,
    pub service: RunningService,
    pub dir: tempfile::TempDir,
}

impl Service {
    pub fn start() -> Service {
        Service::start_with(|_| {})
    }

    /// A service whose configuration `change` adjusts.
    pub fn start_with(change: impl FnOnce(&mut ServeConfig)) -> Service {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        // Activating a schedule binds its port: each service gets its own window of ports.
        let mut config = testing::local_config(dir.path().join("service"));
        change(&mut config);
        let service = runtime
            .block_on(hostingd::start(config, Clock::default()))
            .unwrap();
        Service {
            runtime,
            service,
            dir,
        }
    }

    pub fn choice(&self) -> ServerChoice {
        ServerChoice::Remote {
            url: self.service.base_url(),
            ca_pem: self.service.ca_pem(),
        }
    }

    /// The service chosen by its CA's pinned SHA-256 fingerprint, as a provider publishes it.
    pub fn pinned_choice(&self) -> ServerChoice {
        ServerChoice::RemotePinned {
            url: self.service.base_url(),
            fingerprint: self.service.state.pki.ca_fingerprint(),
        }
    }

    /// Provisions an account and reads its logins from the outbox (e-mail and SMS).
    pub fn provision(&self, school: &str) -> Logins {
        self.runtime
            .block_on(testing::provision(&self.service, school))
    }

    pub fn store(&self) -> &hostingd::store::Store {
        &self.service.state.store
    }

    /// What `check` finds in the service's database once the console's changes reached it
    /// (polled for up to 30 s): the service, not the screen, is what a change is judged by.
    pub fn eventually<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut(hostingd::store::Store) -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let store = self.store().clone();
        self.runtime.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Some(found) = check(store.clone()).await {
                    return found;
                }
                assert!(Instant::now() < deadline, "{what}: not seen by the service");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    }

    /// The provider's price list (in euros, VAT 20 %, since 2020): hosting, one Administrative
    /// licence, one Campus.net licence; what a renewal's pro-forma invoice is made from.
    pub fn set_prices(&self, hosting: &str, administration_licence: &str, campus_net: &str) {
        self.runtime.block_on(async {
            for (item, amount) in [
                ("hosting", hosting),
                ("administration_licence", administration_licence),
                ("campus_net_licence", campus_net),
            ] {
                hostingd::operator::set_price(
                    self.store(),
                    item,
                    amount,
                    "EUR",
                    "20",
                    "2020-01-01",
                )
                .await
                .unwrap();
            }
        });
    }

    /// The hosting manager's onboarding done through the typed client on their own workstation
    /// (licence, domains `<prefix>-…`, a superadministrator `jdupont` with console access in the
    /// Administration profile of every schedule).
    pub fn onboard_with_client(&self, logins: &Logins, prefix: &str) {
        self.runtime
            .block_on(testing::onboard(&self.service, logins, prefix));
    }

    /// jdupont's client from another workstation, once planning01 runs an empty base (and so
    /// is published and takes Clients), with the account's schedules.
    pub fn running_planning01(
        &self,
        logins: &Logins,
    ) -> (hosting_api::Client, Vec<hosting_api::Schedule>) {
        self.runtime.block_on(async {
            let identity = testing::enroll(
                &self.service,
                hosting_api::Role::Superadmin,
                logins,
                Some("jdupont"),
                SUPERADMIN_PASSWORD,
            )
            .await
            .unwrap();
            let client = testing::with_identity(&self.service, &identity);
            client.login(SUPERADMIN_PASSWORD).await.unwrap();
            let schedules = client.schedules().await.unwrap();
            client
                .create_empty_base(schedules[0].id, &hosting_api::NewEmptyBase::default())
                .await
                .unwrap();
            client.activate(schedules[0].id).await.unwrap();
            let schedules = client.schedules().await.unwrap();
            (client, schedules)
        })
    }
}

/// Options of a console on a workstation of its own.
pub fn options(
    dir: &std::path::Path,
    server: ServerChoice,
    keystore: Keystore,
    language: Language,
) -> ConsoleOptions {
    ConsoleOptions {
        data_dir: dir.to_path_buf(),
        keystore: KeystoreChoice::Given(keystore),
        server: Some(server),
        dialogs: std::sync::Arc::new(FolderDialogs::new(dir)),
        workstation_name: "Test workstation".to_string(),
        language: Some(language),
        first_frame_report: None,
        provider: hosting_console::provider::ProviderSetting::Demonstration,
        crash_report: None,
        shortcut: None,
        links: std::sync::Arc::new(hosting_console::links::RecordingLinks::default()),
    }
}

/// The text of a saved PDF's pages, as a PDF reader extracts it (one line per line drawn).
pub fn pdf_text(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let document = lopdf::Document::load_mem(&bytes).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).unwrap()
}

/// A console driven like a person: every click and every field typed is counted.
pub struct Person<'a> {
    pub harness: Harness<'a, ConsoleApp>,
    pub clicks: usize,
    pub fields: usize,
}

impl<'a> Person<'a> {
    pub fn open(options: ConsoleOptions) -> Person<'a> {
        let harness = Harness::builder()
            .with_size([1100.0, 820.0])
            .build_eframe(move |cc| ConsoleApp::new(cc, options).unwrap());
        Person {
            harness,
            clicks: 0,
            fields: 0,
        }
    }

    /// Steps the UI until `done` holds, for at most 60 s (the backend answers on other threads).
    pub fn wait_until(&mut self, what: &str, done: impl Fn(&Harness<'a, ConsoleApp>) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.harness.step();
            if done(&self.harness) {
                self.harness.step();
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out waiting for: {what}\non screen: {:?}",
                    self.labels()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Every label on screen (for failure messages).
    pub fn labels(&self) -> Vec<String> {
        use egui_kittest::kittest::NodeT;
        self.harness
            .root()
            .children_recursive()
            .filter_map(|node| {
                let node = node.accesskit_node();
                match (node.label(), node.value()) {
                    (Some(label), Some(value)) => Some(format!("{label}={value}")),
                    (Some(text), None) | (None, Some(text)) => Some(text),
                    (None, None) => None,
                }
            })
            .collect()
    }

    /// Waits until a node with this label is on screen.
    pub fn wait_for(&mut self, label: &str) {
        let label = label.to_string();
        self.wait_until(&format!("{label:?} on screen"), move |h| {
            h.query_by_label(&label).is_some()
        });
    }

    /// Waits until a node whose label contains `text` is on screen.
    pub fn wait_for_text(&mut self, text: &str) {
        let text = text.to_string();
        self.wait_until(&format!("text {text:?} on screen"), move |h| {
            h.query_by_label_contains(&text).is_some()
        });
    }

    /// Waits until the button labelled `label` can be clicked again (its action ended).
    pub fn wait_enabled(&mut self, label: &str) {
        use egui_kittest::kittest::NodeT;
        let label = label.to_string();
        self.wait_until(&format!("{label:?} enabled"), move |h| {
            h.query_by_label(&label)
                .is_some_and(|node| !node.accesskit_node().is_disabled())
        });
    }

    /// Whether the widget labelled `label` is there and disabled.
    pub fn is_disabled(&self, label: &str) -> bool {
        use egui_kittest::kittest::NodeT;
        self.harness
            .query_by_label(label)
            .is_some_and(|node| node.accesskit_node().is_disabled())
    }

    /// Whether the widget with this role and label is there and disabled.
    pub fn is_disabled_role(&self, role: Role, label: &str) -> bool {
        use egui_kittest::kittest::NodeT;
        self.harness
            .query_by_role_and_label(role, label)
            .is_some_and(|node| node.accesskit_node().is_disabled())
    }

    /// Where the node labelled `label` is drawn.
    pub fn rect_of(&self, label: &str) -> Option<egui::Rect> {
        self.harness.query_by_label(label).map(|node| node.rect())
    }

    /// The labels of the buttons drawn over `point`.
    pub fn buttons_at(&self, point: egui::Pos2) -> Vec<String> {
        use egui_kittest::kittest::NodeT;
        self.harness
            .query_all_by_role(Role::Button)
            .filter(|node| node.rect().contains(point))
            .map(|node| node.accesskit_node().label().unwrap_or_default())
            .collect()
    }

    pub fn has(&self, label: &str) -> bool {
        self.harness.query_by_label(label).is_some()
    }

    pub fn has_text(&self, text: &str) -> bool {
        self.harness.query_by_label_contains(text).is_some()
    }

    /// Types `text` into the field labelled `label` (text or password field).
    pub fn fill(&mut self, label: &str, text: &str) {
        let role = if self
            .harness
            .query_by_role_and_label(Role::PasswordInput, label)
            .is_some()
        {
            Role::PasswordInput
        } else {
            Role::TextInput
        };
        self.harness.get_by_role_and_label(role, label).click();
        self.harness.step();
        self.harness
            .get_by_role_and_label(role, label)
            .type_text(text);
        self.harness.step();
        self.fields += 1;
    }

    /// Replaces what the field labelled `label` holds with `text` (select all, then type).
    pub fn replace(&mut self, label: &str, text: &str) {
        let role = if self
            .harness
            .query_by_role_and_label(Role::PasswordInput, label)
            .is_some()
        {
            Role::PasswordInput
        } else {
            Role::TextInput
        };
        self.harness.get_by_role_and_label(role, label).click();
        self.harness.step();
        self.harness
            .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        self.harness.step();
        self.harness
            .get_by_role_and_label(role, label)
            .type_text(text);
        self.harness.step();
        self.fields += 1;
    }

    /// Clicks the node labelled `label`.
    pub fn click(&mut self, label: &str) {
        self.harness.run_steps(2);
        self.harness.get_by_label(label).click();
        self.harness.step();
        self.harness.step();
        self.clicks += 1;
    }

    /// Clicks `label` until `appears` is on screen: a click that lands while a closing modal
    /// still covers the window (its fade-out runs a few frames) is not taken, as for a person,
    /// who clicks again.
    pub fn click_until(&mut self, label: &str, appears: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.click(label);
            for _ in 0..30 {
                if self.has(appears) {
                    return;
                }
                self.harness.step();
                std::thread::sleep(Duration::from_millis(10));
            }
            assert!(
                Instant::now() < deadline,
                "clicking {label:?} never showed {appears:?}"
            );
        }
    }

    /// After the service's clock jumped: a click on `panel` (while it still shows) makes the
    /// console notice that the session ended, and it says `message`. The bell may notice first,
    /// so the panel may be gone already.
    pub fn notice_session_end(&mut self, panel: &str, message: &str) {
        self.harness.run_steps(2);
        if let Some(node) = self.harness.query_by_label(panel) {
            node.click();
            self.clicks += 1;
        }
        self.harness.step();
        self.wait_for(message);
    }

    /// Clicks the node with this role and label (when a label is also a heading elsewhere).
    pub fn click_role(&mut self, role: Role, label: &str) {
        self.harness.run_steps(2);
        self.harness.get_by_role_and_label(role, label).click();
        self.harness.step();
        self.harness.step();
        self.clicks += 1;
    }

    /// Types `text` where the keyboard focus is, without clicking anything.
    pub fn type_here(&mut self, text: &str) {
        self.harness.event(egui::Event::Text(text.to_string()));
        self.harness.step();
        self.harness.step();
    }

    /// The value of the text or password field labelled `label`.
    pub fn value_of(&self, label: &str) -> Option<String> {
        self.harness
            .query_by_label(label)
            .and_then(|node| node.accesskit_node().value().map(|value| value.to_string()))
    }

    /// Presses a key (Enter, Escape, Tab).
    /// A double-click at `point`: two clicks within egui's double-click delay (the harness runs
    /// a frame per event, a quarter of a second apart, so its clock is held while they run).
    pub fn double_click_at(&mut self, point: egui::Pos2) {
        self.harness.hover_at(point);
        self.harness.step();
        let now = self.harness.ctx.input(|i| i.time);
        self.harness.input_mut().time = Some(now);
        for _ in 0..2 {
            for pressed in [true, false] {
                self.harness.event(egui::Event::PointerButton {
                    pos: point,
                    button: egui::PointerButton::Primary,
                    pressed,
                    modifiers: egui::Modifiers::default(),
                });
            }
        }
        self.harness.step();
        self.harness.input_mut().time = None;
        self.harness.step();
        self.harness.step();
    }

    pub fn press(&mut self, key: egui::Key) {
        self.harness.key_press(key);
        self.harness.step();
        self.harness.step();
    }

    /// A console on a workstation of its own (in-memory keyring), in English.
    pub fn on(dir: &std::path::Path, server: ServerChoice) -> Person<'a> {
        Person::open(options(
            dir,
            server,
            Keystore::mock().unwrap(),
            Language::En,
        ))
    }

    /// Step 1 as the hosting manager: hosting number and password, then Enter (which submits
    /// the form like "Connect to the hosting console").
    pub fn log_in(&mut self, logins: &Logins) {
        self.wait_for("Hosting number");
        self.fill("Hosting number", &logins.hosting_number);
        self.fill("Password", &logins.password);
        self.press(egui::Key::Enter);
    }

    /// Step 1 as the superadministrator `jdupont`.
    pub fn log_in_as_superadmin(&mut self, logins: &Logins) {
        self.wait_for("Hosting number");
        self.click("superadministrator");
        self.fill("Hosting number", &logins.hosting_number);
        self.fill("Username", "jdupont");
        self.fill("Password", SUPERADMIN_PASSWORD);
        self.click("Connect to the hosting console");
    }

    /// Step 2 on a workstation without a certificate: the invoice number, then Install.
    pub fn install_certificate(&mut self, logins: &Logins) {
        self.wait_for("Invoice number");
        assert!(self.has("Step 2: Connection and certificate"));
        self.fill("Invoice number", &logins.invoice_number);
        self.press(egui::Key::Enter);
    }

    /// Steps 1 and 2: logins, certificate with the invoice number, licence.
    pub fn connect_and_install(&mut self, logins: &Logins) {
        self.log_in(logins);
        self.install_certificate(logins);
        self.wait_for("I accept the License Agreement");
        self.wait_for_text("LICENCE AGREEMENT");
        self.click("I accept the License Agreement");
        self.click("Accept");
        self.wait_for("Step 3: Configuration of schedules");
    }

    /// Step 3: the controller and both schedules get domains `<prefix>-…`; then Next.
    pub fn configure_schedules(&mut self, prefix: &str) {
        self.wait_for("Controller domain name");
        self.fill("Controller domain name", &format!("{prefix}-lycee"));
        self.click("Confirm the controller's domain");
        self.wait_for("Yes");
        self.click("Yes");
        self.wait_for_text(&format!("{prefix}-lycee.hosting.localhost, port"));
        for schedule in ["planning01", "planning02"] {
            self.fill(
                &format!("Domain name of {schedule}"),
                &format!("{prefix}-{schedule}"),
            );
            self.click(&format!("Confirm {schedule}"));
            self.wait_for("Yes");
            self.click("Yes");
            self.wait_for_text(&format!("{prefix}-{schedule}.hosting.localhost, port"));
        }
        self.wait_until("every domain confirmed", |h| {
            h.query_by_label(
                "Confirm a domain name for the controller and for every schedule to go on.",
            )
            .is_none()
        });
    }

    /// Step 4: the superadministrator `jdupont`.
    pub fn create_superadmin(&mut self) {
        self.wait_for("Step 4: First superadministrator");
        self.fill("First name", "Jeanne");
        self.fill("Surname", "Dupont");
        self.fill("Username", "jdupont");
        self.fill("Password", SUPERADMIN_PASSWORD);
        self.fill("Password confirmation", SUPERADMIN_PASSWORD);
        self.press(egui::Key::Enter);
    }
}

/// Writes `size` bytes that differ from file to file.
pub fn write_file(dir: &std::path::Path, name: &str, size: usize, seed: u8) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    let bytes: Vec<u8> = (0..size)
        .map(|i| {
            (i as u64)
                .wrapping_mul(2_654_435_761)
                .wrapping_add(u64::from(seed)) as u8
        })
        .collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `paths` on the console's window.
pub fn drop_files(person: &mut Person<'_>, paths: &[std::path::PathBuf]) {
    for path in paths {
        person
            .harness
            .input_mut()
            .dropped_files
            .push(std::sync::Arc::new(Dropped(path.clone())));
    }
    person.harness.step();
}
