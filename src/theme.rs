//! Colours and spacing of the console, in one place.

use egui::{Color32, Visuals};

/// Space between sections.
pub const SECTION_SPACE: f32 = 12.0;
/// Space between a group of fields and what follows it.
pub const GROUP_SPACE: f32 = 8.0;
/// Space between a line and the next one that belongs with it.
pub const SMALL_SPACE: f32 = 4.0;
/// Space before a separated part of a screen.
pub const PART_SPACE: f32 = 16.0;
/// Horizontal gap between the columns of a grid.
pub const COLUMN_GAP: f32 = 12.0;
/// Vertical gap between the rows of a grid.
pub const ROW_GAP: f32 = 6.0;
/// Width of text fields.
pub const FIELD_WIDTH: f32 = 280.0;
/// Width of the label column of forms.
pub const LABEL_WIDTH: f32 = 190.0;

/// Applies the light or dark theme.
pub fn apply(ctx: &egui::Context, dark: bool) {
    let mut visuals = if dark {
        Visuals::dark()
    } else {
        Visuals::light()
    };
    visuals.selection.bg_fill = accent(dark);
    ctx.set_visuals(visuals);
}

/// The accent colour.
pub fn accent(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x3a, 0x7b, 0xd5)
    } else {
        Color32::from_rgb(0x1f, 0x5f, 0xbf)
    }
}

/// The colour of a confirmation.
pub fn success(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0x6c, 0xc6, 0x7a)
    } else {
        Color32::from_rgb(0x1d, 0x7a, 0x32)
    }
}

/// The fill of progress bars: lighter than the accent, so that the text over it stays readable.
pub fn progress_fill(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0x2c, 0x4f, 0x86)
    } else {
        Color32::from_rgb(0xa9, 0xc8, 0xf0)
    }
}
