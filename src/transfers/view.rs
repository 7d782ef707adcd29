//! The list of transfers, at the bottom of the window whatever the panel: per file its name, a
//! progress bar, the speed and the time left, with Pause, Resume and Cancel; and the offer to
//! resume the transfers left unfinished at the last start.

use super::{FileStage, FileView, GroupState, GroupView, SavedGroup, Target, TransferCommand};
use crate::app::Cx;
use crate::i18n::Texts;
use crate::{format, widgets};

enum Request {
    Pause(u64),
    Resume(u64),
    Cancel(u64, Option<String>, String),
    ResumeSaved,
    Forget,
    Clear,
    Toggle,
}

/// Whether the list has anything to show.
pub fn visible(cx: &Cx<'_>) -> bool {
    cx.data.account.value().is_some() && !cx.data.transfers.is_empty()
}

/// The height the list needs (a panel does not grow by itself around a scroll area), at most
/// a third of the window.
pub fn height(cx: &Cx<'_>, ctx: &egui::Context) -> f32 {
    let list = &cx.data.transfers;
    let row = ctx.global_style().spacing.interact_size.y + 10.0;
    let mut rows = 1.0;
    if !list.hidden {
        if !list.offers.is_empty() {
            rows += 2.5;
        }
        for group in &list.groups {
            rows += 1.0 + group.files.len() as f32;
        }
        if list.groups.iter().any(|g| g.state.is_over()) {
            rows += 1.0;
        }
    }
    let most = (ctx.content_rect().height() / 3.0).max(row * 2.0);
    (rows * row + 12.0).min(most)
}

/// Draws the list.
pub fn ui(ui: &mut egui::Ui, cx: &mut Cx<'_>) {
    let t = cx.t;
    let list = &cx.data.transfers;
    let unfinished = list.groups.iter().filter(|g| !g.state.is_over()).count();
    let mut requests = Vec::new();
    let mut shown = !list.hidden;
    ui.toggle_value(
        &mut shown,
        t.with("transfers", &[("count", &unfinished.to_string())]),
    );
    if shown == list.hidden {
        requests.push(Request::Toggle);
    }
    if shown {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if !list.offers.is_empty() {
                    offers_ui(ui, t, &list.offers, &mut requests);
                    ui.separator();
                }
                for group in &list.groups {
                    group_ui(ui, cx, group, &mut requests);
                }
                if list.groups.iter().any(|g| g.state.is_over())
                    && ui.button(t.get("clear-finished")).clicked()
                {
                    requests.push(Request::Clear);
                }
            });
    }
    confirm_cancel(ui, cx);
    carry_out(cx, requests);
}

/// The offer to resume the transfers left unfinished at the last start, or to forget them.
fn offers_ui(ui: &mut egui::Ui, t: &Texts, offers: &[SavedGroup], requests: &mut Vec<Request>) {
    let files: Vec<&str> = offers
        .iter()
        .flat_map(|g| g.files.iter().map(|f| f.filename.as_str()))
        .collect();
    let count = files.len().to_string();
    ui.label(t.with("offer", &[("count", &count), ("files", &files.join(", "))]));
    ui.horizontal(|ui| {
        if ui
            .button(t.with("offer-resume", &[("count", &count)]))
            .clicked()
        {
            requests.push(Request::ResumeSaved);
        }
        if ui
            .button(t.with("offer-forget", &[("count", &count)]))
            .clicked()
        {
            requests.push(Request::Forget);
        }
    });
}

/// Carries out what was clicked: commands to the transfers, or changes of the list.
fn carry_out(cx: &mut Cx<'_>, requests: Vec<Request>) {
    let owner = cx.owner();
    for request in requests {
        let command = match request {
            Request::Pause(id) => TransferCommand::Pause(id),
            Request::Resume(id) => TransferCommand::Resume(id),
            Request::Cancel(group, file, name) => {
                cx.data.transfers.confirm_cancel = Some((group, file, name));
                continue;
            }
            Request::ResumeSaved | Request::Forget => {
                cx.data.transfers.offers.clear();
                let Some(owner) = owner.clone() else { continue };
                if matches!(request, Request::ResumeSaved) {
                    TransferCommand::ResumeSaved(owner)
                } else {
                    TransferCommand::Forget(owner)
                }
            }
            Request::Clear => {
                cx.data.transfers.clear_over();
                continue;
            }
            Request::Toggle => {
                cx.data.transfers.hidden = !cx.data.transfers.hidden;
                continue;
            }
        };
        cx.backend.transfers().send(command);
    }
}

