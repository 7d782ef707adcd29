//! The Other bases tab: previously activated bases, bases downloaded from the institution, and
//! the created or restored ones never activated; the selected base can be opened on the server
//! or completed with a companion file.

use hosting_api::{Base, BaseOrigin, Schedule};

use super::{Confirm, ServerPanel, stopped};
use crate::app::Cx;
use crate::{format, theme, widgets};

impl ServerPanel {
    pub(super) fn other_bases(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let remote = cx.data.bases.get(&schedule.id);
        let bases: Vec<Base> = remote.and_then(|r| r.value()).cloned().unwrap_or_default();
        ui.horizontal(|ui| {
            if let Some(remote) = remote {
                widgets::request_state(ui, t, remote);
            }
        });
        let lists: [(&str, Vec<&Base>); 3] = [
            (
                "previously-activated",
                bases.iter().filter(|b| b.activated_at.is_some()).collect(),
            ),
            (
                "downloaded-bases",
                bases
                    .iter()
                    .filter(|b| b.activated_at.is_none() && b.origin == BaseOrigin::Downloaded)
                    .collect(),
            ),
            (
                "other-created-bases",
                bases
                    .iter()
                    .filter(|b| b.activated_at.is_none() && b.origin != BaseOrigin::Downloaded)
                    .collect(),
            ),
        ];
        if bases.is_empty() && remote.is_some_and(|r| !r.is_pending()) {
            ui.label(t.get("no-bases-at-all"));
            return;
        }
        for (index, (key, list)) in lists.iter().enumerate() {
            // The third list is small and only shown when it has something.
            if index == 2 && list.is_empty() {
                continue;
            }
            ui.strong(t.get(key));
            if list.is_empty() {
                ui.label(t.get("no-bases"));
            } else {
                self.base_table(ui, cx, schedule, key, list);
            }
            ui.add_space(theme::SECTION_SPACE);
        }
        if let Some(base) = self
            .selected_base
            .and_then(|id| bases.iter().find(|b| b.id == id))
        {
            ui.separator();
            self.selected(ui, cx, schedule, base);
        }
    }

    fn base_table(
        &mut self,
        ui: &mut egui::Ui,
        cx: &Cx<'_>,
        schedule: &Schedule,
        key: &str,
        list: &[&Base],
    ) {
        let t = cx.t;
        egui::Grid::new(("bases", key))
            .striped(true)
            .num_columns(5)
            .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
            .show(ui, |ui| {
                for column in ["col-name", "col-size", "col-date", "col-hash", "col-mark"] {
                    ui.strong(t.get(column));
                }
                ui.end_row();
                for base in list {
                    let selected = self.selected_base == Some(base.id);
                    if ui.selectable_label(selected, &base.name).clicked() {
                        self.selected_base = Some(base.id);
                    }
                    ui.label(format::size(t, base.size));
                    ui.label(format::date_time(
                        base.activated_at.as_deref().unwrap_or(&base.created_at),
                    ));
                    ui.label(format::short_hash(&base.sha256));
                    let mark = if schedule.server.active_base_id == Some(base.id) {
                        t.get("base-active-mark")
                    } else if schedule.server.open_base_id == Some(base.id) {
                        t.get("base-open-mark")
                    } else {
                        String::new()
                    };
                    ui.label(mark);
                    ui.end_row();
                }
            });
    }

    fn selected(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule, base: &Base) {
        let t = cx.t;
        ui.heading(t.with("selected-base", &[("name", &base.name)]));
        egui::Grid::new("base-files")
            .num_columns(3)
            .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
            .show(ui, |ui| {
                for file in &base.files {
                    ui.label(&file.filename);
                    ui.label(format::size(t, file.size));
                    ui.label(format::short_hash(&file.sha256));
                    ui.end_row();
                }
            });
        ui.add_space(theme::SECTION_SPACE / 2.0);
        let is_open = schedule.server.open_base_id == Some(base.id);
        let state = self.states.entry(schedule.id).or_default();
        let can_open = stopped(schedule) && !is_open && !state.changing();
        let opening = state.open_base.is_pending();
        let picking = state.pick_companions.is_pending();
        let mut pick = false;
        ui.horizontal(|ui| {
            if widgets::action_button(ui, &t.get("open-this-base"), can_open, opening) {
                let current = schedule
                    .server
                    .open_base_id
                    .and_then(|id| cx.data.base(schedule.id, id))
                    .map(|b| b.name.clone());
                let question = match current {
                    Some(current) => t.with(
                        "open-base-question-replaces",
                        &[("name", &base.name), ("current", &current)],
                    ),
                    None => t.with("open-base-question", &[("name", &base.name)]),
                };
                self.confirm = Some(Confirm::OpenBase(base.id, question));
            }
            pick = ui
                .add_enabled(!picking, egui::Button::new(t.get("complete-base")))
                .clicked();
            let state = self.states.entry(schedule.id).or_default();
            // Beside the buttons, so that nothing below moves when the opening ends.
            widgets::failure(ui, t, state.open_base.failure());
            if state.open_base.is_done() {
                widgets::success(ui, &t.get("base-opened"));
            }
        });
        if pick {
            self.pick_files(cx, schedule.id, Some(base.id));
        }
        if !stopped(schedule) {
            ui.label(t.get("needs-stopped"));
        } else if is_open {
            ui.label(t.get("base-is-open"));
        }
        ui.label(t.get("complete-base-hint"));
        if let Some(notice) = &self.notice {
            ui.colored_label(ui.visuals().error_fg_color, notice);
        }
    }
}
