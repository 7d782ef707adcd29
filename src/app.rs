//! The console window: top bar (service, language, theme, mailbox, logout), the wizard steps and
//! the setup panels. Events from the backend update the session data; screens read it and send
//! commands.

use std::collections::VecDeque;
use std::path::PathBuf;

use hosting_api::Account;

use crate::backend::{Action, Backend, Command, Event, KeystoreChoice, Output, Resource};
use crate::i18n::{Language, Texts};
use crate::mailbox::Mailbox;
use crate::panels::Panels;
use crate::session::SessionData;
use crate::settings::{Preferences, STORAGE_KEY, ServerChoice};
use crate::transfers::{GroupState, TransferCommand, TransferEvent};
use crate::wizard::Wizard;
use crate::{theme, widgets};

/// How the console is started.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// Where the local hosting service and the log live.
    pub data_dir: PathBuf,
    /// The keyring of this workstation.
    pub keystore: KeystoreChoice,
    /// A service given on the command line, which wins over the remembered one.
    pub server: Option<ServerChoice>,
    /// Save the connection sheet here instead of asking with the native dialog (tests).
    pub sheet_path: Option<PathBuf>,
    /// Name of this workstation in the workstations list.
    pub workstation_name: String,
    /// The language to start in, instead of the remembered or system one (tests).
    pub language: Option<Language>,
    /// Save downloaded safeguards in this folder instead of asking with the native dialog
    /// (tests).
    pub downloads_dir: Option<PathBuf>,
    /// Benchmarks: when the process started, and the file where the time to the first frame is
    /// written (in milliseconds).
    pub first_frame_report: Option<(std::time::Instant, PathBuf)>,
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
    /// A screen change asked for by a screen.
    pub go: Option<Screen>,
}

