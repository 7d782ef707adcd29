//! The pro-forma invoice: the provider and the title, the header pairs, a table of priced
//! items with right-aligned amounts (its column titles repeated on each new page), the totals
//! and a closing note.

use crate::fonts::Fonts;
use crate::layout::{Align, CONTENT_WIDTH, Cell, MARGIN, Mark, Pages, Style};
use crate::{DocError, Proforma};

const PROVIDER: Style = Style::bold(12.0);
const TITLE: Style = Style::bold(20.0);
const LABEL: Style = Style::bold(10.0);
const TEXT: Style = Style::regular(10.0);
const TOTAL: Style = Style::bold(11.0);
/// Between two columns.
const GUTTER: f32 = 12.0;
/// Each figure column is as wide as its widest cell, within these bounds.
const FIGURE_MIN: f32 = 50.0;
const FIGURE_SHARE: f32 = 0.2;

/// The pro-forma invoice as an A4 PDF, continued on more pages when its lines need them.
pub fn proforma_pdf(doc: &Proforma) -> Result<Vec<u8>, DocError> {
    let fonts = Fonts::load()?;
    crate::render::pdf(&doc.title, layout(doc, &fonts), &fonts)
}

/// The invoice's pages.
pub(crate) fn layout(doc: &Proforma, fonts: &Fonts) -> Vec<Vec<Mark>> {
    let mut pages = Pages::new(fonts);
    if !doc.provider.is_empty() {
        pages.paragraph(&doc.provider, PROVIDER);
        pages.space(12.0);
    }
    pages.paragraph(&doc.title, TITLE);
    pages.space(10.0);
    pages.pairs(&doc.header, [LABEL, TEXT], 3.0);
    pages.space(16.0);
    let columns = Columns::measure(&pages, doc);
    let titles = columns.row(&doc.columns, [LABEL; 4]);
    pages.table_titles(titles);
    for line in &doc.lines {
        pages.row(&columns.row(line, [TEXT; 4]));
        pages.space(3.0);
    }
    pages.end_table();
    pages.rule(MARGIN, MARGIN + CONTENT_WIDTH);
    for (index, (label, amount)) in doc.totals.iter().enumerate() {
        let style = if index + 1 == doc.totals.len() {
            TOTAL
        } else {
            TEXT
        };
        pages.row(&columns.total(label, amount, style));
        pages.space(2.0);
    }
    if !doc.note.is_empty() {
        pages.space(18.0);
        pages.paragraph(&doc.note, TEXT);
    }
    pages.finish()
}

/// The table's columns: the item takes what the three figure columns leave.
struct Columns {
    /// Left edge and width of each column.
    spans: [(f32, f32); 4],
}

impl Columns {
    fn measure(pages: &Pages<'_>, doc: &Proforma) -> Columns {
        let figure = |column: usize| {
            let titles = pages.width(&doc.columns[column], LABEL);
            let cells = doc
                .lines
                .iter()
                .map(|line| pages.width(&line[column], TEXT));
            let totals = if column == 3 {
                doc.totals
                    .iter()
                    .map(|(_, amount)| pages.width(amount, TOTAL))
                    .fold(0.0, f32::max)
            } else {
                0.0
            };
            cells
                .fold(titles.max(totals), f32::max)
                .ceil()
                .clamp(FIGURE_MIN, CONTENT_WIDTH * FIGURE_SHARE)
        };
        let widths = [figure(1), figure(2), figure(3)];
        let item = CONTENT_WIDTH - widths.iter().sum::<f32>() - 3.0 * GUTTER;
        let mut spans = [(MARGIN, item); 4];
        let mut x = MARGIN + item + GUTTER;
        for (span, width) in spans[1..].iter_mut().zip(widths) {
            *span = (x, width);
            x += width + GUTTER;
        }
        Columns { spans }
    }

    /// A row of the table: the item left, the figures right-aligned.
    fn row(&self, texts: &[String; 4], styles: [Style; 4]) -> Vec<Cell> {
        self.spans
            .iter()
            .zip(texts)
            .zip(styles)
            .enumerate()
            .map(|(column, ((&(x, width), text), style))| Cell {
                x,
                width,
                align: if column == 0 {
                    Align::Left
                } else {
                    Align::Right
                },
                style,
                text: text.clone(),
            })
            .collect()
    }

    /// A total: its label right-aligned up to the unit price column, its amount under the
    /// amounts.
    fn total(&self, label: &str, amount: &str, style: Style) -> Vec<Cell> {
        let (unit_x, unit_width) = self.spans[2];
        let (amount_x, amount_width) = self.spans[3];
        vec![
            Cell {
                x: MARGIN,
                width: unit_x + unit_width - MARGIN,
                align: Align::Right,
                style,
                text: label.to_string(),
            },
            Cell {
                x: amount_x,
                width: amount_width,
                align: Align::Right,
                style,
                text: amount.to_string(),
            },
        ]
    }
}
