//! The Server PRONOTE panel: for a schedule chosen at the top, its active base and server state
//! (shut down, activate, load, create, test the connection), its other bases (open, complete),
//! its safeguards (open, download), the monitoring of connections (licences reserved for the
//! administrators) and the bases of previous years.
//!
//! Each tab is a type that owns its requests, one per schedule ([`Tabs`]); the panel keeps the
//! schedule chosen, the tab shown and the confirmation asked.
//!
//! The service enforces every rule (a stopped server to load, create or open a base; an open
//! base and a domain to activate…); the panel mirrors them to disable what cannot work, and
//! shows the service's own sentence where an action failed.

mod active;
mod bases;
mod files;
mod monitoring;
mod safeguards;
mod years;

use std::path::PathBuf;
use std::sync::Arc;

use hosting_api::{Schedule, ServerState};

use super::per_schedule::PerSchedule;
use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::backend::Progress;
use crate::request::Request;
use crate::widgets;

/// The Server PRONOTE panel's id.
pub const ID: PanelId = PanelId::new("panel-server");

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

impl Tab {
    /// The tabs, in the order shown.
    const ALL: [Tab; 5] = [
        Tab::ActiveBase,
        Tab::OtherBases,
        Tab::Safeguards,
        Tab::Monitoring,
        Tab::Years,
    ];
}

/// An action waiting for the person's confirmation.
#[derive(Debug, Clone)]
enum Confirm {
    /// Shut down the server of a schedule (its name).
    Shutdown(i64, String),
    /// Open a base (id, question).
    OpenBase(i64, String),
    /// Open a safeguard (id, question), shutting down the running server of the schedule
    /// first when there is one (its id).
    OpenSafeguard(i64, String, Option<i64>),
}

/// A download (a safeguard, a year's base): the bytes received so far, then the file and its
/// checked hash (`None` when the person cancelled the dialog).
#[derive(Default)]
struct Download {
    progress: Arc<Progress>,
    request: Request<Option<(PathBuf, String)>>,
}

/// The tabs of one schedule; each action has its own request, so that one running does not
/// hold the others.
#[derive(Default)]
struct Tabs {
    active: active::ActiveTab,
    bases: bases::BasesTab,
    safeguards: safeguards::SafeguardsTab,
    monitoring: monitoring::MonitoringTab,
    years: years::YearsTab,
    /// A problem with files chosen or dropped, as a sentence (Active base, Other bases).
    notice: Option<String>,
}

impl Tabs {
    /// Reloads what the tabs show when the schedule is shown.
    fn load(&mut self, cx: &mut Cx<'_>, schedule: i64) {
        cx.data.load_schedules();
        cx.data.load_bases(schedule);
        self.safeguards.load(cx, schedule);
        self.monitoring.load(cx, schedule);
    }

    /// Reloads what `tab` shows.
    fn open(&mut self, tab: Tab, cx: &mut Cx<'_>, schedule: i64) {
        match tab {
            Tab::ActiveBase => cx.data.load_schedules(),
            Tab::OtherBases => cx.data.load_bases(schedule),
            Tab::Safeguards => self.safeguards.load(cx, schedule),
            Tab::Monitoring => self.monitoring.load(cx, schedule),
            Tab::Years => years::load_all(cx),
        }
    }

    /// Whether a change of the server started in another tab than `tab` is under way (shut
    /// down, activate, create, open a base or a safeguard): no other may start meanwhile.
    fn changing_besides(&self, tab: Tab) -> bool {
        (tab != Tab::ActiveBase && self.active.changing())
            || (tab != Tab::OtherBases && self.bases.opening())
            || (tab != Tab::Safeguards && self.safeguards.opening())
    }

    /// Acts on the answers that came for this schedule: files chosen in a dialog, a saved
    /// reservation.
    fn take_answers(&mut self, cx: &mut Cx<'_>, schedule_id: i64) {
        if let Some(paths) = self.years.chosen_files() {
            self.years.send_files(cx, schedule_id, paths);
        }
        self.monitoring.take_saved();
        let schedule = cx.data.schedule(schedule_id).cloned();
        if let Some(paths) = self.active.chosen_files()
            && let Some(schedule) = &schedule
        {
            files::load(cx, schedule, paths, &mut self.notice);
        }
        if let Some((base, paths)) = self.bases.chosen_files()
            && let Some(schedule) = &schedule
        {
            files::complete(cx, schedule, base, paths, &mut self.notice);
        }
    }

    /// Draws `tab`; a confirmation it asks for.
    fn ui(
        &mut self,
        tab: Tab,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
    ) -> Option<Confirm> {
        let others = self.changing_besides(tab);
        let notice = self.notice.as_deref();
        match tab {
            Tab::ActiveBase => self.active.ui(ui, cx, schedule, others, notice),
            Tab::OtherBases => self.bases.ui(ui, cx, schedule, others, notice),
            Tab::Safeguards => self.safeguards.ui(ui, cx, schedule, others),
            Tab::Monitoring => {
                self.monitoring.ui(ui, cx, schedule);
                None
            }
            Tab::Years => {
                self.years.ui(ui, cx, schedule);
                None
            }
        }
    }

