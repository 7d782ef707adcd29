//! The Previous years tab: the grid of the finished school years of every schedule (the base kept
//! for each year: archived by the service at the end of July, or loaded by an administrator), and
//! for the chosen schedule, each year's actions: replace or complete it with a `*.HNOT` and its
//! companions (members of the schedule's Administration profile), download it with its hash
//! checked. As in the provider's pages, a double-click on a base of the chosen schedule's column
//! replaces it, and one on an empty cell completes that year; the buttons below do the same from
//! the keyboard.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use hosting_api::{Schedule, ScheduleYears, YearBase, YearOrigin};

use super::{Download, files};
use crate::app::Cx;
use crate::backend::Downloaded;
use crate::i18n::Texts;
use crate::platform::dialogs::SaveDialog;
use crate::request::Request;
use crate::transfers::{self, Target};
use crate::{format, widgets};

/// The Previous years tab of one schedule.
#[derive(Default)]
pub(super) struct YearsTab {
    /// The "replace the base of a year" dialog, for this school year.
    pick: Request<Option<Vec<PathBuf>>>,
    year_for: Option<String>,
    /// A problem with the files chosen for a year.
    notice: Option<String>,
    /// Downloads of the bases of previous years, by school year.
    downloads: HashMap<String, Download>,
}

/// Loads the years of every schedule (the grid shows them all).
pub(super) fn load_all(cx: &mut Cx<'_>) {
    let ids: Vec<i64> = cx
        .data
        .schedules
        .value()
        .map(|list| list.iter().map(|s| s.id).collect())
        .unwrap_or_default();
    for id in ids {
        cx.data.load_years(id);
    }
}

/// One cell of the grid: the base's name, size, date and version, or a dash.
fn cell_text(t: &Texts, base: Option<&YearBase>) -> String {
    match base {
        None => t.get("year-empty"),
        Some(base) => t.with(
            "year-cell",
            &[
                ("name", &base.name),
                ("size", &format::size(t, base.size)),
                ("date", &format::day(t, &base.recorded_at)),
                (
                    "version",
                    base.version
                        .as_deref()
                        .unwrap_or(&t.get("year-version-unknown")),
                ),
                (
                    "origin",
                    &t.get(match base.origin {
                        YearOrigin::Archive => "year-origin-archive",
                        YearOrigin::Loaded => "year-origin-loaded",
                    }),
                ),
            ],
        ),
    }
}

impl YearsTab {
    /// The files chosen for a year, once.
    pub(super) fn chosen_files(&mut self) -> Option<Vec<PathBuf>> {
        match self.pick.arrived() {
            Some(Ok(Some(paths))) => Some(paths.clone()),
            _ => None,
        }
    }

    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        if schedules.iter().any(|s| !cx.data.years.contains_key(&s.id)) {
            load_all(cx);
        }
        ui.horizontal(|ui| {
            ui.label(t.get("years-intro"));
            // A column still on its way: the grid is not whole yet.
            if schedules.iter().any(|s| {
                cx.data
                    .years
                    .get(&s.id)
                    .is_some_and(crate::request::Request::is_pending)
            }) {
                ui.spinner();
            }
        });
        let double_clicked = years_grid(ui, cx, &schedules, schedule.id);
        ui.separator();
        let Some(years) = cx
            .data
            .years
            .get(&schedule.id)
            .and_then(|r| r.value())
            .cloned()
        else {
            ui.spinner();
            return;
        };
        ui.heading(t.with("years-of", &[("schedule", &schedule.name)]));
        if !years.may_change {
            ui.label(t.with("years-members-only", &[("schedule", &schedule.name)]));
        }
        self.year_actions(ui, cx, &years);
        if let Some(year) = double_clicked.filter(|_| years.may_change && !self.pick.is_pending()) {
            self.pick_for(cx, year);
        }
    }

    /// Asks for the files of the base of `year` (to replace its base, or complete it).
    fn pick_for(&mut self, cx: &Cx<'_>, year: String) {
        let title = cx.t.with("year-replace", &[("year", &year)]);
        let dialog = files::dialog(cx.t, title, &files::BASE_FILES);
        self.notice = None;
        self.year_for = Some(year);
        self.pick.start(cx.backend.pick_files(dialog));
    }
}

