//! The panels after onboarding: Configuration, Controller, Server PRONOTE, PRONOTE.net,
//! Workstations, My account, Audit log.

pub(crate) mod account;
mod assistance;
mod audit;
mod controller;
mod pronote_net;
mod server;
mod workstations;

use crate::app::Cx;
use crate::wizard::SchedulesForm;

/// A panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    /// Controller and schedules.
    #[default]
    Configuration,
    /// Users, console access, profiles.
    Controller,
    /// The hosted servers: bases, safeguards, monitoring.
    Server,
    /// The webspaces: publication and delegated authentication.
    PronoteNet,
    /// Enrolled workstations.
    Workstations,
    /// The school, its contract, its version and the yearly upgrade.
    Account,
    /// Who did what.
    Audit,
    /// The guide, the provider's support and the diagnostics.
    Assistance,
}

pub use server::Tab as ServerTab;

/// What the person did in a [`schedule_row`].
#[derive(Debug, Default)]
struct ScheduleChoice {
    /// The schedule clicked.
    clicked: Option<i64>,
    /// Refresh was clicked.
    refresh: bool,
}

/// The row that chooses a schedule at the top of Server PRONOTE and PRONOTE.net: keeps `chosen`
/// on a schedule of the list (the first, by default), and a spinner beside it while `busy`.
fn schedule_row(
    ui: &mut egui::Ui,
    t: &crate::i18n::Texts,
    schedules: &[hosting_api::Schedule],
    chosen: &mut Option<i64>,
    busy: bool,
) -> ScheduleChoice {
    if !schedules.iter().any(|s| Some(s.id) == *chosen) {
        *chosen = schedules.first().map(|s| s.id);
    }
    let mut choice = ScheduleChoice::default();
    ui.horizontal(|ui| {
        ui.label(t.get("server-schedule"));
        for schedule in schedules {
            if ui
                .selectable_label(*chosen == Some(schedule.id), &schedule.name)
                .clicked()
            {
                choice.clicked = Some(schedule.id);
            }
        }
        choice.refresh = ui.button(t.get("refresh")).clicked();
        if busy {
            ui.spinner();
        }
    });
    choice
}

impl Panel {
    /// The text key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Panel::Configuration => "panel-configuration",
            Panel::Controller => "panel-controller",
            Panel::Server => "panel-server",
            Panel::PronoteNet => "panel-pronote-net",
            Panel::Workstations => "panel-workstations",
            Panel::Account => "panel-account",
            Panel::Audit => "panel-audit",
            Panel::Assistance => "panel-assistance",
        }
    }
}

impl ServerTab {
    /// The text key of its name.
    pub fn key(self) -> &'static str {
        match self {
            ServerTab::ActiveBase => "tab-active-base",
            ServerTab::OtherBases => "tab-other-bases",
            ServerTab::Safeguards => "tab-safeguards",
            ServerTab::Monitoring => "tab-monitoring",
            ServerTab::Years => "tab-years",
        }
    }
}

/// Where a task is done: a panel, and a tab of Server PRONOTE, for a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The panel.
    pub panel: Panel,
    /// The tab, in Server PRONOTE.
    pub tab: Option<ServerTab>,
    /// The schedule, in Server PRONOTE.
    pub schedule: Option<i64>,
}

/// The panels and their state.
#[derive(Default)]
pub struct Panels {
    panel: Panel,
    configuration: SchedulesForm,
    controller: controller::ControllerPanel,
    server: server::ServerPanel,
    pronote_net: pronote_net::PronoteNetPanel,
    workstations: workstations::WorkstationsPanel,
    account: account::AccountPanel,
    audit: audit::AuditPanel,
    assistance: assistance::AssistancePanel,
}

impl Panels {
    /// Reloads what the panels show when they open.
    pub fn reset(&mut self, cx: &mut Cx<'_>) {
        self.configuration.reload();
        cx.data.load_controller();
        cx.data.load_schedules();
        cx.data.load_users();
        cx.data.load_workstations();
    }

    /// Draws the panel list and the current panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        ui.horizontal(|ui| {
            for panel in [
                Panel::Configuration,
                Panel::Controller,
                Panel::Server,
                Panel::PronoteNet,
                Panel::Workstations,
                Panel::Account,
                Panel::Audit,
                Panel::Assistance,
            ] {
                if ui
                    .selectable_label(self.panel == panel, t.get(panel.key()))
                    .clicked()
                    && self.panel != panel
                {
                    self.switch(panel, cx);
                }
            }
        });
        ui.separator();
        // PRONOTE files dropped on the window are loaded in the Server PRONOTE panel.
        let dropped: Vec<std::path::PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.panel = Panel::Server;
            self.server.dropped(dropped, cx);
        }
        match self.panel {
            Panel::Configuration => {
                egui::ScrollArea::vertical().show(ui, |ui| self.configuration.ui(ui, cx));
            }
            Panel::Controller => self.controller.ui(ui, cx),
            Panel::Server => self.server.ui(ui, cx),
            Panel::PronoteNet => self.pronote_net.ui(ui, cx),
            Panel::Workstations => self.workstations.ui(ui, cx),
            Panel::Account => self.account.ui(ui, cx),
            Panel::Audit => self.audit.ui(ui, cx),
            Panel::Assistance => {
                if let Some(target) = self.assistance.ui(ui, cx) {
                    self.open(target, cx);
                }
            }
        }
    }

    /// Shows `panel`, with what it shows loaded afresh.
    fn switch(&mut self, panel: Panel, cx: &mut Cx<'_>) {
        self.panel = panel;
        match panel {
            Panel::Workstations => cx.data.load_workstations(),
            Panel::Account => self.account.open(cx),
            Panel::PronoteNet => self.pronote_net.open(),
            Panel::Audit => self.audit.open(cx),
            Panel::Assistance => self.assistance.open(cx),
            Panel::Configuration | Panel::Controller | Panel::Server => {}
        }
    }

    /// Opens where a task is done: its panel, and its tab in Server PRONOTE.
    pub fn open(&mut self, target: Target, cx: &mut Cx<'_>) {
        self.switch(target.panel, cx);
        if let Some(tab) = target.tab {
            self.server.show_tab(tab, target.schedule, cx);
        }
    }
}
