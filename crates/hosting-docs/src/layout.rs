//! Lays text out on A4 pages: rows of cells, each cell wrapped to its column and aligned left or
//! right, a new page when the next row does not fit. The result is a list of marks per page,
//! drawn by [`crate::render`] once the number of pages is known.

use crate::fonts::{Fonts, Weight};

/// A4 in PDF points.
pub(crate) const PAGE_WIDTH: f32 = 595.0;
pub(crate) const PAGE_HEIGHT: f32 = 842.0;
/// 2 cm on every side.
pub(crate) const MARGIN: f32 = 56.7;
/// The width between the margins.
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Between a label and its value.
const PAIR_GUTTER: f32 = 14.0;
/// The space between two lines of one paragraph, as a multiple of the font size.
const LINE_HEIGHT: f32 = 1.35;

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub weight: Weight,
    pub size: f32,
}

impl Style {
    pub(crate) const fn regular(size: f32) -> Style {
        Style {
            weight: Weight::Regular,
            size,
        }
    }

    pub(crate) const fn bold(size: f32) -> Style {
        Style {
            weight: Weight::Bold,
            size,
        }
    }

    fn line_height(self) -> f32 {
        self.size * LINE_HEIGHT
    }
}

/// Where a cell's lines sit in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// One cell of a row: its column (left edge and width), alignment, style and text.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub x: f32,
    pub width: f32,
    pub align: Align,
    pub style: Style,
    pub text: String,
}

/// Something drawn on a page, in points from the page's top left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    /// One line of text; `y` is its baseline.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    /// A thin horizontal line.
    Rule { x1: f32, x2: f32, y: f32 },
}

/// The pages laid out so far, and where the next row goes.
pub(crate) struct Pages<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Mark>>,
    /// The top of the next row on the last page.
    y: f32,
    /// Whether the last page holds nothing yet but its repeated header: a row that does not
    /// fit on it goes there anyway (it would fit on no page).
    fresh: bool,
    /// A table's column titles, drawn again at the top of each new page while the table goes on.
    titles: Option<Vec<Cell>>,
}

impl<'f> Pages<'f> {
    pub(crate) fn new(fonts: &'f Fonts) -> Pages<'f> {
        Pages {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN,
            fresh: true,
            titles: None,
        }
    }

    /// The pages, each a list of marks.
    pub(crate) fn finish(self) -> Vec<Vec<Mark>> {
        self.pages
    }

    /// The width of `text` in `style`.
    pub(crate) fn width(&self, text: &str, style: Style) -> f32 {
        self.fonts.width(text, style.weight, style.size)
    }

    /// Starts a table: its column titles over a rule, here and at the top of each new page
    /// until [`Pages::end_table`]. The titles are not left alone at the foot of a page.
    pub(crate) fn table_titles(&mut self, titles: Vec<Cell>) {
        let line_height = titles
            .iter()
            .map(|cell| cell.style.line_height())
            .fold(0.0, f32::max);
        self.keep(3.0 * line_height);
        self.draw_titles(&titles);
        self.titles = Some(titles);
    }

    /// Ends the table: new pages no longer start with its titles.
    pub(crate) fn end_table(&mut self) {
        self.titles = None;
    }

    fn draw_titles(&mut self, titles: &[Cell]) {
        self.row(titles);
        self.rule(MARGIN, PAGE_WIDTH - MARGIN);
    }

    /// Leaves `height` points of blank space (none at the top of a page).
    pub(crate) fn space(&mut self, height: f32) {
        if !self.fresh {
            self.y += height;
        }
    }

    /// A thin line from `x1` to `x2`, with a little space above and below.
    pub(crate) fn rule(&mut self, x1: f32, x2: f32) {
        self.keep(6.0);
        let y = self.y + 2.0;
        self.mark(Mark::Rule { x1, x2, y });
        self.y += 6.0;
    }

    /// One row: each cell wrapped to its width, the row as high as its longest cell. A row that
    /// fits on a page is kept together; a longer one continues line by line.
    pub(crate) fn row(&mut self, cells: &[Cell]) {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .map(|cell| self.wrap(&cell.text, cell.style, cell.width))
            .collect();
        let line_height = cells
            .iter()
            .map(|cell| cell.style.line_height())
            .fold(0.0, f32::max);
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        self.keep(line_height * lines as f32);
        for index in 0..lines {
            self.keep(line_height);
            for (cell, cell_lines) in cells.iter().zip(&wrapped) {
                let Some(text) = cell_lines.get(index) else {
                    continue;
                };
                let x = match cell.align {
                    Align::Left => cell.x,
                    Align::Right => cell.x + cell.width - self.width(text, cell.style),
                };
                self.mark(Mark::Text {
                    x,
                    y: self.y + cell.style.size,
                    style: cell.style,
                    text: text.clone(),
                });
            }
            self.y += line_height;
        }
    }

    /// A paragraph across the whole width.
    pub(crate) fn paragraph(&mut self, text: &str, style: Style) {
        self.row(&[Cell {
            x: MARGIN,
            width: CONTENT_WIDTH,
            align: Align::Left,
            style,
            text: text.to_string(),
        }]);
    }

    /// Label and value pairs in two columns: the labels as wide as the widest one, up to 40 %
    /// of the width; `spacing` points between two pairs.
    pub(crate) fn pairs(&mut self, pairs: &[(String, String)], styles: [Style; 2], spacing: f32) {
        let [label, value] = styles;
        let label_width = pairs
            .iter()
            .map(|(text, _)| self.width(text, label))
            .fold(0.0, f32::max)
            .min(CONTENT_WIDTH * 0.4)
            .ceil();
        let value_x = MARGIN + label_width + PAIR_GUTTER;
        for (label_text, value_text) in pairs {
            self.row(&[
                Cell {
                    x: MARGIN,
                    width: label_width,
                    align: Align::Left,
                    style: label,
                    text: label_text.clone(),
                },
                Cell {
                    x: value_x,
                    width: PAGE_WIDTH - MARGIN - value_x,
                    align: Align::Left,
                    style: value,
                    text: value_text.clone(),
                },
            ]);
            self.space(spacing);
        }
    }

    /// Starts a new page unless `height` more points fit on this one (or it is still empty).
    fn keep(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - MARGIN && !self.fresh {
            self.pages.push(Vec::new());
            self.y = MARGIN;
            self.fresh = true;
            if let Some(titles) = self.titles.clone() {
                self.draw_titles(&titles);
            }
            // The repeated titles alone do not make the page used.
            self.fresh = true;
        }
    }

    fn mark(&mut self, mark: Mark) {
        self.fresh = false;
        if let Some(page) = self.pages.last_mut() {
            page.push(mark);
        }
    }

    /// `text` cut into lines no wider than `width`: at spaces, and inside a word only when
    /// the word alone is too wide (a long address). Line breaks in `text` are kept; an empty
    /// text is one empty line.
    pub(crate) fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let fits = |candidate: &str| self.width(candidate, style) <= width;
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if fits(&candidate) {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if fits(word) {
                    line = word.to_string();
                    continue;
                }
                for ch in word.chars() {
                    let mut longer = line.clone();
                    longer.push(ch);
                    // A combining accent stays with its letter.
                    if !line.is_empty() && !fits(&longer) && !is_combining(ch) {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push(ch);
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Combining diacritical marks (the common block): never the first character of a line.
fn is_combining(ch: char) -> bool {
    matches!(ch, '\u{0300}'..='\u{036F}')
}
