//! The Server PRONOTE panel: for a schedule chosen at the top, its active base and server state
//! (shut down, activate, load, create, test the connection), its other bases (open, complete),
//! its safeguards (open, download) and the monitoring of connections (licences reserved for the
//! administrators).
//!
//! The service enforces every rule (a stopped server to load, create or open a base; an open
//! base and a domain to activate…); the panel mirrors them to disable what cannot work, and
//! shows the service's own sentence where an action failed.

mod active;
mod bases;
mod monitoring;
mod safeguards;
mod years;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use hosting_api::{Base, EndpointStatus, Monitoring, Safeguard, Schedule, ServerState};

use crate::app::Cx;
use crate::backend::Progress;
use crate::dialogs::OpenDialog;
use crate::request::Request;
use crate::transfers::{self, Target, TransferCommand};
use crate::widgets;

/// A tab of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// The active base and the server's state.
    #[default]
    ActiveBase,
    /// The other bases.
    OtherBases,
    /// The safeguards.
    Safeguards,
    /// The monitoring of connections.
    Monitoring,
    /// The bases of previous years.
    Years,
}

/// An action waiting for the person's confirmation.
#[derive(Debug, Clone)]
enum Confirm {
    /// Shut down the server of a schedule (its name).
    Shutdown(i64, String),
    /// Open a base (id, question).
    OpenBase(i64, String),
    /// Open a safeguard (id, question).
    OpenSafeguard(i64, String),
}

/// A safeguard download: the bytes received so far, then the file and its checked hash (`None`
/// when the person cancelled the dialog).
#[derive(Default)]
struct Download {
    progress: Arc<Progress>,
    request: Request<Option<(PathBuf, String)>>,
}

/// What the panel loads and does for one schedule; each action has its own request, so that
/// one running does not hold the others.
#[derive(Default)]
struct ScheduleState {
    safeguards: Request<Vec<Safeguard>>,
    monitoring: Request<Monitoring>,
    save_monitoring: Request<Monitoring>,
    shutdown: Request<Schedule>,
    activate: Request<Schedule>,
    open_base: Request<Schedule>,
    open_safeguard: Request<Schedule>,
    create_base: Request<Base>,
    endpoint: Request<EndpointStatus>,
    downloads: HashMap<i64, Download>,
    /// The "load a base" dialog.
    pick_base: Request<Option<Vec<PathBuf>>>,
    /// The "complete the base" dialog, for this base.
    pick_companions: Request<Option<Vec<PathBuf>>>,
    companions_for: Option<i64>,
    /// The "replace the base of a year" dialog, for this school year.
    pick_year: Request<Option<Vec<PathBuf>>>,
    year_for: Option<String>,
    /// A problem with the files chosen for a year.
    year_notice: Option<String>,
    /// Downloads of the bases of previous years, by school year.
    year_downloads: HashMap<String, Download>,
}

impl ScheduleState {
    fn poll(&mut self) {
        self.safeguards.poll();
        self.monitoring.poll();
        if let Some(Ok(saved)) = self.save_monitoring.poll() {
            let saved = saved.clone();
            self.monitoring.set(saved);
        }
        self.shutdown.poll();
        self.activate.poll();
        self.open_base.poll();
        self.open_safeguard.poll();
        self.create_base.poll();
        self.endpoint.poll();
        for download in self.downloads.values_mut() {
            download.request.poll();
        }
        for download in self.year_downloads.values_mut() {
            download.request.poll();
        }
    }

    /// Whether a change of the server (shut down, activate, open) is under way.
    fn changing(&self) -> bool {
        self.shutdown.is_pending()
            || self.activate.is_pending()
            || self.open_base.is_pending()
            || self.open_safeguard.is_pending()
            || self.create_base.is_pending()
    }

    /// Reloads what the tabs show.
    fn load(&mut self, cx: &mut Cx<'_>, schedule: i64) {
        cx.data.load_schedules();
        cx.data.load_bases(schedule);
        self.load_safeguards(cx, schedule);
        self.load_monitoring(cx, schedule);
    }

