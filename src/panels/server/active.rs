//! The Active base tab: the server's state, its active and open bases, shutting down,
//! activating, loading and creating a base, and testing the connection as a PRONOTE client.

use std::path::PathBuf;

use hosting_api::{Base, EndpointStatus, NewEmptyBase, Schedule, ServerState, TimeGrid};

use super::{Confirm, base_summary, files, stopped};
use crate::app::Cx;
use crate::request::Request;
use crate::{theme, widgets};

/// The Active base tab of one schedule.
#[derive(Default)]
pub(super) struct ActiveTab {
    shutdown: Request<Schedule>,
    activate: Request<Schedule>,
    create_base: Request<Base>,
    endpoint: Request<EndpointStatus>,
    /// The "load a base" dialog.
    pick_base: Request<Option<Vec<PathBuf>>>,
    /// The time grid of the base to create, while its modal is open.
    grid: Option<GridForm>,
}

/// The time grid of a base to create, as typed.
struct GridForm {
    start: String,
    slot: String,
    slots: String,
}

impl Default for GridForm {
    fn default() -> Self {
        let grid = TimeGrid::default();
        GridForm {
            start: grid.day_starts_at,
            slot: grid.slot_minutes.to_string(),
            slots: grid.slots_per_day.to_string(),
        }
    }
}

/// Minutes after midnight of `HH:MM`.
fn minutes_of(value: &str) -> Option<u32> {
    let (hours, minutes) = value.trim().split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

impl GridForm {
    /// The grid, or the locale key of each field's problem (start, slot, slots, whole day).
    fn check(&self) -> (Result<TimeGrid, ()>, [Option<&'static str>; 4]) {
        let start = minutes_of(&self.start);
        let slot = self
            .slot
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| (5..=240).contains(m));
        let slots = self
            .slots
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=24).contains(n));
        let mut problems = [
            start.is_none().then_some("grid-invalid-start"),
            slot.is_none().then_some("grid-invalid-slot"),
            slots.is_none().then_some("grid-invalid-slots"),
            None,
        ];
        match (start, slot, slots) {
            (Some(start), Some(slot), Some(slots)) if start + slot * slots <= 24 * 60 => (
                Ok(TimeGrid {
                    day_starts_at: self.start.trim().to_string(),
                    slot_minutes: slot,
                    slots_per_day: slots,
                }),
                problems,
            ),
            (Some(_), Some(_), Some(_)) => {
                problems[3] = Some("grid-too-long");
                (Err(()), problems)
            }
            _ => (Err(()), problems),
        }
    }
}

impl ActiveTab {
    /// Whether a change of the server started here is under way (shut down, activate, create).
    pub(super) fn changing(&self) -> bool {
        self.shutdown.is_pending() || self.activate.is_pending() || self.create_base.is_pending()
    }

    /// Forgets how the last shutdown or activation ended (another change starts).
    pub(super) fn forget_outcome(&mut self) {
        self.activate.clear();
        self.shutdown.clear();
    }

    /// Shuts the server down (confirmed).
    pub(super) fn shut_down(&mut self, cx: &Cx<'_>, schedule: i64) {
        self.endpoint.clear();
        let call = cx
            .backend
            .call(move |c| async move { c.shutdown(schedule).await })
            .then(crate::session::SessionData::schedule_changed);
        self.shutdown.start(call);
    }

    /// The files chosen in the "load a base" dialog, once.
    pub(super) fn chosen_files(&mut self) -> Option<Vec<PathBuf>> {
        match self.pick_base.arrived() {
            Some(Ok(Some(paths))) => Some(paths.clone()),
            _ => None,
        }
    }

    /// Draws the tab; `others`: a change started in another tab is under way. The shutdown's
    /// confirmation when asked.
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        others: bool,
        notice: Option<&str>,
    ) -> Option<Confirm> {
        server_summary(ui, cx, schedule);
        ui.add_space(theme::SECTION_SPACE);
        let confirm = self.server_switches(ui, cx, schedule, others);
        ui.add_space(theme::SECTION_SPACE);
        self.load_or_create(ui, cx, schedule, others, notice);
        ui.add_space(theme::SECTION_SPACE);
        self.endpoint_test(ui, cx, schedule);
        confirm
    }
}

