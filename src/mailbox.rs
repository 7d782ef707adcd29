//! The Mailbox window of the local hosting service: the e-mails and SMS its accounts received,
//! so that a newcomer can walk the real flow without a provider.

use hostingd::store::OutboxMessage;

use crate::backend::{Backend, Command};
use crate::i18n::Texts;
use crate::model::{Failure, Remote};

/// The Mailbox window.
#[derive(Default)]
pub struct Mailbox {
    /// Shown.
    pub open: bool,
    messages: Remote<Vec<OutboxMessage>>,
}

impl Mailbox {
    /// The answer of a mailbox read.
    pub fn finish(&mut self, result: Result<Vec<OutboxMessage>, Failure>) {
        self.messages.finish(result);
    }

    /// Draws the window when open.
    pub fn window(&mut self, ctx: &egui::Context, t: &Texts, backend: &Backend) {
        let mut open = self.open;
        egui::Window::new(t.get("mailbox-title"))
            .open(&mut open)
            .default_width(420.0)
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .default_pos(ctx.content_rect().right_bottom() - egui::vec2(12.0, 12.0))
            .show(ctx, |ui| {
                ui.label(t.get("mailbox-intro"));
                if ui.button(t.get("refresh")).clicked() {
                    self.messages.start();
                    backend.send(Command::Mailbox);
                }
                if let Some(failure) = self.messages.failure() {
                    ui.colored_label(ui.visuals().error_fg_color, &failure.message);
                }
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
