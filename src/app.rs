//! The console window: top bar (service, language, theme, mailbox, logout), the wizard steps and
//! the setup panels. Screens start their own requests on the backend; the window applies what
//! the calls changed in the session data, and moves between screens.

use std::path::PathBuf;
use std::sync::Arc;

use hosting_api::Account;

mod service;
mod top_bar;

use crate::backend::{Backend, BackendRuntime, KeystoreChoice};
use crate::help::{HelpWindow, StartNotices};
use crate::i18n::{Language, Texts};
use crate::mailbox::Mailbox;
use crate::model::Failure;
use crate::panels::Panels;
use crate::platform::dialogs::chooser::FileChooser;
use crate::platform::dialogs::{Dialogs, SystemDialogs};
use crate::provider::ProviderSetting;
use crate::request::Request;
use crate::session::SessionData;
use crate::settings::{Preferences, STORAGE_KEY, ServerChoice};
use crate::theme;
use crate::transfers::TransferCommand;
use crate::wizard::Wizard;
use service::ServiceLink;
use top_bar::TopBar;

/// How the console is started.
#[derive(Clone)]
pub struct ConsoleOptions {
    /// Where the local hosting service and the log live.
    pub data_dir: PathBuf,
    /// The keyring of this workstation.
    pub keystore: KeystoreChoice,
    /// A service given on the command line, which wins over the remembered one.
    pub server: Option<ServerChoice>,
    /// Where files are asked for: the system's dialogs (the native ones, else the console's
    /// own), the console's own, or a folder chosen in advance (tests).
    pub dialogs: Arc<dyn Dialogs>,
    /// Name of this workstation in the workstations list.
    pub workstation_name: String,
    /// The language to start in, instead of the remembered or system one (tests).
    pub language: Option<Language>,
    /// Benchmarks: when the process started, and the file where the time to the first frame is
    /// written (in milliseconds).
    pub first_frame_report: Option<(std::time::Instant, PathBuf)>,
    /// The provider's settings (`provider.toml`), or the demonstration when there is none.
    pub provider: ProviderSetting,
    /// The crash report of the last start, not shown yet.
    pub crash_report: Option<PathBuf>,
    /// The shortcut on the desktop that an installed console offers at its first start.
    pub shortcut: Option<crate::platform::shortcut::ShortcutOffer>,
    /// Where addresses open and copied text goes: the system's browser and clipboard.
    pub links: Arc<dyn crate::platform::links::Links>,
}

/// Where the person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Starting the hosting service.
    Starting,
    /// Wizard steps 1 and 2, then 3 to 6.
    Wizard,
    /// The setup panels.
    Panels,
}

impl ConsoleOptions {
    /// Options with the system's dialogs and language.
    pub fn new(data_dir: PathBuf, keystore: KeystoreChoice, workstation_name: String) -> Self {
        ConsoleOptions {
            data_dir,
            keystore,
            server: None,
            dialogs: Arc::new(SystemDialogs::new()),
            workstation_name,
            language: None,
            first_frame_report: None,
            provider: ProviderSetting::Demonstration,
            crash_report: None,
            shortcut: None,
            links: Arc::new(crate::platform::links::SystemLinks),
        }
    }
}

/// Everything a screen may use while drawing.
pub struct Cx<'a> {
    /// Texts of the current language.
    pub t: &'a Texts,
    /// The backend.
    pub backend: &'a Backend,
    /// Remote data and action state.
    pub data: &'a mut SessionData,
    /// Preferences.
    pub prefs: &'a mut Preferences,
    /// Start options.
    pub options: &'a ConsoleOptions,
    /// The hosting service's address.
    pub server: &'a str,
    /// SHA-256 fingerprint of the hosting service's CA: what the keyring knows it by.
    pub ca_fingerprint: &'a str,
    /// A screen change asked for by a screen.
    pub go: Option<Screen>,
    /// The session must end; what step 1 says then, if anything.
    pub logout: Option<Option<Failure>>,
}

impl Cx<'_> {
    /// Whose transfers are shown: the service and the account logged in.
    pub fn owner(&self) -> Option<String> {
        self.data
            .account
            .value()
            .map(|account| crate::transfers::owner(&self.prefs.server, &account.hosting_number))
    }
}

/// The end of a session, asked by the person or a screen.
#[derive(Default)]
struct Logout {
    request: Request<()>,
    /// What the connection step says after it (the person revoked this very workstation).
    notice: Option<Failure>,
}

impl Logout {
    /// Ends the session; step 1 then says `notice`, if any.
    fn start(&mut self, backend: &Backend, notice: Option<Failure>) {
        self.notice = notice;
        self.request.start(backend.logout());
    }

