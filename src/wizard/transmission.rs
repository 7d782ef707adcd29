//! Step 6: the connection sheet for the superadministrator, saved as PDF or copied as text.

use super::Step;
use super::superadmin::SuperadminForm;
use crate::app::{Cx, Screen};
use crate::i18n::Texts;
use crate::platform::dialogs::SaveDialog;
use crate::request::Request;
use crate::sheet::ConnectionSheet;
use crate::widgets;

/// The form of step 6.
#[derive(Default)]
pub struct TransmissionForm {
    include_password: bool,
    typed_password: String,
    /// The sheet being saved (`None` when the person cancelled the dialog), then where it is.
    saved: Request<Option<std::path::PathBuf>>,
    copied: bool,
}

impl TransmissionForm {
    /// Draws step 6.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &mut Cx<'_>,
        superadmin: &SuperadminForm,
    ) -> Option<Step> {
        let t = cx.t;
        ui.label(t.get("step6-intro"));
        // Step 5 is done for the schedules concerned; the others are named, not waited for.
        if let Some(account) = cx.data.account.value()
            && !account.onboarding.schedules_without_superadmin.is_empty()
        {
            let names = account.onboarding.schedules_without_superadmin.join(", ");
            widgets::note(ui, &t.with("step5-nobody", &[("names", &names)]));
        }
        ui.add_space(crate::theme::GROUP_SPACE);
        let password = self.password(ui, t, superadmin);
        let sheet = self.sheet(cx, superadmin, password);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong(&sheet.title);
            for (label, value) in &sheet.lines {
                ui.label(format!("{label}: {value}"));
            }
        });
        self.save_or_copy(ui, cx, &sheet);
        ui.add_space(crate::theme::SECTION_SPACE);
        if widgets::action_button(ui, &t.get("finish"), true, false) {
            cx.go = Some(Screen::Panels);
        }
        None
    }

    /// Whether the sheet shows the password, and the password: the one chosen at step 4, else
    /// typed here.
    fn password(&mut self, ui: &mut egui::Ui, t: &Texts, superadmin: &SuperadminForm) -> String {
        ui.checkbox(&mut self.include_password, t.get("include-password"));
        match superadmin.password() {
            Some(password) => password.to_string(),
            None => {
                if self.include_password {
                    widgets::field(ui, &t.get("password"), &mut self.typed_password, true, "");
                }
                self.typed_password.clone()
            }
        }
    }

    /// The sheet's lines: where to download the console, the service, the hosting and the
    /// superadministrator's logins.
    fn sheet(&self, cx: &Cx<'_>, superadmin: &SuperadminForm, password: String) -> ConnectionSheet {
        let t = cx.t;
        let account = cx.data.account.value().cloned();
        let user = superadmin.created.clone().or_else(|| {
            cx.data
                .users
                .value()
                .and_then(|users| users.iter().find(|u| u.superadmin).cloned())
        });
        // Where the console is downloaded: what the service's logins e-mails say (the
        // provider's page), else provider.toml's, else neutral words.
        let download = account
            .as_ref()
            .map(|a| a.console_download_url.clone())
            .filter(|url| !url.is_empty())
            .or_else(|| {
                cx.options
                    .provider
                    .provider()
                    .and_then(|p| p.provider.download_url.clone())
            })
            .unwrap_or_else(|| t.get("sheet-download-ask"));
        let mut lines = vec![
            (t.get("sheet-download"), download),
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
        // Where the Clients connect: the controller's and each schedule's host and port.
        let endpoint = |host: &Option<String>, port: Option<u16>| match (host, port) {
            (Some(host), Some(port)) => t.with(
                "sheet-endpoint",
                &[("host", host), ("port", &port.to_string())],
            ),
            _ => t.get("sheet-no-domain"),
        };
        if let Some(controller) = cx.data.controller.value() {
            lines.push((
                t.get("controller"),
                endpoint(&controller.host, controller.port),
            ));
        }
        for schedule in cx.data.schedules.value().into_iter().flatten() {
            lines.push((
                schedule.name.clone(),
                endpoint(&schedule.host, schedule.port),
            ));
        }
        if self.include_password {
            lines.push((t.get("password"), password));
        } else {
            lines.push((t.get("password"), t.get("sheet-password-separately")));
        }
        ConnectionSheet {
            title: t.get("sheet-title"),
            lines,
        }
    }

    /// Save as PDF and Copy as text, and how each went.
    fn save_or_copy(&mut self, ui: &mut egui::Ui, cx: &Cx<'_>, sheet: &ConnectionSheet) {
        let t = cx.t;
        ui.horizontal(|ui| {
            let saving = self.saved.is_pending();
            if ui
                .add_enabled(!saving, egui::Button::new(t.get("save-pdf")))
                .clicked()
            {
                let dialog = SaveDialog {
                    title: t.get("save-pdf"),
                    file_name: t.get("sheet-file-name"),
                    filter: Some(("PDF".to_string(), vec!["pdf".to_string()])),
                };
                let sheet = sheet.clone();
                self.saved
                    .start(cx.backend.save_file(dialog, move || sheet.pdf()));
            }
            if ui.button(t.get("copy-text")).clicked() {
                ui.ctx().copy_text(sheet.text());
                self.copied = true;
            }
        });
        widgets::request_state(ui, t, &self.saved);
        if let Some(Some(path)) = self.saved.value().filter(|_| self.saved.is_done()) {
            widgets::success(
                ui,
                &t.with("sheet-saved", &[("path", &path.display().to_string())]),
            );
        }
        if self.copied {
            widgets::success(ui, &t.get("sheet-copied"));
        }
    }
}
