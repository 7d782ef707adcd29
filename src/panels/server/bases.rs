//! The Other bases tab: previously activated bases, bases downloaded from the institution, and
//! the created or restored ones never activated; the selected base can be opened on the server
//! or completed with a companion file.

use std::path::PathBuf;

use hosting_api::{Base, BaseOrigin, Schedule};

use super::{Confirm, files, stopped};
use crate::app::Cx;
use crate::request::Request;
use crate::{format, theme, widgets};

/// The Other bases tab of one schedule.
#[derive(Default)]
pub(super) struct BasesTab {
    /// The base selected in the lists.
    selected: Option<i64>,
    open_base: Request<Schedule>,
    /// The "complete the base" dialog, for this base.
    pick_companions: Request<Option<Vec<PathBuf>>>,
    companions_for: Option<i64>,
}

impl BasesTab {
    /// Whether the opening of a base is under way.
    pub(super) fn opening(&self) -> bool {
        self.open_base.is_pending()
    }

    /// The base selected in the lists.
    pub(super) fn selected(&self) -> Option<i64> {
        self.selected
    }

    /// Another schedule is chosen: nothing stays selected here.
    pub(super) fn forget_selection(&mut self) {
        self.selected = None;
    }

    /// Opens a base on the server (confirmed).
    pub(super) fn open(&mut self, cx: &Cx<'_>, base: i64) {
        let call = cx
            .backend
            .call(move |c| async move { c.open_base(base).await })
            .then(crate::session::SessionData::schedule_changed);
        self.open_base.start(call);
    }

    /// The companions chosen in the "complete the base" dialog, and their base, once.
    pub(super) fn chosen_files(&mut self) -> Option<(i64, Vec<PathBuf>)> {
        match self.pick_companions.arrived() {
            Some(Ok(Some(paths))) => Some((self.companions_for?, paths.clone())),
            _ => None,
        }
    }

    /// Draws the tab; `others`: a change started in another tab is under way. The opening's
    /// confirmation when asked.
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        others: bool,
        notice: Option<&str>,
    ) -> Option<Confirm> {
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
            return None;
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
        let base = self
            .selected
            .and_then(|id| bases.iter().find(|b| b.id == id))?;
        ui.separator();
        self.selected_ui(ui, cx, schedule, base, others, notice)
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
                    let selected = self.selected == Some(base.id);
                    if ui.selectable_label(selected, &base.name).clicked() {
                        self.selected = Some(base.id);
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

    /// The selected base's files, Open and Complete.
    fn selected_ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        base: &Base,
        others: bool,
        notice: Option<&str>,
    ) -> Option<Confirm> {
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
        let can_open = stopped(schedule) && !is_open && !others && !self.opening();
        let opening = self.open_base.is_pending();
        let picking = self.pick_companions.is_pending();
        let mut pick = false;
        let mut confirm = None;
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
                confirm = Some(Confirm::OpenBase(base.id, question));
            }
            pick = ui
                .add_enabled(!picking, egui::Button::new(t.get("complete-base")))
                .clicked();
            // Beside the buttons, so that nothing below moves when the opening ends.
            widgets::failure(ui, t, self.open_base.failure());
            if self.open_base.is_done() {
                widgets::success(ui, &t.get("base-opened"));
            }
        });
        if pick {
            self.companions_for = Some(base.id);
            self.pick_companions
                .start(cx.backend.pick_files(files::base_dialog(t, true)));
        }
        if !stopped(schedule) {
            ui.label(t.get("needs-stopped"));
        } else if is_open {
            ui.label(t.get("base-is-open"));
        }
        ui.label(t.get("complete-base-hint"));
        if let Some(notice) = notice {
            ui.colored_label(ui.visuals().error_fg_color, notice);
        }
        confirm
    }
}
