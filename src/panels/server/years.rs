//! The Previous years tab: the grid of the finished school years of every schedule (the base kept
//! for each year: archived by the service at the end of July, or loaded by an administrator), and
//! for the chosen schedule, each year's actions: replace or complete it with a `*.HNOT` and its
//! companions (members of the schedule's Administration profile), download it with its hash
//! checked.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use hosting_api::{Schedule, ScheduleYears, YearBase, YearOrigin};

use super::{Download, ServerPanel};
use crate::app::Cx;
use crate::backend::Downloaded;
use crate::dialogs::{OpenDialog, SaveDialog};
use crate::i18n::Texts;
use crate::transfers::{self, Target, TransferCommand};
use crate::{format, widgets};

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

impl ServerPanel {
    /// Loads the years of every schedule (the grid shows them all).
    pub(super) fn load_years(cx: &mut Cx<'_>) {
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

    pub(super) fn years(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let schedules = cx.data.schedules.value().cloned().unwrap_or_default();
        if schedules.iter().any(|s| !cx.data.years.contains_key(&s.id)) {
            Self::load_years(cx);
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
        self.years_grid(ui, cx, &schedules);
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
    }

    /// The grid: a row per school year, a column per schedule.
    fn years_grid(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedules: &[Schedule]) {
        let t = cx.t;
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
                        ui.label(cell_text(t, base));
                    }
                    ui.end_row();
                }
            });
        for (_, years) in &loaded {
            if let Some(request) = cx.data.years.get(&years.schedule_id) {
                widgets::failure(ui, t, request.failure());
            }
        }
    }

    /// The chosen schedule's years with their Replace/Complete and Download buttons.
    fn year_actions(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, years: &ScheduleYears) {
        let t = cx.t;
        let schedule_id = years.schedule_id;
        let state = self.states.entry(schedule_id).or_default();
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
                    let busy = state.pick_year.is_pending();
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
                        let downloading = state
                            .year_downloads
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
        for (year, entry) in &state.year_downloads {
            ui.label(year);
            super::safeguards::download_rows(ui, t, entry);
        }
        if let Some(notice) = &state.year_notice {
            ui.colored_label(ui.visuals().error_fg_color, notice);
        }
        if let Some(year) = pick {
            let dialog = OpenDialog {
                title: t.with("year-replace", &[("year", &year)]),
                filter: Some((
                    t.get("pronote-files"),
                    ["HNOT", "HCOURRIERS", "HDOCJOINTS", "HPHOTOS"]
                        .iter()
                        .flat_map(|e| [e.to_string(), e.to_lowercase()])
                        .collect(),
                )),
                many: true,
            };
            state.year_notice = None;
            state.year_for = Some(year);
            state.pick_year.start(cx.backend.pick_files(dialog));
        }
        if let Some((year, base)) = download {
            let dialog = SaveDialog {
                title: t.with("year-download", &[("year", &year)]),
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
            state.year_downloads.insert(year, entry);
        }
    }

    /// Files chosen for a year: checked like a new base, then sent.
    pub(super) fn year_files(&mut self, cx: &mut Cx<'_>, schedule_id: i64, paths: Vec<PathBuf>) {
        let t = cx.t;
        let state = self.states.entry(schedule_id).or_default();
        let Some(year) = state.year_for.take() else {
            return;
        };
        let Some(start_year) = year.split('-').next().and_then(|y| y.parse::<i32>().ok()) else {
            return;
        };
        match transfers::check_new_base(&paths) {
            Ok(files) => {
                let Some(owner) = cx.owner() else {
                    return;
                };
                cx.backend.transfers().send(TransferCommand::Start {
                    owner,
                    schedule_id,
                    target: Target::Year { start_year },
                    paths: files.into_iter().map(|(path, _)| path).collect(),
                });
            }
            Err((key, name)) => state.year_notice = Some(t.with(&key, &[("name", &name)])),
        }
    }
}
