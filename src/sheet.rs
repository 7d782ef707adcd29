//! The connection sheet handed to the superadministrator (step 6): as text for the clipboard and
//! as an A4 PDF made by `hosting-docs` (any Unicode text, embedded font).

use hosting_api::ErrorCode;

use crate::model::Failure;

/// What the sheet holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSheet {
    /// Title line.
    pub title: String,
    /// Label and value lines.
    pub lines: Vec<(String, String)>,
}

impl ConnectionSheet {
    /// The sheet as plain text.
    pub fn text(&self) -> String {
        let mut text = format!("{}\n\n", self.title);
        for (label, value) in &self.lines {
            text.push_str(&format!("{label}: {value}\n"));
        }
        text
    }

    /// The sheet as an A4 PDF. A failure (which the tests of `hosting-docs` rule out for any
    /// text) is logged here and answered with the `document` code's sentence.
    pub fn pdf(&self) -> Result<Vec<u8>, Failure> {
        hosting_docs::sheet_pdf(&hosting_docs::Sheet {
            title: self.title.clone(),
            lines: self.lines.clone(),
        })
        .map_err(|error| {
            tracing::warn!(%error, "the connection sheet's PDF was not made");
            Failure::new(ErrorCode::Document, error.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_pdf_hold_every_line() {
        let sheet = ConnectionSheet {
            title: "Connexion à la console".to_string(),
            lines: vec![
                (
                    "Numéro d'hébergement".to_string(),
                    "123456789012".to_string(),
                ),
                (
                    "Établissement".to_string(),
                    "Lycée Œcuménique €".to_string(),
                ),
            ],
        };
        assert!(sheet.text().contains("Numéro d'hébergement: 123456789012"));
        let pdf = sheet.pdf().expect("the sheet's PDF");
        let text = lopdf::Document::load_mem(&pdf)
            .and_then(|document| document.extract_text(&[1]))
            .expect("the PDF's text");
        for expected in ["Numéro d'hébergement", "123456789012", "Lycée Œcuménique €"] {
            assert!(text.contains(expected), "{expected:?} in {text:?}");
        }
    }
}
