//! Opening an address in the system's browser and copying text to the clipboard: one seam, so
//! that the tests see what a person's click would have opened or copied (egui hands both to the
//! platform after the frame, where a test cannot look).

use std::sync::{Mutex, PoisonError};

/// Opens addresses and copies text.
pub trait Links: Send + Sync {
    /// Opens `url` in the system's browser.
    fn open(&self, ctx: &egui::Context, url: &str);
    /// Puts `text` on the clipboard.
    fn copy(&self, ctx: &egui::Context, text: &str);
}

/// The system's browser and clipboard, through egui (eframe opens the browser).
pub struct SystemLinks;

impl Links for SystemLinks {
    fn open(&self, ctx: &egui::Context, url: &str) {
        ctx.open_url(egui::OpenUrl::new_tab(url));
    }

    fn copy(&self, ctx: &egui::Context, text: &str) {
        ctx.copy_text(text.to_string());
    }
}

/// Keeps what was opened and copied, and does nothing else (tests).
#[derive(Default)]
pub struct RecordingLinks {
    opened: Mutex<Vec<String>>,
    copied: Mutex<Vec<String>>,
}

impl RecordingLinks {
    /// The addresses opened, in order.
    pub fn opened(&self) -> Vec<String> {
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The texts copied, in order.
    pub fn copied(&self) -> Vec<String> {
        self.copied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Links for RecordingLinks {
    fn open(&self, _ctx: &egui::Context, url: &str) {
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(url.to_string());
    }

    fn copy(&self, _ctx: &egui::Context, text: &str) {
        self.copied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(text.to_string());
    }
}
