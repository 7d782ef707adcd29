//! What the console says about itself as an installed program: the Help window (the provider
//! and its support contacts, where the log is), the notice of a crash at the last start, and
//! the offer of a shortcut on the desktop.

use std::path::{Path, PathBuf};

use crate::backend::Backend;
use crate::i18n::Texts;
use crate::platform::shortcut::ShortcutOffer;
use crate::provider::ProviderSetting;
use crate::request::Request;
use crate::{theme, widgets};

/// The provider's name, or the neutral words for it.
pub fn provider_name(t: &Texts, provider: &ProviderSetting) -> String {
    provider
        .provider()
        .and_then(|p| p.provider.name.clone())
        .unwrap_or_else(|| t.get("provider-unnamed"))
}

/// The Help window: who runs the service and how to reach its support.
pub fn help_window(
    ctx: &egui::Context,
    t: &Texts,
    provider: &ProviderSetting,
    data_dir: &Path,
    open: &mut bool,
) {
    egui::Window::new(t.get("help-title"))
        .open(open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.set_max_width(theme::NOTICE_WIDTH);
            support_contacts(ui, t, provider);
            ui.add_space(theme::GROUP_SPACE);
            let dir = data_dir.display().to_string();
            ui.label(t.with("help-log", &[("path", &dir)]));
            if ui.button(t.get("copy-path")).clicked() {
                ui.ctx().copy_text(dir);
            }
        });
}

/// Who runs the service and its support contacts (from `provider.toml`); in a demonstration,
/// that there is none.
pub fn support_contacts(ui: &mut egui::Ui, t: &Texts, provider: &ProviderSetting) {
    if provider.allows_demonstration() {
        // No provider behind a demonstration: no support to name.
        ui.colored_label(ui.visuals().warn_fg_color, t.get("demo-explained"));
        return;
    }
    ui.label(t.with(
        "help-provider",
        &[("provider", &provider_name(t, provider))],
    ));
    match provider.provider().map(|p| &p.support) {
        Some(support) if !support.is_empty() => {
            egui::Grid::new("support").num_columns(2).show(ui, |ui| {
                let rows = [
                    ("help-phone", &support.phone),
                    ("help-email", &support.email),
                    ("help-web", &support.web),
                    ("help-hours", &support.hours),
                ];
                for (key, value) in rows {
                    if let Some(value) = value {
                        ui.label(t.get(key));
                        if key == "help-web" {
                            ui.hyperlink(value);
                        } else {
                            ui.label(value);
                        }
                        ui.end_row();
                    }
                }
            });
        }
        _ => {
            ui.label(t.get("help-no-contacts"));
        }
    }
}

/// The notice of a crash at the last start, with where its report is.
#[derive(Debug, Default)]
pub struct CrashNotice {
    /// The report, until the person closes the notice.
    pub report: Option<PathBuf>,
}

impl CrashNotice {
    /// Draws the notice while there is one.
    pub fn ui(&mut self, ctx: &egui::Context, t: &Texts) {
        let Some(report) = &self.report else {
            return;
        };
        let path = report.display().to_string();
        let mut close = false;
        egui::Window::new(t.get("crash-title"))
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.set_max_width(theme::NOTICE_WIDTH);
                ui.label(t.with("crash-body", &[("path", &path)]));
                ui.horizontal(|ui| {
                    if ui.button(t.get("copy-report-path")).clicked() {
                        ui.ctx().copy_text(path.clone());
                    }
                    close = ui.button(t.get("close")).clicked();
                });
            });
        if close {
            self.report = None;
        }
    }
}

/// The offer of a shortcut on the desktop, at the first start of an installed console.
#[derive(Debug, Default)]
pub struct ShortcutPrompt {
    offer: Option<ShortcutOffer>,
    /// The shortcut being made: its path, or why it could not be made.
    made: Request<Result<PathBuf, String>>,
}

impl ShortcutPrompt {
    /// The prompt for `offer` (`None`: nothing to offer).
    pub fn new(offer: Option<ShortcutOffer>) -> ShortcutPrompt {
        ShortcutPrompt {
            offer,
            made: Request::default(),
        }
    }

    /// Draws the prompt while there is an offer; `true` once the person answered it (the
    /// console then never asks again).
    pub fn ui(&mut self, ctx: &egui::Context, t: &Texts, backend: &Backend) -> bool {
        let Some(offer) = self.offer.clone() else {
            return false;
        };
        let (mut add, mut decline, mut close) = (false, false, false);
        egui::Window::new(t.get("shortcut-title"))
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.set_max_width(theme::NOTICE_WIDTH);
                match self.made.value().filter(|_| self.made.is_done()) {
                    Some(Ok(_)) => {
                        widgets::success(ui, &t.get("shortcut-done"));
                        close = ui.button(t.get("close")).clicked();
                    }
                    Some(Err(detail)) => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            t.with("shortcut-failed", &[("detail", detail)]),
                        );
                        close = ui.button(t.get("close")).clicked();
                    }
                    None => {
                        ui.label(t.get("shortcut-offer"));
                        ui.horizontal(|ui| {
                            let busy = self.made.is_pending();
                            add = widgets::action_button(ui, &t.get("shortcut-add"), true, busy);
                            decline = ui.button(t.get("shortcut-decline")).clicked();
                        });
                    }
                }
            });
        if add {
            self.made.start(backend.task(async move {
                let made = tokio::task::spawn_blocking(move || offer.create())
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|made| made.map_err(|e| e.to_string()));
                match &made {
                    Ok(path) => tracing::info!(path = %path.display(), "desktop shortcut made"),
                    Err(error) => tracing::warn!(%error, "desktop shortcut not made"),
                }
                Ok(made)
            }));
        }
        if decline || close {
            self.offer = None;
        }
        add || decline
    }
}

/// The Help window, opened and closed from the top bar.
#[derive(Debug, Default)]
pub struct HelpWindow {
    open: bool,
}

impl HelpWindow {
    /// Opens it, or closes it when open.
    pub fn toggle(&mut self) {
        self.open = !self.open;
    }

    /// Draws it while open.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        t: &Texts,
        provider: &ProviderSetting,
        data_dir: &Path,
    ) {
        if self.open {
            help_window(ctx, t, provider, data_dir, &mut self.open);
        }
    }
}

/// The notices of a start, one at a time in the middle of the window: the crash first, then
/// the offer of a desktop shortcut.
#[derive(Debug, Default)]
pub struct StartNotices {
    crash: CrashNotice,
    shortcut: ShortcutPrompt,
}

impl StartNotices {
    /// The notices of a crash `report` and of a shortcut `offer`, if any.
    pub fn new(report: Option<PathBuf>, offer: Option<ShortcutOffer>) -> StartNotices {
        StartNotices {
            crash: CrashNotice { report },
            shortcut: ShortcutPrompt::new(offer),
        }
    }

    /// Draws the notice shown; `true` once the shortcut's offer was answered (the console then
    /// never asks again).
    pub fn ui(&mut self, ctx: &egui::Context, t: &Texts, backend: &Backend) -> bool {
        self.crash.ui(ctx, t);
        self.crash.report.is_none() && self.shortcut.ui(ctx, t, backend)
    }
}
