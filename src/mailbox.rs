//! The Mailbox window of the local hosting service: the e-mails and SMS its accounts received,
//! so that a newcomer can walk the real flow without a provider.

use hostingd::store::OutboxMessage;

use crate::backend::Backend;
use crate::i18n::Texts;
use crate::request::Request;

/// The Mailbox window.
#[derive(Default)]
pub struct Mailbox {
    /// Shown.
    pub open: bool,
    messages: Request<Vec<OutboxMessage>>,
}

impl Mailbox {
    /// Shows the mailbox and reads it again.
    pub fn show(&mut self, backend: &Backend) {
        self.open = true;
        self.messages.start(backend.mailbox());
    }

    /// Shows or hides the mailbox.
    pub fn toggle(&mut self, backend: &Backend) {
        if self.open {
            self.open = false;
        } else {
            self.show(backend);
        }
    }

    /// Draws the mailbox docked on the right of the window when it is shown, so that it never
    /// covers a form; "Hide" (or the top bar's Mailbox button) puts it away.
    pub fn panel(&mut self, ui: &mut egui::Ui, t: &Texts, backend: &Backend) {
        if !self.open {
            return;
        }
        egui::Panel::right("mailbox")
            .resizable(true)
            .default_size(crate::theme::MAILBOX_WIDTH)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading(t.get("mailbox-title"));
                });
                ui.label(t.get("mailbox-intro"));
                ui.horizontal(|ui| {
                    if ui.button(t.get("refresh")).clicked() {
                        self.messages.start(backend.mailbox());
                    }
                    if ui.button(t.get("mailbox-hide")).clicked() {
                        self.open = false;
                    }
                    crate::widgets::request_state(ui, t, &self.messages);
                });
                egui::ScrollArea::vertical().show(ui, |ui| self.messages_ui(ui, t));
            });
    }

    fn messages_ui(&self, ui: &mut egui::Ui, t: &Texts) {
        let messages = self.messages.value().map_or(&[][..], Vec::as_slice);
        if messages.is_empty() && !self.messages.is_pending() {
            ui.weak(t.get("mailbox-empty"));
        }
        for message in messages.iter().rev() {
            let channel = if message.channel == "sms" {
                t.get("mailbox-sms")
            } else {
                t.get("mailbox-email")
            };
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.strong(format!(
                    "{channel} – {}: {}",
                    message.recipient, message.subject
                ));
                ui.label(&message.body);
            });
        }
    }
}