impl Cx<'_> {
    /// Sends `actions` one after the other (each after the previous succeeded), as `tag`.
    pub fn act(&mut self, tag: impl Into<String>, actions: Vec<Action>) {
        self.data.start_actions(
            tag.into(),
            actions.into_iter().collect::<VecDeque<_>>(),
            self.backend,
        );
    }

    /// Reloads `resource`, keeping the value on screen.
    pub fn refresh(&mut self, resource: Resource) {
        self.data.refresh(resource, self.backend);
    }

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
    screen: Screen,
    wizard: Wizard,
    panels: Panels,
    mailbox: Mailbox,
    server_failure: Option<crate::model::Failure>,
    server_address: Option<String>,
    show_service: bool,
    service_form: crate::service_form::ServiceForm,
    /// What the connection step says after the next logout (the person revoked this very
    /// workstation).
    after_logout: Option<crate::model::Failure>,
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
        if let Some(server) = &options.server {
            prefs.server = server.clone();
        }
        let language = options
            .language
            .or(prefs.language)
            .unwrap_or_else(Language::from_system);
        theme::apply(&cc.egui_ctx, prefs.dark);
        let backend = Backend::new(
            cc.egui_ctx.clone(),
            options.data_dir.clone(),
            options.keystore.clone(),
        )?;
        backend.send(Command::UseServer(prefs.server.clone()));
        let wizard = Wizard::new(&prefs, &options);
        let service_form = crate::service_form::ServiceForm::new(&prefs.server);
        Ok(ConsoleApp {
            texts: Texts::new(language),
            prefs,
            options,
            backend,
            data: SessionData::default(),
            screen: Screen::Starting,
            wizard,
            panels: Panels::default(),
            mailbox: Mailbox::default(),
            server_failure: None,
            server_address: None,
            show_service: false,
            service_form,
            after_logout: None,
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

    fn handle(&mut self, event: Event) {
        match event {
            Event::ServerReady(result) => match result {
                Ok(address) => {
                    self.server_address = Some(address);
                    self.server_failure = None;
                    if self.prefs.server == ServerChoice::Local {
                        self.mailbox.open = true;
                        self.backend.send(Command::Mailbox);
                    }
                    self.data = SessionData::default();
                    self.wizard.restart();
                    self.screen = Screen::Wizard;
                }
                Err(failure) => {
                    tracing::warn!(code = %failure.code, "hosting service not ready");
                    self.server_failure = Some(failure);
                    self.show_service = true;
                }
            },
            Event::Mailbox(result) => self.mailbox.finish(result),
            Event::SignedIn(result) => {
                let signed_in = result.is_ok();
                self.wizard.signed_in(result);
                if signed_in {
                    self.data.refresh_all(&self.backend);
                }
            }
            Event::Account(result) => {
                let session_lost = result.as_ref().err().is_some_and(|f| {
                    matches!(
                        f.code.as_str(),
                        "session_required"
                            | "certificate_revoked"
                            | "certificate_expired"
                            | "console_access_not_granted"
                    )
                });
                if session_lost {
                    if let Err(failure) = &result {
                        self.wizard.session_lost(failure.clone());
                    }
                    self.data = SessionData::default();
                    self.screen = Screen::Wizard;
                    return;
                }
                let first = self.data.account.value().is_none();
                self.data.account.finish(result);
                if first && let Some(account) = self.data.account.value().cloned() {
                    self.route_after_login(&account);
                    // Transfers left unfinished at the last start, offered to be resumed.
                    let owner =
                        crate::transfers::owner(&self.prefs.server, &account.hosting_number);
                    self.backend
                        .send(Command::Transfer(TransferCommand::Offers(owner)));
                }
            }
            Event::Acted(result) => {
                let revoked_here =
                    result.is_ok() && self.data.busy_with(crate::panels::REVOKE_THIS_WORKSTATION);
                if let Ok(output) = &result {
                    self.apply(output.clone());
                }
                self.data.action_finished(result, &self.backend);
                if revoked_here {
                    // This workstation's certificate no longer works: end the session now and
                    // say why at step 1, instead of failing on the next request.
                    self.after_logout = Some(crate::model::Failure::new(
                        "this_workstation_revoked",
                        "The certificate of this workstation was revoked. Log in again to install a new one with the invoice number.",
                    ));
                    self.backend.send(Command::Logout);
                }
            }
            Event::LoggedOut => {
                self.data = SessionData::default();
                self.wizard.restart();
                if let Some(notice) = self.after_logout.take() {
                    self.wizard.session_lost(notice);
                }
                self.screen = Screen::Wizard;
            }
            Event::LoginsResent(result) => self.wizard.logins_resent(result),
            Event::FileSaved(result) => self.wizard.file_saved(result),
            Event::Transfer(TransferEvent::Group(view)) => {
                if matches!(view.state, GroupState::Finished(_)) {
                    self.data
                        .refresh(Resource::Bases(view.schedule_id), &self.backend);
                }
                self.data
                    .apply_event(Event::Transfer(TransferEvent::Group(view)));
            }
            other => self.data.apply_event(other),
        }
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

    fn apply(&mut self, output: Output) {
        let refresh_account =
            !matches!(output, Output::Done) || self.data.action_tag() == Some("licence");
        match output {
            Output::Done => self.data.after_done(&self.backend),
            Output::Controller(controller) => self.data.controller.finish(Ok(controller)),
            Output::Schedule(schedule) => {
                // Opening, activating and shutting down change the bases' marks and dates.
                self.data
                    .refresh(Resource::Bases(schedule.id), &self.backend);
                self.data.replace_schedule(schedule);
            }
            Output::Base(base) => {
                self.data
                    .refresh(Resource::Bases(base.schedule_id), &self.backend);
                self.data.refresh(Resource::Schedules, &self.backend);
            }
            Output::Monitoring(schedule, monitoring) => {
                self.data
                    .monitoring
                    .entry(schedule)
                    .or_default()
                    .finish(Ok(monitoring));
            }
            Output::User(user) => self.data.replace_user(user),
            Output::Profile(schedule, profile) => self.data.replace_profile(schedule, profile),
        }
        if refresh_account {
            self.data.refresh(Resource::Account, &self.backend);
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let t = &self.texts;
        let mut language = t.language();
        let (mut toggle_service, mut toggle_mailbox, mut toggle_theme, mut logout) =
            (false, false, false, false);
        let local = self.prefs.server == ServerChoice::Local;
        let logged_in = self.data.account.value().is_some();
        let dark = self.prefs.dark;
        ui.horizontal(|ui| {
            ui.strong(t.get("app-title"));
            ui.separator();
            let service = match self.prefs.server.address() {
                None => t.get("service-local"),
                Some(url) => url.to_string(),
            };
            toggle_service = ui
                .button(format!("{} {service}", t.get("service-label")))
                .clicked();
            toggle_mailbox = local && ui.button(t.get("mailbox-open")).clicked();
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                logout = logged_in && ui.button(t.get("logout")).clicked();
                let theme_label = if dark {
                    t.get("theme-light")
                } else {
                    t.get("theme-dark")
                };
                toggle_theme = ui.button(theme_label).clicked();
                let combo = egui::ComboBox::from_id_salt("language")
                    .selected_text(language.native_name())
                    .show_ui(ui, |ui| {
                        for option in Language::ALL {
                            ui.selectable_value(&mut language, option, option.native_name());
                        }
                    });
                let label = ui.label(t.get("language"));
                combo.response.labelled_by(label.id);
            });
        });
        if toggle_service {
            self.show_service = !self.show_service;
        }
        if toggle_mailbox {
            self.mailbox.open = !self.mailbox.open;
            if self.mailbox.open {
                self.backend.send(Command::Mailbox);
            }
        }
        if logout {
            self.backend.send(Command::Logout);
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
        for event in self.backend.poll() {
            self.handle(event);
        }
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        let ctx = ui.ctx().clone();
        if self.show_service {
            let t = &self.texts;
            if let Some(choice) = self.service_form.window(
                &ctx,
                t,
                self.server_failure.as_ref(),
                &mut self.show_service,
            ) {
                self.prefs.server = choice.clone();
                self.screen = Screen::Starting;
                self.backend.send(Command::UseServer(choice));
            }
        }
        self.mailbox.window(&ctx, &self.texts, &self.backend);
        let mut cx = Cx {
            t: &self.texts,
            backend: &self.backend,
            data: &mut self.data,
            prefs: &mut self.prefs,
            options: &self.options,
            server: self.server_address.as_deref().unwrap_or_default(),
            go: None,
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
                ui.horizontal(|ui| {
                    if let Some(failure) = &self.server_failure {
                        widgets::failure(ui, Some(failure));
                    } else {
                        ui.spinner();
                        ui.label(cx.t.get("starting"));
                    }
                });
            }
            Screen::Wizard => self.wizard.ui(ui, &mut cx),
            Screen::Panels => self.panels.ui(ui, &mut cx),
        });
        if let Some(screen) = cx.go.take() {
            if screen == Screen::Panels {
                self.panels.reset(&mut cx);
            }
            self.screen = screen;
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.prefs);
    }
}