fn title(cx: &Cx<'_>, group: &GroupView) -> String {
    let schedule = cx
        .data
        .schedules
        .value()
        .and_then(|list| list.iter().find(|s| s.id == group.schedule_id))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    match group.target {
        Target::NewBase => cx.t.with("transfer-new-base", &[("schedule", &schedule)]),
        Target::Companion { base_id } => {
            let base = cx
                .data
                .bases
                .get(&group.schedule_id)
                .and_then(|r| r.value())
                .and_then(|list| list.iter().find(|b| b.id == base_id))
                .map(|b| b.name.clone())
                .unwrap_or_else(|| format!("#{base_id}"));
            cx.t.with(
                "transfer-companion",
                &[("base", &base), ("schedule", &schedule)],
            )
        }
        Target::Year { start_year } => cx.t.with(
            "transfer-year",
            &[
                ("year", &super::school_year(start_year)),
                ("schedule", &schedule),
            ],
        ),
    }
}

fn group_ui(ui: &mut egui::Ui, cx: &Cx<'_>, group: &GroupView, requests: &mut Vec<Request>) {
    let t = cx.t;
    let active = group
        .files
        .iter()
        .position(|f| f.stage != FileStage::Uploaded);
    let name = group
        .files
        .first()
        .map(|f| f.filename.clone())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        ui.strong(title(cx, group));
        match &group.state {
            GroupState::Running => {
                ui.spinner();
            }
            GroupState::Paused => {
                ui.label(t.get("transfer-paused"));
            }
            GroupState::Loading => {
                ui.spinner();
                ui.label(t.get("transfer-loading"));
            }
            GroupState::Finished(base) => {
                let key = match group.target {
                    Target::NewBase => "transfer-finished",
                    Target::Companion { .. } => "transfer-completed",
                    Target::Year { .. } => "transfer-year-finished",
                };
                widgets::success(ui, &t.with(key, &[("name", base)]));
            }
            GroupState::Failed(failure) => {
                let failure = t.failure(failure);
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    t.with("transfer-failed", &[("message", &failure.message)]),
                );
                // Every file is sent but loading failed: try the loading again, or give up.
                if active.is_none() {
                    if widgets::named_button(
                        ui,
                        &t.get("try-again"),
                        &t.with("try-again-named", &[("name", &name)]),
                        true,
                    ) {
                        requests.push(Request::Resume(group.id));
                    }
                    if widgets::named_button(
                        ui,
                        &t.get("cancel"),
                        &t.with("cancel-named", &[("name", &name)]),
                        true,
                    ) {
                        requests.push(Request::Cancel(group.id, None, name.clone()));
                    }
                }
            }
            GroupState::Cancelled => {
                ui.label(t.get("transfer-cancelled"));
            }
        }
    });
    egui::Grid::new(("transfer", group.id))
        .num_columns(5)
        .spacing([crate::theme::COLUMN_GAP, crate::theme::SMALL_SPACE])
        .show(ui, |ui| {
            for (index, file) in group.files.iter().enumerate() {
                file_row(ui, cx, group, file, active == Some(index), requests);
                ui.end_row();
            }
        });
    ui.add_space(crate::theme::ROW_GAP);
}

fn file_row(
    ui: &mut egui::Ui,
    cx: &Cx<'_>,
    group: &GroupView,
    file: &FileView,
    active: bool,
    requests: &mut Vec<Request>,
) {
    let t = cx.t;
    ui.label(&file.filename);
    progress_bar(ui, t, file);
    let running = group.state == GroupState::Running;
    let moving = running && file.stage == FileStage::Uploading && file.bytes_per_second > 0.0;
    speed_and_time(ui, t, file, moving);
    file_buttons(ui, t, group, file, active, requests);
}

