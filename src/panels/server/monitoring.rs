//! The Monitoring of connections tab: the licences of the contract for the Administrative mode
//! and how many of them are reserved for the administrators (at most the contract's).

use hosting_api::{Monitoring, MonitoringUpdate, Schedule};

use crate::app::Cx;
use crate::request::Request;
use crate::{theme, widgets};

/// The Monitoring of connections tab of one schedule.
#[derive(Default)]
pub(super) struct MonitoringTab {
    monitoring: Request<Monitoring>,
    save: Request<Monitoring>,
    /// The reservation as typed; what the service says until the person types.
    reserved: Option<String>,
}

/// The reservation typed, checked against the contract: the number or the problem's sentence.
fn check_reserved(cx: &Cx<'_>, value: &str, monitoring: &Monitoring) -> Result<u32, String> {
    let t = cx.t;
    let reserved: u32 = value
        .trim()
        .parse()
        .map_err(|_| t.get("reserved-invalid"))?;
    let most = monitoring.reservable();
    if reserved > most {
        return Err(if monitoring.reserved_elsewhere == 0 {
            t.with("reserved-too-many", &[("count", &most.to_string())])
        } else {
            t.with(
                "reserved-too-many-elsewhere",
                &[
                    ("count", &most.to_string()),
                    ("elsewhere", &monitoring.reserved_elsewhere.to_string()),
                ],
            )
        });
    }
    Ok(reserved)
}

impl MonitoringTab {
    /// Reloads the monitoring of the schedule's connections.
    pub(super) fn load(&mut self, cx: &Cx<'_>, schedule: i64) {
        self.monitoring.start(
            cx.backend
                .call(move |c| async move { c.monitoring(schedule).await }),
        );
    }

    /// A saved reservation replaces what was loaded.
    pub(super) fn take_saved(&mut self) {
        if let Some(Ok(saved)) = self.save.arrived() {
            let saved = saved.clone();
            self.monitoring.set(saved);
        }
    }

    /// Another schedule is chosen: the field shows the service's number when this one is back.
    pub(super) fn forget_edits(&mut self) {
        self.reserved = None;
    }

    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        // One row whatever the state, so that the field below keeps its id (and the focus)
        // when a refresh ends.
        ui.horizontal(|ui| widgets::request_state(ui, t, &self.monitoring));
        let Some(monitoring) = self.monitoring.value().cloned() else {
            return;
        };
        let saving = self.save.is_pending();
        ui.label(t.with(
            "contract-licences",
            &[("count", &monitoring.contract_licences.to_string())],
        ));
        if monitoring.reserved_elsewhere > 0 {
            ui.label(t.with(
                "reserved-elsewhere",
                &[("count", &monitoring.reserved_elsewhere.to_string())],
            ));
        }
        ui.label(t.with(
            "administration-members",
            &[("count", &monitoring.administration_members.to_string())],
        ));
        ui.add_space(theme::SECTION_SPACE / 2.0);
        let value = self
            .reserved
            .get_or_insert_with(|| monitoring.administration_reserved.to_string());
        let response = widgets::field(
            ui,
            &t.get("reserved-licences"),
            value,
            false,
            &t.get("reserved-hint"),
        );
        let checked = check_reserved(cx, value, &monitoring);
        if let Err(problem) = &checked {
            ui.horizontal(|ui| {
                ui.add_space(theme::FIELD_INDENT);
                ui.colored_label(ui.visuals().error_fg_color, problem);
            });
        }
        let changed = checked
            .as_ref()
            .is_ok_and(|n| *n != monitoring.administration_reserved);
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
                self.save.start(call);
            }
            // Beside the button, so that nothing below moves when the saving ends.
            widgets::failure(ui, t, self.save.failure());
            if self.save.is_done() {
                widgets::success(ui, &t.get("monitoring-saved"));
            }
        });
    }
}
