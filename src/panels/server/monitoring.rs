//! The Monitoring of connections tab: the licences of the contract for the Administrative mode
//! and how many of them are reserved for the administrators (at most the contract's).

use hosting_api::{MonitoringUpdate, Schedule};

use super::ServerPanel;
use crate::app::Cx;
use crate::{theme, widgets};

/// The reservation typed, checked against the contract: the number or the problem's sentence.
fn check_reserved(cx: &Cx<'_>, value: &str, contract: u32) -> Result<u32, String> {
    let t = cx.t;
    let reserved: u32 = value
        .trim()
        .parse()
        .map_err(|_| t.get("reserved-invalid"))?;
    if reserved > contract {
        return Err(t.with("reserved-too-many", &[("count", &contract.to_string())]));
    }
    Ok(reserved)
}

impl ServerPanel {
    pub(super) fn monitoring(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let state = self.states.entry(schedule.id).or_default();
        // One row whatever the state, so that the field below keeps its id (and the focus)
        // when a refresh ends.
        ui.horizontal(|ui| widgets::request_state(ui, t, &state.monitoring));
        let Some(monitoring) = state.monitoring.value().cloned() else {
            return;
        };
        let saving = state.save_monitoring.is_pending();
        if self
            .reserved
            .as_ref()
            .is_none_or(|(id, _)| *id != schedule.id)
        {
            self.reserved = Some((schedule.id, monitoring.administration_reserved.to_string()));
        }
        ui.label(t.with(
            "contract-licences",
            &[("count", &monitoring.contract_licences.to_string())],
        ));
        ui.label(t.with(
            "administration-members",
            &[("count", &monitoring.administration_members.to_string())],
        ));
        ui.add_space(theme::SECTION_SPACE / 2.0);
        let Some((_, value)) = self.reserved.as_mut() else {
            return;
        };
        let response = widgets::field(
            ui,
            &t.get("reserved-licences"),
            value,
            false,
            &t.get("reserved-hint"),
        );
        let checked = check_reserved(cx, value, monitoring.contract_licences);
        if let Err(problem) = &checked {
            ui.horizontal(|ui| {
                ui.add_space(theme::FIELD_INDENT);
                ui.colored_label(ui.visuals().error_fg_color, problem);
            });
        }
        let changed = checked
            .as_ref()
            .is_ok_and(|n| *n != monitoring.administration_reserved);
        let state = self.states.entry(schedule.id).or_default();
        ui.horizontal(|ui| {
            let save = widgets::action_button(ui, &t.get("save"), changed && !saving, saving)
                || (widgets::submitted(&response) && changed && !saving);
            if save && let Ok(reserved) = checked {
                let update = MonitoringUpdate {
                    administration_reserved: reserved,
                };
                let id = schedule.id;
                let call = cx
                    .backend
                    .call(move |c| async move { c.set_monitoring(id, &update).await });
                state.save_monitoring.start(call);
            }
            // Beside the button, so that nothing below moves when the saving ends.
            widgets::failure(ui, t, state.save_monitoring.failure());
            if state.save_monitoring.is_done() {
                widgets::success(ui, &t.get("monitoring-saved"));
            }
        });
    }
}
