//! The Safeguards tab: the safeguards of the schedule, newest first; each can be opened on the
//! stopped server (it replaces the open base) or downloaded, its hash checked on arrival.

use hosting_api::{Safeguard, Schedule};

use super::{Confirm, ServerPanel, failure_of, stopped};
use crate::app::Cx;
use crate::backend::Command;
use crate::session::Download;
use crate::{format, widgets};

impl ServerPanel {
    pub(super) fn safeguards(&mut self, ui: &mut egui::Ui, cx: &mut Cx<'_>, schedule: &Schedule) {
        let t = cx.t;
        let remote = cx.data.safeguards.get(&schedule.id);
        let mut list: Vec<Safeguard> = remote.and_then(|r| r.value()).cloned().unwrap_or_default();
        list.sort_by(|a, b| b.taken_at.cmp(&a.taken_at));
        ui.horizontal(|ui| {
            ui.label(t.get("safeguards-intro"));
            if remote.is_some_and(|r| r.is_pending()) {
                ui.spinner();
            }
            if let Some(failure) = remote.and_then(|r| r.failure()) {
                widgets::failure(ui, Some(&t.failure(failure)));
            }
        });
        if list.is_empty() {
            ui.label(t.get("no-safeguards"));
        }
        let can_open = stopped(schedule) && !cx.data.busy();
        let mut download = None;
        egui::Grid::new("safeguards")
            .striped(true)
            .num_columns(6)
            .spacing([16.0, 4.0])
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
                for safeguard in &list {
                    let date = format::date_time(&safeguard.taken_at);
                    ui.label(&date);
                    ui.label(&safeguard.base_name);
                    ui.label(format::size(t, safeguard.size));
                    ui.label(format::short_hash(&safeguard.sha256));
                    if ui
                        .add_enabled(can_open, egui::Button::new(t.get("open-safeguard")))
                        .on_hover_text(&date)
                        .clicked()
                    {
                        let question = t.with(
                            "open-safeguard-question",
                            &[("date", &date), ("name", &safeguard.base_name)],
                        );
                        self.confirm = Some(Confirm::OpenSafeguard(safeguard.id, question));
                    }
                    let downloading = matches!(
                        cx.data.downloads.get(&safeguard.id),
                        Some(Download::Running { .. })
                    );
                    if ui
                        .add_enabled(!downloading, egui::Button::new(t.get("download")))
                        .on_hover_text(&date)
                        .clicked()
                    {
                        download = Some(safeguard.clone());
                    }
                    ui.end_row();
                }
            });
        if !stopped(schedule) && !list.is_empty() {
            ui.label(t.get("needs-stopped-safeguard"));
        }
        failure_of(ui, cx, "open-safeguard");
        if cx.data.done("open-safeguard") {
            widgets::success(ui, &t.get("safeguard-opened"));
        }
        for safeguard in &list {
            match cx.data.downloads.get(&safeguard.id) {
                Some(Download::Running { received, total }) => {
                    let fraction = if *total > 0 {
                        *received as f32 / *total as f32
                    } else {
                        0.0
                    };
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_width(320.0)
                            .fill(crate::theme::progress_fill(ui))
                            .text(t.with(
                                "downloading",
                                &[
                                    ("done", &format::size(t, *received)),
                                    ("total", &format::size(t, *total)),
                                ],
                            )),
                    );
                }
                Some(Download::Done(Ok((path, sha256)))) => widgets::success(
                    ui,
                    &t.with(
                        "download-done",
                        &[
                            ("path", &path.display().to_string()),
                            ("hash", &format::short_hash(sha256)),
                        ],
                    ),
                ),
                Some(Download::Done(Err(failure))) => {
                    widgets::failure(ui, Some(&t.failure(failure)));
                }
                None => {}
            }
        }
        if let Some(safeguard) = download {
            let name = format!(
                "{} {}.safeguard",
                safeguard.base_name,
                format::date_time(&safeguard.taken_at).replace(':', "h")
            );
            let path = match &cx.options.downloads_dir {
                Some(dir) => Some(dir.join(&name)),
                None => rfd::FileDialog::new()
                    .set_title(t.get("download"))
                    .set_file_name(&name)
                    .save_file(),
            };
            if let Some(path) = path {
                cx.data.downloads.insert(
                    safeguard.id,
                    Download::Running {
                        received: 0,
                        total: safeguard.size,
                    },
                );
                cx.backend.send(Command::DownloadSafeguard {
                    id: safeguard.id,
                    path,
                });
            }
        }
    }
}
