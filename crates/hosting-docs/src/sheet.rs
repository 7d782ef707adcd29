//! The connection sheet: a title, then label and value lines in two columns.

use crate::fonts::Fonts;
use crate::layout::{Mark, Pages, Style};
use crate::{DocError, Sheet};

const TITLE: Style = Style::bold(18.0);
const LABEL: Style = Style::bold(11.0);
const VALUE: Style = Style::regular(11.0);

/// The sheet as an A4 PDF (more pages only if its lines do not fit on one).
pub fn sheet_pdf(sheet: &Sheet) -> Result<Vec<u8>, DocError> {
    let fonts = Fonts::load()?;
    crate::render::pdf(&sheet.title, layout(sheet, &fonts), &fonts)
}

/// The sheet's pages.
pub(crate) fn layout(sheet: &Sheet, fonts: &Fonts) -> Vec<Vec<Mark>> {
    let mut pages = Pages::new(fonts);
    pages.paragraph(&sheet.title, TITLE);
    pages.space(14.0);
    pages.pairs(&sheet.lines, [LABEL, VALUE], 6.0);
    pages.finish()
}