/// The file's progress bar, with its stage and percentage.
fn progress_bar(ui: &mut egui::Ui, t: &Texts, file: &FileView) {
    let fraction = if file.size > 0 {
        (file.done as f64 / file.size as f64).clamp(0.0, 1.0) as f32
    } else {
        0.0
    };
    let percent = format!("{:.0}", fraction * 100.0);
    let text = match file.stage {
        FileStage::Waiting => t.get("transfer-waiting"),
        FileStage::Uploading => t.with(
            "transfer-uploading",
            &[("percent", &percent), ("size", &format::size(t, file.size))],
        ),
        FileStage::Uploaded => t.with(
            "transfer-uploaded",
            &[("size", &format::size(t, file.size))],
        ),
    };
    let fraction = if file.stage == FileStage::Uploaded {
        1.0
    } else {
        fraction
    };
    ui.add(
        egui::ProgressBar::new(fraction)
            .desired_width(crate::theme::TRANSFER_PROGRESS_WIDTH)
            .fill(crate::theme::progress_fill(ui))
            .text(text),
    );
}

/// The speed and the time left while the file moves; empty cells otherwise.
fn speed_and_time(ui: &mut egui::Ui, t: &Texts, file: &FileView, moving: bool) {
    if moving {
        ui.label(format::speed(t, file.bytes_per_second));
        let left = file.size.saturating_sub(file.done) as f64 / file.bytes_per_second;
        ui.label(t.with(
            "transfer-left",
            &[("time", &format::duration(left.ceil() as u64))],
        ));
    } else {
        ui.label("");
        ui.label("");
    }
}

/// Pause or Resume (on the group's active file) and Cancel.
fn file_buttons(
    ui: &mut egui::Ui,
    t: &Texts,
    group: &GroupView,
    file: &FileView,
    active: bool,
    requests: &mut Vec<Request>,
) {
    let running = group.state == GroupState::Running;
    ui.horizontal(|ui| {
        let name = &file.filename;
        let paused = matches!(group.state, GroupState::Paused | GroupState::Failed(_));
        if active && running {
            if widgets::named_button(
                ui,
                &t.get("pause"),
                &t.with("pause-named", &[("name", name)]),
                true,
            ) {
                requests.push(Request::Pause(group.id));
            }
        } else if active
            && paused
            && widgets::named_button(
                ui,
                &t.get("resume"),
                &t.with("resume-named", &[("name", name)]),
                true,
            )
        {
            requests.push(Request::Resume(group.id));
        }
        let cancellable = !group.state.is_over()
            && group.state != GroupState::Loading
            && file.stage != FileStage::Uploaded;
        if cancellable
            && widgets::named_button(
                ui,
                &t.get("cancel"),
                &t.with("cancel-named", &[("name", name)]),
                true,
            )
        {
            requests.push(Request::Cancel(group.id, Some(name.clone()), name.clone()));
        }
    });
}

/// The confirmation of a cancellation: the bytes already sent are deleted.
fn confirm_cancel(ui: &mut egui::Ui, cx: &mut Cx<'_>) {
    let t = cx.t;
    let Some((group, file, name)) = cx.data.transfers.confirm_cancel.clone() else {
        return;
    };
    let whole_base = cx
        .data
        .transfers
        .groups
        .iter()
        .find(|g| g.id == group)
        .is_some_and(|g| {
            g.target.whole_base()
                && file.as_ref().is_none_or(|f| {
                    g.files
                        .iter()
                        .any(|v| &v.filename == f && v.kind == hosting_api::FileKind::Base)
                })
        });
    let question = if whole_base {
        t.with("cancel-transfer-base", &[("name", &name)])
    } else {
        t.with("cancel-transfer-question", &[("name", &name)])
    };
    match widgets::confirm_modal(
        ui.ctx(),
        t,
        "confirm-cancel-transfer",
        &question,
        &t.get("cancel-transfer"),
    ) {
        Some(true) => {
            cx.data.transfers.confirm_cancel = None;
            cx.backend
                .transfers()
                .send(TransferCommand::Cancel { group, file });
        }
        Some(false) => cx.data.transfers.confirm_cancel = None,
        None => {}
    }
}
