//! The smallest eframe window: one label, with the console's eframe features and renderer and
//! the console's window size. The console benchmark measures it next to the console, as the
//! baseline of the console's time to first frame and peak RSS.
//!
//! Like the console, it writes the milliseconds from its start to its first frame in the file
//! named by `HOSTING_CONSOLE_FIRST_FRAME_REPORT`.

use std::path::PathBuf;
use std::time::Instant;

struct MinimalWindow {
    first_frame_report: Option<(Instant, PathBuf)>,
}

impl eframe::App for MinimalWindow {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Some((started, path)) = self.first_frame_report.take() {
            let millis = started.elapsed().as_secs_f64() * 1000.0;
            std::thread::spawn(move || std::fs::write(path, format!("{millis:.1}")));
        }
        egui::CentralPanel::default().show(ui, |ui| ui.label("Hosting console"));
    }
}

fn main() -> eframe::Result {
    let started = Instant::now();
    let first_frame_report = std::env::var_os("HOSTING_CONSOLE_FIRST_FRAME_REPORT")
        .map(|path| (started, PathBuf::from(path)));
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Minimal window")
            .with_inner_size([1100.0, 760.0]),
        ..Default::default()
    };
    eframe::run_native(
        "minimal-window",
        native,
        Box::new(move |_cc| Ok(Box::new(MinimalWindow { first_frame_report }))),
    )
}