    /// Reloads the safeguards of the schedule.
    fn load_safeguards(&mut self, cx: &Cx<'_>, schedule: i64) {
        self.safeguards.start(
            cx.backend
                .call(move |c| async move { c.safeguards(schedule).await }),
        );
    }

    /// Reloads the monitoring of the schedule's connections.
    fn load_monitoring(&mut self, cx: &Cx<'_>, schedule: i64) {
        self.monitoring.start(
            cx.backend
                .call(move |c| async move { c.monitoring(schedule).await }),
        );
    }
}

/// The Server PRONOTE panel.
#[derive(Default)]
pub struct ServerPanel {
    states: HashMap<i64, ScheduleState>,
    schedule: Option<i64>,
    tab: Tab,
    loaded_for: Option<i64>,
    /// A problem with files chosen or dropped, as a sentence.
    notice: Option<String>,
    confirm: Option<Confirm>,
    grid: Option<active::GridForm>,
    selected_base: Option<i64>,
    reserved: Option<(i64, String)>,
}

/// Whether a schedule's server is shut down.
fn stopped(schedule: &Schedule) -> bool {
    schedule.server.state == ServerState::Stopped
}

impl ServerPanel {
    /// Draws the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        for state in self.states.values_mut() {
            state.poll();
        }
        self.poll_dialogs(cx);
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        let choice = super::schedule_row(
            ui,
            t,
            &schedules,
            &mut self.schedule,
            cx.data.schedules.is_pending(),
        );
        if let Some(id) = choice.clicked {
            self.select(id);
        }
        if choice.refresh {
            self.loaded_for = None;
        }
        // The version the servers run and the coming upgrade, as My account says it.
        if let Some(upgrade) = cx.data.upgrade.value() {
            ui.label(format!(
                "{} {}",
                t.with(
                    "account-current-version",
                    &[("version", &upgrade.current_version)]
                ),
                super::account::upgrade_line(t, upgrade)
            ));
        }
        let Some(schedule) = self
            .schedule
            .and_then(|id| schedules.iter().find(|s| s.id == id))
            .cloned()
        else {
            ui.label(t.get("no-schedule"));
            return;
        };
        if self.loaded_for != Some(schedule.id) {
            self.loaded_for = Some(schedule.id);
            self.states
                .entry(schedule.id)
                .or_default()
                .load(cx, schedule.id);
        }
        ui.horizontal(|ui| {
            for (tab, key) in [
                (Tab::ActiveBase, "tab-active-base"),
                (Tab::OtherBases, "tab-other-bases"),
                (Tab::Safeguards, "tab-safeguards"),
                (Tab::Monitoring, "tab-monitoring"),
                (Tab::Years, "tab-years"),
            ] {
                if ui.selectable_label(self.tab == tab, t.get(key)).clicked() && self.tab != tab {
                    self.tab = tab;
                    self.load_tab(cx, schedule.id);
                }
            }
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("server-panel")
            .show(ui, |ui| match self.tab {
                Tab::ActiveBase => self.active_base(ui, cx, &schedule),
                Tab::OtherBases => self.other_bases(ui, cx, &schedule),
                Tab::Safeguards => self.safeguards(ui, cx, &schedule),
                Tab::Monitoring => self.monitoring(ui, cx, &schedule),
                Tab::Years => self.years(ui, cx, &schedule),
            });
        self.confirmation(ui, cx);
        self.grid_modal(ui, cx, &schedule);
    }

    /// Shows `tab` (the guide's buttons open the tab of their task), of `schedule` when given
    /// (a notification about it), with fresh data.
    pub fn show_tab(&mut self, tab: Tab, schedule: Option<i64>, cx: &mut Cx<'_>) {
        self.tab = tab;
        if let Some(schedule) = schedule {
            self.select(schedule);
        }
        match self.schedule {
            Some(id) => self.load_tab(cx, id),
            // The first frame chooses a schedule and loads everything.
            None => self.loaded_for = None,
        }
    }

    /// Reloads what the current tab shows for `schedule`.
    fn load_tab(&mut self, cx: &mut Cx<'_>, schedule: i64) {
        let state = self.states.entry(schedule).or_default();
        match self.tab {
            Tab::OtherBases => cx.data.load_bases(schedule),
            Tab::Safeguards => state.load_safeguards(cx, schedule),
            Tab::Monitoring => state.load_monitoring(cx, schedule),
            Tab::ActiveBase => cx.data.load_schedules(),
            Tab::Years => Self::load_years(cx),
        }
    }

    /// The state of a schedule.
    fn state(&mut self, schedule: i64) -> &mut ScheduleState {
        self.states.entry(schedule).or_default()
    }

    /// Files chosen in a dialog: a new base, or companions of a base.
    fn poll_dialogs(&mut self, cx: &mut Cx<'_>) {
        let mut chosen = Vec::new();
        let mut for_years = Vec::new();
        for (id, state) in &mut self.states {
            if let Some(Ok(Some(paths))) = state.pick_year.poll() {
                for_years.push((*id, paths.clone()));
            }
            if let Some(Ok(Some(paths))) = state.pick_base.poll() {
                chosen.push((*id, None, paths.clone()));
            }
            if let Some(Ok(Some(paths))) = state.pick_companions.poll()
                && let Some(base) = state.companions_for
            {
                chosen.push((*id, Some(base), paths.clone()));
            }
        }
        for (id, paths) in for_years {
            self.year_files(cx, id, paths);
        }
        for (id, base, paths) in chosen {
            let Some(schedule) = cx.data.schedule(id).cloned() else {
                continue;
            };
            match base {
                None => self.load(cx, &schedule, paths),
                Some(base) => self.complete(cx, &schedule, base, paths),
            }
        }
    }

    /// Opens the "load a base" dialog, or the "complete the base" one for `base`.
    fn pick_files(&mut self, cx: &Cx<'_>, schedule: i64, companions_for: Option<i64>) {
        let t = cx.t;
        let (title, extensions): (String, &[&str]) = match companions_for {
            None => (
                t.get("load-base"),
                &["HNOT", "HCOURRIERS", "HDOCJOINTS", "HPHOTOS"],
            ),
            Some(_) => (
                t.get("complete-base"),
                &["HCOURRIERS", "HDOCJOINTS", "HPHOTOS"],
            ),
        };
        let extensions = extensions
            .iter()
            .flat_map(|e| [e.to_string(), e.to_lowercase()])
            .collect();
        let dialog = OpenDialog {
            title,
            filter: Some((t.get("pronote-files"), extensions)),
            many: true,
        };
        let call = cx.backend.pick_files(dialog);
        let state = self.state(schedule);
        match companions_for {
            None => state.pick_base.start(call),
            Some(base) => {
                state.companions_for = Some(base);
                state.pick_companions.start(call);
            }
        }
    }

    fn select(&mut self, schedule: i64) {
        if self.schedule != Some(schedule) {
            self.schedule = Some(schedule);
            self.selected_base = None;
            self.notice = None;
        }
    }

    /// Files dropped on the window: a new base, or companions of the base selected in Other
    /// bases.
    pub fn dropped(&mut self, paths: Vec<PathBuf>, cx: &mut Cx<'_>) {
        if self.schedule.is_none() {
            self.schedule = cx
                .data
                .schedules
                .value()
                .and_then(|list| list.first())
                .map(|s| s.id);
        }
        let Some(schedule) = self.schedule.and_then(|id| cx.data.schedule(id)).cloned() else {
            return;
        };
        let companions_only = paths.iter().all(|p| {
            hosting_api::FileKind::of_filename(&transfers::file_name(p))
                .is_some_and(|k| k != hosting_api::FileKind::Base)
        });
        match self.selected_base {
            Some(base) if self.tab == Tab::OtherBases && companions_only => {
                self.complete(cx, &schedule, base, paths);
            }
            _ => {
                self.tab = Tab::ActiveBase;
                self.load(cx, &schedule, paths);
            }
        }
    }

    /// Starts loading a new base from `paths` (after the same checks as the service).
    fn load(&mut self, cx: &mut Cx<'_>, schedule: &Schedule, paths: Vec<PathBuf>) {
        let t = cx.t;
        self.notice = None;
        if !stopped(schedule) {
            self.notice = Some(t.get("needs-stopped"));
            return;
        }
        match transfers::check_new_base(&paths) {
            Ok(files) => self.start(cx, schedule, Target::NewBase, files),
            Err((key, name)) => self.notice = Some(t.with(&key, &[("name", &name)])),
        }
    }

    /// Starts completing a base with companion files, one transfer per file.
    fn complete(&mut self, cx: &mut Cx<'_>, schedule: &Schedule, base: i64, paths: Vec<PathBuf>) {
        let t = cx.t;
        self.notice = None;
        match transfers::check_companions(&paths) {
            Ok(files) => {
                for file in files {
                    self.start(
                        cx,
                        schedule,
                        Target::Companion { base_id: base },
                        vec![file],
                    );
                }
            }
            Err((key, name)) => self.notice = Some(t.with(&key, &[("name", &name)])),
        }
    }

    fn start(
        &mut self,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        target: Target,
        files: Vec<(PathBuf, hosting_api::FileKind)>,
    ) {
        let Some(owner) = cx.owner() else {
            return;
        };
        cx.backend.transfers().send(TransferCommand::Start {
            owner,
            schedule_id: schedule.id,
            target,
            paths: files.into_iter().map(|(path, _)| path).collect(),
        });
    }

    fn confirmation(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        let Some(confirm) = self.confirm.clone() else {
            return;
        };
        let (question, button) = match &confirm {
            Confirm::Shutdown(_, name) => (
                t.with("shutdown-question", &[("schedule", name)]),
                t.get("shutdown-confirm"),
            ),
            Confirm::OpenBase(_, question) | Confirm::OpenSafeguard(_, question) => {
                (question.clone(), t.get("open-confirm"))
            }
        };
        match widgets::confirm_modal(ui.ctx(), t, "server-confirm", &question, &button) {
            Some(true) => {
                self.confirm = None;
                let Some(schedule) = self.schedule else {
                    return;
                };
                let state = self.states.entry(schedule).or_default();
                // The outcome of the previous change goes; this one's takes its place.
                state.activate.clear();
                state.shutdown.clear();
                let after = crate::session::SessionData::schedule_changed;
                match confirm {
                    Confirm::Shutdown(id, _) => {
                        state.endpoint.clear();
                        let call = cx
                            .backend
                            .call(move |c| async move { c.shutdown(id).await })
                            .then(after);
                        state.shutdown.start(call);
                    }
                    Confirm::OpenBase(id, _) => {
                        let call = cx
                            .backend
                            .call(move |c| async move { c.open_base(id).await })
                            .then(after);
                        state.open_base.start(call);
                    }
                    Confirm::OpenSafeguard(id, _) => {
                        let call = cx
                            .backend
                            .call(move |c| async move { c.open_safeguard(id).await })
                            .then(after);
                        state.open_safeguard.start(call);
                    }
                }
            }
            Some(false) => self.confirm = None,
            None => {}
        }
    }
}

/// One line about a base: name, size, date and the start of its hash.
fn base_summary(cx: &Cx<'_>, schedule: i64, id: Option<i64>) -> String {
    let t = cx.t;
    match id {
        None => t.get("no-base"),
        Some(id) => match cx.data.base(schedule, id) {
            Some(base) => t.with(
                "base-summary",
                &[
                    ("name", &base.name),
                    ("size", &crate::format::size(t, base.size)),
                    (
                        "date",
                        &crate::format::date_time(
                            base.activated_at.as_deref().unwrap_or(&base.created_at),
                        ),
                    ),
                    ("hash", &crate::format::short_hash(&base.sha256)),
                ],
            ),
            None => format!("#{id}"),
        },
    }
}