    /// Once the session ended: what step 1 says, if anything.
    fn ended(&mut self) -> Option<Option<Failure>> {
        let ended = self.request.arrived().is_some();
        ended.then(|| self.notice.take())
    }
}

/// The console application: the shell that moves between screens and holds the components of
/// the window (top bar, service, mailbox, help, notices, file chooser).
pub struct ConsoleApp {
    prefs: Preferences,
    texts: Texts,
    options: ConsoleOptions,
    backend: Backend,
    /// Remote data of the session.
    pub data: SessionData,
    /// The hosting service in use.
    service: ServiceLink,
    logout: Logout,
    screen: Screen,
    wizard: Wizard,
    panels: Panels,
    /// The notifications' bell, while the panels show.
    bell: crate::notifications::Bell,
    mailbox: Mailbox,
    /// The console's own file dialog, when the backend asks for one.
    file_chooser: FileChooser,
    help: HelpWindow,
    notices: StartNotices,
    /// Declared last: the runtime stops after everything that uses it.
    runtime: BackendRuntime,
}

impl ConsoleApp {
    /// Builds the console for eframe.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        options: ConsoleOptions,
    ) -> std::io::Result<ConsoleApp> {
        let mut prefs: Preferences = cc
            .storage
            .and_then(|storage| eframe::get_value(storage, STORAGE_KEY))
            .unwrap_or_default();
        // A provider's console starts on the provider's service, whatever was remembered.
        if let Some(provider) = options.provider.provider() {
            prefs.server = provider.server();
        }
        if let Some(server) = &options.server {
            prefs.server = server.clone();
        }
        let language = options
            .language
            .or(prefs.language)
            .unwrap_or_else(Language::from_system);
        theme::apply(&cc.egui_ctx, prefs.dark);
        if let Some(in_app) = options.dialogs.in_app() {
            in_app.attach(&cc.egui_ctx);
        }
        let (backend, runtime) = Backend::new(
            cc.egui_ctx.clone(),
            options.data_dir.clone(),
            options.keystore.clone(),
            options.dialogs.clone(),
        )?;
        let service = ServiceLink::start(
            &prefs,
            &options.provider,
            options.server.is_some(),
            &backend,
        );
        let notices = StartNotices::new(
            options.crash_report.clone(),
            options.shortcut.clone().filter(|_| !prefs.shortcut_offered),
        );
        let wizard = Wizard::new(&prefs, &options);
        Ok(ConsoleApp {
            texts: Texts::new(language),
            prefs,
            options,
            data: SessionData::new(backend.clone()),
            backend,
            service,
            logout: Logout::default(),
            runtime,
            screen: Screen::Starting,
            wizard,
            panels: Panels::default(),
            bell: crate::notifications::Bell::default(),
            mailbox: Mailbox::default(),
            file_chooser: FileChooser::default(),
            help: HelpWindow::default(),
            notices,
        })
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The backend (tests read the local service through it).
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Applies what the calls changed, and moves between screens when the service, the login
    /// or the session changes.
    fn follow_changes(&mut self) {
        for patch in self.runtime.patches() {
            patch(&mut self.data);
        }
        let demonstration = self.prefs.server == ServerChoice::Local;
        if self.service.became_ready(demonstration) {
            if demonstration {
                self.mailbox.show(&self.backend);
            }
            self.start_over();
        }
        if let Some(notice) = self.logout.ended() {
            self.start_over();
            if let Some(notice) = notice {
                self.wizard.session_lost(notice);
            }
        }
        let changes = self.data.changes();
        if let Some(failure) = changes.lost {
            self.wizard.session_lost(failure);
            self.data = SessionData::new(self.backend.clone());
            self.screen = Screen::Wizard;
            return;
        }
        if let Some(account) = changes.first_account {
            // A new session: nothing of the last one's panels (another person, another
            // service) stays on screen.
            self.bell.reset();
            self.panels = Panels::default();
            self.route_after_login(&account);
            // Transfers left unfinished at the last start, offered to be resumed.
            let owner = crate::transfers::owner(&self.prefs.server, &account.hosting_number);
            self.backend
                .transfers()
                .send(TransferCommand::Offers(owner));
        }
    }

    /// Back to step 1 with no session data.
    fn start_over(&mut self) {
        self.data = SessionData::new(self.backend.clone());
        self.wizard.restart();
        self.screen = Screen::Wizard;
    }

    /// Opens the first step the account has not finished, or the panels.
    fn route_after_login(&mut self, account: &Account) {
        match crate::wizard::first_unfinished(&account.onboarding) {
            Some(step) => {
                self.wizard.open(step);
                self.screen = Screen::Wizard;
            }
            None => self.screen = Screen::Panels,
        }
    }

    /// Whose console this is: the school and the person logged in.
    fn whose(&self) -> Option<String> {
        let t = &self.texts;
        let (account, principal) = (self.data.account.value()?, self.data.principal.as_ref()?);
        // The service words the manager's name in English: the role is named here.
        let name = match principal.role {
            hosting_api::Role::Manager => t.get("role-manager"),
            hosting_api::Role::Superadmin => principal.display_name.clone(),
        };
        Some(t.with(
            "logged-in-as",
            &[("school", &account.school_name), ("name", &name)],
        ))
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let logged_in = self.data.account.value().is_some();
        let bar = TopBar {
            t: &self.texts,
            provider_name: self
                .options
                .provider
                .provider()
                .and_then(|p| p.provider.name.clone()),
            demonstration: self.service.demonstration(&self.prefs),
            service: self.service.name(&self.texts, &self.prefs),
            logged_in,
            whose: self.whose(),
            dark: self.prefs.dark,
        };
        let bell = (logged_in && self.screen == Screen::Panels).then_some(&mut self.bell);
        let clicks = bar.ui(ui, bell);
        if clicks.service {
            self.service.toggle_form();
        }
        if clicks.help {
            self.help.toggle();
        }
        if clicks.mailbox {
            self.mailbox.toggle(&self.backend);
        }
        if clicks.logout {
            self.logout.start(&self.backend, None);
        }
        if clicks.theme {
            self.prefs.dark = !self.prefs.dark;
            theme::apply(ui.ctx(), self.prefs.dark);
        }
        if clicks.language != self.texts.language() {
            self.texts = Texts::new(clicks.language);
            self.prefs.language = Some(clicks.language);
        }
    }

    /// The windows and side panels around the screens: the service's window, the mailbox, help.
    fn side_windows(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let provider = &self.options.provider;
        if let Some(choice) = self
            .service
            .window(&ctx, &self.texts, &self.backend, provider)
        {
            self.prefs.server = choice;
            self.screen = Screen::Starting;
        }
        self.mailbox.panel(ui, &self.texts, &self.backend);
        self.help
            .ui(&ctx, &self.texts, provider, &self.options.data_dir);
    }

    /// The screen shown, with the transfers below it; then what the screens asked for.
    fn screens(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let mut cx = Cx {
            t: &self.texts,
            backend: &self.backend,
            data: &mut self.data,
            prefs: &mut self.prefs,
            options: &self.options,
            server: self.service.address(),
            ca_fingerprint: self.service.ca_fingerprint(),
            go: None,
            logout: None,
        };
        // The transfers stay in view whatever the panel, and keep running meanwhile.
        if crate::transfers::view::visible(&cx) {
            let height = crate::transfers::view::height(&cx, &ctx);
            egui::Panel::bottom("transfers")
                .resizable(false)
                .exact_size(height)
                .show(ui, |ui| crate::transfers::view::ui(ui, &mut cx));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::Starting => self.service.starting_ui(ui, cx.t, &self.options.provider),
            Screen::Wizard => self.wizard.ui(ui, &mut cx),
            Screen::Panels => self.panels.ui(ui, &mut cx),
        });
        if self.screen == Screen::Panels && cx.data.account.value().is_some() {
            self.bell.refresh_when_due(&ctx, cx.backend);
            if let Some(target) = self.bell.window(&ctx, cx.t, cx.backend) {
                self.panels.open(target, &mut cx);
            }
        }
        if let Some(screen) = cx.go.take() {
            if screen == Screen::Panels {
                self.panels.reset(&mut cx);
            }
            self.screen = screen;
        }
        if let Some(notice) = cx.logout.take() {
            self.logout.start(&self.backend, notice);
        }
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Some((started, path)) = self.options.first_frame_report.take() {
            let millis = started.elapsed().as_secs_f64() * 1000.0;
            // Off the UI thread, like every other write.
            std::thread::spawn(move || std::fs::write(path, format!("{millis:.1}")));
        }
        self.follow_changes();
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        self.side_windows(ui);
        self.screens(ui);
        let ctx = ui.ctx().clone();
        if self.notices.ui(&ctx, &self.texts, &self.backend) {
            self.prefs.shortcut_offered = true;
        }
        // Last, so that it is drawn above everything else.
        self.file_chooser
            .ui(&ctx, &self.texts, self.options.dialogs.in_app());
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.prefs);
    }
}
