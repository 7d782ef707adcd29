//! The Workstations panel: this account's enrolled workstations; revoke one (with confirmation).

use crate::app::Cx;
use crate::backend::{Action, Resource};
use crate::widgets;

/// The Workstations panel.
#[derive(Default)]
pub struct WorkstationsPanel {
    confirm: Option<(i64, String)>,
}

impl WorkstationsPanel {
    /// Draws the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        ui.horizontal(|ui| {
            ui.heading(t.get("panel-workstations"));
            if ui.button(t.get("refresh")).clicked() {
                cx.refresh(Resource::Workstations);
            }
            if cx.data.workstations.is_pending() {
                ui.spinner();
            }
        });
        widgets::failure(
            ui,
            cx.data.failure_of("revoke").map(|f| t.failure(f)).as_ref(),
        );
        let list = cx.data.workstations.value().cloned().unwrap_or_default();
        egui::Grid::new("workstations")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for key in [
                    "ws-name",
                    "ws-who",
                    "ws-enrolled",
                    "ws-until",
                    "ws-state",
                    "",
                ] {
                    ui.strong(if key.is_empty() {
                        String::new()
                    } else {
                        t.get(key)
                    });
                }
                ui.end_row();
                for workstation in &list {
                    let name = if workstation.current {
                        t.with("ws-current", &[("name", &workstation.name)])
                    } else {
                        workstation.name.clone()
                    };
                    ui.label(name);
                    ui.label(
                        workstation
                            .username
                            .clone()
                            .unwrap_or_else(|| t.get("role-manager")),
                    );
                    ui.label(&workstation.enrolled_at[..10.min(workstation.enrolled_at.len())]);
                    ui.label(&workstation.not_after[..10.min(workstation.not_after.len())]);
                    match &workstation.revoked_at {
                        Some(_) => ui.label(t.get("ws-revoked")),
                        None => ui.label(t.get("ws-active")),
                    };
                    if workstation.revoked_at.is_none() {
                        let label = t.with("revoke-named", &[("name", &workstation.name)]);
                        if ui
                            .add_enabled(!cx.data.busy(), egui::Button::new(label))
                            .clicked()
                        {
                            self.confirm = Some((workstation.id, workstation.name.clone()));
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        if let Some((id, name)) = self.confirm.clone() {
            let modal = egui::Modal::new(egui::Id::unique("confirm-revoke")).show(ui.ctx(), |ui| {
                ui.label(t.with("revoke-question", &[("name", &name)]));
                ui.horizontal(|ui| {
                    if ui.button(t.get("revoke")).clicked() {
                        return Some(true);
                    }
                    if ui.button(t.get("cancel")).clicked() {
                        return Some(false);
                    }
                    None
                })
                .inner
            });
            match modal
                .inner
                .or_else(|| modal.should_close().then_some(false))
            {
                Some(true) => {
                    cx.act("revoke", vec![Action::Revoke(id)]);
                    self.confirm = None;
                }
                Some(false) => self.confirm = None,
                None => {}
            }
        }
    }
}
