//! The Workstations panel: this account's enrolled workstations; revoke one (with confirmation).

use hosting_api::{ErrorCode, Workstation};

use super::{Panel, PanelId, Target};
use crate::app::Cx;
use crate::i18n::Texts;
use crate::model::Failure;
use crate::request::Request;
use crate::widgets;

/// A revocation waiting for its confirmation.
#[derive(Clone)]
struct Confirm {
    id: i64,
    name: String,
    /// The workstation the console runs on.
    current: bool,
}

/// The Workstations panel's id.
pub const ID: PanelId = PanelId::new("panel-workstations");

/// The Workstations panel.
#[derive(Default)]
pub struct WorkstationsPanel {
    confirm: Option<Confirm>,
    /// The revocation in flight: whether it is of this very workstation.
    revoke: Request<bool>,
}

impl Panel for WorkstationsPanel {
    fn id(&self) -> PanelId {
        ID
    }

    fn reset(&mut self, cx: &mut Cx<'_>) {
        cx.data.load_workstations();
    }

    fn open(&mut self, cx: &mut Cx<'_>) {
        cx.data.load_workstations();
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) -> Option<Target> {
        self.draw(ui, cx);
        None
    }
}

impl WorkstationsPanel {
    fn draw(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>) {
        let t = cx.t;
        if let Some(Ok(true)) = self.revoke.arrived() {
            // This workstation's certificate no longer works: end the session now and say why
            // at step 1, instead of failing on the next request.
            cx.logout = Some(Some(Failure::new(
                ErrorCode::ThisWorkstationRevoked,
                "The certificate of this workstation was revoked.",
            )));
        }
        ui.horizontal(|ui| {
            ui.heading(t.get("panel-workstations"));
            if ui.button(t.get("refresh")).clicked() {
                cx.data.load_workstations();
            }
            if cx.data.workstations.is_pending() {
                ui.spinner();
            }
        });
        if !cx.data.is_manager() {
            // A superadministrator is sent their own workstations only: say so, and who sees all.
            widgets::note(ui, &t.get("workstations-own-only"));
        }
        widgets::failure(ui, t, self.revoke.failure());
        let list = cx.data.workstations.value().cloned().unwrap_or_default();
        if list.is_empty() && !cx.data.workstations.is_pending() {
            ui.label(t.get("no-workstations"));
        }
        self.table(ui, t, &list);
        if let Some(confirm) = self.confirm.clone() {
            self.confirmation(ui, cx, confirm);
        }
    }

    /// The table of workstations, a Revoke button on each one still active.
    fn table(&mut self, ui: &mut egui::Ui, t: &Texts, list: &[Workstation]) {
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
                for workstation in list {
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
                            .add_enabled(!self.revoke.is_pending(), egui::Button::new(label))
                            .clicked()
                        {
                            self.confirm = Some(Confirm {
                                id: workstation.id,
                                name: workstation.name.clone(),
                                current: workstation.current,
                            });
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
    }

    /// Asks to confirm a revocation, and starts it once confirmed.
    fn confirmation(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, confirm: Confirm) {
        let t = cx.t;
        let question = if confirm.current {
            "revoke-question-current"
        } else {
            "revoke-question"
        };
        match widgets::confirm_modal(
            ui.ctx(),
            t,
            "confirm-revoke",
            &t.with(question, &[("name", &confirm.name)]),
            &t.get("revoke"),
        ) {
            Some(true) => {
                let (id, current) = (confirm.id, confirm.current);
                let call = cx
                    .backend
                    .call(move |c| async move { c.revoke_workstation(id).await.map(|()| current) })
                    .then(|data, _| data.load_workstations());
                self.revoke.start(call);
                self.confirm = None;
            }
            Some(false) => self.confirm = None,
            None => {}
        }
    }
}
