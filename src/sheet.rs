//! The connection sheet handed to the superadministrator (step 6): as text for the clipboard and
//! as a one-page PDF.

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

    /// The sheet as a one-page A4 PDF (Helvetica, WinAnsi encoding for accents).
    pub fn pdf(&self) -> Vec<u8> {
        let mut content = String::from("BT\n/F1 18 Tf\n56 780 Td\n");
        content.push_str(&format!(
            "({}) Tj\n/F1 12 Tf\n0 -36 Td\n",
            escape(&self.title)
        ));
        for (label, value) in &self.lines {
            content.push_str(&format!(
                "({}: {}) Tj\n0 -22 Td\n",
                escape(label),
                escape(value)
            ));
        }
        content.push_str("ET\n");
        let content = latin1(&content);
        let mut objects: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        ];
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
            pdf.extend_from_slice(object);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// Latin-1 bytes of `text` (WinAnsi covers French accents); other characters become '?'.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_pdf_hold_every_line() {
        let sheet = ConnectionSheet {
            title: "Connexion à la console".to_string(),
            lines: vec![(
                "Numéro d'hébergement".to_string(),
                "123456789012".to_string(),
            )],
        };
        assert!(sheet.text().contains("Numéro d'hébergement: 123456789012"));
        let pdf = sheet.pdf();
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let needle = latin1("Numéro d'hébergement: 123456789012");
        assert!(pdf.windows(needle.len()).any(|w| w == needle.as_slice()));
    }
}