    /// The person confirmed: the action starts in the tab that asked.
    fn confirmed(&mut self, confirm: Confirm, cx: &mut Cx<'_>) {
        // The outcome of the previous change goes; this one's takes its place.
        self.active.forget_outcome();
        match confirm {
            Confirm::Shutdown(id, _) => self.active.shut_down(cx, id),
            Confirm::OpenBase(id, _) => self.bases.open(cx, id),
            Confirm::OpenSafeguard(id, _, running) => self.safeguards.open(cx, id, running),
        }
    }

    /// Another schedule is chosen: what was selected or typed for this one goes.
    fn forget_edits(&mut self) {
        self.bases.forget_selection();
        self.monitoring.forget_edits();
        self.notice = None;
    }
}

/// The Server PRONOTE panel.
#[derive(Default)]
pub struct ServerPanel {
    schedules: PerSchedule<Tabs>,
    tab: Tab,
    confirm: Option<Confirm>,
}

/// Whether a schedule's server is shut down.
fn stopped(schedule: &Schedule) -> bool {
    schedule.server.state == ServerState::Stopped
}

impl Panel for ServerPanel {
    fn id(&self) -> PanelId {
        ID
    }

    /// Shows the tab of a task (the guide's buttons), of its schedule when given (a
    /// notification about it), with fresh data.
    fn show(&mut self, target: Target, cx: &mut Cx<'_>) {
        let Some(tab) = target.tab else {
            return;
        };
        self.tab = tab;
        if let Some(schedule) = target.schedule {
            self.select(schedule);
        }
        match self.schedules.chosen_id() {
            Some(id) => self.schedules.state(id).open(tab, cx, id),
            // The first frame chooses a schedule and loads everything.
            None => self.schedules.reload(),
        }
    }

    /// Files dropped on the window: a new base, or companions of the base selected in Other
    /// bases.
    fn dropped(&mut self, paths: &[PathBuf], cx: &mut Cx<'_>) -> bool {
        if self.schedules.chosen_id().is_none()
            && let Some(first) = cx.data.schedules.value().and_then(|list| list.first())
        {
            self.schedules.choose(first.id);
        }
        let Some(schedule) = self
            .schedules
            .chosen_id()
            .and_then(|id| cx.data.schedule(id))
            .cloned()
        else {
            return true;
        };
        let paths = paths.to_vec();
        let tabs = self.schedules.state(schedule.id);
        match tabs.bases.selected() {
            Some(base) if self.tab == Tab::OtherBases && files::companions_only(&paths) => {
                files::complete(cx, &schedule, base, paths, &mut tabs.notice);
            }
            _ => {
                self.tab = Tab::ActiveBase;
                files::load(cx, &schedule, paths, &mut tabs.notice);
            }
        }
        true
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        let t = cx.t;
        for (id, tabs) in self.schedules.all() {
            tabs.take_answers(cx, id);
        }
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        let busy = cx.data.schedules.is_pending();
        if let Some(id) = self.schedules.row(ui, t, &schedules, busy) {
            self.schedules.state(id).forget_edits();
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
        let Some(schedule) = self.schedules.chosen(&schedules).cloned() else {
            ui.label(t.get("no-schedule"));
            return None;
        };
        let tabs = self
            .schedules
            .shown(schedule.id, |tabs| tabs.load(cx, schedule.id));
        ui.horizontal(|ui| {
            for tab in Tab::ALL {
                if ui
                    .selectable_label(self.tab == tab, t.get(tab.key()))
                    .clicked()
                    && self.tab != tab
                {
                    self.tab = tab;
                    tabs.open(tab, cx, schedule.id);
                }
            }
        });
        ui.separator();
        let asked = egui::ScrollArea::vertical()
            .id_salt("server-panel")
            .show(ui, |ui| tabs.ui(self.tab, ui, cx, &schedule))
            .inner;
        if asked.is_some() {
            self.confirm = asked;
        }
        self.confirmation(ui, cx);
        let tabs = self.schedules.state(schedule.id);
        let others = tabs.changing_besides(Tab::ActiveBase);
        tabs.active.grid_modal(ui, cx, &schedule, others);
        None
    }
}

impl ServerPanel {
    /// Chooses `schedule`; what was selected or typed for it before goes.
    fn select(&mut self, schedule: i64) {
        if self.schedules.choose(schedule) {
            self.schedules.state(schedule).forget_edits();
        }
    }

    /// The modal that asks for the confirmation of an action, then starts it.
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
            Confirm::OpenBase(_, question) | Confirm::OpenSafeguard(_, question, _) => {
                (question.clone(), t.get("open-confirm"))
            }
        };
        match widgets::confirm_modal(ui.ctx(), t, "server-confirm", &question, &button) {
            Some(true) => {
                self.confirm = None;
                if let Some(schedule) = self.schedules.chosen_id() {
                    self.schedules.state(schedule).confirmed(confirm, cx);
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