/// The grid: a row per school year, a column per schedule. The school year of a cell of the
/// `chosen` schedule's column that was double-clicked.
fn years_grid(
    ui: &mut egui::Ui,
    cx: &mut Cx<'_>,
    schedules: &[Schedule],
    chosen: i64,
) -> Option<String> {
    let t = cx.t;
    let mut double_clicked = None;
    let loaded: Vec<(String, ScheduleYears)> = schedules
        .iter()
        .filter_map(|s| {
            cx.data
                .years
                .get(&s.id)
                .and_then(|r| r.value())
                .map(|y| (s.name.clone(), y.clone()))
        })
        .collect();
    let mut rows: Vec<String> = loaded
        .iter()
        .flat_map(|(_, y)| y.years.iter().map(|c| c.school_year.clone()))
        .collect();
    rows.sort_unstable_by(|a, b| b.cmp(a));
    rows.dedup();
    egui::Grid::new("years-grid")
        .striped(true)
        .num_columns(loaded.len() + 1)
        .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
        .show(ui, |ui| {
            ui.strong(t.get("col-school-year"));
            for (name, _) in &loaded {
                ui.strong(name);
            }
            ui.end_row();
            for year in &rows {
                ui.label(year);
                for (_, years) in &loaded {
                    let base = years
                        .years
                        .iter()
                        .find(|c| &c.school_year == year)
                        .and_then(|c| c.base.as_ref());
                    let text = cell_text(t, base);
                    if years.schedule_id != chosen {
                        ui.label(text);
                        continue;
                    }
                    if chosen_cell(ui, t, years, year, text, base.is_some()).double_clicked() {
                        double_clicked = Some(year.clone());
                    }
                }
                ui.end_row();
            }
        });
    for (_, years) in &loaded {
        if let Some(request) = cx.data.years.get(&years.schedule_id) {
            widgets::failure(ui, t, request.failure());
        }
    }
    double_clicked
}

/// A cell of the chosen schedule's column: a double-click replaces its base or completes its
/// year (its hover text says which, or who may).
fn chosen_cell(
    ui: &mut egui::Ui,
    t: &Texts,
    years: &ScheduleYears,
    year: &str,
    text: String,
    has_base: bool,
) -> egui::Response {
    let hint = if !years.may_change {
        t.with("years-members-only", &[("schedule", &years.schedule)])
    } else if has_base {
        t.with("year-double-click-replace", &[("year", year)])
    } else {
        t.with("year-double-click-complete", &[("year", year)])
    };
    ui.add(egui::Label::new(text).sense(egui::Sense::click()))
        .on_hover_text(hint)
}

impl YearsTab {
    /// The chosen schedule's years with their Replace/Complete and Download buttons.
    fn year_actions(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, years: &ScheduleYears) {
        let t = cx.t;
        let schedule_id = years.schedule_id;
        let mut pick = None;
        let mut download = None;
        egui::Grid::new("year-actions")
            .num_columns(3)
            .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
            .show(ui, |ui| {
                for cell in &years.years {
                    ui.label(&cell.school_year);
                    let key = if cell.base.is_some() {
                        "year-replace"
                    } else {
                        "year-complete"
                    };
                    let busy = self.pick.is_pending();
                    if ui
                        .add_enabled(
                            years.may_change && !busy,
                            egui::Button::new(t.with(key, &[("year", &cell.school_year)])),
                        )
                        .clicked()
                    {
                        pick = Some(cell.school_year.clone());
                    }
                    if let Some(base) = &cell.base {
                        let downloading = self
                            .downloads
                            .get(&cell.school_year)
                            .is_some_and(|d| d.request.is_pending());
                        if ui
                            .add_enabled(
                                years.may_change && !downloading,
                                egui::Button::new(
                                    t.with("year-download", &[("year", &cell.school_year)]),
                                ),
                            )
                            .clicked()
                        {
                            download = Some((cell.school_year.clone(), base.clone()));
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        for (year, entry) in &self.downloads {
            ui.label(year);
            super::safeguards::download_rows(ui, t, entry);
        }
        if let Some(notice) = &self.notice {
            ui.colored_label(ui.visuals().error_fg_color, notice);
        }
        if let Some(year) = pick {
            self.pick_for(cx, year);
        }
        if let Some((year, base)) = download {
            self.download(cx, schedule_id, year, &base);
        }
    }

    /// Asks where to save the base of `year` and starts downloading it there.
    fn download(&mut self, cx: &Cx<'_>, schedule_id: i64, year: String, base: &YearBase) {
        let dialog = SaveDialog {
            title: cx.t.with("year-download", &[("year", &year)]),
            file_name: base
                .files
                .first()
                .map(|f| f.filename.clone())
                .unwrap_or_else(|| format!("{}.HNOT", base.name)),
            filter: None,
        };
        let progress = std::sync::Arc::new(crate::backend::Progress::default());
        progress.total.store(base.size, Ordering::Relaxed);
        let what = Downloaded::YearBase {
            schedule_id,
            school_year: year.clone(),
        };
        let mut entry = Download {
            progress: progress.clone(),
            request: Default::default(),
        };
        entry
            .request
            .start(cx.backend.download(what, dialog, progress));
        self.downloads.insert(year, entry);
    }

    /// Files chosen for a year: checked like a new base, then sent.
    pub(super) fn send_files(&mut self, cx: &mut Cx<'_>, schedule_id: i64, paths: Vec<PathBuf>) {
        let t = cx.t;
        let Some(year) = self.year_for.take() else {
            return;
        };
        let Some(start_year) = year.split('-').next().and_then(|y| y.parse::<i32>().ok()) else {
            return;
        };
        let paths = transfers::with_companions_beside(paths);
        match transfers::check_new_base(&paths) {
            Ok(chosen) => files::start(cx, schedule_id, Target::Year { start_year }, chosen),
            Err((key, name)) => self.notice = Some(t.with(&key, &[("name", &name)])),
        }
    }
}
