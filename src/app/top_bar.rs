//! The top bar: the console's name (and the provider's), the demonstration badge, the service,
//! the mailbox, then from the right: help, theme, language (always there), then log out and the
//! notifications (while logged in), and whose console this is. What comes and goes with the
//! session is left of what stays, so that logging out moves nothing under the pointer.

use crate::i18n::{Language, Texts};
use crate::notifications::Bell;

/// What the top bar shows.
pub(super) struct TopBar<'a> {
    pub(super) t: &'a Texts,
    pub(super) provider_name: Option<String>,
    /// The local demonstration service is in use.
    pub(super) demonstration: bool,
    /// What the service button says of the service.
    pub(super) service: String,
    pub(super) logged_in: bool,
    /// The school and the person logged in, in words.
    pub(super) whose: Option<String>,
    pub(super) dark: bool,
}

/// What the person did in the top bar.
pub(super) struct Clicks {
    pub(super) service: bool,
    pub(super) mailbox: bool,
    pub(super) theme: bool,
    pub(super) help: bool,
    pub(super) logout: bool,
    /// The language chosen (the current one when unchanged).
    pub(super) language: Language,
}

impl TopBar<'_> {
    /// Draws the bar, with the notifications' bell when given.
    pub(super) fn ui(&self, ui: &mut egui::Ui, bell: Option<&mut Bell>) -> Clicks {
        let t = self.t;
        let mut clicks = Clicks {
            service: false,
            mailbox: false,
            theme: false,
            help: false,
            logout: false,
            language: t.language(),
        };
        ui.horizontal(|ui| {
            ui.strong(t.get("app-title"));
            if let Some(name) = &self.provider_name {
                ui.label(name);
            }
            if self.demonstration {
                // Nothing done here reaches a real provider: say so on every screen.
                ui.colored_label(ui.visuals().warn_fg_color, t.get("demo-badge"))
                    .on_hover_text(t.get("demo-explained"));
            }
            ui.separator();
            clicks.service = ui
                .button(format!("{} {}", t.get("service-label"), self.service))
                .clicked();
            clicks.mailbox = self.demonstration && ui.button(t.get("mailbox-open")).clicked();
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.right(ui, bell, &mut clicks);
            });
        });
        clicks
    }

    /// The right-hand side, drawn from the right.
    fn right(&self, ui: &mut egui::Ui, bell: Option<&mut Bell>, clicks: &mut Clicks) {
        let t = self.t;
        clicks.help = ui.button(t.get("help")).clicked();
        let theme_label = if self.dark {
            t.get("theme-light")
        } else {
            t.get("theme-dark")
        };
        clicks.theme = ui.button(theme_label).clicked();
        let combo = egui::ComboBox::from_id_salt("language")
            .selected_text(clicks.language.native_name())
            .show_ui(ui, |ui| {
                for option in Language::ALL {
                    ui.selectable_value(&mut clicks.language, option, option.native_name());
                }
            });
        let label = ui.label(t.get("language"));
        combo.response.labelled_by(label.id);
        if self.logged_in {
            ui.separator();
            clicks.logout = ui.button(t.get("logout")).clicked();
        }
        if let Some(bell) = bell {
            bell.button(ui, t);
        }
        // Last, in the room the buttons leave: a long name is cut (whole on hover) rather than
        // drawn under them.
        if let Some(whose) = &self.whose {
            ui.separator();
            ui.add(egui::Label::new(whose).truncate());
        }
    }
}