/// The server's state, its active base and its open base.
fn server_summary(ui: &mut egui::Ui, cx: &Cx<'_>, schedule: &Schedule) {
    let t = cx.t;
    let running = schedule.server.state == ServerState::Running;
    egui::Grid::new("server-state")
        .num_columns(2)
        .spacing([theme::COLUMN_GAP, theme::ROW_GAP])
        .show(ui, |ui| {
            ui.strong(t.get("server-state"));
            if running {
                widgets::success(ui, &t.get("server-running"));
            } else {
                ui.label(t.get("server-stopped"));
            }
            ui.end_row();
            ui.strong(t.get("active-base"));
            ui.label(base_summary(
                cx,
                schedule.id,
                schedule.server.active_base_id,
            ));
            ui.end_row();
            ui.strong(t.get("open-base"));
            ui.label(base_summary(cx, schedule.id, schedule.server.open_base_id));
            ui.end_row();
        });
}

impl ActiveTab {
    /// Shut down and activate, with why activating is not possible yet, and how each ended.
    fn server_switches(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        others: bool,
    ) -> Option<Confirm> {
        let t = cx.t;
        let running = schedule.server.state == ServerState::Running;
        let busy = others || self.changing();
        let mut shutdown = false;
        ui.horizontal(|ui| {
            shutdown = widgets::action_button(
                ui,
                &t.get("shutdown"),
                running && !busy,
                self.shutdown.is_pending(),
            );
            let has_open = schedule.server.open_base_id.is_some();
            let ready = has_open && !running && schedule.domain.is_some();
            if widgets::action_button(
                ui,
                &t.get("activate"),
                ready && !busy,
                self.activate.is_pending(),
            ) {
                self.endpoint.clear();
                self.shutdown.clear();
                let id = schedule.id;
                let call = cx
                    .backend
                    .call(move |c| async move { c.activate(id).await })
                    .then(crate::session::SessionData::schedule_changed);
                self.activate.start(call);
            }
            let why = if running {
                None
            } else if !has_open {
                Some("activate-needs-open")
            } else if schedule.domain.is_none() {
                Some("activate-needs-domain")
            } else {
                None
            };
            if let Some(key) = why {
                ui.label(t.get(key));
            }
            // Beside the buttons, so that nothing below moves when an action ends.
            widgets::failure(ui, t, self.shutdown.failure());
            widgets::failure(ui, t, self.activate.failure());
            if self.activate.is_done() {
                widgets::success(ui, &t.get("activated"));
            }
            if self.shutdown.is_done() {
                widgets::success(ui, &t.get("shut-down"));
            }
        });
        shutdown.then(|| Confirm::Shutdown(schedule.id, schedule.name.clone()))
    }

    /// Load a base from files, or create an empty one.
    fn load_or_create(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        others: bool,
        notice: Option<&str>,
    ) {
        let t = cx.t;
        let running = schedule.server.state == ServerState::Running;
        let can = !running && !others && !self.changing();
        let picking = self.pick_base.is_pending();
        let mut pick = false;
        ui.horizontal(|ui| {
            pick = ui
                .add_enabled(can && !picking, egui::Button::new(t.get("load-base")))
                .clicked();
            if ui
                .add_enabled(can, egui::Button::new(t.get("create-base")))
                .clicked()
            {
                self.grid = Some(GridForm::default());
            }
            widgets::failure(ui, t, self.create_base.failure());
            if self.create_base.is_done() {
                widgets::success(ui, &t.get("base-created"));
            }
        });
        if pick {
            self.pick_base
                .start(cx.backend.pick_files(files::base_dialog(t, false)));
        }
        ui.label(if running {
            t.get("needs-stopped")
        } else {
            t.get("load-base-hint")
        });
        if let Some(notice) = notice {
            ui.colored_label(ui.visuals().error_fg_color, notice);
        }
    }

