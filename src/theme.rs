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
/// Where a form's fields start: what goes under a field (rules, boxes to tick) lines up there.
pub const FIELD_INDENT: f32 = LABEL_WIDTH + 8.0;
/// Horizontal gap between the columns of a table.
pub const TABLE_COLUMN_GAP: f32 = 16.0;
/// Height of a table's header row.
pub const HEADER_HEIGHT: f32 = 18.0;
/// Widths of the users table's columns: usernames and schedules, full names, yes/no flags,
/// e-mail addresses, console access with its button.
pub const USERNAME_COLUMN: f32 = 120.0;
/// See [`USERNAME_COLUMN`].
pub const NAME_COLUMN: f32 = 160.0;
/// See [`USERNAME_COLUMN`].
pub const FLAG_COLUMN: f32 = 100.0;
/// See [`USERNAME_COLUMN`].
pub const EMAIL_COLUMN: f32 = 200.0;
/// See [`USERNAME_COLUMN`].
pub const ACCESS_COLUMN: f32 = 220.0;
/// Height of the licence text's scrolled box.
pub const LICENCE_TEXT_HEIGHT: f32 = 260.0;
/// Height of the file list of the console's own file dialog.
pub const FILE_LIST_HEIGHT: f32 = 280.0;
/// Size of a step's mark in the step indicator.
pub const STEP_MARK_SIZE: f32 = 12.0;
/// Width of the docked mailbox when it opens.
pub const MAILBOX_WIDTH: f32 = 380.0;
/// Widest text of the small windows: Help, the crash notice, the desktop-shortcut offer.
pub const NOTICE_WIDTH: f32 = 480.0;
/// Height of the chart of the last 24 hours' connections.
pub const CHART_HEIGHT: f32 = 160.0;
/// Widest a user's editor grows (its notes wrap within).
pub const EDITOR_WIDTH: f32 = 560.0;
/// Width of a download's progress bar.
pub const PROGRESS_WIDTH: f32 = 320.0;
/// Width of a transfer's progress bar.
pub const TRANSFER_PROGRESS_WIDTH: f32 = 260.0;

/// The application icon (`assets/icon.png`, 256×256): the window's, and the installers'.
pub const ICON_PNG: &[u8] = include_bytes!("../assets/icon.png");

/// The application icon for the window, decoded.
pub fn icon() -> Option<egui::IconData> {
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => Some(icon),
        Err(error) => {
            tracing::warn!(%error, "the application icon could not be read");
            None
        }
    }
}

/// Applies the light or dark theme.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_visuals(visuals(dark));
}

/// The visuals of the light or dark theme: egui's, with the accent for selections (white text
/// on it) and error, warning and link colours that stay readable on the panels (WCAG AA).
pub fn visuals(dark: bool) -> Visuals {
    let mut visuals = if dark {
        Visuals::dark()
    } else {
        Visuals::light()
    };
    visuals.selection.bg_fill = accent(dark);
    visuals.selection.stroke.color = Color32::WHITE;
    if dark {
        // egui's grey text is a little dim on the dark panels: lighter text, readable weak text.
        visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(0xbe);
        visuals.weak_text_color = Some(Color32::from_gray(0x8c));
        visuals.error_fg_color = Color32::from_rgb(0xff, 0x7b, 0x72);
        visuals.warn_fg_color = Color32::from_rgb(0xf0, 0xa0, 0x40);
        visuals.hyperlink_color = Color32::from_rgb(0x6c, 0xb6, 0xff);
    } else {
        visuals.error_fg_color = Color32::from_rgb(0xb3, 0x26, 0x1e);
        visuals.warn_fg_color = Color32::from_rgb(0x8a, 0x4b, 0x00);
        visuals.hyperlink_color = Color32::from_rgb(0x0b, 0x57, 0xd0);
    }
    visuals
}

/// The accent colour: selected tabs, schedules and list rows.
pub fn accent(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x2a, 0x5e, 0xa8)
    } else {
        Color32::from_rgb(0x1f, 0x5f, 0xbf)
    }
}

/// Every pair of text and background colours the console draws, by name, with whether the
/// text is large (headings): checked against WCAG AA by a test.
pub fn text_pairs(dark: bool) -> Vec<(&'static str, Color32, Color32, bool)> {
    let v = visuals(dark);
    let panel = v.panel_fill;
    let mut pairs = vec![
        ("text on panel", v.text_color(), panel, false),
        ("strong text on panel", v.strong_text_color(), panel, false),
        ("weak text on panel", v.weak_text_color(), panel, false),
        (
            "text in a field",
            v.text_color(),
            v.text_edit_bg_color(),
            false,
        ),
        (
            "selected item",
            v.selection.stroke.color,
            v.selection.bg_fill,
            false,
        ),
        ("error on panel", v.error_fg_color, panel, false),
        ("warning on panel", v.warn_fg_color, panel, false),
        ("link on panel", v.hyperlink_color, panel, false),
        ("confirmation on panel", success_colour(dark), panel, false),
        (
            "text on a progress bar",
            v.text_color(),
            progress_colour(dark),
            false,
        ),
        ("text in a window", v.text_color(), v.window_fill, false),
    ];
    for (state, widget) in [
        ("button", &v.widgets.inactive),
        ("hovered button", &v.widgets.hovered),
        ("pressed button", &v.widgets.active),
    ] {
        pairs.push((state, widget.fg_stroke.color, widget.weak_bg_fill, false));
    }
    pairs
}

/// The contrast ratio of two colours (WCAG 2): from 1 to 21.
pub fn contrast(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let channel = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The colour of a confirmation.
pub fn success(ui: &egui::Ui) -> Color32 {
    success_colour(ui.visuals().dark_mode)
}

fn success_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x6c, 0xc6, 0x7a)
    } else {
        Color32::from_rgb(0x1d, 0x7a, 0x32)
    }
}

/// The fill of progress bars: lighter than the accent, so that the text over it stays readable.
pub fn progress_fill(ui: &egui::Ui) -> Color32 {
    progress_colour(ui.visuals().dark_mode)
}

fn progress_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x1e, 0x3a, 0x66)
    } else {
        Color32::from_rgb(0xa9, 0xc8, 0xf0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_is_a_square_png_of_256_pixels() {
        let icon = icon().expect("the icon decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }

    #[test]
    fn contrast_is_computed_as_wcag_says() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.01);
        // #767676 on white is the classic 4.54:1.
        let grey = Color32::from_gray(0x76);
        assert!((contrast(grey, Color32::WHITE) - 4.54).abs() < 0.02);
    }

    /// Every text and background pair of both themes meets WCAG AA: 4.5:1, 3:1 for large text.
    #[test]
    fn every_text_meets_wcag_aa_in_both_themes() {
        let mut failures = Vec::new();
        for dark in [false, true] {
            for (name, text, background, large) in text_pairs(dark) {
                let ratio = contrast(text, background);
                let needed = if large { 3.0 } else { 4.5 };
                if ratio < needed {
                    let theme = if dark { "dark" } else { "light" };
                    failures.push(format!("{theme}: {name} is {ratio:.2}:1"));
                }
            }
        }
        assert!(failures.is_empty(), "below WCAG AA: {failures:#?}");
    }
}
