//! The console window: top bar (service, language, theme, mailbox, logout), the wizard steps and
//! the setup panels. Screens start their own requests on the backend; the window applies what
//! the calls changed in the session data, and moves between screens.

use std::path::PathBuf;
use std::sync::Arc;

use hosting_api::Account;

use crate::backend::{Backend, BackendRuntime, KeystoreChoice, ServiceInUse};
use crate::dialogs::chooser::FileChooser;
use crate::dialogs::{Dialogs, SystemDialogs};
use crate::help::{CrashNotice, ShortcutPrompt};
use crate::i18n::{Language, Texts};
use crate::mailbox::Mailbox;
use crate::model::Failure;
use crate::panels::Panels;
use crate::provider::ProviderSetting;
use crate::request::Request;
use crate::session::SessionData;
use crate::settings::{Preferences, STORAGE_KEY, ServerChoice};
use crate::transfers::TransferCommand;
use crate::wizard::Wizard;
use crate::{theme, widgets};

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
    pub shortcut: Option<crate::shortcut::ShortcutOffer>,
    /// Where addresses open and copied text goes: the system's browser and clipboard.
    pub links: Arc<dyn crate::links::Links>,
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
            links: Arc::new(crate::links::SystemLinks),
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

/// The console application.
pub struct ConsoleApp {
    prefs: Preferences,
    texts: Texts,
    options: ConsoleOptions,
    backend: Backend,
    /// Remote data of the session.
    pub data: SessionData,
    server_ready: Request<ServiceInUse>,
    logging_out: Request<()>,
    screen: Screen,
    wizard: Wizard,
    panels: Panels,
    /// The notifications' bell, while the panels show.
    bell: crate::notifications::Bell,
    mailbox: Mailbox,
    server_failure: Option<crate::model::Failure>,
    service_in_use: Option<ServiceInUse>,
    show_service: bool,
    service_form: crate::service_form::ServiceForm,
    /// The console's own file dialog, when the backend asks for one.
    file_chooser: FileChooser,
    /// What the connection step says after the next logout (the person revoked this very
    /// workstation).
    after_logout: Option<Failure>,
    show_help: bool,
    crash_notice: CrashNotice,
    shortcut: ShortcutPrompt,
    /// No service was started: the provider's file is broken and nothing else was given.
    provider_blocked: bool,
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
        let provider_blocked =
            matches!(options.provider, ProviderSetting::Broken(_)) && options.server.is_none();
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
        let mut server_ready = Request::default();
        // With a broken provider.toml, never the demonstration instead of the provider: the
        // window says what to fix, and no service starts.
        if !provider_blocked {
            server_ready.start(backend.use_server(prefs.server.clone()));
        }
        let shortcut =
            ShortcutPrompt::new(options.shortcut.clone().filter(|_| !prefs.shortcut_offered));
        let crash_notice = CrashNotice {
            report: options.crash_report.clone(),
        };
        let wizard = Wizard::new(&prefs, &options);
        let service_form = crate::service_form::ServiceForm::new(&prefs.server);
        Ok(ConsoleApp {
            texts: Texts::new(language),
            prefs,
            options,
            data: SessionData::new(backend.clone()),
            backend,
            server_ready,
            logging_out: Request::default(),
            runtime,
            screen: Screen::Starting,
            wizard,
            panels: Panels::default(),
            bell: crate::notifications::Bell::default(),
            mailbox: Mailbox::default(),
            server_failure: None,
            service_in_use: None,
            show_service: false,
            service_form,
            file_chooser: FileChooser::default(),
            after_logout: None,
            show_help: false,
            crash_notice,
            shortcut,
            provider_blocked,
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
    fn poll(&mut self) {
        for patch in self.runtime.patches() {
            patch(&mut self.data);
        }
        self.poll_server();
        if self.logging_out.arrived().is_some() {
            self.start_over();
            if let Some(notice) = self.after_logout.take() {
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

    fn poll_server(&mut self) {
        match self.server_ready.arrived() {
            Some(Ok(in_use)) => {
                self.service_in_use = Some(in_use.clone());
                self.server_failure = None;
                let demonstration = self.prefs.server == ServerChoice::Local;
                // Read by the installed package's check, which must see the provider's service.
                tracing::info!(
                    address = %in_use.address,
                    demonstration,
                    "hosting service ready"
                );
                if demonstration {
                    self.mailbox.show(&self.backend);
                }
                self.start_over();
            }
            Some(Err(failure)) => {
                tracing::warn!(code = %failure.code, "hosting service not ready");
                self.server_failure = Some(failure.clone());
                self.show_service = true;
            }
            None => {}
        }
    }

    /// Back to step 1 with no session data.
    fn start_over(&mut self) {
        self.data = SessionData::new(self.backend.clone());
        self.wizard.restart();
        self.screen = Screen::Wizard;
    }

    /// Ends the session; step 1 then says `notice`, if any.
    fn logout(&mut self, notice: Option<Failure>) {
        self.after_logout = notice;
        self.logging_out.start(self.backend.logout());
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

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let t = &self.texts;
        let mut language = t.language();
        let (mut toggle_service, mut toggle_mailbox, mut toggle_theme, mut logout) =
            (false, false, false, false);
        let local = self.prefs.server == ServerChoice::Local && !self.provider_blocked;
        let logged_in = self.data.account.value().is_some();
        let panels = self.screen == Screen::Panels;
        let dark = self.prefs.dark;
        let provider_name = self
            .options
            .provider
            .provider()
            .and_then(|p| p.provider.name.clone());
        let mut toggle_help = false;
        ui.horizontal(|ui| {
            ui.strong(t.get("app-title"));
            if let Some(name) = &provider_name {
                ui.label(name);
            }
            if local {
                // Nothing done here reaches a real provider: say so on every screen.
                ui.colored_label(ui.visuals().warn_fg_color, t.get("demo-badge"))
                    .on_hover_text(t.get("demo-explained"));
            }
            ui.separator();
            let service = match self.prefs.server.address() {
                _ if self.provider_blocked => t.get("service-none"),
                None => t.get("service-local"),
                Some(url) => url.to_string(),
            };
            toggle_service = ui
                .button(format!("{} {service}", t.get("service-label")))
                .clicked();
            toggle_mailbox = local && ui.button(t.get("mailbox-open")).clicked();
            // Whose console this is: the school and the person logged in.
            let whose = match (self.data.account.value(), self.data.principal.as_ref()) {
                (Some(account), Some(principal)) => {
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
                _ => None,
            };
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                logout = logged_in && ui.button(t.get("logout")).clicked();
                if logged_in && panels {
                    self.bell.button(ui, t);
                }
                let theme_label = if dark {
                    t.get("theme-light")
                } else {
                    t.get("theme-dark")
                };
                toggle_theme = ui.button(theme_label).clicked();
                toggle_help = ui.button(t.get("help")).clicked();
                let combo = egui::ComboBox::from_id_salt("language")
                    .selected_text(language.native_name())
                    .show_ui(ui, |ui| {
                        for option in Language::ALL {
                            ui.selectable_value(&mut language, option, option.native_name());
                        }
                    });
                let label = ui.label(t.get("language"));
                combo.response.labelled_by(label.id);
                // Last, in the room the buttons leave: a long name is cut (whole on hover)
                // rather than drawn under them.
                if let Some(whose) = whose {
                    ui.separator();
                    ui.add(egui::Label::new(whose).truncate());
                }
            });
        });
        if toggle_service {
            self.show_service = !self.show_service;
        }
        if toggle_help {
            self.show_help = !self.show_help;
        }
        if toggle_mailbox {
            self.mailbox.toggle(&self.backend);
        }
        if logout {
            self.logout(None);
        }
        if toggle_theme {
            self.prefs.dark = !self.prefs.dark;
            theme::apply(ui.ctx(), self.prefs.dark);
        }
        if language != self.texts.language() {
            self.texts = Texts::new(language);
            self.prefs.language = Some(language);
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
        self.poll();
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        let ctx = ui.ctx().clone();
        if self.show_service {
            let t = &self.texts;
            if let Some(choice) = self.service_form.window(
                &ctx,
                t,
                &self.backend,
                self.server_failure.as_ref(),
                self.options.provider.allows_demonstration(),
                &mut self.show_service,
            ) {
                self.prefs.server = choice.clone();
                self.provider_blocked = false;
                self.screen = Screen::Starting;
                self.server_ready.start(self.backend.use_server(choice));
            }
        }
        self.mailbox.panel(ui, &self.texts, &self.backend);
        if self.show_help {
            crate::help::help_window(
                &ctx,
                &self.texts,
                &self.options.provider,
                &self.options.data_dir,
                &mut self.show_help,
            );
        }
        let mut cx = Cx {
            t: &self.texts,
            backend: &self.backend,
            data: &mut self.data,
            prefs: &mut self.prefs,
            options: &self.options,
            server: self
                .service_in_use
                .as_ref()
                .map_or("", |service| service.address.as_str()),
            ca_fingerprint: self
                .service_in_use
                .as_ref()
                .map_or("", |service| service.ca_fingerprint.as_str()),
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
            Screen::Starting => {
                ui.horizontal_wrapped(|ui| {
                    if let (true, ProviderSetting::Broken(error)) =
                        (self.provider_blocked, &self.options.provider)
                    {
                        ui.colored_label(ui.visuals().error_fg_color, error.message(cx.t));
                    } else if let Some(failure) = &self.server_failure {
                        widgets::failure(ui, cx.t, Some(failure));
                    } else {
                        ui.spinner();
                        ui.label(cx.t.get("starting"));
                    }
                });
            }
            Screen::Wizard => self.wizard.ui(ui, &mut cx),
            Screen::Panels => self.panels.ui(ui, &mut cx),
        });
        if self.screen == Screen::Panels && cx.data.account.value().is_some() {
            self.bell.poll(&ctx, cx.backend);
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
            self.logout(notice);
        }
        self.crash_notice.ui(&ctx, &self.texts);
        // One notice at a time, in the middle of the window: the crash first.
        if self.crash_notice.report.is_none() && self.shortcut.ui(&ctx, &self.texts, &self.backend)
        {
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