    /// Test the connection as a PRONOTE client.
    fn endpoint_test(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let running = schedule.server.state == ServerState::Running;
        let endpoint = schedule.host.clone().zip(schedule.port);
        ui.horizontal(|ui| {
            if widgets::action_button(
                ui,
                &t.get("test-connection"),
                running && endpoint.is_some(),
                self.endpoint.is_pending(),
            ) && let Some((host, port)) = endpoint.clone()
            {
                let call = cx
                    .backend
                    .call(move |c| async move { c.endpoint_status(&host, port).await });
                self.endpoint.start(call);
            }
            if let Some((host, port)) = &endpoint {
                ui.label(t.with("endpoint", &[("host", host), ("port", &port.to_string())]));
            }
        });
        widgets::failure(ui, t, self.endpoint.failure());
        match self.endpoint.value() {
            Some(status) if self.endpoint.is_done() => widgets::success(
                ui,
                &t.with(
                    "endpoint-ok",
                    &[
                        ("school", &status.school),
                        ("schedule", &status.schedule),
                        ("base", &status.base),
                        ("version", &status.version),
                    ],
                ),
            ),
            _ if !running => {
                ui.label(t.get("endpoint-needs-running"));
            }
            _ => {}
        }
    }

    /// The modal that creates an empty base with a time grid.
    pub(super) fn grid_modal(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        others: bool,
    ) {
        let t = cx.t;
        let changing = others || self.changing();
        let Some(form) = self.grid.as_mut() else {
            return;
        };
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("create-base")).show(ui.ctx(), |ui| {
            ui.heading(t.with("create-base-title", &[("schedule", &schedule.name)]));
            ui.label(t.get("grid-intro"));
            ui.add_space(theme::SECTION_SPACE / 2.0);
            let (grid, problems) = form.check();
            for ((label, hint), (value, problem)) in [
                ("grid-start", "grid-start-hint"),
                ("grid-slot", ""),
                ("grid-slots", ""),
            ]
            .into_iter()
            .zip([
                (&mut form.start, problems[0]),
                (&mut form.slot, problems[1]),
                (&mut form.slots, problems[2]),
            ]) {
                let hint = if hint.is_empty() {
                    String::new()
                } else {
                    t.get(hint)
                };
                widgets::field(ui, &t.get(label), value, false, &hint);
                if let Some(problem) = problem {
                    ui.colored_label(ui.visuals().error_fg_color, t.get(problem));
                }
            }
            if let Some(problem) = problems[3] {
                ui.colored_label(ui.visuals().error_fg_color, t.get(problem));
            }
            if !stopped(schedule) {
                ui.colored_label(ui.visuals().error_fg_color, t.get("needs-stopped"));
            }
            ui.horizontal(|ui| {
                let ready = grid.is_ok() && stopped(schedule) && !changing;
                if ui
                    .add_enabled(ready, egui::Button::new(t.get("create-base-confirm")))
                    .clicked()
                    && let Ok(grid) = grid
                {
                    let request = NewEmptyBase {
                        time_grid: Some(grid),
                    };
                    let id = schedule.id;
                    let call = cx
                        .backend
                        .call(move |c| async move { c.create_empty_base(id, &request).await })
                        .then(|data, base| {
                            data.load_bases(base.schedule_id);
                            data.load_schedules();
                            data.load_account();
                        });
                    self.create_base.start(call);
                    close = true;
                }
                if ui.button(t.get("cancel")).clicked() {
                    close = true;
                }
            });
        });
        if close || modal.should_close() {
            self.grid = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_grid_is_checked() {
        let form = GridForm::default();
        assert_eq!(form.check().0, Ok(TimeGrid::default()));
        let form = GridForm {
            start: "8h".to_string(),
            slot: "2".to_string(),
            slots: "10".to_string(),
        };
        let (grid, problems) = form.check();
        assert!(grid.is_err());
        assert_eq!(problems[0], Some("grid-invalid-start"));
        assert_eq!(problems[1], Some("grid-invalid-slot"));
        assert_eq!(problems[2], None);
        let form = GridForm {
            start: "20:00".to_string(),
            slot: "60".to_string(),
            slots: "10".to_string(),
        };
        assert_eq!(form.check().1[3], Some("grid-too-long"));
    }
}
