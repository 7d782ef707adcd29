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

    /// Draws the window when open.
    pub fn window(&mut self, ctx: &egui::Context, t: &Texts, backend: &Backend) {
        self.messages.poll();
        let mut open = self.open;
        egui::Window::new(t.get("mailbox-title"))
            .open(&mut open)
            .default_width(420.0)
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .default_pos(ctx.content_rect().right_bottom() - egui::vec2(12.0, 12.0))
            .show(ctx, |ui| {
                ui.label(t.get("mailbox-intro"));
                if ui.button(t.get("refresh")).clicked() {
                    self.messages.start(backend.mailbox());
                }
                crate::widgets::failure(ui, t, self.messages.failure());
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        for message in self.messages.value().into_iter().flatten().rev() {
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
                    });
            });
        self.open = open;
    }
}
