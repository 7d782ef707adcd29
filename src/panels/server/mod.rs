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

use std::path::PathBuf;

use hosting_api::{Schedule, ServerState};

use crate::app::Cx;
use crate::backend::{Command, Resource};
use crate::transfers::{self, Target, TransferCommand};
use crate::widgets;

/// A tab of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    ActiveBase,
    OtherBases,
    Safeguards,
    Monitoring,
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

/// The Server PRONOTE panel.
#[derive(Default)]
pub struct ServerPanel {
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
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        if !schedules.iter().any(|s| Some(s.id) == self.schedule) {
            self.schedule = schedules.first().map(|s| s.id);
        }
        ui.horizontal(|ui| {
            ui.label(t.get("server-schedule"));
            for schedule in &schedules {
                if ui
                    .selectable_label(self.schedule == Some(schedule.id), &schedule.name)
                    .clicked()
                {
                    self.select(schedule.id);
                }
            }
            if ui.button(t.get("refresh")).clicked() {
                self.loaded_for = None;
            }
            if cx.data.schedules.is_pending() {
                ui.spinner();
            }
        });
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
            for resource in [
                Resource::Schedules,
                Resource::Bases(schedule.id),
                Resource::Safeguards(schedule.id),
                Resource::Monitoring(schedule.id),
            ] {
                cx.refresh(resource);
            }
        }
        ui.horizontal(|ui| {
            for (tab, key) in [
                (Tab::ActiveBase, "tab-active-base"),
                (Tab::OtherBases, "tab-other-bases"),
                (Tab::Safeguards, "tab-safeguards"),
                (Tab::Monitoring, "tab-monitoring"),
            ] {
                if ui.selectable_label(self.tab == tab, t.get(key)).clicked() && self.tab != tab {
                    self.tab = tab;
                    match tab {
                        Tab::OtherBases => cx.refresh(Resource::Bases(schedule.id)),
                        Tab::Safeguards => cx.refresh(Resource::Safeguards(schedule.id)),
                        Tab::Monitoring => cx.refresh(Resource::Monitoring(schedule.id)),
                        Tab::ActiveBase => cx.refresh(Resource::Schedules),
                    }
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
            });
        self.confirmation(ui, cx);
        self.grid_modal(ui, cx, &schedule);
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
        cx.backend.send(Command::Transfer(TransferCommand::Start {
            owner,
            schedule_id: schedule.id,
            target,
            paths: files.into_iter().map(|(path, _)| path).collect(),
        }));
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
                let (tag, action) = match confirm {
                    Confirm::Shutdown(id, _) => {
                        cx.data.endpoints.remove(&id);
                        ("shutdown", crate::backend::Action::Shutdown(id))
                    }
                    Confirm::OpenBase(id, _) => ("open-base", crate::backend::Action::OpenBase(id)),
                    Confirm::OpenSafeguard(id, _) => {
                        ("open-safeguard", crate::backend::Action::OpenSafeguard(id))
                    }
                };
                cx.act(tag, vec![action]);
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

/// The failure of the last action `tag`, in the person's language when the locale knows its
/// code, else the service's sentence.
fn failure_of(ui: &mut egui::Ui, cx: &Cx<'_>, tag: &str) {
    widgets::failure(
        ui,
        cx.data.failure_of(tag).map(|f| cx.t.failure(f)).as_ref(),
    );
}
