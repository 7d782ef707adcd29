//! Draws laid-out pages with krilla.

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::TextDirection;

use crate::DocError;
use crate::fonts::Fonts;
use crate::layout::{MARGIN, Mark, PAGE_HEIGHT, PAGE_WIDTH, Style};

/// The page number ("2/3"), only on documents of more than one page.
const PAGE_NUMBER: Style = Style::regular(9.0);

/// The PDF of `pages`, with `title` in its metadata.
pub(crate) fn pdf(title: &str, pages: Vec<Vec<Mark>>, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title.to_string()));
    let count = pages.len();
    for (index, mut marks) in pages.into_iter().enumerate() {
        if count > 1 {
            let number = format!("{}/{count}", index + 1);
            let width = fonts.width(&number, PAGE_NUMBER.weight, PAGE_NUMBER.size);
            marks.push(Mark::Text {
                x: (PAGE_WIDTH - width) / 2.0,
                y: PAGE_HEIGHT - MARGIN / 2.0,
                style: PAGE_NUMBER,
                text: number,
            });
        }
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| DocError::Pdf("invalid page size".to_string()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for mark in &marks {
            draw(&mut surface, mark, fonts);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| DocError::Pdf(error.to_string()))
}

fn draw(surface: &mut Surface<'_>, mark: &Mark, fonts: &Fonts) {
    match mark {
        Mark::Text { x, y, style, text } => surface.draw_text(
            Point::from_xy(*x, *y),
            fonts.pdf(style.weight),
            style.size,
            text,
            false,
            TextDirection::Auto,
        ),
        Mark::Rule { x1, x2, y } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y);
            path.line_to(*x2, *y);
            if let Some(path) = path.finish() {
                surface.set_stroke(Some(Stroke {
                    width: 0.5,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
    }
}
