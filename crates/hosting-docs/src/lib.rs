//! The project's PDF documents: the connection sheet a console hands to a superadministrator,
//! and the pro-forma invoice of a school year. Every string arrives translated and formatted;
//! this crate knows no language, only how to lay the text out on A4 pages.
//!
//! The text is set in DejaVu Sans, embedded and subset by krilla, with a ToUnicode map: any
//! Unicode text prints (accents, Œ, €, ł…), and a reader or a screen reader can extract it.

mod fonts;
mod layout;
mod proforma;
mod render;
mod sheet;
#[cfg(test)]
mod tests;

pub use proforma::proforma_pdf;
pub use sheet::sheet_pdf;

/// A one-page sheet: a title, then label and value lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sheet {
    /// The title line.
    pub title: String,
    /// Label and value lines.
    pub lines: Vec<(String, String)>,
}

/// A pro-forma invoice, every text already translated and every amount formatted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Proforma {
    /// The document's title ("Pro-forma invoice").
    pub title: String,
    /// The provider's name, top left.
    pub provider: String,
    /// Label and value pairs under the title: number, date, school, hosting number, period…
    pub header: Vec<(String, String)>,
    /// The titles of the columns: item, quantity, unit price, amount.
    pub columns: [String; 4],
    /// One row per priced item, in the order of `columns`.
    pub lines: Vec<[String; 4]>,
    /// Label and amount pairs under the table (total excluding tax, VAT, total including tax);
    /// the last one is set in bold.
    pub totals: Vec<(String, String)>,
    /// A closing sentence, may be empty.
    pub note: String,
}

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The embedded font could not be read (a broken build).
    #[error("the embedded font {0} could not be read")]
    Font(&'static str),
    /// krilla could not write the PDF.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}
