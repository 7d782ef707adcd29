//! The Safeguards tab: the safeguards of the schedule, newest first; each can be opened on the
//! server (it replaces the open base; a running server is shut down first, which the question
//! says) or downloaded, its hash checked on arrival. As in
//! the provider's pages, a safeguard is selected with a click and its right-click menu offers
//! *Open this safeguard* (and *Download*); the buttons of its row do the same from the keyboard.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use hosting_api::{Safeguard, Schedule};

use super::{Confirm, Download, stopped};
use crate::app::Cx;
use crate::i18n::Texts;
use crate::platform::dialogs::SaveDialog;
use crate::request::Request;
use crate::{format, widgets};

/// The Safeguards tab of one schedule.
#[derive(Default)]
pub(super) struct SafeguardsTab {
    safeguards: Request<Vec<Safeguard>>,
    open_safeguard: Request<Schedule>,
    /// Downloads by safeguard id.
    downloads: HashMap<i64, Download>,
    /// The safeguard selected in the list (its row is highlighted).
    selected: Option<i64>,
}

/// What a row of the list asked for.
enum RowAction {
    /// Open this safeguard (asked first).
    Open(Safeguard),
    /// Download this safeguard.
    Download(Safeguard),
}

impl SafeguardsTab {
    /// Reloads the safeguards of the schedule.
    pub(super) fn load(&mut self, cx: &Cx<'_>, schedule: i64) {
        self.safeguards.start(
            cx.backend
                .call(move |c| async move { c.safeguards(schedule).await }),
        );
    }

    /// Whether the opening of a safeguard is under way.
    pub(super) fn opening(&self) -> bool {
        self.open_safeguard.is_pending()
    }

    /// Opens a safeguard on the server (confirmed), after shutting down the schedule's server
    /// when it runs (`running`: the schedule).
    pub(super) fn open(&mut self, cx: &Cx<'_>, safeguard: i64, running: Option<i64>) {
        let call = cx
            .backend
            .call(move |c| async move {
                if let Some(schedule) = running {
                    c.shutdown(schedule).await?;
                }
                c.open_safeguard(safeguard).await
            })
            .then(crate::session::SessionData::schedule_changed);
        self.open_safeguard.start(call);
    }

    /// Draws the tab; `others`: a change started in another tab is under way. The opening's
    /// confirmation when asked.
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        schedule: &Schedule,
        others: bool,
    ) -> Option<Confirm> {
        let t = cx.t;

        let mut list: Vec<Safeguard> = self.safeguards.value().cloned().unwrap_or_default();
        list.sort_by(|a, b| b.taken_at.cmp(&a.taken_at));
        ui.horizontal(|ui| {
            ui.label(t.get("safeguards-intro"));
            widgets::request_state(ui, t, &self.safeguards);
        });
        if list.is_empty() {
            ui.label(t.get("no-safeguards"));
        }
        let can_open = !others && !self.opening();
        let mut confirm = None;
        let rows = Rows {
            downloads: &self.downloads,
            can_open,
        };
        let action = rows.table(ui, t, &list, &mut self.selected);
        if !stopped(schedule) && !list.is_empty() {
            ui.label(t.with(
                "safeguard-shuts-down",
                &[("schedule", schedule.name.as_str())],
            ));
        }
        widgets::failure(ui, t, self.open_safeguard.failure());
        if self.open_safeguard.is_done() {
            widgets::success(ui, &t.get("safeguard-opened"));
        }
        for safeguard in &list {
            if let Some(download) = self.downloads.get(&safeguard.id) {
                download_rows(ui, t, download);
            }
        }
        match action {
            Some(RowAction::Open(safeguard)) => {
                let date = format::date_time(&safeguard.taken_at);
                let running = (!stopped(schedule)).then_some(schedule.id);
                let key = if running.is_some() {
                    "open-safeguard-question-running"
                } else {
                    "open-safeguard-question"
                };
                let question = t.with(
                    key,
                    &[
                        ("date", &date),
                        ("name", &safeguard.base_name),
                        ("schedule", &schedule.name),
                    ],
                );
                confirm = Some(Confirm::OpenSafeguard(safeguard.id, question, running));
            }
            Some(RowAction::Download(safeguard)) => {
                start_download(cx, &mut self.downloads, safeguard);
            }
            None => {}
        }
        confirm
    }
}

/// What the rows of the list need to know.
struct Rows<'a> {
    downloads: &'a HashMap<i64, Download>,
    /// A safeguard can be opened now (no other change of the schedule is under way).
    can_open: bool,
}

