//! The panels after onboarding: Configuration, Controller, Server PRONOTE, PRONOTE.net,
//! Workstations, My account, Audit log, Assistance.
//!
//! A panel is a type implementing [`Panel`], listed once in the table of [`Panels::default`]:
//! adding one is its file, its `mod` line and its line in the table.

pub mod account;
pub mod assistance;
pub mod audit;
pub mod configuration;
pub mod controller;
mod people;
mod per_schedule;
pub mod pronote_net;
pub mod server;
pub mod workstations;

use std::path::PathBuf;

use crate::app::Cx;

pub use server::Tab as ServerTab;

/// Which panel: the text key of its name, unique in the table. Each panel's module has its
/// `ID`, which notifications and the guide name in a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelId(&'static str);

impl PanelId {
    /// The panel whose name's text key is `key`.
    pub const fn new(key: &'static str) -> PanelId {
        PanelId(key)
    }

    /// The text key of its name.
    pub fn key(self) -> &'static str {
        self.0
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
    pub panel: PanelId,
    /// The tab, in Server PRONOTE.
    pub tab: Option<ServerTab>,
    /// The schedule, in Server PRONOTE.
    pub schedule: Option<i64>,
}

/// A panel: its name in the list, what it loads when opened, and its drawing. It owns its
/// requests and its edits.
pub trait Panel {
    /// Which panel it is (its name's text key).
    fn id(&self) -> PanelId;

    /// A symbol drawn before its name in the list.
    fn icon(&self) -> Option<&'static str> {
        None
    }

    /// A short word after its name in the list (how many things wait there).
    fn badge(&self, _cx: &Cx<'_>) -> Option<String> {
        None
    }

    /// The panels are shown anew (after the wizard): reloads what it shows from the start.
    fn reset(&mut self, _cx: &mut Cx<'_>) {}

    /// The person opens it: loads what it shows afresh.
    fn open(&mut self, _cx: &mut Cx<'_>) {}

    /// Shows the place of a task inside it (its tab, its schedule), after [`open`](Panel::open).
    fn show(&mut self, _target: Target, _cx: &mut Cx<'_>) {}

    /// Files dropped on the window: whether it takes them (it is then shown).
    fn dropped(&mut self, _paths: &[PathBuf], _cx: &mut Cx<'_>) -> bool {
        false
    }

    /// Draws it; where to go when the person asked for another panel's task.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target>;
}

/// The panels, in the order of the list, and the one shown.
pub struct Panels {
    current: PanelId,
    table: Vec<Box<dyn Panel>>,
}

impl Default for Panels {
    fn default() -> Self {
        // The table of panels: the order of the list; the first is shown first.
        let table: Vec<Box<dyn Panel>> = vec![
            Box::new(configuration::ConfigurationPanel::default()),
            Box::new(controller::ControllerPanel::default()),
            Box::new(server::ServerPanel::default()),
            Box::new(pronote_net::PronoteNetPanel::default()),
            Box::new(workstations::WorkstationsPanel::default()),
            Box::new(account::AccountPanel::default()),
            Box::new(audit::AuditPanel::default()),
            Box::new(assistance::AssistancePanel::default()),
        ];
        Panels {
            current: table[0].id(),
            table,
        }
    }
}

impl Panels {
    /// Reloads what the panels show when they open.
    pub fn reset(&mut self, cx: &mut Cx<'_>) {
        for panel in &mut self.table {
            panel.reset(cx);
        }
    }

    /// Draws the panel list and the current panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        ui.horizontal(|ui| {
            for index in 0..self.table.len() {
                let panel = &self.table[index];
                let id = panel.id();
                let mut name = cx.t.get(id.key());
                if let Some(icon) = panel.icon() {
                    name = format!("{icon} {name}");
                }
                if let Some(badge) = panel.badge(cx) {
                    name = format!("{name} ({badge})");
                }
                if ui.selectable_label(self.current == id, name).clicked() && self.current != id {
                    self.switch(id, cx);
                }
            }
        });
        ui.separator();
        let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty()
            && let Some(id) = self
                .table
                .iter_mut()
                .find_map(|panel| panel.dropped(&dropped, cx).then(|| panel.id()))
        {
            self.current = id;
        }
        let current = self.current;
        let go = self
            .table
            .iter_mut()
            .find(|panel| panel.id() == current)
            .and_then(|panel| panel.ui(ui, cx));
        if let Some(target) = go {
            self.open(target, cx);
        }
    }

    /// Shows `panel`, with what it shows loaded afresh.
    fn switch(&mut self, panel: PanelId, cx: &mut Cx<'_>) {
        self.current = panel;
        if let Some(panel) = self.table.iter_mut().find(|p| p.id() == panel) {
            panel.open(cx);
        }
    }

    /// Whether `panel` is in the table (tests: every target names a panel).
    #[cfg(test)]
    pub(crate) fn lists(&self, panel: PanelId) -> bool {
        self.table.iter().any(|p| p.id() == panel)
    }

    /// Opens where a task is done: its panel, and its tab in Server PRONOTE.
    pub fn open(&mut self, target: Target, cx: &mut Cx<'_>) {
        self.switch(target.panel, cx);
        if let Some(panel) = self.table.iter_mut().find(|p| p.id() == target.panel) {
            panel.show(target, cx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_panel_is_listed_once_and_every_target_names_a_listed_panel() {
        let ids: Vec<PanelId> = Panels::default().table.iter().map(|p| p.id()).collect();
        for (index, id) in ids.iter().enumerate() {
            assert!(!ids[..index].contains(id), "{id:?} listed twice");
        }
        assert_eq!(ids.first(), Some(&configuration::ID), "shown first");
        for page in crate::guide::PAGES {
            if let Some(target) = page.target {
                assert!(
                    Panels::default().lists(target.panel),
                    "guide page {}",
                    page.id
                );
            }
        }
    }
}
