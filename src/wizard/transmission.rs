//! Step 6: the connection sheet for the superadministrator, saved as PDF or copied as text.

use super::Step;
use super::superadmin::SuperadminForm;
use crate::app::{Cx, Screen};
use crate::backend::Command;
use crate::model::Failure;
use crate::sheet::{ConnectionSheet, DOWNLOAD_ADDRESS};
use crate::widgets;

/// The form of step 6.
#[derive(Default)]
pub struct TransmissionForm {
    include_password: bool,
    typed_password: String,
    saved: Option<Result<std::path::PathBuf, Failure>>,
    copied: bool,
}

impl TransmissionForm {
    /// The sheet was written (or not).
    pub fn file_saved(&mut self, result: Result<std::path::PathBuf, Failure>) {
        // The system's reason goes to the log; the person reads the locale's sentence.
        if let Err(failure) = &result {
            let (code, detail) = (&failure.code, &failure.message);
            tracing::warn!(%code, %detail, "the connection sheet was not saved");
        }
        self.saved = Some(result);
    }

    /// Draws step 6.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        superadmin: &SuperadminForm,
    ) -> Option<Step> {
        let t = cx.t;
        ui.label(t.get("step6-intro"));
        ui.add_space(8.0);
        let account = cx.data.account.value().cloned();
        let user = superadmin.created.clone().or_else(|| {
            cx.data
                .users
                .value()
                .and_then(|users| users.iter().find(|u| u.superadmin).cloned())
        });
        ui.checkbox(&mut self.include_password, t.get("include-password"));
        let password = match superadmin.password() {
            Some(password) => password.to_string(),
            None => {
                if self.include_password {
                    widgets::field(ui, &t.get("password"), &mut self.typed_password, true, "");
                }
                self.typed_password.clone()
            }
        };
        let mut lines = vec![
            (t.get("sheet-download"), DOWNLOAD_ADDRESS.to_string()),
            (t.get("sheet-service"), cx.server.to_string()),
            (
                t.get("hosting-number"),
                account
                    .as_ref()
                    .map(|a| a.hosting_number.clone())
                    .unwrap_or_default(),
            ),
            (
                t.get("invoice-number"),
                account
                    .as_ref()
                    .and_then(|a| a.invoice_number.clone())
                    .unwrap_or_default(),
            ),
            (
                t.get("username"),
                user.map(|u| u.username).unwrap_or_default(),
            ),
        ];
        if self.include_password {
            lines.push((t.get("password"), password));
        } else {
            lines.push((t.get("password"), t.get("sheet-password-separately")));
        }
        let sheet = ConnectionSheet {
            title: t.get("sheet-title"),
            lines,
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong(&sheet.title);
            for (label, value) in &sheet.lines {
                ui.label(format!("{label}: {value}"));
            }
        });
        ui.horizontal(|ui| {
            if ui.button(t.get("save-pdf")).clicked() {
                let target = cx.options.sheet_path.clone().or_else(|| {
                    rfd::FileDialog::new()
                        .set_file_name(t.get("sheet-file-name"))
                        .add_filter("PDF", &["pdf"])
                        .save_file()
                });
                if let Some(path) = target {
                    self.saved = None;
                    cx.backend.send(Command::SaveFile(path, sheet.pdf()));
                }
            }
            if ui.button(t.get("copy-text")).clicked() {
                ui.ctx().copy_text(sheet.text());
                self.copied = true;
            }
        });
        match &self.saved {
            Some(Ok(path)) => widgets::success(
                ui,
                &t.with("sheet-saved", &[("path", &path.display().to_string())]),
            ),
            Some(Err(failure)) => widgets::failure(ui, Some(&t.failure(failure))),
            None => {}
        }
        if self.copied {
            widgets::success(ui, &t.get("sheet-copied"));
        }
        ui.add_space(12.0);
        if widgets::action_button(ui, &t.get("finish"), true, false) {
            cx.go = Some(Screen::Panels);
        }
        None
    }
}