impl Rows<'_> {
    /// The table of safeguards: a row is selected with a click, and its right-click menu and its
    /// buttons open it (asked first by the caller) or download it.
    fn table(
        &self,
        ui: &mut egui::Ui,
        t: &Texts,
        list: &[Safeguard],
        selected: &mut Option<i64>,
    ) -> Option<RowAction> {
        let mut action = None;
        egui::Grid::new("safeguards")
            .striped(true)
            .num_columns(6)
            .spacing([crate::theme::TABLE_COLUMN_GAP, crate::theme::SMALL_SPACE])
            .show(ui, |ui| {
                if list.is_empty() {
                    return;
                }
                for column in ["col-taken-at", "col-base", "col-size", "col-hash", "", ""] {
                    ui.strong(if column.is_empty() {
                        String::new()
                    } else {
                        t.get(column)
                    });
                }
                ui.end_row();
                for safeguard in list {
                    if let Some(asked) = self.row(ui, t, safeguard, selected) {
                        action = Some(asked);
                    }
                    ui.end_row();
                }
            });
        action
    }

    /// One safeguard's row.
    fn row(
        &self,
        ui: &mut egui::Ui,
        t: &Texts,
        safeguard: &Safeguard,
        selected: &mut Option<i64>,
    ) -> Option<RowAction> {
        let date = format::date_time(&safeguard.taken_at);
        let mut action = None;
        let is_selected = *selected == Some(safeguard.id);
        let cells = [
            ui.selectable_label(is_selected, &date),
            ui.selectable_label(is_selected, &safeguard.base_name),
        ];
        for cell in &cells {
            if cell.clicked() || cell.secondary_clicked() {
                *selected = Some(safeguard.id);
            }
            cell.context_menu(|ui| {
                if let Some(asked) = self.buttons(ui, t, safeguard, None) {
                    action = Some(asked);
                    ui.close();
                }
            });
        }
        ui.label(format::size(t, safeguard.size));
        ui.label(format::short_hash(&safeguard.sha256));
        if let Some(asked) = self.buttons(ui, t, safeguard, Some(&date)) {
            action = Some(asked);
        }
        action
    }

    /// *Open this safeguard* and *Download*, in its row (with the date as hover text) and in its
    /// right-click menu; what was clicked.
    fn buttons(
        &self,
        ui: &mut egui::Ui,
        t: &Texts,
        safeguard: &Safeguard,
        hover: Option<&str>,
    ) -> Option<RowAction> {
        let with_hover = |response: egui::Response| match hover {
            Some(text) => response.on_hover_text(text),
            None => response,
        };
        // Both are drawn every frame (a row keeps its cells), then what was clicked is said.
        let open =
            with_hover(ui.add_enabled(self.can_open, egui::Button::new(t.get("open-safeguard"))));
        let download = with_hover(ui.add_enabled(
            !self.downloading(safeguard),
            egui::Button::new(t.get("download")),
        ));
        if open.clicked() {
            Some(RowAction::Open(safeguard.clone()))
        } else if download.clicked() {
            Some(RowAction::Download(safeguard.clone()))
        } else {
            None
        }
    }

    fn downloading(&self, safeguard: &Safeguard) -> bool {
        self.downloads
            .get(&safeguard.id)
            .is_some_and(|d| d.request.is_pending())
    }
}

/// One download's rows: its progress while it runs, then its failure or where it went.
pub(super) fn download_rows(ui: &mut egui::Ui, t: &Texts, download: &Download) {
    if download.request.is_pending() {
        let received = download.progress.received.load(Ordering::Relaxed);
        let total = download.progress.total.load(Ordering::Relaxed);
        let fraction = if total > 0 {
            received as f32 / total as f32
        } else {
            0.0
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(crate::theme::PROGRESS_WIDTH)
                .fill(crate::theme::progress_fill(ui))
                .text(t.with(
                    "downloading",
                    &[
                        ("done", &format::size(t, received)),
                        ("total", &format::size(t, total)),
                    ],
                )),
        );
    }
    widgets::failure(ui, t, download.request.failure());
    if let Some(Some((path, sha256))) = download
        .request
        .value()
        .filter(|_| download.request.is_done())
    {
        widgets::success(
            ui,
            &t.with(
                "download-done",
                &[
                    ("path", &path.display().to_string()),
                    ("hash", &format::short_hash(sha256)),
                ],
            ),
        );
    }
}

/// Asks where to save the safeguard and starts downloading it there.
fn start_download(cx: &mut Cx<'_>, downloads: &mut HashMap<i64, Download>, safeguard: Safeguard) {
    let t = cx.t;
    let name = format!(
        "{} {}.safeguard",
        safeguard.base_name,
        format::date_time(&safeguard.taken_at).replace(':', "h")
    );
    let dialog = SaveDialog {
        title: t.get("download"),
        file_name: name,
        filter: None,
    };
    let progress = std::sync::Arc::new(crate::backend::Progress::default());
    progress.total.store(safeguard.size, Ordering::Relaxed);
    let call = cx
        .backend
        .download_safeguard(safeguard.id, dialog, progress.clone());
    let mut entry = Download {
        progress,
        request: Default::default(),
    };
    entry.request.start(call);
    downloads.insert(safeguard.id, entry);
}
